"""Clinical date cases for normalize.dates: one behaviour per row."""

from __future__ import annotations

from datetime import date

import pytest

from chartabstract.models import ResolvedDate
from chartabstract.normalize.dates import find_dates, normalize_date

NOTE = date(2019, 6, 15)  # note date for most rows
JAN = date(2020, 1, 10)  # note date just after a year boundary
DEC = date(2019, 12, 20)  # note date just before one


def check(resolved: ResolvedDate | None, iso: str | None, precision: str | None, source: str) -> None:
    assert resolved is not None
    assert (str(resolved.value) if resolved.value else None) == iso
    assert resolved.precision == precision
    assert resolved.source == source


def only(text: str, note_date: date, *, dayfirst: bool = False) -> ResolvedDate:
    """The single date find_dates sees in text."""
    mentions = find_dates(text, note_date, dayfirst=dayfirst)
    assert len(mentions) == 1, mentions
    return mentions[0].resolved


ABSOLUTE_DAY = [
    ("3/4/19", "2019-03-04"),
    ("03/04/2019", "2019-03-04"),
    ("3-4-2019", "2019-03-04"),
    ("03-04-2019", "2019-03-04"),
    ("2019-03-04", "2019-03-04"),
    ("2019/03/04", "2019-03-04"),
    ("3.4.2019", "2019-04-03"),  # the dotted form is the day-first convention
    ("March 4, 2019", "2019-03-04"),
    ("Mar 4 2019", "2019-03-04"),
    ("Mar. 4, 2019", "2019-03-04"),
    ("March 4th, 2019", "2019-03-04"),
    ("4 March 2019", "2019-03-04"),
    ("4 Mar 2019", "2019-03-04"),
    ("4-Mar-2019", "2019-03-04"),
    ("04MAR2019", "2019-03-04"),
    ("the 4th of March 2019", "2019-03-04"),
    ("Sept 4 2019", "2019-09-04"),
    ("SEPTEMBER 4, 2019", "2019-09-04"),
    ("3/4/24", "2024-03-04"),  # 00-69 -> 20xx (3/4/69 is 2069: too far after the note to be a date)
    ("3/4/70", "1970-03-04"),  # 70-99 -> 19xx
    ("12/31/99", "1999-12-31"),
    ("1/1/00", "2000-01-01"),
    ("2020-02-29", "2020-02-29"),  # leap year
    ("4-Mar-19", "2019-03-04"),
]


@pytest.mark.parametrize(("text", "iso"), ABSOLUTE_DAY)
def test_dates_absolute_day(text: str, iso: str) -> None:
    check(normalize_date(text, NOTE), iso, "day", "explicit")


YEARLESS = [
    ("on 3/4", NOTE, "2019-03-04"),
    ("3/4", NOTE, "2019-03-04"),
    ("March 4", NOTE, "2019-03-04"),
    ("March 4th", NOTE, "2019-03-04"),
    ("4 March", NOTE, "2019-03-04"),
    ("the 4th of March", NOTE, "2019-03-04"),
    ("on 6/15", NOTE, "2019-06-15"),  # the note date itself is "not after"
    ("on 6/16", NOTE, "2018-06-16"),  # one day after the note: last year's
    ("on 12/28", JAN, "2019-12-28"),  # across the year boundary
    ("Dec 28", JAN, "2019-12-28"),
    ("on 1/3", JAN, "2020-01-03"),
    ("on 2/29", date(2021, 3, 1), "2020-02-29"),  # nearest leap year
    ("[**3-4**]", NOTE, "2019-03-04"),  # MIMIC
    ("(6/6)", NOTE, "2019-06-06"),  # alone in parentheses it is a date, even m == d
]


@pytest.mark.parametrize(("text", "note_date", "iso"), YEARLESS)
def test_dates_yearless_infers_past_year(text: str, note_date: date, iso: str) -> None:
    check(normalize_date(text, note_date), iso, "day", "year_inferred")


FUTURE_CUES = [
    ("will start on 1/3", DEC, "2020-01-03"),
    ("scheduled for marrow on 3/4", NOTE, "2020-03-04"),
    ("plan to restart on 7/1", NOTE, "2019-07-01"),
    ("next LP on 6/20", NOTE, "2019-06-20"),
    ("f/u 1/15 in clinic", DEC, "2020-01-15"),
    ("return on March 4 for C3", NOTE, "2020-03-04"),
    ("due 1/5 for labs", DEC, "2020-01-05"),
    ("to start blinatumomab on 1/8", DEC, "2020-01-08"),
    ("relapsed on 1/3", JAN, "2020-01-03"),  # no cue: past
    ("was due to relapse on 3/4", NOTE, "2019-03-04"),  # "due to" is causal, not a cue
]


@pytest.mark.parametrize(("text", "note_date", "iso"), FUTURE_CUES)
def test_dates_yearless_future_cue(text: str, note_date: date, iso: str) -> None:
    check(only(text, note_date), iso, "day", "year_inferred")


MONTH_YEAR = [
    ("6/2019", "2019-06-01", "month"),
    ("06/2019", "2019-06-01", "month"),
    ("June 2019", "2019-06-01", "month"),
    ("Jun 2019", "2019-06-01", "month"),
    ("Jun-2019", "2019-06-01", "month"),
    ("June of 2019", "2019-06-01", "month"),
    ("2019-06", "2019-06-01", "month"),
    ("in 03/10", "2010-03-01", "month"),  # "in" + mm/yy
    ("in 2019", "2019-01-01", "year"),
    ("(2017)", "2017-01-01", "year"),
    ("2018:", "2018-01-01", "year"),
    ("since 2015", "2015-01-01", "year"),
    ("mid-2018", "2018-01-01", "year"),
    ("summer of 2016", "2016-01-01", "year"),
    ("[**2019-03**]", "2019-03-01", "month"),
    ("[**1969**]", "1969-01-01", "year"),
]


@pytest.mark.parametrize(("text", "iso", "precision"), MONTH_YEAR)
def test_dates_month_and_year(text: str, iso: str, precision: str) -> None:
    check(normalize_date(text, NOTE), iso, precision, "explicit")


def test_dates_year_heading_at_line_start() -> None:
    mentions = find_dates("HISTORY\n2018 - diagnosed with B-ALL\n2019: relapse", NOTE)
    assert [(m.text, str(m.resolved.value)) for m in mentions] == [
        ("2018", "2018-01-01"),
        ("2019", "2019-01-01"),
    ]


MONTH_ALONE = [
    ("in June", NOTE, "2019-06-01"),
    ("in July", NOTE, "2018-07-01"),  # July 2019 is after the note
    ("last June", NOTE, "2018-06-01"),  # "last" skips the note's own month
    ("since December", JAN, "2019-12-01"),
    ("last summer", NOTE, "2018-06-01"),
]


@pytest.mark.parametrize(("text", "note_date", "iso"), MONTH_ALONE)
def test_dates_month_alone_year_inferred(text: str, note_date: date, iso: str) -> None:
    check(normalize_date(text, note_date), iso, "month", "year_inferred")


RELATIVE_TO_NOTE = [
    ("today", "2019-06-15", "day"),
    ("yesterday", "2019-06-14", "day"),
    ("tomorrow", "2019-06-16", "day"),
    ("the day before yesterday", "2019-06-13", "day"),
    ("2 days ago", "2019-06-13", "day"),
    ("x2 days ago", "2019-06-13", "day"),
    ("two weeks ago", "2019-06-01", "day"),
    ("3 months ago", "2019-03-01", "month"),
    ("a year ago", "2018-01-01", "year"),
    ("last week", "2019-06-08", "day"),
    ("last month", "2019-05-01", "month"),
    ("last year", "2018-01-01", "year"),
    ("next week", "2019-06-22", "day"),
    ("in 3 days", "2019-06-18", "day"),
    ("in two weeks", "2019-06-29", "day"),
    ("this morning", "2019-06-15", "day"),
    ("tonight", "2019-06-15", "day"),
    ("earlier today", "2019-06-15", "day"),
    ("in a month", "2019-07-01", "month"),
    ("two weeks from now", "2019-06-29", "day"),
]


@pytest.mark.parametrize(("text", "iso", "precision"), RELATIVE_TO_NOTE)
def test_dates_relative_to_note(text: str, iso: str, precision: str) -> None:
    check(normalize_date(text, NOTE), iso, precision, "relative_to_note")


def test_dates_relative_month_of_last_year() -> None:
    check(only("colonoscopy in October of last year", NOTE), "2018-10-01", "month", "relative_to_note")


def test_dates_later_is_not_note_relative() -> None:
    assert find_dates("3 days later she spiked a fever", NOTE) == []


RELATIVE_TO_EVENT = [
    ("Day +30", "day0", 30),
    ("Day+30", "day0", 30),
    ("day 30", "day0", 30),
    ("D+100", "day0", 100),
    ("D +100", "day0", 100),
    ("Day 0", "day0", 0),
    ("D0", "day0", 0),
    ("Day -7", "day0", -7),
    ("day -3", "day0", -3),
    ("post-transplant day 30", "day0", 30),
    ("day 30 post-transplant", "day0", 30),
    ("day +30 post HSCT", "day0", 30),
    ("C2D8", "cycle:2", 7),
    ("C2 D8", "cycle:2", 7),
    ("cycle 2 day 8", "cycle:2", 7),
    ("Cycle 2, Day 8", "cycle:2", 7),
    ("day 8 of cycle 2", "cycle:2", 7),
    ("C2D1", "cycle:2", 0),
]


@pytest.mark.parametrize(("text", "anchor", "offset"), RELATIVE_TO_EVENT)
def test_dates_relative_to_event(text: str, anchor: str, offset: int) -> None:
    resolved = normalize_date(text, NOTE)
    check(resolved, None, "day", "relative_to_event")
    assert resolved is not None
    assert (resolved.anchor, resolved.offset_days) == (anchor, offset)


IMPOSSIBLE = ["02/30/2019", "13/45/2019", "2019-02-29", "Feb 30", "February 30, 2019", "04/31/2019"]


@pytest.mark.parametrize("text", IMPOSSIBLE)
def test_dates_impossible_flagged_invalid(text: str) -> None:
    resolved = normalize_date(text, NOTE)
    assert resolved == ResolvedDate(None, None, "none", invalid=True)


DAYFIRST = [
    ("03/04/2019", "2019-04-03", "explicit"),
    ("3/4/19", "2019-04-03", "explicit"),
    ("28/11/2018", "2018-11-28", "explicit"),
    ("3.4.2019", "2019-04-03", "explicit"),
    ("3/4", "2019-04-03", "year_inferred"),
    ("2019-03-04", "2019-03-04", "explicit"),  # ISO is never day-first
    ("March 4, 2019", "2019-03-04", "explicit"),  # nor are month names
]


@pytest.mark.parametrize(("text", "iso", "source"), DAYFIRST)
def test_dates_dayfirst(text: str, iso: str, source: str) -> None:
    check(normalize_date(text, NOTE, dayfirst=True), iso, "day", source)


def test_dates_dayfirst_order_is_not_swapped_silently() -> None:
    # A text whose dates contradict each other keeps the US order: 28/11 stays impossible.
    text = "Seen 28/11/2018; next visit 12/13/2018."
    assert [d.resolved.invalid for d in find_dates(text, NOTE)] == [True, False]


def test_dates_day_first_convention_read_from_the_text() -> None:
    # "29.06.2020" can only be day-first, so this note's "03.04.2020" is 3 April too.
    text = "Date: 29.06.2020. Marrow 03.04.2020 showed 2% blasts."
    assert [d.resolved.value for d in find_dates(text, NOTE)] == [date(2020, 6, 29), date(2020, 4, 3)]
    assert normalize_date("28/11/2018", NOTE) == ResolvedDate(date(2018, 11, 28), "day", "explicit")
    assert normalize_date("03/04/2019", NOTE).value == date(2019, 3, 4)  # nothing to show the order: US


GLUED = [
    ("3/4/19 14:30", "3/4/19"),
    ("2019-03-04T10:00", "2019-03-04"),
    ("2019-03-04T10:00:00.123Z", "2019-03-04"),
    ("[**2019-03-04**]", "[**2019-03-04**]"),
    ("Mar 4 2019 08:15", "Mar 4 2019"),
]


@pytest.mark.parametrize(("text", "span"), GLUED)
def test_dates_times_and_brackets_keep_the_date(text: str, span: str) -> None:
    (mention,) = find_dates(text, NOTE)
    assert mention.text == span
    check(mention.resolved, "2019-03-04", "day", "explicit")


NOT_DATES = [
    "MUD alloHSCT (8/8 unrelated donor)",  # an HLA match, not a date
    "call 555-123-4567",
    "(555) 123-4567",
    "karyotype 46,XY,t(9;22)(q34;q11.2)[20]/46,XY[5]",
    "46,XY",
    "t(9;22)",
    "take 1/2 tab daily",
    "1/2",
    "2/3 of the marrow",
    "ratio 2/3",
    "BP 120/80",
    "pain 3/10",
    "strength 5/5 in all extremities",
    "a 2/6 systolic murmur",
    "Hgb/Hct 10/30",
    "SOB 2/2 CHF",
    "D5 1/2NS at 100 mL/h",
    "1 1/2 tabs",
    "blasts 45%",
    "CD19 positive",
    "CD19+ 95%",
    "C1",
    "cycle 2",
    "s/p C2",
    "at 14:30",
    "reflexes 2+",
    "4+",
    "45 yo male",
    "blinatumomab 28 mcg/day",
    "inotuzumab 0.8 mg/m2",
    "15 mg/m2",
    "WBC 2019",
    "WBC from 2000 to 5000",
    "received 2000 mL",
    "in 2000 patients",
    "version 2.1.10",
    "v1.2.10",
    "hospital day 3",
    "day 5 of antibiotics",
    "days 1-7",
    "MAR 2 doses given",
    "she may 2 times",
    "injured in the fall",
    "Pulses are 2/4 for brachial",
    "C5/6 disc bulge",
    "2-1/2-year-old brother",
    "a few days ago",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_dates_not_dates(text: str) -> None:
    assert find_dates(text, NOTE) == []


def test_dates_offsets_in_order() -> None:
    text = "started blinatumomab on 3/4/19; marrow on 4/2/19 showed 3% blasts"
    mentions = find_dates(text, NOTE)
    assert [(m.start, m.end, m.text) for m in mentions] == [(24, 30, "3/4/19"), (42, 48, "4/2/19")]
    assert [str(m.resolved.value) for m in mentions] == ["2019-03-04", "2019-04-02"]
    assert all(text[m.start : m.end] == m.text for m in mentions)


def test_dates_mixed_kinds_in_one_note() -> None:
    text = (
        "Dx B-ALL in 2017. Relapse 6/2019; started inotuzumab C1D1 on 7/1/19.\n"
        "HSCT on [**2019-11-02**], now Day +30. Seen yesterday; next LP on 12/28."
    )
    mentions = find_dates(text, DEC)
    got = [(m.text, m.resolved.value and str(m.resolved.value), m.resolved.anchor) for m in mentions]
    assert got == [
        ("2017", "2017-01-01", None),
        ("6/2019", "2019-06-01", None),
        ("C1D1", None, "cycle:1"),
        ("7/1/19", "2019-07-01", None),
        ("[**2019-11-02**]", "2019-11-02", None),
        ("Day +30", None, "day0"),
        ("yesterday", "2019-12-19", None),
        ("12/28", "2019-12-28", None),
    ]
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)


def test_dates_longest_overlap_wins() -> None:
    (mention,) = find_dates("the 4th of March 2019", NOTE)
    assert mention.text == "the 4th of March 2019"
    (mention,) = find_dates("day 8 of cycle 2", NOTE)
    assert mention.resolved.anchor == "cycle:2"


def test_dates_ranges_give_both_ends() -> None:
    mentions = find_dates("admitted 3/4/19-3/8/19", NOTE)
    assert [m.text for m in mentions] == ["3/4/19", "3/8/19"]


def test_dates_normalize_rejects_extra_text() -> None:
    assert normalize_date("3/4/19 and 4/2/19", NOTE) is None
    assert normalize_date("marrow showed 3% blasts", NOTE) is None
    assert normalize_date("", NOTE) is None


def test_dates_normalize_bare_year_alone() -> None:
    check(normalize_date("2019", NOTE), "2019-01-01", "year", "explicit")


HLA_MATCHES = [
    "after 9/10 MMUD allo-SCT",  # "after" is a date cue: the donor words win
    "8/8 matched unrelated donor",
    "proceed to 10/10 MUD alloHSCT",
    "a 5/10 haploidentical donor",
    "HLA 7/8",
    "unrelated donor (9/10) identified",
    "Matched unrelated donor (10/10) allogeneic transplant",
    "brother is a 10/10 match",
    "sister (HLA-identical, 10/10)",
    "antigen 7/8 match",
    "typing 8/8",
    "matched sibling 11/12",
    "Two 4/6 cord units",
    "8/8 MRD alloHSCT",  # matched related donor
]


@pytest.mark.parametrize("text", HLA_MATCHES)
def test_dates_hla_match_is_not_a_date(text: str) -> None:
    assert find_dates(text, NOTE) == []


HLA_LOOKALIKE_DATES = [
    ("on 9/10 the patient was seen", "2018-09-10"),  # no donor word
    ("MUD alloHSCT on 9/10", "2018-09-10"),  # "on" is never written before a match
    ("MRD 4/6: negative", "2019-04-06"),  # residual disease, not a related donor
    ("BMBx 12/12: 1% blasts. Donor chimerism 100%", "2018-12-12"),  # the donor word is in the next sentence
    ("after 9/11 MUD search", "2018-09-11"),  # not out of 6, 8, 10 or 12
    ("donor search since 12/10", "2018-12-10"),  # more matched than typed: not a match
]


@pytest.mark.parametrize(("text", "iso"), HLA_LOOKALIKE_DATES)
def test_dates_hla_lookalike_keeps_the_date(text: str, iso: str) -> None:
    check(only(text, NOTE), iso, "day", "year_inferred")


def test_dates_hla_match_beside_a_full_date() -> None:
    mentions = find_dates("9/10 MUD allo-SCT 9/10/2018; 10/10 MUD on 10/10/2018", NOTE)
    assert [(m.text, str(m.resolved.value)) for m in mentions] == [("9/10/2018", "2018-09-10"), ("10/10/2018", "2018-10-10")]


def test_dates_dayfirst_inferred_from_the_note_is_recorded() -> None:
    # "29.06.2020" can only be day-first: the note's ambiguous dates are read day-first and say so;
    # dates whose order is plain stay explicit.
    text = "Date: 29.06.2020. Marrow 03.04.2020, LP 5/6, flow 05.05.2020, ISO 2020-03-04."
    got = [(m.text, str(m.resolved.value), m.resolved.source, m.resolved.order) for m in find_dates(text, NOTE)]
    assert got == [
        ("29.06.2020", "2020-06-29", "explicit", None),
        ("03.04.2020", "2020-04-03", "explicit", "dayfirst_inferred"),
        ("5/6", "2019-06-05", "year_inferred", "dayfirst_inferred"),
        ("05.05.2020", "2020-05-05", "explicit", None),
        ("2020-03-04", "2020-03-04", "explicit", None),
    ]
    assert find_dates(text, NOTE)[1].resolved.reported_source == "dayfirst_inferred"


def test_dates_dayfirst_option_is_no_guess() -> None:
    text = "Date: 29.06.2020. Marrow 03.04.2020."
    assert [m.resolved.order for m in find_dates(text, NOTE, dayfirst=True)] == [None, None]
    assert normalize_date("03/04/2019", NOTE, dayfirst=True) == ResolvedDate(date(2019, 4, 3), "day", "explicit")


def test_dates_mixed_order_note_marks_ambiguous_dates() -> None:
    # 28/11 can only be day-first, 12/13 only month-first: 03/04 and 3/4 keep the month-first
    # reading, marked ambiguous; the unambiguous dates are as before.
    text = "Seen 28/11/2018; next visit 12/13/2018; marrow 03/04/2019, LP 3/4, 5/5/2019."
    got = [(m.text, m.resolved.value and str(m.resolved.value), m.resolved.reported_source) for m in find_dates(text, NOTE)]
    assert got == [
        ("28/11/2018", None, "none"),
        ("12/13/2018", "2018-12-13", "explicit"),
        ("03/04/2019", "2019-03-04", "ambiguous_order"),
        ("3/4", "2019-03-04", "ambiguous_order"),
        ("5/5/2019", "2019-05-05", "explicit"),
    ]


@pytest.mark.parametrize("source", ["ambiguous_order", "dayfirst_inferred", "explicit"])
def test_dates_ambiguous_order_is_flagged_on_the_event(source: str) -> None:
    # a drug start and a marrow, each dated in its own note: only an ambiguous order is flagged,
    # and a guessed order weighs like an explicit date (no low_support)
    from chartabstract.study import load_study
    from chartabstract.timeline import build_timeline
    from tests.test_cohort import mention

    mentions = [
        mention("blinatumomab", "start", "2019-03-04", source=source),
        mention("marrow_blasts", "45", "2019-02-20", note_type="bm_pathology", source=source, method="morphology"),
    ]
    timeline = build_timeline("P", mentions, load_study(), last_note_date=date(2019, 6, 1), notes=2)
    want = [("low_precision", "day/month order ambiguous in this note")] if source == "ambiguous_order" else []
    assert [[(f.kind, f.detail) for f in event.flags] for event in timeline.events] == [want, want]


# Issue 16: shorthand whose reading depends on its neighbours (our own sentences, not chart text).
ISSUE16_NOTE = date(2022, 5, 12)


def readings(text: str, note_date: date = ISSUE16_NOTE, *, dayfirst: bool = False) -> list[tuple[str, str, str, str]]:
    return [
        (m.text, str(m.resolved.value), str(m.resolved.precision), m.resolved.source)
        for m in find_dates(text, note_date, dayfirst=dayfirst)
        if m.resolved.value is not None
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Blinatumomab cycle 1 January 2021, refractory", [("January 2021", "2021-01-01", "month", "explicit")]),
        ("InO course 2 March 2020 then HCT", [("March 2020", "2020-03-01", "month", "explicit")]),
        ("started on 1 January 2021", [("1 January 2021", "2021-01-01", "day", "explicit")]),
        ("block 3 Feb 2019 held", [("Feb 2019", "2019-02-01", "month", "explicit")]),
    ],
)
def test_issue16_no_day_read_from_a_cycle_number(text: str, expected: list[tuple[str, str, str, str]]) -> None:
    assert readings(text) == expected


@pytest.mark.parametrize(
    "text",
    ["InO x3 (5/2019-7/2019)", "InO x3 (5/2019 - 7/2019)", "InO x3 (5/2019 \u2013 7/2019)",
     "InO x3 (5/2019\u20147/2019)", "InO x3 from 5/2019 to 7/2019"],
)
def test_issue16_month_year_ranges_give_both_months(text: str) -> None:
    assert readings(text) == [("5/2019", "2019-05-01", "month", "explicit"), ("7/2019", "2019-07-01", "month", "explicit")]


def test_issue16_month_year_is_not_read_before_a_count_range() -> None:
    assert readings("WBC 1/2000-3000 cells") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("s/p inotuzumab C1 (2/5, 2/12, 2/19)", ["2019-02-05", "2019-02-12", "2019-02-19"]),
        ("blina bags changed 3/1, 3/3 and 3/5", ["2019-03-01", "2019-03-03", "2019-03-05"]),
        ("strength 5/5, 4/5 in legs", []),  # scores do not run forward as dates
    ],
)
def test_issue16_date_lists_give_each_date(text: str, expected: list[str]) -> None:
    assert [value for _t, value, _p, _s in readings(text, date(2019, 3, 20))] == expected


@pytest.mark.parametrize(
    ("text", "note_date", "expected"),
    [
        ("s/p MSD allo 6/20, now relapsed", date(2022, 5, 2), ("6/20", "2020-06-01", "month", "month_year_inferred")),
        ("Kymriah 11/21 at the referring center", date(2022, 5, 12), ("11/21", "2021-11-01", "month", "month_year_inferred")),
        ("dx 1/20 -> HyperCVAD", date(2022, 8, 12), ("1/20", "2020-01-01", "month", "month_year_inferred")),
        # within 150 days of the note the month/day reading stays
        ("s/p allo 3/20, day +50", date(2022, 5, 12), ("3/20", "2022-03-20", "day", "year_inferred")),
        # a date cue keeps month/day
        ("allo on 6/20", date(2022, 5, 2), ("6/20", "2021-06-20", "day", "year_inferred")),
        # not a history context
        ("labs 6/20 stable", date(2022, 5, 2), ("6/20", "2021-06-20", "day", "year_inferred")),
        # a planned date a few days ahead stays month/day (past reading here; mention_dates moves plans forward)
        ("leukapheresis for tisagenlecleucel 12/16", date(2019, 12, 10), ("12/16", "2018-12-16", "day", "year_inferred")),
        # month/year after the note is impossible, so month/day it is
        ("relapse 11/23", date(2022, 5, 12), ("11/23", "2021-11-23", "day", "year_inferred")),
    ],
)
def test_issue16_history_shorthand_reads_month_year(text: str, note_date: date, expected: tuple[str, str, str, str]) -> None:
    assert readings(text, note_date) == [expected]


def test_issue16_month_year_shorthand_elsewhere_decides_a_recent_history_date() -> None:
    text = "CAR-T 11/21 at outside center. Relapse 3/22 -> InO."
    assert readings(text) == [
        ("11/21", "2021-11-01", "month", "month_year_inferred"),
        ("3/22", "2022-03-01", "month", "month_year_inferred"),
    ]


@pytest.mark.parametrize(
    "text",
    ["UNIV HOSP BMT FAX P. 1/4", "Page 1 of 4", "P.002/005", "pg 2/3 faxed", "ICE 10/10 this am",
     "HLA 10/10 matched", "8/8 MUD", "unrelated donor from brother (10/10)", "pain 7/10"],
)
def test_issue16_page_markers_and_fractions_are_not_dates(text: str) -> None:
    assert readings(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("InO C1D1 3/10 given", "2022-03-10"),
        ("Besponsa D8: 3/17", "2022-03-17"),
        ("cycle 2: 3/10 admitted", "2022-03-10"),
    ],
)
def test_issue16_score_like_date_beside_a_cycle_label_is_a_date(text: str, expected: str) -> None:
    assert [value for _t, value, _p, _s in readings(text)] == [expected]


def test_issue16_score_like_date_beside_a_cycle_label_follows_the_note_order() -> None:
    assert [v for _t, v, _p, _s in readings("InO C1D1 3/10 given", dayfirst=True)] == ["2021-10-03"]


@pytest.mark.parametrize("dash", ["-", "\u2013", "\u2014", " to ", " \u2013 "])
def test_issue16_dashes_and_to_read_alike_in_ranges(dash: str) -> None:
    text = f"blina C1 03/02/2021{dash}03/29/2021"
    assert [v for _t, v, _p, _s in readings(text)] == ["2021-03-02", "2021-03-29"]


@pytest.mark.parametrize("dash", ["-", "\u2013", "\u2014", " bis "])
def test_issue16_day_month_opening_a_range_takes_the_closing_year(dash: str) -> None:
    text = f"Blinatumomab vom 02.03.{dash}29.03.2021"
    assert [v for _t, v, _p, _s in readings(text)] == ["2021-03-02", "2021-03-29"]


def test_issue16_day_month_without_year_in_a_day_first_note() -> None:
    assert readings("Kontrolle am 3.4., Befund vom 12.03.2021", date(2021, 5, 1), dayfirst=True) == [
        ("3.4.", "2021-04-03", "day", "year_inferred"),
        ("12.03.2021", "2021-03-12", "day", "explicit"),
    ]
    # in a note read month-first, and without a cue, "3.4." stays a number
    assert readings("Hb 9.8. Kontrolle am 3.4.", date(2021, 5, 1)) == []
    assert readings("Hb 9.8. stable", date(2021, 5, 1), dayfirst=True) == []


def test_issue16_day_first_inferred_note_still_flags_mixed_orders() -> None:
    mentions = find_dates("seen 29.03.2021 and 03/30/2021, next 04.05.2021", date(2021, 6, 1))
    assert [m.resolved.order for m in mentions] == [None, None, "ambiguous_order"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BM bx 1l/03/2020 received", ("1l/03/2020", "2020-11-03")),
        ("collected O8/04/2020", ("O8/04/2020", "2020-08-04")),
        ("signed 12/0l/2021", ("12/0l/2021", "2021-12-01")),
    ],
)
def test_issue16_ocr_letters_inside_a_date_read_as_digits(text: str, expected: tuple[str, str]) -> None:
    assert [(t, v) for t, v, _p, _s in readings(text)] == [expected]


@pytest.mark.parametrize("text", ["hold 1O mg", "lOl/lO/lOlO", "ALL/O1/CR", "Ol/Ol/OO"])
def test_issue16_ocr_letters_elsewhere_stay_letters(text: str) -> None:
    assert readings(text) == []


# Issue 16: the dotted numeric form is the continental European convention, day first, even when
# no date of the note has a day above 12 (our own sentences).
@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Marrow aspirate taken 02.03.2021, reviewed with the team.", [("02.03.2021", "2021-03-02")]),
        ("First infusion given 07.10.20 without reaction.", [("07.10.20", "2020-10-07")]),
        ("Transplant 05.06.2020; relapse confirmed on 11.12.2020.", [("05.06.2020", "2020-06-05"), ("11.12.2020", "2020-12-11")]),
        ("Seen 04.05.2021, steroids from 1.5. until 3.5.", [("04.05.2021", "2021-05-04"), ("1.5.", "2021-05-01"), ("3.5.", "2021-05-03")]),
    ],
)
def test_issue16_dotted_dates_are_day_first(text: str, want: list[tuple[str, str]]) -> None:
    assert [(m.text, str(m.resolved.value)) for m in find_dates(text, date(2021, 6, 1))] == want


def test_issue16_dotted_dates_make_slashed_ones_day_first_too() -> None:
    # a note in the dotted convention writes its occasional slashed date the same way round
    got = find_dates("Biopsy 09.02.2021, echo 03/04/2021.", date(2021, 6, 1))
    assert [(m.text, str(m.resolved.value), m.resolved.order) for m in got] == [
        ("09.02.2021", "2021-02-09", "dayfirst_inferred"), ("03/04/2021", "2021-04-03", "dayfirst_inferred")]


def test_issue16_dotted_dates_in_a_month_first_note_stay_day_first_and_flagged() -> None:
    # 12/28/2020 proves the slashes month-first; the dotted date keeps its convention, in doubt
    got = find_dates("Relapse 12/28/2020, marrow 03/04/2021 and again 06.07.2021.", date(2021, 9, 1))
    assert [(m.text, str(m.resolved.value), m.resolved.order) for m in got] == [
        ("12/28/2020", "2020-12-28", None), ("03/04/2021", "2021-03-04", "ambiguous_order"),
        ("06.07.2021", "2021-07-06", "ambiguous_order")]


def test_issue16_a_month_first_dotted_date_turns_the_convention_off() -> None:
    got = find_dates("Visits 10.25.2020 and 02.03.2021.", date(2021, 6, 1))
    assert [(m.text, str(m.resolved.value)) for m in got] == [("10.25.2020", "2020-10-25"), ("02.03.2021", "2021-02-03")]


def test_issue16_section_numbers_are_no_dotted_dates() -> None:
    # "1.2.10" may number a protocol section: it is no evidence of the convention
    got = find_dates("See protocol section 1.2.10; labs 03/04/2021.", date(2021, 6, 1))
    assert [(m.text, str(m.resolved.value)) for m in got if m.text == "03/04/2021"] == [("03/04/2021", "2021-03-04")]
