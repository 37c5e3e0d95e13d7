"""Read a (reviewed) cohort table for the report, with typed columns and clear errors."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from chartabstract.errors import InputError
from chartabstract.study import Study, study_of_run

# The study report (summary table, survival, swimmer plot) is the blinatumomab/inotuzumab study's:
# it needs these columns; another study's cohort gets a clear error naming the missing ones.
REQUIRED = ("patient_id", "mab1_drug", "mab1_start", "mab2_drug", "mab2_start", "mab1_response", "mab2_response",
            "hsct_after_mab2_date", "death_date", "last_followup_date")


@dataclass(frozen=True)
class Cohort:
    """The cohort rows, typed, and each patient's open (unresolved) flags."""

    table: pd.DataFrame  # dates as datetime.date or None, integers as Int64, the rest as strings
    flags: dict[str, frozenset[str]]  # patient_id -> flagged column names
    source: Path

    def open_flags(self, columns: tuple[str, ...] | list[str], patients: pd.Series | None = None) -> int:
        """How many (patient, column) flags among ``columns`` lie behind a table or figure."""
        ids = set(self.table["patient_id"] if patients is None else patients)
        return sum(len(flagged & set(columns)) for pid, flagged in self.flags.items() if pid in ids)

    @property
    def total_open_flags(self) -> int:
        return sum(len(flagged) for flagged in self.flags.values())


def read_cohort(path: Path, study: Study | None = None) -> Cohort:
    """Read ``cohort.csv`` (or a folder holding one), each column typed as study.json declares it
    (the study of the run that wrote it unless one is passed); every bad cell is named by row and column.

    Raises:
        InputError: the file is missing, lacks a required column, or holds a value of the wrong type.
    """
    if path.is_dir():
        path = path / "cohort.csv"
    study = study or study_of_run(path.parent)
    dates = set(study.columns_of_type("date"))
    integers = set(study.columns_of_type("integer"))  # coded outcomes (os_event, grades) are integer columns now
    if not path.is_file():
        raise InputError(f"{path}: no cohort table here (run `chartabstract run` first, or pass a cohort.csv)")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)} (the study report is written for the "
                             "blinatumomab/inotuzumab study's cohort columns)")
        rows = []
        for line, raw in enumerate(reader, start=2):
            rows.append({key: _typed(path, line, key, (value or "").strip(), dates, integers) for key, value in raw.items() if key})
    table = pd.DataFrame(rows, columns=list(reader.fieldnames or []))
    for column in sorted(integers):
        if column in table:
            table[column] = table[column].astype("Int64")
    flags = {
        str(row["patient_id"]): frozenset(f for f in str(row.get("flags") or "").split(";") if f)
        for row in rows
    }
    return Cohort(table=table, flags=flags, source=path)


def _typed(path: Path, line: int, column: str, value: str, dates: set[str], integers: set[str]) -> object:
    if value == "":
        return None
    try:
        if column in dates:
            return date.fromisoformat(value)
        if column in integers:
            return int(float(value))
    except ValueError:
        kind = "an ISO date (YYYY-MM-DD)" if column in dates else "a whole number"
        raise InputError(f"{path}, line {line}: column {column} must be {kind}, not {value!r}") from None
    return value
