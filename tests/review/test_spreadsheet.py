"""The spreadsheet round trip: safe exports, Excel and CSV as reviewers save them, plausible values, no duplicates."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from chartabstract.errors import InputError
from chartabstract.review.spreadsheet import COLUMNS, export_items, import_decisions
from chartabstract.review.store import ReviewStore, open_run_review
from chartabstract.review.validate import InvalidValue, validate_value
from chartabstract.study import Study


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


def _decide(rows: list[list[str]], item_id: str, value: str, reason: str = "") -> None:
    row = next(r for r in rows if r[0] == item_id)
    row[7], row[8] = value, reason


def _values(store: ReviewStore, patient: str, field: str) -> list[str]:
    return [d.value for d in store.decisions(patient, field)]


def test_spreadsheet_dates_outside_the_plausible_range_are_refused(review_run):
    _, out = review_run
    store, study = _open(out)
    latest = date.today() + timedelta(days=730)
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
