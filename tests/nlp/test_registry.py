"""The concept registry (rules/concepts.json): a new drug or CAR-T brand is a registry entry only,
and a broken registry fails with the file and the concept (or rule) index."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chartabstract.cli import app
from chartabstract.concepts import load_registry
from chartabstract.errors import EXIT_RULES, RuleFileError
from chartabstract.nlp.rules import load_rules

REPO = Path(__file__).resolve().parents[2]
PONATINIB = {
    "concept": "ponatinib", "kind": "treatment", "category": "PONATINIB", "label": "Ponatinib",
    "names": ["ponatinib", "Iclusig"], "context_groups": ["TREATMENT", "EVENT"],
}


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(REPO / "rules", target, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return target


def _edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _concept(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in data["concepts"] if c["concept"] == name)


def _run(tmp_path: Path, rules: Path, notes: dict[str, str]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """`chartabstract run NOTES --rules RULES --out OUT` on notes {"P1/2024-03-10_progress.txt": text}."""
    folder = tmp_path / "notes"
    for name, text in notes.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(folder), "--rules", str(rules), "--out", str(out), "-q", "--no-cache"])
    assert result.exit_code == 0, result.output
    with (out / "mentions.csv").open(encoding="utf-8", newline="") as handle:
        mentions = list(csv.DictReader(handle))
    with (out / "events.csv").open(encoding="utf-8", newline="") as handle:
        events = list(csv.DictReader(handle))
    return mentions, events


def test_registry_car_t_brand_added_as_a_name_only(tmp_path, rules_copy):
    _edit(rules_copy / "concepts.json", lambda d: _concept(d, "car_t")["names"].append("Zamtocabtagene"))
    note = "Zamtocabtagene infused on 3/4/2024, Day 0. Tolerated well.\n"
    mentions, events = _run(tmp_path, rules_copy, {"P1/2024-03-10_progress.txt": note})
    brand = [m for m in mentions if m["text"] == "Zamtocabtagene"]
    assert [(m["concept"], m["rule_id"]) for m in brand] == [("car_t", "name:car_t:11")]
    day_zero = [m for m in mentions if m["rule_id"] == "day_zero"]
    assert [m["concept"] for m in day_zero] == ["car_t"]  # the brand named before 'Day 0': an infusion day
    assert [(e["kind"], e["date"]) for e in events] == [("car_t", "2024-03-04")]


def test_registry_car_t_day_zero_without_the_brand_is_a_transplant(tmp_path, rules_copy):
    note = "Zamtocabtagene infused on 3/4/2024, Day 0. Tolerated well.\n"
    mentions, _ = _run(tmp_path, rules_copy, {"P1/2024-03-10_progress.txt": note})
    assert [m["concept"] for m in mentions if m["rule_id"] == "day_zero"] == ["hsct"]


def test_registry_drug_added_as_an_entry_only(tmp_path, rules_copy):
    _edit(rules_copy / "concepts.json", lambda d: d["concepts"].insert(2, PONATINIB))
    notes = {
        "P1/2024-02-01_progress.txt": "Started ponatinib 45 mg daily on 2/1/2024.\n",
        "P1/2024-03-01_progress.txt": "Plan to start Iclusig next month.\n",
        "P2/2024-03-01_progress.txt": "She did not receive ponatinib.\n",
    }
    mentions, events = _run(tmp_path, rules_copy, notes)
    found = {(m["patient_id"], m["text"]): m for m in mentions if m["concept"] == "ponatinib"}
    assert set(found) == {("P1", "ponatinib"), ("P1", "Iclusig"), ("P2", "ponatinib")}
    assert found["P1", "ponatinib"]["value"] == "start" and found["P1", "ponatinib"]["date"] == "2024-02-01"
    assert found["P1", "Iclusig"]["hypothetical"] == "true" and found["P1", "Iclusig"]["value"] == "plan"
    assert found["P2", "ponatinib"]["negated"] == "true"
    assert found["P1", "ponatinib"]["rule_id"] == "name:ponatinib:0"
    starts = [(e["patient_id"], e["date"]) for e in events if e["kind"] == "ponatinib_start"]
    assert starts == [("P1", "2024-02-01")]


def test_registry_shipped_names_add_no_rules():
    """Every shipped name is matched whole by a shipped target rule: outputs keep their rule ids."""
    rules = load_rules(REPO / "rules")
    assert not [r for r in rules.targets if str((r.get("metadata") or {}).get("rule_id", "")).startswith("name:")]


def test_registry_groups_expand_to_the_categories_listing_them():
    rules = load_rules(REPO / "rules")
    allowed = {frozenset(r["allowed_types"]) for r in rules.context if "allowed_types" in r}
    assert frozenset({"BLINATUMOMAB", "INOTUZUMAB", "HSCT", "CAR_T"}) in allowed
    assert frozenset({"MRD", "CD19", "CD22"}) in allowed
    assert not any(name.startswith("@") for r in rules.context for name in r.get("allowed_types") or ())


def test_registry_api():
    registry = load_registry(REPO / "rules")
    assert registry.treatments == ("blinatumomab", "inotuzumab")
    assert [c.concept for c in registry.procedures] == ["hsct", "car_t"]
    assert registry.day0_kinds == ("hsct", "car_t")
    assert registry.marrow_values == (("marrow_blasts", "blasts"), ("mrd", "mrd"), ("cd19", "cd19"), ("cd22", "cd22"))
    assert registry.concept_for("BLASTS", "peripheral_blood").concept == "peripheral_blasts"  # type: ignore[union-attr]
    assert registry.events["blinatumomab_start"].label == "Blinatumomab start"
    assert registry.event_of("inotuzumab") == "inotuzumab_start"
    assert registry.concept("cd19").negative_below_pct == 20 and registry.concept("cd19").partial_up_to_pct == 80
    assert registry.facts["marrow"]["mrd"]["allowed"] == "negative|positive"


def _concepts_error(rules_copy: Path, change: Any) -> str:
    _edit(rules_copy / "concepts.json", change)
    with pytest.raises(RuleFileError) as caught:
        load_rules(rules_copy)
    return str(caught.value)


def test_registry_unknown_kind(rules_copy):
    message = _concepts_error(rules_copy, lambda d: _concept(d, "mrd").update(kind="lab_value"))
    assert "concepts.json: concept 6 ('mrd'): unknown kind 'lab_value'" in message


def test_registry_duplicate_concept(rules_copy):
    message = _concepts_error(rules_copy, lambda d: d["concepts"].append({**_concept(d, "cd19"), "category": "CD19X"}))
    assert "concepts.json: concept 14: concept 'cd19' already declared by concept 7" in message


def test_registry_unknown_context_group_in_a_concept(rules_copy):
    message = _concepts_error(rules_copy, lambda d: _concept(d, "cd22")["context_groups"].append("LAB"))
    assert "concepts.json: concept 8 ('cd22'): unknown context group 'LAB'" in message


def test_registry_unknown_context_group_in_a_context_rule(rules_copy):
    _edit(rules_copy / "context.json", lambda d: d["context_rules"][5].update(allowed_types=["@TREATMENTS"]))
    with pytest.raises(RuleFileError, match=r"context\.json: rule 5 \(.*\): allowed_types: unknown group '@TREATMENTS'"):
        load_rules(rules_copy)


def test_registry_unknown_target_category_is_an_error(rules_copy):
    """No silent default: a target category no concept declares used to become marrow blasts."""
    rules = json.loads((rules_copy / "targets.json").read_text(encoding="utf-8"))["target_rules"]
    index = next(i for i, rule in enumerate(rules) if rule["category"] == "CD19")
    _edit(rules_copy / "targets.json", lambda d: d["target_rules"][index].update(category="CD20"))
    with pytest.raises(RuleFileError, match=rf"targets\.json: rule {index} \('CD19'\): unknown category 'CD20'"):
        load_rules(rules_copy)


def test_registry_rules_check_exits_4(rules_copy):
    _edit(rules_copy / "concepts.json", lambda d: _concept(d, "relapse").update(kind="recurrence"))
    result = CliRunner().invoke(app, ["rules", "check", str(rules_copy)])
    assert result.exit_code == EXIT_RULES, result.output
    assert "concepts.json: concept 13 ('relapse'): unknown kind 'recurrence'" in result.output


def test_registry_graded_outcome_without_staging_reads_grades(tmp_path, rules_copy):
    """A graded outcome added as an entry (CRS): a grade read around the mention, an event per concept."""
    crs = {"concept": "crs", "kind": "graded_outcome", "category": "CRS", "label": "CRS", "names": ["CRS", "cytokine release syndrome"],
           "event": "crs", "attribute": "grade", "context_groups": ["EVENT"]}

    def add(data: dict[str, Any]) -> None:
        data["concepts"].append(crs)
        data["events"]["crs"] = {"label": "CRS", "repeatable": True}

    _edit(rules_copy / "concepts.json", add)
    notes = {
        "P1/2024-03-08_progress.txt": "Grade 2 CRS on 3/7/2024, given tocilizumab.\n",
        "P2/2024-03-08_progress.txt": "CRS grade II, on tocilizumab.\n",
        "P3/2024-03-08_progress.txt": "No CRS.\n",
    }
    mentions, events = _run(tmp_path, rules_copy, notes)
    assert {m["patient_id"]: m["value"] for m in mentions if m["concept"] == "crs"} == {"P1": "2", "P2": "2", "P3": ""}
    grades = {e["patient_id"]: (e["date"], e["values"]) for e in events if e["kind"] == "crs"}
    assert grades["P1"][0] == "2024-03-07" and "grade=2" in grades["P1"][1]
    assert "grade=2" in grades["P2"][1] and "grade=0" in grades["P3"][1]
