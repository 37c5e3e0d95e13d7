"""The range of dates the tool accepts as dates, and date arithmetic that cannot overflow.

A note dated 9999-12-31 or 0001-01-01 is a data error, not a chart: a date that far out breaks
every later computation ("in 2 weeks", Day +30, response windows). So dates outside a plausible
range are refused as dates wherever they come from; the README states these constants.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

EARLIEST_DATE = date(1900, 1, 1)  # no note, and no date in a note, before this
NOTE_DATE_YEARS_AHEAD = 2  # a note_date after today + 2 years is refused (the note is skipped)
TEXT_DATE_YEARS_AHEAD = 5  # a date in note text after its note date + 5 years is not a date


def latest_note_date(today: date | None = None) -> date:
    """The last acceptable note_date: today + ``NOTE_DATE_YEARS_AHEAD`` years."""
    return (today or date.today()) + relativedelta(years=NOTE_DATE_YEARS_AHEAD)


def note_date_problem(value: date) -> str | None:
    """Why a note_date is refused (outside EARLIEST_DATE..today + 2 years), or None."""
    latest = latest_note_date()
    if EARLIEST_DATE <= value <= latest:
        return None
    return (
        f"note_date {value.isoformat()} is outside the plausible range {EARLIEST_DATE.isoformat()}"
        f" to {latest.isoformat()} (today + {NOTE_DATE_YEARS_AHEAD} years)"
    )


def plausible_in_text(value: date, note_date: date) -> bool:
    """Whether a date read from a note's text may be a date: from 1900 to note date + 5 years."""
    latest = shift(note_date, relativedelta(years=TEXT_DATE_YEARS_AHEAD))
    return EARLIEST_DATE <= value and (latest is None or value <= latest)


def add_days(value: date, days: int) -> date | None:
    """``value + days``, or None when that leaves the calendar (year 1 to 9999)."""
    try:
        return value + timedelta(days=days)
    except OverflowError:
        return None


def shift(value: date, delta: relativedelta) -> date | None:
    """``value + delta``, or None when that leaves the calendar."""
    try:
        return value + delta
    except (OverflowError, ValueError):  # relativedelta raises ValueError for year 10000
        return None
