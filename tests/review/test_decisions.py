"""Stored decisions: re-applied on every run, re-opened by new evidence, imported all or nothing."""

from __future__ import annotations

import csv
import sqlite3

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from chartabstract.cli import app
from chartabstract.errors import EXIT_INPUT
from chartabstract.review.agreement import cohen_kappa
from chartabstract.review.store import MIGRATIONS, ReviewStore
from tests.review.conftest import run, write_notes


def _cohort(out) -> dict[str, dict[str, str]]:
    with open(out / "cohort.csv", encoding="utf-8", newline="") as handle:
        return {row["patient_id"]: row for row in csv.DictReader(handle)}


def _item(store: ReviewStore, patient: str, field: str):
    item = store.item(patient, field)
    assert item is not None, (patient, field, [i.key for i in store.items()])
    return item


def test_decisions_reapplied_by_run_and_derived_columns_follow(review_run):
    notes, out = review_run
    before = _cohort(out)["P1"]
    assert "blinatumomab_start" in before["flags"].split(";")
    store = ReviewStore(out / "review.db")
    store.record_decision(_item(store, "P1", "blinatumomab_start.date"), reviewer="ana", choice="correct", value="2019-03-10")
    store.close()
    run(notes, out)
    after = _cohort(out)["P1"]
    assert after["blinatumomab_start"] == after["mab1_start"] == "2019-03-10"
    assert after["days_mab1_to_mab2"] == "83"  # follows the corrected start
    assert not {"blinatumomab_start", "mab1_start", "days_mab1_to_mab2"} & set(after["flags"].split(";"))
    # one decision on the fact: every column derived from it is reviewed, none is a separate item
    assert {"blinatumomab_start", "mab1_start", "days_mab1_to_mab2"} <= set(after["reviewed"].split(";"))
    run(notes, out)  # again: still applied, nothing lost
    assert _cohort(out)["P1"]["blinatumomab_start"] == "2019-03-10"
    with open(out / "review_queue.csv", encoding="utf-8", newline="") as handle:
        assert "P1|blinatumomab_start.date" not in {row["item_id"] for row in csv.DictReader(handle)}


def test_decisions_not_determinable_empties_the_value(review_run):
    notes, out = review_run
    store = ReviewStore(out / "review.db")
    store.record_decision(_item(store, "P2", "blinatumomab_start.date"), reviewer="ana", choice="not_determinable", value="")
    store.close()
    run(notes, out)
    row = _cohort(out)["P2"]
    assert row["blinatumomab_start"] == "" and "blinatumomab_start" in row["reviewed"].split(";")
    assert "blinatumomab_start" in row["not_determinable"].split(";")  # distinct from an empty value


def test_decisions_reopen_when_new_evidence_arrives(review_run):
    notes, out = review_run
    store = ReviewStore(out / "review.db")
    store.record_decision(_item(store, "P1", "blinatumomab_start.date"), reviewer="ana", choice="correct", value="2019-03-10")
    store.close()
    write_notes(notes, {"P1/2019-04-01_progress.txt": "Per outside records blinatumomab was started 3/6/19.\n"})
    run(notes, out)  # the grown export
    row = _cohort(out)["P1"]
    assert "blinatumomab_start" in row["flags"].split(";") and row["reviewed"] == ""
    store = ReviewStore(out / "review.db")
    assert _item(store, "P1", "blinatumomab_start.date").status == "reopened"
    store.close()
    with open(out / "review_queue.csv", encoding="utf-8", newline="") as handle:
        queue = {row["item_id"]: row for row in csv.DictReader(handle)}
    assert queue["P1|blinatumomab_start.date"]["status"] == "reopened"
    assert queue["P1|blinatumomab_start.date"]["previous_decision"].startswith("2019-03-10 by ana")


def test_decisions_survive_unrelated_new_notes(review_run):
    notes, out = review_run
    store = ReviewStore(out / "review.db")
    store.record_decision(_item(store, "P1", "blinatumomab_start.date"), reviewer="ana", choice="correct", value="2019-03-10")
    store.close()
    write_notes(notes, {"P3/2021-01-01_progress.txt": "Seen for fatigue.\n", "P1/2019-09-01_progress.txt": "Doing well.\n"})
    run(notes, out)
    assert _cohort(out)["P1"]["blinatumomab_start"] == "2019-03-10"


def test_decisions_spreadsheet_round_trip(review_run, tmp_path):
    notes, out = review_run
    sheet = tmp_path / "review.xlsx"
    runner = CliRunner()
    exported = runner.invoke(app, ["review", "export", str(out), "--to", str(sheet)])
    assert exported.exit_code == 0, exported.output
    book = load_workbook(sheet)
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == ["item_id", "patient_id", "field", "label", "decides", "flag", "current_value", "candidates",
                             "evidence", "decision_value", "reason"]
    index = {row[0]: n for n, row in enumerate(rows) if n}
    book.active.cell(index["P1|blinatumomab_start.date"] + 1, 10, "2019-03-10")
    book.active.cell(index["P1|blinatumomab_start.date"] + 1, 11, "admission note")
    book.active.cell(index["P2|blinatumomab_start.date"] + 1, 10, "ND")
    book.save(sheet)
    imported = runner.invoke(app, ["review", "import", str(out), str(sheet), "--reviewer", "bo"])
    assert imported.exit_code == 0, imported.output
    assert "Imported 2 decision(s)" in imported.output
    run(notes, out)
    cohort = _cohort(out)
    assert cohort["P1"]["blinatumomab_start"] == "2019-03-10" and cohort["P2"]["blinatumomab_start"] == ""


def test_decisions_import_is_all_or_nothing_with_row_numbers(review_run, tmp_path):
    _, out = review_run
    sheet = tmp_path / "review.csv"
    assert CliRunner().invoke(app, ["review", "export", str(out), "--to", str(sheet)]).exit_code == 0
    with open(sheet, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][9] = "2019-03-10" if rows[1][2].endswith(("start", "date")) else rows[1][6]
    rows[2][9] = "2019-02-30"
    rows.append(["P9|nothing", "P9", "nothing", "", "", "", "", "", "", "x", ""])
    with open(sheet, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = CliRunner().invoke(app, ["review", "import", str(out), str(sheet), "--reviewer", "bo"])
    assert result.exit_code == EXIT_INPUT
    assert "row 3:" in result.output and ("not a real date" in result.output or "not a whole number" in result.output)
    assert f"row {len(rows)}: unknown item_id 'P9|nothing'" in result.output
    store = ReviewStore(out / "review.db")
    assert store.decisions() == []
    store.close()


def test_decisions_two_reviewers_agreement_and_adjudication(review_run):
    notes, out = review_run
    store = ReviewStore(out / "review.db")
    items = store.items()
    for item in items:
        store.record_decision(item, reviewer="ana", choice="accept", value=item.tool_value)
        value = item.tool_value if item.field != "blinatumomab_start.date" else "2019-03-10"
        store.record_decision(item, reviewer="bo", choice="accept" if value == item.tool_value else "correct", value=value)
    store.close()
    result = CliRunner().invoke(app, ["review", "agreement", str(out)])
    assert result.exit_code == 0, result.output
    assert "blinatumomab_start" in result.output and "disagree: P1 blinatumomab_start.date" in result.output
    run(notes, out)
    assert "blinatumomab_start" in _cohort(out)["P1"]["flags"].split(";")  # disagreement stays flagged
    store = ReviewStore(out / "review.db")
    assert _item(store, "P1", "blinatumomab_start.date").status == "disagreement"
    store.record_decision(_item(store, "P1", "blinatumomab_start.date"), reviewer="chief", choice="correct",
                          value="2019-03-10", role="adjudicator")
    store.close()
    run(notes, out)
    assert _cohort(out)["P1"]["blinatumomab_start"] == "2019-03-10"


def test_decisions_cohen_kappa_matches_worked_example():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 -> po 0.70, pe 0.50, kappa 0.40
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    assert cohen_kappa(["x", "x"], ["x", "x"]) == 1.0
    assert cohen_kappa([], []) is None


def test_decisions_audit_log_and_decisions_are_append_only(review_run):
    _, out = review_run
    store = ReviewStore(out / "review.db")
    item = store.items()[0]
    store.record_decision(item, reviewer="ana", choice="accept", value=item.tool_value)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("UPDATE audit_log SET actor = 'mallory'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.db.execute("DELETE FROM audit_log")
    with pytest.raises(sqlite3.DatabaseError, match="never overwritten"):
        store.db.execute("UPDATE decisions SET value = 'x'")
    store.close()


def test_decisions_schema_versions(tmp_path):
    store = ReviewStore(tmp_path / "r.db")
    assert store.schema_version == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    store.close()
    from chartabstract.errors import OutputError

    with pytest.raises(OutputError, match="newer chartabstract"):
        ReviewStore(tmp_path / "r.db")


def test_decisions_review_commands_need_a_finished_run(tmp_path):
    result = CliRunner().invoke(app, ["review", "export", str(tmp_path), "--to", str(tmp_path / "x.csv")])
    assert result.exit_code == EXIT_INPUT and "no finished run here" in result.output
