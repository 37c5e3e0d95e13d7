"""The day of a one-day administration sheet, written once in its header.

A nursing administration sheet (a MAR page, a chemotherapy administration record) is often
headed by the patient and the day on one line ("Patient X   12/04/2021   BSA 0.99 m2", "X - 06/07/2020")
and then lists its rows with clock times only ("10:00 <drug> ... 10:00-11:02"). Every row of
such a sheet happened on the header's day: it dates them as a day header dates the rows under it.
The header has to open the sheet (its first lines), so a date met further down (an approval, a
drug's arrival, the next doses' plan) never dates the rows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from chartabstract.evidence import is_sheet
from chartabstract.models import DateMention

__all__ = ["is_sheet", "sheet_day"]

_HEADER_LINES = 5  # non-blank lines at the top of a sheet that may hold its day


def sheet_day(text: str, position: int, dates: list[DateMention], note_date: date) -> DateMention | None:
    """The one day-precision date of a header line among the sheet's first lines, when
    ``position`` (the row's start) lies below that line.

    A sheet is written on its day or printed later, never before: a header read as a day after
    the note, or one whose day and month read the other way round are the note's day ("06/07/2020"
    on a sheet filed 6 July), is the note's day in the order the sheet writes dates."""
    line_start, seen = 0, 0
    while seen < _HEADER_LINES and line_start < len(text):
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
        if line_end >= position:
            return None
        if text[line_start:line_end].strip():
            seen += 1
            # a date inside a parenthesis is a clause's ("(BM 5/11: 15% blasts)"), never the sheet's day
            on_line = [d for d in dates if line_start <= d.start < line_end and d.resolved.value is not None
                       and text.count("(", line_start, d.start) <= text.count(")", line_start, d.start)]
            if len(on_line) == 1 and on_line[0].resolved.precision == "day":
                return _in_note_order(on_line[0], note_date)
        line_start = line_end + 1
    return None


def _in_note_order(header: DateMention, note_date: date) -> DateMention | None:
    day = header.resolved.value
    assert day is not None
    swapped = (day.month, day.day) == (note_date.day, note_date.month) and day.year == note_date.year
    if swapped and day != note_date:
        return replace(header, resolved=replace(header.resolved, value=note_date))
    return header if day <= note_date else None
