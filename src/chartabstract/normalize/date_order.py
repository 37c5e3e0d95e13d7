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

from collections.abc import Collection, Iterable, Iterator
from dataclasses import replace

from chartabstract.models import Note, OrderGuess
from chartabstract.normalize.dates import orders_written
from chartabstract.normalize.ocr_digits import repair_date_digits
from chartabstract.normalize.year_first import FULL_DAY_FIRST, shows_year_first


def chart_date_orders(notes: Iterable[Note]) -> dict[str, OrderGuess]:
    """The order each patient's chart shows, for the patients whose charts show one.

    Args:
        notes: every note of the run (read once more just for this; only dates are scanned).

    Returns:
        patient id -> "dayfirst_inferred" (some date only day-first, none only month-first) or
        "ambiguous_order" (both kinds written). Charts with no day-first date are left out: they
        read month-first, as they always did.
    """
    return chart_conventions(notes)[0]


def chart_conventions(notes: Iterable[Note]) -> tuple[dict[str, OrderGuess], frozenset[str]]:
    """The day/month order of each chart (``chart_date_orders``) and the charts whose notes write
    short dates year first ("21.03.05" in a Korean EMR, ``normalize.year_first``): a chart where
    some note shows that convention and none writes a full day-first dotted date. The order of a
    year-first chart is read with its short dates taken year first, so they decide no order."""
    seen: dict[str, tuple[bool, bool]] = {}
    seen_year_first: dict[str, tuple[bool, bool]] = {}
    shows: dict[str, bool] = {}
    for note in notes:
        text = repair_date_digits(note.text)
        for table, year_first in ((seen, False), (seen_year_first, True)):
            day_first, month_first = orders_written(text, note.note_date, year_first=year_first)
            before = table.get(note.patient_id, (False, False))
            table[note.patient_id] = (before[0] or day_first, before[1] or month_first)
        if shows.get(note.patient_id) is not False:
            if FULL_DAY_FIRST.search(text):
                shows[note.patient_id] = False
            elif shows_year_first(text, note.note_date):
                shows[note.patient_id] = True
    year_first = frozenset(patient for patient, shown in shows.items() if shown)
    orders = {patient: ("ambiguous_order" if month_first else "dayfirst_inferred")
              for patient, (day_first, month_first) in
              ((p, seen_year_first[p] if p in year_first else found) for p, found in seen.items()) if day_first}
    return orders, year_first


def with_chart_orders(notes: Iterable[Note], orders: dict[str, OrderGuess], year_first: Collection[str] = ()) -> Iterator[Note]:
    """The notes, each carrying the order its chart shows (``Note.chart_date_order``) and whether
    its chart writes short dates year first (``Note.chart_year_first``)."""
    for note in notes:
        order = orders.get(note.patient_id)
        if order is not None or note.patient_id in year_first:
            note = replace(note, chart_date_order=order, chart_year_first=note.patient_id in year_first)
        yield note
