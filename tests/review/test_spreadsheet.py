"""The spreadsheet round trip: safe exports, Excel and CSV as reviewers save them, plausible values, no duplicates."""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from chartabstract.errors import InputError
from chartabstract.review.spreadsheet import COLUMNS, export_items, import_decisions, import_decisions_report
from chartabstract.review.store import ReviewStore, open_run_review
from chartabstract.normalize.plausible import latest_note_date
from chartabstract.review.validate import InvalidValue, validate_value
from chartabstract.study import Study
from tests.review.conftest import run, write_notes


def _open(out: Path) -> tuple[ReviewStore, Study]:
    return open_run_review(out)


def _mentions(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "mentions.csv", encoding="utf-8", newline="") as handle:
        return {row["mention_id"]: row for row in csv.DictReader(handle)}


def _export_csv(store: ReviewStore, out: Path, path: Path) -> list[list[str]]:
    export_items(store, _mentions(out), path)
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write_csv(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


DECISION = COLUMNS.index("decision_value")
FLAG = COLUMNS.index("flag")
BLASTS = "P3|marrow@2019-05-01.blasts"
CD19 = "P3|marrow@2019-05-01.cd19"


def _decide(rows: list[list[str]], item_id: str, value: str, reason: str = "") -> None:
    row = next(r for r in rows if r[0] == item_id)
    row[DECISION], row[DECISION + 1] = value, reason


def _values(store: ReviewStore, patient: str, field: str) -> list[str]:
    return [d.value for d in store.decisions(patient, field)]


def test_spreadsheet_dates_outside_the_plausible_range_are_refused(review_run):
    _, out = review_run
    store, study = _open(out)
    latest = latest_note_date()
    assert validate_value(study, "death_date", "1900-01-01") == "1900-01-01"
    assert validate_value(study, "death_date", latest.isoformat()) == latest.isoformat()
    for value in ("9999-12-31", "1899-12-31", (latest + timedelta(days=1)).isoformat()):
        with pytest.raises(InvalidValue, match=f"death_date: .*plausible range 1900-01-01 to {latest}"):
            validate_value(study, "death_date", value)
    store.close()


def test_spreadsheet_numbers_too_long_or_out_of_range_are_refused(review_run):
    _, out = review_run
    store, study = _open(out)
    assert validate_value(study, "days_mab1_to_mab2", "-100000") == "-100000"
    assert validate_value(study, "days_mab1_to_mab2", "100000") == "100000"
    for value in ("100001", "-100001", "99999999999999999999"):
        with pytest.raises(InvalidValue, match="days_mab1_to_mab2: .*-100000 to 100000"):
            validate_value(study, "days_mab1_to_mab2", value)
    for field in ("days_mab1_to_mab2", "blasts_pre_mab1_pct"):
        with pytest.raises(InvalidValue, match=f"{field}: too long for a number"):
            validate_value(study, field, "9" * 5000)
        for spelling in ("nan", "NaN", "inf", "-inf", "Infinity", "1e3"):
            with pytest.raises(InvalidValue, match=field):
                validate_value(study, field, spelling)
    assert validate_value(study, "blasts_pre_mab1_pct", "<5") == "<5"
    with pytest.raises(InvalidValue, match="0 to 100"):
        validate_value(study, "blasts_pre_mab1_pct", "100.5")
    store.close()


FORMULA_PATIENTS = {  # patient ids and note text a spreadsheet would run as formulas
    "=1+2/2019-03-04_progress.txt": '=HYPERLINK("http://example.org") started blinatumomab on 3/4/19.\n',
    "=1+2/2019-03-20_discharge.txt": "-2+3 started blinatumomab on 3/10/19 after admission.\n",
    "@SUM(A1)/2019-03-04_progress.txt": "+1 started blinatumomab on 3/4/19.\n",
    "@SUM(A1)/2019-03-20_discharge.txt": "Started blinatumomab on 3/10/19.\n",
    "-P3/2019-03-04_progress.txt": "Started blinatumomab on 3/4/19.\n",
    "-P3/2019-03-20_discharge.txt": "Started blinatumomab on 3/10/19.\n",
    "+P4/2019-03-04_progress.txt": "Started blinatumomab on 3/4/19.\n",
    "+P4/2019-03-20_discharge.txt": "Started blinatumomab on 3/10/19.\n",
}


@pytest.fixture()
def formula_run(tmp_path):
    out = tmp_path / "out"
    run(write_notes(tmp_path / "notes", FORMULA_PATIENTS), out)
    return out


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_spreadsheet_export_neutralizes_formulas_in_csv_and_round_trips(formula_run, tmp_path):
    store, study = _open(formula_run)
    rows = _export_csv(store, formula_run, tmp_path / "review.csv")
    assert {r[1] for r in rows[1:]} == {"'=1+2", "'@SUM(A1)", "'-P3", "'+P4"}
    assert not [cell for row in rows for cell in row if _formula_like(cell)]
    for patient in ("=1+2", "@SUM(A1)", "-P3", "+P4"):
        _decide(rows, f"'{patient}|blinatumomab_start.date", "2019-03-10")
    assert import_decisions(store, study, _write_csv(tmp_path / "review.csv", rows), reviewer="bo") == 4
    for patient in ("=1+2", "@SUM(A1)", "-P3", "+P4"):
        assert _values(store, patient, "blinatumomab_start.date") == ["2019-03-10"]
    store.close()


def test_spreadsheet_export_neutralizes_formulas_in_xlsx_and_round_trips(formula_run, tmp_path):
    store, study = _open(formula_run)
    path = tmp_path / "review.xlsx"
    export_items(store, _mentions(formula_run), path)
    book = load_workbook(path)
    cells = [cell for row in book.active.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type == "s" for cell in cells), [c.value for c in cells if c.data_type != "s"]
    assert not [cell.value for cell in cells if _formula_like(cell.value)]
    for row in book.active.iter_rows(min_row=2):
        if row[2].value == "blinatumomab_start.date":
            row[DECISION].value = "2019-03-10"
    book.save(path)
    assert import_decisions(store, study, path, reviewer="bo") == 4
    assert _values(store, "=1+2", "blinatumomab_start.date") == ["2019-03-10"]
    store.close()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_spreadsheet_export_neutralizes_every_formula_start(review_run, tmp_path, start):
    _, out = review_run
    store, _ = _open(out)
    item = store.items()[0]
    fake = SimpleNamespace(
        items=lambda: [replace(item, candidates=(f"{start}1", "2"), candidate_sources=(), flags=f"{start}flag")],
        current_value=lambda _: f"{start}cmd|' /C calc'!A0",
    )
    mentions = {i: {"note_id": f"{start}note", "snippet": "x"} for i in item.evidence}
    export_items(fake, mentions, tmp_path / "review.csv")
    export_items(fake, mentions, tmp_path / "review.xlsx")
    with open(tmp_path / "review.csv", encoding="utf-8", newline="") as handle:
        row = list(csv.reader(handle))[1]
    sheet = load_workbook(tmp_path / "review.xlsx").active
    assert row[FLAG:FLAG + 3] == [f"'{start}flag", f"'{start}cmd|' /C calc'!A0", f"'{start}1 | 2"]
    assert [c.value[:1] for c in sheet[2][FLAG:FLAG + 3]] == ["'"] * 3  # (XML reads \r back as \n)
    assert all(c.data_type == "s" for c in sheet[2] if c.value is not None)
    store.close()


def _type_into(path: Path, decisions: dict[str, tuple[object, str]]) -> Path:
    """Type each (value, number_format) into decision_value as Excel stores it; clear the others."""
    book = load_workbook(path)
    for row in book.active.iter_rows(min_row=2):
        row[DECISION].value, row[DECISION].number_format = decisions.get(row[0].value, (None, "General"))
    book.save(path)
    return path


def test_spreadsheet_excel_percent_date_and_float_cells_read_as_typed(review_run, tmp_path):
    _, out = review_run
    store, study = _open(out)
    path = tmp_path / "review.xlsx"
    export_items(store, _mentions(out), path)
    _type_into(path, {"P1|blinatumomab_start.date": (-1, "General")})
    with pytest.raises(InputError, match="row [0-9]+: blinatumomab_start.date: '-1' is not a real date"):
        import_decisions(store, study, path, reviewer="bo")  # a reviewer's -1 is kept as typed
    _type_into(path, {
        BLASTS: (0.05, "0%"),
        "P1|blinatumomab_start.date": (datetime(2019, 3, 10), "m/d/yyyy"),
        "P2|blinatumomab_start.date": (date(2018, 6, 3), "mm-dd-yy"),
    })
    assert import_decisions(store, study, path, reviewer="bo") == 3
    assert _values(store, "P3", BLASTS[3:]) == ["5"]
    assert _values(store, "P1", "blinatumomab_start.date") == ["2019-03-10"]
    assert _values(store, "P2", "blinatumomab_start.date") == ["2018-06-03"]
    _type_into(path, {BLASTS: (0.125, "0.0%")})
    assert import_decisions(store, study, path, reviewer="bo") == 1
    _type_into(path, {BLASTS: (40.0, "General")})
    assert import_decisions(store, study, path, reviewer="bo") == 1
    assert _values(store, "P3", BLASTS[3:]) == ["5", "12.5", "40"]
    store.close()


@pytest.mark.parametrize(("encoding", "delimiter"), [
    ("cp1252", ","), ("utf-16", "\t"), ("utf-16", ","), ("utf-16-be", "\t"), ("utf-8-sig", ";"), ("utf-8", ";"),
])
def test_spreadsheet_csv_as_excel_saves_it(review_run, tmp_path, encoding, delimiter):
    _, out = review_run
    store, study = _open(out)
    rows = _export_csv(store, out, tmp_path / "review.csv")
    _decide(rows, "P1|blinatumomab_start.date", "2019-03-10", "résumé – discharge")
    if encoding == "utf-16-be":  # Python writes the BOM only for "utf-16"
        path = tmp_path / "review.csv"
        text = "\n".join(delimiter.join(row) for row in rows)
        path.write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    else:
        path = _write_csv(tmp_path / "review.csv", rows, encoding=encoding, delimiter=delimiter)
    assert import_decisions(store, study, path, reviewer="bo") == 1
    [decision] = store.decisions("P1", "blinatumomab_start.date")
    assert (decision.value, decision.reason) == ("2019-03-10", "résumé – discharge")
    store.close()


def test_spreadsheet_unreadable_csv_is_an_input_error_naming_file_and_line(review_run, tmp_path):
    _, out = review_run
    store, study = _open(out)
    header = ",".join(COLUMNS).encode()
    path = tmp_path / "bad.csv"
    cases = {  # 0x81 is no Windows-1252 character
        header + b"\r\nP1|x,P1,x,,,,,\x81,\r\n": "line 2: not UTF-8, UTF-16 or Windows-1252 text",
        codecs.BOM_UTF16_LE + "\t".join(COLUMNS).encode("utf-16-le") + b"\x00": "line 1: not UTF-8, UTF-16",
        header + b'\r\n"unclosed,quote\r\n': "line 2: not a readable CSV row",
    }
    for data, message in cases.items():
        path.write_bytes(data)
        with pytest.raises(InputError, match=f"^{re.escape(str(path))}: {message}"):
            import_decisions(store, study, path, reviewer="bo")
    assert store.decisions() == []
    store.close()


def test_spreadsheet_bad_rows_are_each_refused_with_a_reason_and_nothing_stored(review_run, tmp_path):
    _, out = review_run
    store, study = _open(out)
    path = tmp_path / "review.xlsx"
    export_items(store, _mentions(out), path)
    _type_into(path, {
        "P1|blinatumomab_start.date": ("9999-12-31", "@"),
        "P2|blinatumomab_start.date": ("2019-03-10", "@"),  # a good row: still not stored
        BLASTS: ("9" * 5000, "@"),
        CD19: ("rituximab", "@"),
    })
    with pytest.raises(InputError) as refused:
        import_decisions(store, study, path, reviewer="bo")
    message = str(refused.value)
    assert message.startswith(f"{path}: 3 bad row(s), nothing imported:")
    for row, reason in [
        (2, "blinatumomab_start.date: '9999-12-31' is outside the plausible range"),
        (4, "marrow@2019-05-01.blasts: too long for a number (5000 characters, at most 20)"),
        (5, "marrow@2019-05-01.cd19: 'rituximab' is not one of positive, dim, partial, negative"),
    ]:
        assert f"\n  row {row}: {reason}" in message
    assert "9" * 21 not in message and store.decisions() == []
    _type_into(path, {"P1|blinatumomab_start.date": (datetime(2019, 3, 10, 14, 30), "m/d/yyyy h:mm")})
    with pytest.raises(InputError, match="row 2: blinatumomab_start.date: '2019-03-10T14:30:00' is not a real date"):
        import_decisions(store, study, path, reviewer="bo")
    store.close()


def test_spreadsheet_importing_the_same_sheet_twice_stores_each_decision_once(review_run, tmp_path):
    notes, out = review_run
    store, study = _open(out)
    rows = _export_csv(store, out, tmp_path / "review.csv")
    _decide(rows, "P1|blinatumomab_start.date", "2019-03-10", "discharge note")
    _decide(rows, "P2|blinatumomab_start.date", "ND")
    path = _write_csv(tmp_path / "review.csv", rows)
    assert import_decisions_report(store, study, path, reviewer="bo", role="reviewer") == (2, 0)
    assert import_decisions(store, study, path, reviewer="bo") == 0
    store.close()
    run(notes, out)  # the same evidence: still the same decisions
    store, study = _open(out)
    assert import_decisions_report(store, study, path, reviewer="bo", role="reviewer") == (0, 2)
    assert len(store.decisions()) == 2
    assert import_decisions(store, study, path, reviewer="ana") == 2  # another reviewer
    assert import_decisions(store, study, path, reviewer="bo", role="adjudicator") == 2  # another role
    _decide(rows, "P1|blinatumomab_start.date", "2019-03-04", "discharge note")  # a changed value
    _write_csv(path, rows)
    assert import_decisions_report(store, study, path, reviewer="bo", role="reviewer") == (1, 1)
    assert _values(store, "P1", "blinatumomab_start.date") == ["2019-03-10", "2019-03-10", "2019-03-10", "2019-03-04"]
    store.close()
