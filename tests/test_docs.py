"""Every command has help and is listed in the README (sqlite-utils' test_docs habit)."""

from __future__ import annotations

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
