"""Issue 15 acceptance: a third drug, a start column, a pre-start blasts column and a new CAR-T brand,
added in a copy of rules/ with no code change, carried through every output a user reads."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chartabstract.cli import app
from chartabstract.review.validate import InvalidValue, validate_value
from chartabstract.study import study_of_run

REPO = Path(__file__).resolve().parents[1]
NOTES = {
    "P1/2024-02-20_bm_pathology.txt": (
        "BONE MARROW ASPIRATE AND BIOPSY\nDiagnosis: relapsed B-lymphoblastic leukemia.\n"
        "Aspirate differential: 30% lymphoblasts.\nFlow cytometry: blasts CD19 positive, CD22 positive.\n"),
    "P1/2024-03-01_progress.txt": (
        "Ph+ B-ALL, second relapse with T315I.\nStarted ponatinib (Iclusig) 45 mg daily today, 03/01/2024.\n"),
    "P1/2024-03-29_letter.txt": (
        "Dear colleague, Iclusig was started on 03/12/2024 and she tolerates it well.\n"),
    "P1/2024-06-10_cellular_therapy.txt": (
        "CAR T-cell infusion note.\nZamtocabtagene autoleucel infused 06/10/2024 (Day 0) without immediate reaction.\n"),
}


def _study_with_a_third_drug(rules: Path) -> None:
    concepts = json.loads((rules / "concepts.json").read_text(encoding="utf-8"))
    concepts["concepts"].append({
        "concept": "ponatinib", "kind": "treatment", "category": "PONATINIB", "label": "Ponatinib",
        "names": ["ponatinib", "Iclusig"], "context_groups": ["TREATMENT", "EVENT"]})
    next(c for c in concepts["concepts"] if c["concept"] == "car_t")["names"].append("zamtocabtagene autoleucel")
    (rules / "concepts.json").write_text(json.dumps(concepts, indent=2), encoding="utf-8")
    study = json.loads((rules / "study.json").read_text(encoding="utf-8"))
    study["study"]["drugs"].append("ponatinib")
    at = next(i for i, c in enumerate(study["columns"]) if c["name"] == "flags")
    study["columns"][at:at] = [
        {"name": "ponatinib_start", "type": "date", "allowed": "ISO date", "meaning": "Date of the first ponatinib dose",
         "derivation": "earliest ponatinib start event", "derive": {"pattern": "first_event", "event": "ponatinib_start"}},
        {"name": "blasts_pre_ponatinib_pct", "type": "number or bound", "allowed": "0-100 or <N / >N",
         "meaning": "Marrow blast % before ponatinib", "derivation": "latest marrow within 60 days before ponatinib_start",
         "derive": {"pattern": "marrow_value_before", "value": "blasts", "before": "ponatinib_start",
                    "within_days": "marrow_before_start_days"}},
        {"name": "cart_date", "type": "date", "allowed": "ISO date", "meaning": "First CAR-T infusion",
         "derivation": "earliest CAR-T event", "derive": {"pattern": "first_event", "event": "car_t"}},
    ]
    (rules / "study.json").write_text(json.dumps(study, indent=2), encoding="utf-8")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("issue15")
    rules = tmp / "rules"
    shutil.copytree(REPO / "rules", rules, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    _study_with_a_third_drug(rules)
    for name, text in NOTES.items():
        (tmp / "notes" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "notes" / name).write_text(text, encoding="utf-8")
    out = tmp / "out"
    result = CliRunner().invoke(app, ["run", str(tmp / "notes"), "--rules", str(rules), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_issue15_mentions_carry_the_new_drug_and_brand(run):
    mentions = _rows(run / "mentions.csv")
    ponatinib = [m for m in mentions if m["concept"] == "ponatinib"]
    # both names are the new drug's; written back to back they are one mention (docs/annotation_guide.md)
    assert {m["text"].lower() for m in ponatinib} == {"ponatinib (iclusig", "iclusig"}
    assert any(m["value"] == "start" and m["date"] == "2024-03-01" for m in ponatinib)
    assert any(m["concept"] == "car_t" and m["text"].lower() == "zamtocabtagene autoleucel" for m in mentions)


def test_issue15_events_and_cohort_carry_them_with_evidence_and_flags(run):
    events = {e["kind"]: e for e in _rows(run / "events.csv")}
    assert events["ponatinib_start"]["date"] == "2024-03-01"
    assert events["car_t"]["date"] == "2024-06-10"
    row = _rows(run / "cohort.csv")[0]
    assert (row["ponatinib_start"], row["blasts_pre_ponatinib_pct"], row["cart_date"]) == ("2024-03-01", "30", "2024-06-10")
    assert "ponatinib_start" in row["flags"].split(";")  # the letter's 03/12 disagrees
    queue = {item["field"]: item for item in _rows(run / "review_queue.csv")}
    item = queue["ponatinib_start.date"]
    assert item["label"] == "Ponatinib start: date"
    assert "ponatinib_start" in item["decides"].split(";") and "2024-03-12" in item["candidates"]


def test_issue15_data_dictionary_and_review_validation_know_the_new_columns(run):
    dictionary = {row["name"]: row for row in _rows(run / "data_dictionary.csv")}
    assert dictionary["blasts_pre_ponatinib_pct"]["pattern"] == "marrow_value_before"
    assert json.loads(dictionary["blasts_pre_ponatinib_pct"]["parameters"])["before"] == "ponatinib_start"
    study = study_of_run(run)
    assert validate_value(study, "ponatinib_start.date", "2024-03-01") == "2024-03-01"
    assert validate_value(study, "blasts_pre_ponatinib_pct", "<5") == "<5"
    with pytest.raises(InvalidValue):
        validate_value(study, "ponatinib_start.date", "2024-13-01")
    with pytest.raises(InvalidValue):
        validate_value(study, "blasts_pre_ponatinib_pct", "lots")


def test_issue15_explain_shows_the_new_drug_with_its_sentence(run):
    result = CliRunner().invoke(app, ["explain", str(run), "P1"])
    assert result.exit_code == 0, result.output
    assert "ponatinib" in result.output.lower() and "Started ponatinib (Iclusig)" in result.output
    assert "zamtocabtagene" in result.output.lower()
