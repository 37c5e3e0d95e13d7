"""Day/month order of a patient's chart, read from the dates all of its notes write.

A note decides the order of its ambiguous dates ("07/09/20") from its own dates first
(``normalize.dates.find_dates``). A short note often writes no unambiguous date at all, while
the rest of the same chart writes 14/12/2020 or 27/09/2021: the convention is the
institution's, not the note's. So a chart whose notes write some date that can only be
day-first, and none that can only be month-first, lends that order to its notes that cannot
decide alone. A chart that writes both kinds lends "ambiguous_order": its undecided notes keep
the month-first reading, and the events they date are flagged for review.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from chartabstract.models import Note, OrderGuess
from chartabstract.normalize.dates import orders_written
from chartabstract.normalize.ocr_digits import repair_date_digits


def chart_date_orders(notes: Iterable[Note]) -> dict[str, OrderGuess]:
    """The order each patient's chart shows, for the patients whose charts show one.

    Args:
        notes: every note of the run (read once more just for this; only dates are scanned).

    Returns:
        patient id -> "dayfirst_inferred" (some date only day-first, none only month-first) or
        "ambiguous_order" (both kinds written). Charts with no day-first date are left out: they
        read month-first, as they always did.
    """
    seen: dict[str, tuple[bool, bool]] = {}
    for note in notes:
        day_first, month_first = orders_written(repair_date_digits(note.text), note.note_date)
        before = seen.get(note.patient_id, (False, False))
        seen[note.patient_id] = (before[0] or day_first, before[1] or month_first)
    return {patient: ("ambiguous_order" if month_first else "dayfirst_inferred")
            for patient, (day_first, month_first) in seen.items() if day_first}


def with_chart_orders(notes: Iterable[Note], orders: dict[str, OrderGuess]) -> Iterator[Note]:
    """The notes, each carrying the order its chart shows (``Note.chart_date_order``)."""
    for note in notes:
        order = orders.get(note.patient_id)
        yield replace(note, chart_date_order=order) if order is not None else note
