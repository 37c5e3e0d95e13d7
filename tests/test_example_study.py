"""The CAR-T outcomes example study (examples/cart_outcomes) runs end to end through the real CLI
with its own rules folder: its columns, dictionary, CRS/ICANS events and review labels, and its
accuracy against its gold table (README figures: 60/60 after the issue-16 fixes, 41/60 at first contact)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chartabstract.cli import app
from chartabstract.cohort_types import bound_column

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cart_outcomes"
AFTER_FIX_ACCURACY = 1.0
AFTER_FIX_WRONG_UNFLAGGED = 0


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("cart_outcomes")
    result = CliRunner().invoke(app, ["run", str(EXAMPLE / "notes"), "--rules", str(EXAMPLE / "rules"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _study_columns() -> list[dict[str, object]]:
    return json.loads((EXAMPLE / "rules" / "study.json").read_text(encoding="utf-8"))["columns"]


def test_example_study_cohort_has_exactly_the_study_columns_in_order(run_dir):
    with open(run_dir / "cohort.csv", encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    # every "number or bound" column is followed by its generated bound column (cohort_types)
    expected = [name for c in _study_columns() for name in
                ([c["name"], bound_column(str(c["name"]))] if c["type"] == "number or bound" else [c["name"]])]
    assert header == expected
    assert len(_rows(run_dir / "cohort.csv")) == 6


def test_example_study_dictionary_lists_the_columns_with_their_patterns(run_dir):
    dictionary = {row["name"]: row for row in _rows(run_dir / "data_dictionary.csv")}
    for column in _study_columns():
        assert dictionary[column["name"]]["pattern"] == column["derive"]["pattern"]  # type: ignore[index]


def test_example_study_events_hold_crs_and_icans(run_dir):
    kinds = {row["kind"] for row in _rows(run_dir / "events.csv")}
    assert {"crs", "icans", "car_t"} <= kinds


def test_example_study_review_names_crs_and_icans_facts_by_their_concept_labels(run_dir):
    from chartabstract.review.items import item_kind
    from chartabstract.study import study_of_run

    concepts = json.loads((EXAMPLE / "rules" / "concepts.json").read_text(encoding="utf-8"))["concepts"]
    labels = {c["event"]: (c["label"], c["fact"]["label"]) for c in concepts if c["concept"] in ("crs", "icans")}
    study = study_of_run(run_dir)
    for row in _rows(run_dir / "events.csv"):
        if row["kind"] in labels:
            event_label, fact_label = labels[row["kind"]]
            field = f"{row['event_id'].split(':', 1)[1]}.grade"
            assert item_kind(field, study) == f"{event_label}: {fact_label}"
    for item in _rows(run_dir / "review_queue.csv"):  # a CRS/ICANS item on the queue carries the same label
        kind = item["field"].split("@", 1)[0]
        if kind in labels:
            assert item["label"].startswith(labels[kind][0]) and labels[kind][1] in item["label"]


def test_example_study_accuracy_holds(run_dir):
    result = CliRunner().invoke(app, ["evaluate", str(run_dir), "--gold", str(EXAMPLE / "gold_cohort.csv"), "--json"])
    assert result.exit_code == 0, result.output
    total = json.loads(result.output)["total"]
    assert total["total"] == 60
    assert total["accuracy"] >= AFTER_FIX_ACCURACY - 0.02
    assert total["wrong_unflagged"] <= AFTER_FIX_WRONG_UNFLAGGED
