"""Cohort columns as data: study.json derivation patterns, their validation, and new columns without code."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from chartabstract.cohort import build_cohort_row, order_dependents
from chartabstract.errors import RuleFileError
from chartabstract.nlp.rules import default_rules_dir
from chartabstract.study import load_study
from chartabstract.timeline import build_timeline
from tests.test_cohort import BLINA, INO, D, marrow, mention


def _rules_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return copy


def _edit_columns(rules: Path, edit) -> None:
    path = rules / "study.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data["columns"])
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _column(name: str, derive: dict, type_: str = "date") -> dict:
    return {"name": name, "type": type_, "allowed": "", "meaning": name, "derivation": name, "derive": derive}


def _row(study, *mentions):
    flat = [m for g in mentions for m in (g if isinstance(g, list) else [g])]
    timeline = build_timeline("P", flat, study, last_note_date=D("2021-01-01"), notes=len(flat))
    return build_cohort_row(timeline, study)


def test_derive_new_column_following_a_pattern_needs_no_code(tmp_path):
    rules = _rules_copy(tmp_path)
    _edit_columns(rules, lambda columns: columns.insert(-3, _column(
        "blasts_day14_after_mab1_pct",
        {"pattern": "marrow_value_after", "value": "blasts", "after": "mab1_start", "from_days": 7, "to_days": 21},
        "number or bound")))
    study = load_study(rules)
    row = _row(study, BLINA, INO, marrow("2019-03-18", "12"), marrow("2019-04-20", "3"))
    assert row.values["blasts_day14_after_mab1_pct"] == "12"
    assert row.sources["blasts_day14_after_mab1_pct"] == ("P:marrow@2019-03-18",)


@pytest.mark.parametrize("derive, message", [
    ({"pattern": "first_evnt", "event": "hsct"}, '"pattern" must be one of'),
    ({"pattern": "first_event"}, "missing event"),
    ({"pattern": "first_event", "event": "hsct", "after": "mab1_start"}, "unknown after"),
    ({"pattern": "latest_event_before", "event": "hsct", "before": "os_event"}, "'os_event' must be a column listed before"),
    ({"pattern": "marrow_value_before", "value": "blasts", "before": "mab1_start", "within_days": "sixty"}, "within_days must be"),
    ({"pattern": "marrow_value_before", "value": "blasts", "before": "mab1_start", "within_days": -3}, "within_days must be"),
])
def test_derive_bad_definition_is_a_rules_error_naming_the_column(tmp_path, derive, message):
    rules = _rules_copy(tmp_path)
    _edit_columns(rules, lambda columns: columns.insert(12, _column("new_column", derive)))
    with pytest.raises(RuleFileError) as error:
        load_study(rules)
    assert "study.json: column 12 (new_column): derive" in str(error.value)
    assert message in str(error.value)


def test_derive_undated_start_flags_every_column_built_on_the_order():
    study = load_study()
    undated = mention("inotuzumab", "dose", None)
    row = _row(study, BLINA, undated)
    built_on_order = order_dependents(study)
    assert {"mab1_drug", "blasts_pre_mab1_pct", "relapse_after_mab2_date", "os_event"} <= set(built_on_order)
    assert "death_date" not in built_on_order and "last_followup_date" not in built_on_order
    for column in built_on_order:
        assert any(f.fact == "inotuzumab_start.date" for f in row.flags[column]), column


def test_derive_window_names_and_numbers_read_alike(tmp_path):
    rules = _rules_copy(tmp_path)

    def sixty_as_number(columns):
        for column in columns:
            if column["derive"].get("within_days") == "marrow_before_start_days":
                column["derive"]["within_days"] = 10
    _edit_columns(rules, sixty_as_number)
    narrow, default = load_study(rules), load_study()
    mentions = (BLINA, INO, marrow("2019-02-10", "40"))  # 22 days before blinatumomab
    assert _row(default, *mentions).values["blasts_pre_mab1_pct"] == "40"
    assert _row(narrow, *mentions).values["blasts_pre_mab1_pct"] == ""


def test_derive_sequence_follows_the_dates_not_the_listed_order(tmp_path):
    rules = _rules_copy(tmp_path)

    def listed_reversed(columns):
        for column in columns:
            if column["derive"]["pattern"] == "sequence":
                column["derive"]["of"] = ["inotuzumab_start", "blinatumomab_start"]
    _edit_columns(rules, listed_reversed)
    study = load_study(rules)
    later_blina = replace(BLINA, date=D("2019-07-01"))
    row = _row(study, later_blina, INO)
    assert (row.values["mab1_drug"], row.values["mab2_drug"]) == ("inotuzumab", "blinatumomab")
