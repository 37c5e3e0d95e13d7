"""Issue 16: classes the last two blind styles showed at first contact, fixed in general afterwards:
a trials unit's research chart (RC, 0.807 with one field unflagged) and shared rural/academic care
with home infusion (TH, 0.925 with none unflagged).

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest

from chartabstract.normalize.dates import find_dates

from tests.issue16_helpers import of, start_of


# --- dates of case-report forms

def test_issue16_a_list_of_crf_days_shares_its_last_year():
    found = [d.resolved.value for d in find_dates("InO given: C1 05-OCT, 12-OCT, 19-OCT-2021; C2 02-NOV, 09-NOV-2021.", date(2022, 1, 10), dayfirst=False)]
    assert found == [date(2021, 10, 5), date(2021, 10, 12), date(2021, 10, 19), date(2021, 11, 2), date(2021, 11, 9)]


def test_issue16_a_hyphenated_dec_or_mar_day_is_a_date():
    found = [d.resolved.value for d in find_dates("C2D1 07-DEC; C2D8 15-MAR", date(2022, 4, 1), dayfirst=False) if d.resolved.value]
    assert found == [date(2021, 12, 7), date(2022, 3, 15)]


# --- the rows under a study drug's line

@pytest.mark.parametrize("text, day", [
    ("Study drug: BLINATUMOMAB 28 mcg/day CIVI, 96-h bag.\n  Bag 1 hung 14-SEP-2021 at 10:20. Premed given.", date(2021, 9, 14)),
    ("Dosing summary (blinatumomab 28 mcg/d):\n  C1: 14-SEP-2021 -> 11-OCT-2021 (28 days)\n  C2: 25-OCT-2021 -> 21-NOV-2021", date(2021, 9, 14)),
])
def test_issue16_the_first_row_under_a_study_drug_starts_it(extract, text, day):
    found = of(extract(text, note_type="crf_visit", note_date=date(2021, 12, 1)), "blinatumomab")
    assert [(m.value, m.date) for m in found] == [("start", day)]


def test_issue16_a_dose_line_with_its_infusion_clock_in_a_visit_note_records_that_days_dose(timeline):
    start = start_of(timeline(
        ("2021-02-08", "crf_visit", "RESEARCH VISIT - C1D1\nStudy drug: inotuzumab ozogamicin 1.1 mg (0.6 mg/m2) IV over 1 h, start 09:40 end 10:41."),
        ("2021-03-30", "progress", "On study with InO, in CR after C1."),
    ), "inotuzumab")
    assert start.date == date(2021, 2, 8)


# --- transplants, GVHD, causes

def test_issue16_an_hla_match_beside_a_transplant_label_is_no_transplant_day(extract):
    found = of(extract("HSCT: 10/10 MUD identified (sister was a haplo match only).", note_type="crf_visit"), "hsct")
    assert found and all(m.value != "start" for m in found), [m.value for m in found]


def test_issue16_a_gvhd_label_whose_finding_is_chronic_is_no_acute_gvhd(extract):
    found = extract("GVHD: mild chronic oral GVHD after DLI, topical therapy only.")
    assert not of(found, "agvhd") and of(found, "cgvhd")


@pytest.mark.parametrize("text", ["GVHD / Late Effects Clinic - consultation letter", "Dr. Nowak, GVHD & Late Effects Program"])
def test_issue16_a_gvhd_clinics_name_is_no_gvhd(extract, text):
    assert not of(extract(text), "agvhd")


def test_issue16_a_primary_cause_outranks_a_contributing_one(timeline):
    death = next(e for e in timeline(
        ("2021-07-06", "telephone", "Mother reports the subject died on 07/02/2021 in an outside ICU. "
                                    "Death form: primary cause: disease progression (B-ALL); contributing: sepsis."),
    ) if e.kind == "death")
    assert dict(death.values)["cause"] == "relapse"


# --- treatments that never happened

@pytest.mark.parametrize("text, concept", [
    ("- inotuzumab declined 2/2022 (worried about the liver);", "inotuzumab"),
    ("The transplant centre called: the 8/14 Day 0 transplant will not happen.", "hsct"),
    ("Other CD19-directed options (blinatumomab, CAR-T re-infusion) less attractive now given dim CD19.", "car_t"),
])
def test_issue16_a_refused_cancelled_or_weighed_treatment_is_no_event(extract, text, concept):
    found = of(extract(text, note_date=date(2022, 8, 1)), concept)
    assert found and all(m.negated or m.hypothetical for m in found), [(m.value, m.negated, m.hypothetical) for m in found]


def test_issue16_declining_further_cycles_is_not_declining_the_drug(extract):
    found = of(extract("Blinatumomab declined further cycles after C2."), "blinatumomab")
    assert found and not any(m.negated for m in found)
