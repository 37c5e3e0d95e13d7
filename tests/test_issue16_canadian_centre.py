"""Issue 16: classes the Canadian academic cancer centre set showed at first contact, fixed in general.

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest

from chartabstract.nlp.option_lists import in_option_list


def _of(mentions, concept):
    return [m for m in mentions if m.concept == concept]


def test_issue16_letter_year_slip_yields_to_the_administration_record(timeline):
    """A letter's start day in another year than the day-unit record's is a slip: flagged, not a course."""
    events = timeline(
        ("2019-05-06", "daycare_nursing", "DAY UNIT ADMINISTRATION RECORD   Date: 06-MAY-2019\n"
                                          "Regimen: inotuzumab ozogamicin   Cycle 1  Day 1\n\n"
                                          "Inotuzumab ozogamicin 0.8 mg/m2 IV over 60 min given 0940, completed 1045."),
        ("2019-11-20", "letter", "Dear Dr. Ng,\n\nShe went into remission after inotuzumab ozogamicin, which was started on May 6, 2009, "
                                 "and she remains well."),
    )
    starts = [e for e in events if e.kind == "inotuzumab_start"]
    assert [e.date for e in starts] == [date(2019, 5, 6)]
    assert any(f.kind == "conflict" for f in starts[0].flags)


def test_issue16_another_course_on_another_day_is_kept(timeline):
    """A history date that is no calendar twin of the recorded start is a course of its own."""
    events = timeline(
        ("2019-05-06", "daycare_nursing", "DAY UNIT ADMINISTRATION RECORD   Date: 06-MAY-2019\n"
                                          "Regimen: inotuzumab ozogamicin   Cycle 1  Day 1\n\n"
                                          "Inotuzumab ozogamicin 0.8 mg/m2 IV over 60 min given 0940, completed 1045."),
        ("2019-11-20", "letter", "Dear Dr. Ng,\n\nShe first received inotuzumab ozogamicin, started on June 14, 2016, at another centre."),
    )
    assert [e.date for e in events if e.kind == "inotuzumab_start"] == [date(2016, 6, 14)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Salvage: blinatumomab x2 (Sep-Oct 2019), refractory.", date(2019, 9, 1)),
    ("Prior inotuzumab x3 (Nov to Jan 2020), MRD positive.", date(2019, 11, 1)),
    ("Prior inotuzumab (Oct 2019), MRD positive.", date(2019, 10, 1)),
])
def test_issue16_month_range_with_one_year_starts_at_its_first_month(extract, text, expected):
    found = [m for m in _of(extract(text, note_date=date(2020, 6, 1)), "inotuzumab") + _of(extract(text, note_date=date(2020, 6, 1)), "blinatumomab")]
    assert found and found[0].date == expected and found[0].date_precision == "month"


@pytest.mark.parametrize("text", [
    "Seen for review. Called to the room by nursing staff. Pronounced dead at\n04:10 on 03-FEB-2020. Family present.",
    "Seen for review. Family at the bedside throughout. Patient died at\n04:10 on 2020-Feb-03 after comfort care.",
])
def test_issue16_line_wrapped_before_a_clock_time_keeps_its_date(extract, text):
    deaths = _of(extract(text, note_type="death", note_date=date(2020, 2, 4)), "death")
    assert deaths and deaths[0].date == date(2020, 2, 3)


def test_issue16_transplant_status_label_is_no_transplant(timeline):
    events = timeline(
        ("2020-03-02", "clinic", "Transplant status: 8/8 unrelated donor found in January; the donor has since withdrawn."),
    )
    assert not [e for e in events if e.kind == "hsct"]


@pytest.mark.parametrize("text", [
    "Referred for the CD22 CAR-T waitlist, listed 2020-02-10.",
    "Added to the CAR T waiting list on 2020-02-10; no slot until summer.",
])
def test_issue16_waitlist_is_no_treatment(extract, text):
    found = _of(extract(text), "car_t")
    assert found and all(m.hypothetical for m in found)


OPTIONS = (
    "We reviewed the treatment options:\n"
    "- Inotuzumab ozogamicin, given as an outpatient, which I favour.\n"
    "- Blinatumomab, which needs admission for the first week of the first cycle;\n"
    "  we will hold it in reserve.\n"
    "- Supportive care alone.\n"
    "\n"
    "Blinatumomab was started today at 28 mcg/day.\n"
)


def test_issue16_option_list_items_are_hypothetical(extract):
    found = _of(extract(OPTIONS, note_type="consult"), "blinatumomab") + _of(extract(OPTIONS, note_type="consult"), "inotuzumab")
    listed = [m for m in found if m.start < OPTIONS.index("\n\n")]
    assert len(listed) == 2 and all(m.hypothetical for m in listed)
    assert [m.hypothetical for m in found if m.start > OPTIONS.index("\n\n")] == [False]


@pytest.mark.parametrize(("lead", "expected"), [
    ("Options discussed:", True),
    ("Treatment alternatives include:", True),
    ("Prior therapy:", False),
    ("He has had the following options explained. Current medications:", False),
])
def test_issue16_option_lead_lines(lead, expected):
    text = f"{lead}\n- blinatumomab (2019)\n"
    assert in_option_list(text, text.index("blina")) is expected


def test_issue16_prose_after_an_option_list_is_not_an_option():
    text = "Options:\n- blinatumomab\n\nBlinatumomab started today."
    assert not in_option_list(text, text.rindex("Blina"))
