"""Issue 16: constructions of research-unit forms and shared home-infusion care, written from the
features such charts have (eligibility checklists, query responses, bag changes at home, dispensing
notes, weekday references), before the last two blind styles were scored.

Every sentence here is a paraphrase written for these tests.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.issue16_helpers import of


@pytest.mark.parametrize("text, concept", [
    ("Inclusion criteria: Prior treatment with blinatumomab: [ ] Yes [X] No", "blinatumomab"),
    ("Exclusion 4: Prior inotuzumab ozogamicin - N", "inotuzumab"),
    ("Prior allogeneic HSCT? No", "hsct"),
    ("Prior CAR-T: N\nPrior HSCT: Y (MUD 2019)", "car_t"),
])
def test_issue16_a_checklist_item_answered_no_is_negated(extract, text, concept):
    found = of(extract(text), concept)
    assert found and all(m.negated for m in found)


@pytest.mark.parametrize("text, concept", [
    ("Prior blinatumomab: [X] Yes [ ] No", "blinatumomab"),
    ("Prior CAR-T: N\nPrior HSCT: Y (MUD 2019)", "hsct"),
])
def test_issue16_a_checklist_item_answered_yes_stays(extract, text, concept):
    found = of(extract(text), concept)
    assert found and not any(m.negated for m in found)


def test_issue16_a_bag_change_at_home_is_a_dose_not_a_start(extract):
    found = of(extract("Blinatumomab home infusion: bag change #3 performed, pump running at 10 mL/hr.", note_type="home_infusion"), "blinatumomab")
    assert [m.value for m in found] == ["dose"]


def test_issue16_a_bag_change_record_does_not_start_the_drug(timeline):
    events = timeline(
        ("2022-03-14", "nursing", "03/14/2022 14:00 first bag of blinatumomab hung inpatient, 9 mcg/day - given."),
        ("2022-03-18", "home_infusion", "03/18/2022 10:10 blinatumomab bag change #2 done at home - given, pump checked."),
    )
    assert [e.date for e in events if e.kind == "blinatumomab_start"] == [date(2022, 3, 14)]


def test_issue16_a_delivery_date_is_no_treatment_date(extract):
    found = of(extract("Specialty pharmacy: Blincyto dispensed 03/10/22, delivery to home 03/12/22.", note_date=date(2022, 3, 12)), "blinatumomab")
    assert found and all(m.date_source == "note_date" for m in found)


def test_issue16_a_date_entered_in_error_is_no_start(extract):
    found = of(extract("Query response: the blinatumomab start date was entered as 14-MAR-2022 in error; correct date is 15-MAR-2022.",
                        note_type="query_response", note_date=date(2022, 4, 2)), "blinatumomab")
    assert found and all(m.date != date(2022, 3, 14) for m in found)


@pytest.mark.parametrize("text, day", [
    ("Pt started blina last Tuesday, tolerating.", date(2022, 5, 10)),
    ("This past Monday she started blinatumomab in hospital.", date(2022, 5, 16)),
])
def test_issue16_a_weekday_reference_dates_the_start(extract, text, day):
    # the note is written on Tuesday 17 May 2022
    found = of(extract(text, note_date=date(2022, 5, 17)), "blinatumomab")
    assert [(m.value, m.date) for m in found] == [("start", day)]
