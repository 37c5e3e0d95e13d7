"""Every command has help and is listed in the README (sqlite-utils' test_docs habit)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chartabstract.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
COMMANDS = [["run"], ["rules", "check"], ["evaluate"], ["evaluate-mentions"], ["explain"], ["review"], ["review", "export"], ["review", "import"], ["review", "agreement"], ["report"], ["version"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_docs_command_has_help_and_readme_entry(command):
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert f"chartabstract {' '.join(command)}" in README


def test_docs_every_registered_command_is_tested_here():
    import typer.main

    group = typer.main.get_command(app)
    names = set(group.commands)  # type: ignore[attr-defined]
    assert names == {c[0] for c in COMMANDS}


def test_docs_quickstart_has_exactly_the_two_setup_commands():
    quickstart = README.split("## Quickstart", 1)[1].split("##", 1)[0]
    commands = [line.split("#")[0].strip() for line in quickstart.splitlines() if line.startswith("make ")]
    assert commands == ["make run", "make test"]


def _help(*command: str) -> str:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_docs_help_has_conventional_usage_and_no_flag_types(command):
    text = _help(*command)
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert "{" not in usage and "<bool>" not in text, text  # Typer 0.29's `{out}` and `<bool>`


def test_docs_run_help_says_what_it_writes_and_every_option():
    text = _help("run")
    assert "run [OPTIONS] NOTES" in text
    for output in ("cohort.csv", "cohort.parquet", "events.csv", "mentions.csv", "note_nlp.csv", "review_queue.csv",
                   "data_dictionary.csv", "run_manifest.json"):
        assert output in text, output
    assert "pip install chartabstract[spark]" in text  # not eaten as Rich markup
    assert "3: no note could be read" in text


def test_docs_review_help_shows_the_review_page_options():
    text = _help("review")
    for option in ("OUT", "--reviewer", "--port", "--blind", "--adjudicate", "--db", "export", "import", "agreement"):
        assert option in text, option


def test_docs_readme_points_inside_the_repository():
    """Every relative link of the README resolves to a file of this repository: a clone has nothing beside it."""
    repo = Path(__file__).resolve().parents[1]
    targets = [t.split("#")[0] for t in re.findall(r"\]\(([^)\s]+)\)", README) if "://" not in t and not t.startswith("#")]
    assert targets
    for target in targets:
        resolved = (repo / target).resolve()
        assert resolved.is_relative_to(repo) and resolved.exists(), target
    assert (repo / "docs" / "SPEC.md").is_file() and "docs/SPEC.md" in README
