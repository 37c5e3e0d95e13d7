"""Issue 16: dates of non-US charts: the day/month order a whole chart shows, and dates after the
note that reports them.

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest

from chartabstract.models import Event, Note
from chartabstract.normalize.date_order import chart_date_orders, with_chart_orders
from chartabstract.normalize.dates import find_dates

NOTE_DAY = date(2021, 3, 1)


def _notes(*written: tuple[str, str, str]) -> list[Note]:
    return [Note(patient, f"{patient}/{n}", date.fromisoformat(day), "progress", text, "test")
            for n, (patient, day, text) in enumerate(written)]


def test_issue16_chart_order_day_first_when_only_day_first_dates_are_written() -> None:
    notes = _notes(
        ("A", "2021-01-10", "Marrow of 14/12/2020 showed 40% blasts."),
        ("A", "2021-02-01", "Blinatumomab started 07/09/20."),
        ("B", "2021-01-10", "Seen 12/28/2020 in clinic."),
        ("C", "2021-01-10", "Seen 03/04/2020 in clinic."),
    )
    assert chart_date_orders(notes) == {"A": "dayfirst_inferred"}


def test_issue16_chart_order_in_doubt_when_both_kinds_are_written() -> None:
    notes = _notes(
        ("A", "2021-01-10", "Admitted 27/09/2020, discharged the next week."),
        ("A", "2021-02-01", "Follow-up scheduled 12/30/2020."),
    )
    assert chart_date_orders(notes) == {"A": "ambiguous_order"}


def test_issue16_chart_order_lent_only_to_notes_that_cannot_decide() -> None:
    notes = _notes(("A", "2021-01-10", "Marrow 14/12/2020."), ("A", "2021-02-01", "Started 07/09/20."))
    lent = list(with_chart_orders(notes, chart_date_orders(notes)))
    assert [n.chart_date_order for n in lent] == ["dayfirst_inferred", "dayfirst_inferred"]


@pytest.mark.parametrize("text, expected", [
    ("Blinatumomab begun on 07/09/20 as an outpatient.", date(2020, 9, 7)),
    ("Passed away at home on 09/05/2021 per the family.", date(2021, 5, 9)),
    ("Marrow 3/4/2021: 2% blasts.", date(2021, 4, 3)),
])
def test_issue16_chart_day_first_order_reads_ambiguous_dates(text: str, expected: date) -> None:
    found = find_dates(text, date(2021, 6, 1), chart_order="dayfirst_inferred")
    assert (found[0].resolved.value, found[0].resolved.reported_source) == (expected, "dayfirst_inferred")


def test_issue16_note_with_its_own_month_first_date_ignores_the_chart() -> None:
    found = find_dates("Seen 12/30/2020; next visit 02/03/2021.", date(2021, 6, 1), chart_order="dayfirst_inferred")
    assert [m.resolved.value for m in found] == [date(2020, 12, 30), date(2021, 2, 3)]


def test_issue16_chart_in_doubt_keeps_month_first_and_marks_the_date() -> None:
    found = find_dates("Started 07/09/20.", date(2021, 6, 1), chart_order="ambiguous_order")
    assert (found[0].resolved.value, found[0].resolved.reported_source) == (date(2020, 7, 9), "ambiguous_order")


def test_issue16_dayfirst_flag_overrides_the_chart() -> None:
    found = find_dates("Started 07/09/20.", date(2021, 6, 1), dayfirst=True, chart_order="ambiguous_order")
    assert found[0].resolved.value == date(2020, 9, 7)


def test_issue16_us_chart_unchanged() -> None:
    found = find_dates("Started 07/09/20.", date(2021, 6, 1), chart_order=None)
    assert found[0].resolved.value == date(2020, 7, 9)


def _events(nlp, written: list[tuple[str, str, str]]) -> list[Event]:
    from chartabstract.nlp.extract import process_note
    from chartabstract.study import load_study
    from chartabstract.timeline import build_timeline

    notes = [Note("P1", f"P1/{n}_{kind}", date.fromisoformat(day), kind, text, "test") for n, (day, kind, text) in enumerate(written)]
    notes = list(with_chart_orders(notes, chart_date_orders(notes)))
    mentions = [m for note in notes for m in process_note(nlp, note)]
    last = max(n.note_date for n in notes)
    return list(build_timeline("P1", mentions, load_study(), last_note_date=last, notes=len(notes)).events)


def test_issue16_short_note_of_a_day_first_chart_dates_the_death(nlp) -> None:
    """A phone note of 10 May that writes only an ambiguous date takes the chart's day-first order."""
    events = _events(nlp, [
        ("2021-01-20", "progress", "B-ALL relapse on marrow of 18/01/2021. Plan salvage."),
        ("2021-05-10", "telephone", "Daughter called: the patient died at home on 09/05/2021."),
    ])
    death = next(e for e in events if e.kind == "death")
    assert death.date == date(2021, 5, 9)


def test_issue16_death_dated_after_its_note_is_flagged(nlp) -> None:
    """A death the note reports as past, dated after the note itself, is a misread date: flagged."""
    events = _events(nlp, [("2021-05-10", "telephone", "Hospice nurse phoned: the patient died at home on 06/09/2021.")])
    death = next(e for e in events if e.kind == "death")
    assert any(f.kind == "implausible" and "after the note" in f.detail for f in death.flags)
