"""Golden run: `chartabstract run sample_notes/` against the hand-written gold mentions.

The floors sit just under the figures measured when the rules were frozen (README, "Accuracy"),
so a rule change that loses accuracy fails here; raise them when accuracy improves.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from chartabstract.cli import app
from tests.conftest import SAMPLE_NOTES

DETECTION_FLOOR = {"precision": 0.95, "recall": 0.94}
STRICT_FLOOR = {"strict_precision": 0.85, "strict_recall": 0.85}
CONCEPT_DETECTION_FLOOR = 0.85


@pytest.fixture(scope="module")
def golden(tmp_path_factory, request):
    out = tmp_path_factory.mktemp("golden")
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(SAMPLE_NOTES), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    scored = runner.invoke(app, ["evaluate-mentions", str(out), "--gold", str(SAMPLE_NOTES / "gold_mentions.csv"),
                                 "--notes", str(SAMPLE_NOTES), "--json"])
    assert scored.exit_code == 0, scored.output
    return out, json.loads(scored.output)


def test_golden_run_reads_every_sample_note(golden):
    out, _ = golden
    counts = json.loads((out / "run_manifest.json").read_text())["counts"]
    assert counts["notes_read"] == counts["notes_processed"] >= 100
    assert counts["notes_skipped"] == 0


def test_golden_mentions_detection(golden):
    _, score = golden
    total = score["total"]
    assert total["gold"] >= 1200
    for key, floor in DETECTION_FLOOR.items():
        assert total[key] >= floor, (key, total[key])
    for name, concept in score["concepts"].items():
        assert min(concept["precision"], concept["recall"]) >= CONCEPT_DETECTION_FLOOR, (name, concept)


def test_golden_mentions_attributes_values_dates(golden):
    _, score = golden
    for key, floor in STRICT_FLOOR.items():
        assert score["total"][key] >= floor, (key, score["total"][key])


def test_golden_cohort_accuracy_and_no_unflagged_errors(golden):
    from tests.conftest import SAMPLE_NOTES

    out, _ = golden
    result = CliRunner().invoke(app, ["evaluate", str(out), "--gold", str(SAMPLE_NOTES / "gold_cohort.csv"), "--json"])
    assert result.exit_code == 0, result.output
    scored = json.loads(result.output)
    total = scored["total"]
    assert total["total"] >= 500
    assert total["accuracy"] >= 0.95, total
    assert total["wrong_unflagged"] == 0, scored["errors"]
    outcomes = ("relapse_after_mab2_date", "agvhd_max_grade", "death_cause", "nonrelapse_death", "os_days_from_mab2", "os_event")
    assert all(scored["fields"][name]["total"] >= 20 for name in outcomes)


def test_golden_cohort_outputs(golden):
    import csv

    import pandas as pd

    from chartabstract import load_cohort
    from chartabstract.cohort_types import output_column_names
    from chartabstract.study import load_study

    out, _ = golden
    study = load_study()
    with open(out / "cohort.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(SAMPLE_NOTES / "gold_cohort.csv", encoding="utf-8", newline="") as handle:
        patients = len(list(csv.DictReader(handle)))
    assert list(rows[0]) == output_column_names(study) and len(rows) == patients
    pd.testing.assert_frame_equal(load_cohort(out / "cohort.parquet"), load_cohort(out / "cohort.csv"))
    with open(out / "data_dictionary.csv", encoding="utf-8", newline="") as handle:
        assert [r["name"] for r in csv.DictReader(handle)] == output_column_names(study)
    with open(out / "review_queue.csv", encoding="utf-8", newline="") as handle:
        queue = list(csv.DictReader(handle))
    flagged = {(r["patient_id"], c) for r in rows for c in r["flags"].split(";") if c}
    assert flagged == {(q["patient_id"], c) for q in queue for c in q["decides"].split(";")}
    assert all(q["evidence_note_ids"] and q["detail"] for q in queue)
    with open(out / "events.csv", encoding="utf-8", newline="") as handle:
        kinds = {r["kind"] for r in csv.DictReader(handle)}
    assert {"blinatumomab_start", "inotuzumab_start", "hsct", "car_t", "marrow", "death", "relapse", "agvhd"} <= kinds


def test_golden_explain_shows_timeline_with_evidence(golden):
    out, _ = golden
    result = CliRunner().invoke(app, ["explain", str(out), "A01"])
    assert result.exit_code == 0, result.output
    assert "blinatumomab_start" in result.output and "A01/2018-03-09_discharge" in result.output
    assert "Cohort row:" in result.output
    missing = CliRunner().invoke(app, ["explain", str(out), "NOPE"])
    assert missing.exit_code == 3 and "no patient 'NOPE'" in missing.output


# Floors per held-out style (docs/heldout_evaluation.md): accuracy just under the figure measured
# after the general fixes, and the wrong-and-unflagged count measured then. Every style was written
# blind by someone who never saw the rules; once scored on first contact it became a regression test.
HELDOUT_FLOORS = {  # (accuracy floor, wrong-and-unflagged ceiling): a little under the measured figures
    "heldout": (0.98, 0),
    "heldout_outcomes": (0.99, 0),
    "heldout_ax": (0.99, 0),
    "heldout_oc": (0.97, 0),
    "heldout_tc": (0.98, 0),
    "heldout_rs": (0.99, 0),
    "heldout_pc": (0.99, 0),
    "heldout_df": (0.99, 0),
    "heldout_va": (0.99, 0),
    "heldout_ct": (0.99, 0),
    "heldout_ip": (0.99, 0),
    "heldout_la": (0.99, 0),
    "heldout_uk": (0.99, 0),
    "heldout_jp": (0.99, 0),
    "heldout_in": (0.99, 0),
    "heldout_cr": (0.99, 0),
    "heldout_au": (0.99, 0),
    "heldout_hi": (0.99, 0),
    "heldout_sg": (0.98, 0),
    "heldout_ca": (0.98, 1),
    "heldout_za": (0.98, 0),
    "heldout_me": (0.97, 0),
    "heldout_ke": (0.98, 0),
    "heldout_ph": (0.99, 0),
    "heldout_fr": (0.97, 0),
    "heldout_cn": (0.99, 0),
    "heldout_no": (0.97, 0),
    "heldout_sn": (0.99, 0),
    "heldout_tr": (0.98, 0),
    "heldout_hm": (0.97, 0),
    "heldout_de": (0.99, 0),
    "heldout_ap": (0.99, 0),
    "heldout_rc": (0.99, 0),
    "heldout_th": (0.99, 0),
    "heldout_ur": (0.99, 0),
    "heldout_eb": (0.99, 0),
    "heldout_ie": (0.99, 0),
    "heldout_mt": (0.99, 0),
    "heldout_pl": (0.98, 0),
    "heldout_hx": (0.98, 0),
    "heldout_ac": (0.99, 0),  # first contact 0.929; after general fixes 0.968, then 0.993
    "heldout_hk": (0.98, 0),  # first contact 0.968; after general fixes 0.986 (a two-day relapse now flagged)
    # the last two of this session: first contact 0.550 (KR) and 0.736 (NL) on the rules of 046666a;
    # floors are the figures after the general fixes (year-first short dates and charts; Dutch/Korean words)
    "heldout_kr": (0.95, 2),
    "heldout_nl": (0.91, 1),
    # the last two (English-language): first contact 0.961 / 2.1% (RH) and 0.971 / 0.7% (EI) on the
    # rules of c76373f; floors are the figures after the general fixes
    "heldout_rh": (0.98, 0),
    "heldout_ei": (0.97, 0),
    # a fifth blind pair, written quickly (107 notes each) at the end of the session and scored on the
    # rules of 735a04d: their first-contact figures, not yet worked on
    "heldout_ua": (0.98, 3),
    "heldout_gb": (0.92, 0),
}


def test_every_heldout_set_has_a_floor():
    from tests.conftest import REPO

    assert {p.name for p in (REPO / "tests" / "data").glob("heldout*")} == set(HELDOUT_FLOORS)


@pytest.mark.parametrize("name", sorted(HELDOUT_FLOORS))
def test_golden_heldout_charts_cohort(tmp_path, name):
    """The held-out charts (docs/heldout_evaluation.md), now regression tests."""
    from tests.conftest import REPO

    heldout = REPO / "tests" / "data" / name
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(heldout), "--out", str(out), "-q"]).exit_code == 0
    result = runner.invoke(app, ["evaluate", str(out), "--gold", str(heldout / "gold_cohort.csv"), "--json"])
    total = json.loads(result.output)["total"]
    accuracy_floor, unflagged_ceiling = HELDOUT_FLOORS[name]
    assert total["accuracy"] >= accuracy_floor, json.loads(result.output)["errors"]
    assert total["wrong_unflagged"] <= unflagged_ceiling, json.loads(result.output)["errors"]
