"""Strict parsing of a note's own date (table cells, manifest.csv, file names).

The note date anchors every relative date in the note, so it is never guessed: no two-digit
years, no silent day/month swap (dateutil turns "13/04/2019" into 13 April even when told
month-first), no rolling "02/30" into March, and nothing before 1900 or after today + 2
years. Anything else is a reason to skip the note.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from chartabstract.normalize.plausible import note_date_problem

# An optional time of day (seconds, fraction, AM/PM, UTC offset), accepted and dropped.
_TIME = (
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2}|UTC)?)?"
)
_ISO = re.compile(rf"(\d{{4}})[-/](\d{{1,2}})[-/](\d{{1,2}}){_TIME}")
_COMPACT = re.compile(rf"(\d{{4}})(\d{{2}})(\d{{2}}){_TIME}")
_NUMERIC = re.compile(rf"(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}){_TIME}")
_SHORT_YEAR = re.compile(r"\d{1,2}[-/.](?:\d{1,2}|[A-Za-z]{3,9})[-/.]\d{2}\b.*")
_DAY_MONTH = re.compile(rf"(\d{{1,2}})[ -]([A-Za-z]{{3,9}})\.?[ -]+(\d{{4}}){_TIME}")
_MONTH_DAY = re.compile(rf"([A-Za-z]{{3,9}})\.? +(\d{{1,2}}),? +(\d{{4}}){_TIME}")
_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
EXPECTED = "expected YYYY-MM-DD, M/D/YYYY, D/M/YYYY with --dayfirst, or 4 Mar 2019"


def parse_note_date(value: object, *, dayfirst: bool = False) -> date:
    """Read a note date from a string, date or datetime; times and UTC offsets are dropped.

    Args:
        value: the cell as read (str from CSV/JSON, date/datetime from Parquet).
        dayfirst: read 03/04/2019 as 3 April instead of March 4.

    Returns:
        The calendar date as written (a timestamp's offset is not converted), within the
        plausible range (1900-01-01 to today + 2 years; ``normalize.plausible``).

    Raises:
        ValueError: with a message fit for the run report. It says what is wrong and never
            repeats the cell, which may hold note text (a shifted column) or other PHI.
    """
    found = _calendar_date(value, dayfirst)
    if problem := note_date_problem(found):
        raise ValueError(problem)
    return found


def _calendar_date(value: object, dayfirst: bool) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("empty note_date")
    if not isinstance(value, str):
        kind = "number" if isinstance(value, int | float) else type(value).__name__
        raise ValueError(f"note_date is a {kind}, not a date ({EXPECTED})")
    text = value.strip()
    if m := _ISO.fullmatch(text) or _COMPACT.fullmatch(text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        order = "YYYY-MM-DD"
    elif m := _NUMERIC.fullmatch(text):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        mo, d = (b, a) if dayfirst else (a, b)
        order = "D/M/YYYY" if dayfirst else "M/D/YYYY; use --dayfirst for D/M/YYYY"
    elif (m := _DAY_MONTH.fullmatch(text)) and m[2].lower() in _MONTHS:
        y, mo, d = int(m[3]), _MONTHS[m[2].lower()], int(m[1])
        order = "D Mon YYYY"
    elif (m := _MONTH_DAY.fullmatch(text)) and m[1].lower() in _MONTHS:
        y, mo, d = int(m[3]), _MONTHS[m[1].lower()], int(m[2])
        order = "Mon D, YYYY"
    elif _SHORT_YEAR.fullmatch(text):
        raise ValueError("note_date has a two-digit year; write the year in full")
    else:
        raise ValueError(f"note_date is not a date (text of {len(text)} characters; {EXPECTED})")
    try:
        return date(y, mo, d)
    except ValueError as exc:
        raise ValueError(f"impossible note_date ({exc}; read as {order})") from None
