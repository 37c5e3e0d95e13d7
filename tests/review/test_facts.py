"""Issue 13: reviewers decide facts, the review database belongs to its folder, and every view of
the open items agrees with the cohort."""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chartabstract.cli import app
from chartabstract.review.server import create_app, load_session
from chartabstract.review.store import ReviewStore
from chartabstract.review.validate import validate_value
from chartabstract.study import load_study
from tests.conftest import SAMPLE_NOTES
from tests.review.conftest import run, write_notes

DERIVED = ("mab1_drug", "mab1_start", "mab2_drug", "mab2_start", "days_mab1_to_mab2", "days_mab2_to_hsct",
           "os_days_from_mab2", "os_event")


def _rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("facts") / "out"
    result = CliRunner().invoke(app, ["run", str(SAMPLE_NOTES), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_facts_items_are_facts_and_derived_columns_are_never_items(sample):
    queue = _rows(sample / "review_queue.csv")
    patients = len(_rows(sample / "cohort.csv"))
    # 82 items (4.1 per patient) when every column was its own item; now one per fact
    assert len(queue) <= 41 and len(queue) / patients <= 2.05
    assert not [q["field"] for q in queue if q["field"] in DERIVED]
    per_patient = {}
    for q in queue:
        per_patient[q["patient_id"]] = per_patient.get(q["patient_id"], 0) + 1
    assert max(per_patient.values()) <= 6  # the patient with one undated start had 20 items
    undated = next(q for q in queue if q["patient_id"] == "B04" and q["flag"] == "missing" and q["field"].endswith("_start.date"))
    assert {"mab1_drug", "mab2_start", "days_mab1_to_mab2", "cd19_pre_mab2"} <= set(undated["decides"].split(";"))


def test_facts_candidates_are_valid_values_of_the_item(sample):
    study = load_study()
    store = ReviewStore(sample / "review.db")
    try:
        items = store.items()
        assert any(item.candidates for item in items)
        for item in items:
            assert len(item.candidate_sources) == len(item.candidates)
            for candidate in item.candidates:
                assert validate_value(study, item.field, candidate) == candidate, (item.key, candidate)
    finally:
        store.close()


def test_facts_course_doses_are_one_course_and_started_today_is_firsthand(tmp_path):
    notes = write_notes(tmp_path / "notes", {
        "P1/2019-06-20_progress.txt": "Inotuzumab ozogamicin C1D1 given today.\n",
        "P1/2019-07-18_progress.txt": "- 06/20/2019: Inotuzumab ozogamicin C1D1 0.8 mg/m2 (D8 6/27, D15 7/3).\n",
        "P2/2019-03-04_progress.txt": "Started blinatumomab C1D1 today.\n",
        "P3/2019-06-20_progress.txt": "Started inotuzumab on 6/20/19.\n",
        "P3/2019-07-30_discharge.txt": "Discharge summary: inotuzumab was started on 6/25/19.\n",
    })
    out = tmp_path / "out"
    run(notes, out)
    cohort = {row["patient_id"]: row for row in _rows(out / "cohort.csv")}
    assert cohort["P1"]["inotuzumab_start"] == "2019-06-20" and "inotuzumab_start" not in cohort["P1"]["flags"]
    assert cohort["P2"]["blinatumomab_start"] == "2019-03-04" and cohort["P2"]["flags"] == ""
    assert "inotuzumab_start" in cohort["P3"]["flags"].split(";")  # a later date written as a start still conflicts


def test_facts_invalid_stored_decision_is_reported_and_never_written(review_run):
    notes, out = review_run
    db = sqlite3.connect(out / "review.db")
    digest = db.execute("SELECT evidence_digest FROM items WHERE item_key = 'P3|marrow@2019-05-01.blasts'").fetchone()[0]
    db.execute("""INSERT INTO decisions (patient_id, field, evidence_digest, reviewer, choice, value, previous_value, decided_at)
                  VALUES ('P3', 'marrow@2019-05-01.blasts', ?, 'old version', 'accept', '2020-01-23', '60', '2026-01-01')""", (digest,))
    db.commit()
    db.close()
    result = CliRunner().invoke(app, ["run", str(notes), "--out", str(out), "-q"])
    assert result.exit_code == 0
    assert "review decision not applied: P3 marrow@2019-05-01.blasts: decision by old version ('2020-01-23')" in result.output
    row = next(r for r in _rows(out / "cohort.csv") if r["patient_id"] == "P3")
    assert row["blasts_pre_mab1_pct"] == "60" and "blasts_pre_mab1_pct" in row["flags"].split(";")
    assert json.loads((out / "run_manifest.json").read_text())["decisions_not_applied"]
    queue = {q["item_id"]: q for q in _rows(out / "review_queue.csv")}
    assert queue["P3|marrow@2019-05-01.blasts"]["status"] == "invalid"
    sheet = out / "open.csv"
    assert CliRunner().invoke(app, ["review", "export", str(out), "--to", str(sheet)]).exit_code == 0
    assert "P3|marrow@2019-05-01.blasts" in {r["item_id"] for r in _rows(sheet)}  # still to decide
    store = ReviewStore(out / "review.db")
    session = load_session(out, store, load_study(), reviewer="old version")
    with TestClient(create_app(session, port=8124), base_url="http://127.0.0.1:8124") as client:
        page = client.get(f"/item?patient=P3&field=marrow@2019-05-01.blasts&token={session.token}").text
        assert 'id="invalid"' in page and "stored decision invalid" in client.get("/").text
    store.close()


def test_facts_decided_fact_sets_every_derived_column_and_not_determinable_is_marked(review_run):
    notes, out = review_run
    store = ReviewStore(out / "review.db")
    blasts = store.item("P3", "marrow@2019-05-01.blasts")
    store.record_decision(blasts, reviewer="ana", choice="accept", value="35")
    store.record_decision(store.item("P1", "blinatumomab_start.date"), reviewer="ana", choice="not_determinable", value="")
    store.close()
    run(notes, out)
    cohort = {row["patient_id"]: row for row in _rows(out / "cohort.csv")}
    assert cohort["P3"]["blasts_pre_mab1_pct"] == "35" and cohort["P3"]["reviewed"] == "blasts_pre_mab1_pct"
    marked = set(cohort["P1"]["not_determinable"].split(";"))
    assert {"blinatumomab_start", "mab1_drug", "mab1_start", "days_mab1_to_mab2"} <= marked
    assert all(cohort["P1"][column] == "" for column in marked)
    dictionary = {row["name"]: row for row in _rows(out / "data_dictionary.csv")}
    assert "not determinable" in dictionary["not_determinable"]["meaning"]


def test_facts_review_database_belongs_to_its_output_folder(review_run, tmp_path, monkeypatch):
    notes, out = review_run
    manifest = json.loads((out / "run_manifest.json").read_text())
    assert manifest["review_db"] == "review.db"
    copy = tmp_path / "moved" / "copy"
    shutil.copytree(out, copy)
    original = (out / "review.db").read_bytes()
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "out").mkdir(parents=True)  # another study's folder of the same name
    monkeypatch.chdir(elsewhere)
    runner = CliRunner()
    sheet = tmp_path / "sheet.csv"
    assert runner.invoke(app, ["review", "export", str(copy), "--to", str(sheet)]).exit_code == 0
    rows = list(csv.reader(open(sheet, encoding="utf-8", newline="")))
    decision = rows[0].index("decision_value")
    for row in rows[1:]:
        if row[0] == "P1|blinatumomab_start.date":
            row[decision] = "2019-03-10"
    with open(sheet, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    imported = runner.invoke(app, ["review", "import", str(copy), str(sheet), "--reviewer", "bo"])
    assert imported.exit_code == 0, imported.output
    assert (out / "review.db").read_bytes() == original  # the original folder's database is untouched
    store = ReviewStore(copy / "review.db")
    assert [d.value for d in store.decisions("P1", "blinatumomab_start.date")] == ["2019-03-10"]
    store.close()
    other = tmp_path / "other.db"
    shutil.copy(out / "review.db", other)
    named = runner.invoke(app, ["review", "export", str(copy), "--to", str(tmp_path / "x.csv"), "--db", str(other)])
    assert named.exit_code == 0 and f"using the review database {other} (--db)" in named.output


def test_facts_queue_export_page_report_and_cohort_agree_after_a_decision(review_run, tmp_path):
    notes, out = review_run
    store = ReviewStore(out / "review.db")
    store.record_decision(store.item("P1", "blinatumomab_start.date"), reviewer="ana", choice="correct", value="2019-03-10")
    store.close()
    run(notes, out)
    cohort = _rows(out / "cohort.csv")
    flagged = {(r["patient_id"], c) for r in cohort for c in r["flags"].split(";") if c}
    queue = _rows(out / "review_queue.csv")
    assert flagged == {(q["patient_id"], c) for q in queue for c in q["decides"].split(";")}
    open_items = {q["item_id"]: q["current_value"] for q in queue}
    assert "P1|blinatumomab_start.date" not in open_items
    sheet = tmp_path / "open.csv"
    assert CliRunner().invoke(app, ["review", "export", str(out), "--to", str(sheet)]).exit_code == 0
    assert {r["item_id"]: r["current_value"] for r in _rows(sheet)} == open_items
    store = ReviewStore(out / "review.db")
    session = load_session(out, store, load_study(), reviewer="bo")
    with TestClient(create_app(session, port=8123), base_url="http://127.0.0.1:8123") as client:
        page = client.get(f"/?token={session.token}").text
    store.close()
    shown = {}
    for href, cells in re.findall(r'<tr>\s*<td><a href="(/item\?[^"]+)">.*?</a></td>(.*?)</tr>', page, re.S):
        query = parse_qs(urlparse(href.replace("&amp;", "&")).query)
        value = re.findall(r"<td>(.*?)</td>", cells, re.S)[2].strip()
        shown[f"{query['patient'][0]}|{query['field'][0]}"] = (value, 'class="done"' in cells)
    assert {key: value for key, (value, done) in shown.items() if not done} == open_items
    assert [key for key, (_, done) in shown.items() if done] == ["P1|blinatumomab_start.date"]
    assert f"1 of {len(open_items) + 1} decided" in page
    reported = CliRunner().invoke(app, ["report", str(out), "--out", str(tmp_path / "report")])
    assert reported.exit_code == 0, reported.output
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["open_flags"]["total"] == len(flagged) and summary["open_flags"]["review_items"] == len(queue)


def test_facts_decisions_and_audit_cannot_be_replaced_or_deleted(review_run):
    _, out = review_run
    store = ReviewStore(out / "review.db")
    item = store.items()[0]
    decision = store.record_decision(item, reviewer="ana", choice="accept", value=item.tool_value)
    for statement in (
        f"INSERT OR REPLACE INTO decisions SELECT * FROM decisions WHERE decision_id = {decision.decision_id}",
        f"REPLACE INTO decisions (decision_id, patient_id, field, evidence_digest, reviewer, choice, value, previous_value,"
        f" decided_at) VALUES ({decision.decision_id}, 'x', 'y', 'z', 'mallory', 'accept', 'v', 'p', 'now')",
        "DELETE FROM decisions",
        "INSERT OR REPLACE INTO audit_log SELECT * FROM audit_log WHERE audit_id = 1",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="never|append-only"):
            store.db.execute(statement)
    assert [d.reviewer for d in store.decisions()] == ["ana"]
    store.close()
