"""The shipped rules load through the CLI's path, and broken rule files fail with file and rule index."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chartabstract.cli import app
from chartabstract.errors import EXIT_RULES, RuleFileError
from chartabstract.nlp.rules import default_rules_dir, load_rules

REPO = Path(__file__).resolve().parents[2]


def test_rules_packaged_defaults_are_the_repository_rules():
    packaged = load_rules(default_rules_dir())
    repo = load_rules(REPO / "rules")
    assert packaged.digest == repo.digest
    assert len(repo.targets) > 20 and len(repo.context) > 100 and len(repo.sections) > 10


def test_rules_check_cli_accepts_shipped_rules():
    result = CliRunner().invoke(app, ["rules", "check"])
    assert result.exit_code == 0, result.output
    assert "rules OK" in result.output


@pytest.fixture()
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(REPO / "rules", target, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return target


def _edit(folder: Path, name: str, edit) -> None:
    path = folder / name
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("file_name", "edit", "message"),
    [
        ("targets.json", lambda d: d["target_rules"][3].update(catgory="X"), "targets.json: rule 3 ('BLIN'): unknown key 'catgory'"),
        ("targets.json", lambda d: d["target_rules"][0].update(pattern="blin(atumomab"), "targets.json: rule 0 ('blinatumomab'): invalid regular expression"),
        ("targets.json", lambda d: d["target_rules"][1].update(category="BLINA"), "targets.json: rule 1 ('blina'): unknown category 'BLINA'"),
        ("targets.json", lambda d: d["target_rules"].append({"literal": "x", "category": "DEATH", "pattern": [{"LOWR": "x"}]}), "invalid token pattern"),
        ("targets.json", lambda d: d["target_rules"].append({"literal": "blina", "category": "DEATH"}), "rule_id 'blina' already used by rule 1"),
        ("context.json", lambda d: d["context_rules"][5].update(direction="SIDEWAYS"), "context.json: rule 5"),
        ("context.json", lambda d: d["context_rules"][5].update(max_scope=0), "max_scope must be a positive whole number"),
        ("sections.json", lambda d: d["section_rules"][0].pop("category"), "sections.json: rule 0: 'category' is required"),
        ("sections.json", lambda d: d.update(section_rules={}), '"section_rules" must be a list'),
    ],
)
def test_rules_invalid_file_names_file_and_rule(rules_copy, file_name, edit, message):
    _edit(rules_copy, file_name, edit)
    with pytest.raises(RuleFileError) as caught:
        load_rules(rules_copy)
    assert message in str(caught.value)
    result = CliRunner().invoke(app, ["rules", "check", str(rules_copy)])
    assert result.exit_code == EXIT_RULES
    assert message in result.output


def test_rules_bad_json_names_line_and_column(rules_copy):
    (rules_copy / "context.json").write_text('{"context_rules": [\n  {"literal": "no",}\n]}')
    with pytest.raises(RuleFileError, match=r"context.json: line 2 column \d+: invalid JSON"):
        load_rules(rules_copy)


def test_rules_missing_rule_file_is_the_packaged_one_and_said(rules_copy):
    """A study folder holds what it changes; a rule file it leaves out is the packaged one."""
    (rules_copy / "sections.json").unlink()
    loaded = load_rules(rules_copy)
    assert loaded.defaults == ("sections.json",)
    assert loaded.sections == load_rules().sections
    result = CliRunner().invoke(app, ["rules", "check", str(rules_copy)])
    assert "from the packaged rules (not in this folder): sections.json" in result.output


def test_rules_missing_concept_registry_is_an_error(rules_copy):
    (rules_copy / "concepts.json").unlink()
    with pytest.raises(RuleFileError, match="concepts.json: (rules file|concept registry) missing"):
        load_rules(rules_copy)


def test_rules_edited_copy_is_used_by_run(rules_copy, tmp_path):
    """--rules DIR: a user's edit (a new spelling) changes what is found."""
    notes = tmp_path / "notes" / "P1"
    notes.mkdir(parents=True)
    (notes / "2020-01-15_progress.txt").write_text("Started zorbatumab today.\n")
    _edit(rules_copy, "targets.json", lambda d: d["target_rules"].append(
        {"literal": "zorbatumab", "category": "BLINATUMOMAB", "metadata": {"rule_id": "local_name"}}))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(tmp_path / "notes"), "--out", str(out), "--rules", str(rules_copy), "-q"])
    assert result.exit_code == 0, result.output
    text = (out / "mentions.csv").read_text()
    assert "local_name" in text and "zorbatumab" in text


@pytest.mark.parametrize(("file_name", "rule", "where"), [
    ("targets.json", {"literal": "aaa", "category": "DEATH", "pattern": "(a+)+$"}, "targets.json: rule {index} ('aaa')"),
    ("context.json", {"literal": "aaa", "category": "NEGATED_EXISTENCE", "pattern": [{"LOWER": {"REGEX": "(a+)+$"}}]},
     "context.json: rule {index} ('aaa'): token REGEX '(a+)+$'"),
])
def test_rules_catastrophic_regex_cannot_hang_a_run(rules_copy, tmp_path, file_name, rule, where):
    """(a+)+$ on a long run of 'a' took hours: check and run now refuse it, naming file and rule
    (the appended rule's index, so adding a shipped rule does not break this test)."""
    key = "target_rules" if file_name == "targets.json" else "context_rules"
    where = where.format(index=len(json.loads((rules_copy / file_name).read_text(encoding="utf-8"))[key]))
    _edit(rules_copy, file_name, lambda d: d[key].append(rule))
    notes = tmp_path / "notes" / "P1"
    notes.mkdir(parents=True)
    (notes / "2020-01-15_progress.txt").write_text(f"Started blinatumomab today {'a' * 40}b.\n")
    check = CliRunner().invoke(app, ["rules", "check", str(rules_copy)])
    assert check.exit_code == EXIT_RULES and where in check.output and "exponential" in check.output
    command = [sys.executable, "-m", "chartabstract", "run", str(tmp_path / "notes"), "--out", str(tmp_path / "out"),
               "--rules", str(rules_copy), "--no-prefilter", "--workers", "1", "--no-cache", "-q"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60)  # the old code never returned
    assert run.returncode == EXIT_RULES and where in run.stderr


@pytest.mark.parametrize("regex", ["a(", "(?<=a+)b"])
def test_rules_invalid_token_regex_names_file_and_rule(rules_copy, regex):
    _edit(rules_copy, "context.json", lambda d: d["context_rules"][5].update(pattern=[{"LOWER": {"REGEX": regex}}]))
    with pytest.raises(RuleFileError, match=r"context.json: rule 5 .*token REGEX .*invalid regular expression"):
        load_rules(rules_copy)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda text: text.replace("{", "{,", 1), "study.json: line 1 column 2: invalid JSON"),
    (lambda text: json.dumps({**json.loads(text), "columns": []}), '"columns" must be a non-empty list'),
    (lambda text: text.replace('"marrow_before_start_days": ', '"marrow_before_start_days": -'), '"windows.marrow_before_start_days" must be a non-negative number'),
    (lambda text: json.dumps({**json.loads(text), "review": {"facts": {}}}), '"review" moved to concepts.json'),
    (lambda text: json.dumps({**json.loads(text), "study": {**json.loads(text)["study"], "drugs": ["x"]}}), "'x' is not a treatment concept of concepts.json"),
])
def test_rules_check_rejects_the_study_json_run_rejects(rules_copy, edit, message):
    from chartabstract.study import load_study

    path = rules_copy / "study.json"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(RuleFileError, match=re.escape(message)) as caught:
        load_study(rules_copy)
    result = CliRunner().invoke(app, ["rules", "check", str(rules_copy)])
    assert result.exit_code == EXIT_RULES
    assert str(caught.value) in result.output
