"""A rule regex that backtracks beyond what `rules check` sees cannot hang a run: the note is
stopped at its time budget, skipped and listed, and the run goes on (issue 14)."""

from __future__ import annotations

import csv
import json
import shutil
import time

import pytest
from typer.testing import CliRunner

from chartabstract.cli import app
from chartabstract.errors import EXIT_SKIPPED
from tests.conftest import REPO
from tests.review.conftest import write_notes


@pytest.fixture()
def slow_rules(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    targets = json.loads((rules / "targets.json").read_text())
    rule = json.loads(json.dumps(targets["target_rules"][0]))
    rule.update(literal="slow", pattern="(ab|a|b)*c")  # ambiguous, yet not a nested quantifier over one character
    rule["metadata"]["rule_id"] = "slow_rule"
    targets["target_rules"].append(rule)
    (rules / "targets.json").write_text(json.dumps(targets))
    return rules


@pytest.mark.parametrize("workers", ["1", "2"])
def test_note_time_limit_stops_a_backtracking_note_and_the_run_goes_on(tmp_path, slow_rules, workers):
    notes = write_notes(tmp_path / "notes", {
        "P1/2019-03-04_progress.txt": "Started blinatumomab cycle 1 on 3/4/2019. " + "ab" * 40 + "x\n",
        "P1/2019-06-01_progress.txt": "Started inotuzumab on 6/1/2019.\n",
    })
    out = tmp_path / "out"
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["run", str(notes), "--out", str(out), "--rules", str(slow_rules), "--no-prefilter",
                                      "--max-note-seconds", "2", "--workers", workers])
    assert time.perf_counter() - started < 60
    assert result.exit_code == EXIT_SKIPPED, result.output
    assert "2019-03-04_progress.txt: extraction stopped after 2 s" in result.output
    manifest = json.loads((out / "run_manifest.json").read_text())
    assert manifest["counts"]["notes_read"] == 2 and manifest["counts"]["notes_processed"] == 1
    with open(out / "cohort.csv", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert row["inotuzumab_start"] == "2019-06-01" and row["blinatumomab_start"] == ""  # the stopped note is not read


@pytest.mark.parametrize("value", ["0", "-1", "nan"])
def test_note_time_limit_option_must_be_positive(tmp_path, value):
    result = CliRunner().invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "out"), "--max-note-seconds", value])
    assert result.exit_code == 2 and "--max-note-seconds" in result.output
