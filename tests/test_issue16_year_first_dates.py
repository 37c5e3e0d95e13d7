"""Issue 16: short dates written year first (yy.mm.dd), the East Asian EMR convention.

After the KR style's first contact: "20.10.01" in a 2020 note is 1 October 2020, not 20 October
2001, and such a date does not make the note's slashed m/d dates ("9/30") day-first. A European
"03.04.20" stays 3 April 2020. Every sentence is written for these tests.
"""

from __future__ import annotations

from datetime import date

from chartabstract.normalize.dates import find_dates, orders_written


def _read(text, note_date):
    return [(d.text, d.resolved.value) for d in find_dates(text, note_date)]


def test_issue16_a_short_year_first_date_near_its_note():
    assert _read("BMA/Bx 20.10.01 (D29), reported 10/5", date(2020, 10, 8)) == [
        ("20.10.01", date(2020, 10, 1)), ("10/5", date(2020, 10, 5))]


def test_issue16_a_quoted_short_year_and_a_slashed_one():
    assert _read("blina started '21.3.5", date(2021, 3, 20)) == [("21.3.5", date(2021, 3, 5))]
    assert _read("Adm. 21/03/05 for C1", date(2021, 3, 20)) == [("21/03/05", date(2021, 3, 5))]


def test_issue16_a_european_short_date_stays_day_first():
    assert _read("BM 03.04.20: 40% blasts", date(2020, 4, 10)) == [("03.04.20", date(2020, 4, 3))]


def test_issue16_a_year_first_convention_decides_a_near_pair():
    # both readings are near the note; the note's full dates are year-first with dots
    assert _read("2021.03.02 admitted; 20.03.21 prior marrow", date(2021, 3, 25))[1] == ("20.03.21", date(2020, 3, 21))


def test_issue16_year_first_dates_decide_no_day_month_order():
    text = "BMA 20.10.01. Discharged 10/2 after blina C1 ended 9/30."
    assert orders_written(text, date(2020, 10, 8)) == (False, False)
    assert [d.resolved.value for d in find_dates(text, date(2020, 10, 8))][-1] == date(2020, 9, 30)


def test_issue16_a_chart_that_writes_year_first_lends_it_to_an_ambiguous_note():
    from chartabstract.models import Note
    from chartabstract.normalize.date_order import chart_conventions

    notes = [
        Note("K", "K/1", date(2020, 10, 8), "progress", "BMA/Bx 20.10.01 (D29). Discharged 10/2.", "t"),
        Note("K", "K/2", date(2020, 11, 17), "bm_pathology", "Compared with previous BM (20.10.19, CR).", "t"),
    ]
    orders, year_first = chart_conventions(notes)
    assert year_first == {"K"} and "K" not in orders
    # read alone, 20.10.19 in a note of 17 Nov 2020 could be 20 Oct 2019; the chart says year first
    assert [d.resolved.value for d in find_dates(notes[1].text, notes[1].note_date, year_first=True)] == [date(2020, 10, 19)]


def test_issue16_a_european_chart_is_never_year_first():
    from chartabstract.models import Note
    from chartabstract.normalize.date_order import chart_conventions

    notes = [Note("E", "E/1", date(2020, 10, 8), "letter", "BM 21.09.2020: 40% blasts; seen 20.10.19 in clinic.", "t")]
    assert chart_conventions(notes)[1] == frozenset()
