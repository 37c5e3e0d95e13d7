"""Issue 16: classes the East African referral-hospital and Philippine private-hospital sets showed at
first contact, fixed in general.

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest


def _of(mentions, concept):
    return [m for m in mentions if m.concept == concept]


def test_issue16_another_drugs_aside_does_not_date_the_antibody(extract):
    found = _of(extract("INOTUZUMAB OZOGAMICIN C1 D1 0.8 mg/m2 = 1.3 mg + ponatinib 30 mg OD (started 1/11, via access program)"),
                "inotuzumab")
    assert found and found[0].date == date(2020, 1, 15)


def test_issue16_first_cycle_dated_in_a_history_chain_is_start_evidence(timeline):
    events = timeline(("2020-02-20", "ward_round",
                       "B-ALL relapse 12/19 -> blina C1 refractory (30% blasts) -> InO C1 01/24/20 -> BM 2/18 3% blasts."))
    assert [e.date for e in events if e.kind == "inotuzumab_start"] == [date(2020, 1, 24)]


@pytest.mark.parametrize("text, dated", [
    ("Mother called to say the patient passed on at home yesterday 01/14/2020 in the evening.", date(2020, 1, 14)),
    ("He passed on peacefully on 01/12/2020.", date(2020, 1, 12)),
])
def test_issue16_passed_on_is_a_death(extract, text, dated):
    assert [m.date for m in _of(extract(text), "death")] == [dated]


def test_issue16_passing_on_a_message_is_no_death(extract):
    assert _of(extract("Nurse passed on the message to the family about the blinatumomab start."), "death") == []


def test_issue16_a_labels_value_follows_its_colon(extract):
    found = _of(extract("Date of admission: 01/04/2020  Date of death: 01/11/2020  Time: 2215hrs"), "death")
    assert [m.date for m in found] == [date(2020, 1, 11)]


def test_issue16_a_tumour_boards_treatment_is_its_recommendation(extract):
    text = "1. Cytoreduction with dexamethasone + vincristine (started 1/3) then blinatumomab 5 mcg/m2/day D1-7, cycle 1 x 28 days."
    found = _of(extract(text, note_type="tumour_board"), "blinatumomab")
    assert found and found[0].hypothetical


def test_issue16_percent_of_events_is_a_flow_count(extract):
    found = _of(extract("BONE MARROW REPORT\nAspirate: Cellular.\nAbnormal B-blasts 31% of events.", note_type="bm_pathology"), "marrow_blasts")
    assert [m.method for m in found] == ["flow"]


def test_issue16_bma_label_dates_the_specimen(timeline):
    events = timeline(("2020-01-11", "bm_pathology", "BONE MARROW REPORT\nBMA: 01/10/2020   Reported: 01/11/2020\n"
                                                     "Conclusion: relapse of B-ALL, 25% marrow blasts."))
    assert [e.date for e in events if e.kind == "relapse"] == [date(2020, 1, 10)]


def test_issue16_an_antigen_on_blood_flow_named_after_it_is_the_bloods(extract):
    found = _of(extract("P: Switch to inotuzumab ozogamicin (CD22+ on PB flow), start 1/27/20."), "cd22")
    assert found and found[0].specimen == "peripheral_blood"


def test_issue16_a_day_count_after_the_infusions_own_day_runs_from_it(extract):
    text = "Relapse 2021 -> FLAG-Ida CR2 -> went abroad for CD19 CAR-T (academic programme) - infusion 9th Feb 2019, MRD-neg CR at D+28."
    found = [m for m in _of(extract(text, note_date=date(2020, 1, 15)), "car_t")]
    assert [m.date for m in found] == [date(2019, 2, 9)]


def test_issue16_bma_and_its_date_without_a_colon_date_the_specimen(timeline):
    events = timeline(("2020-01-16", "bm_pathology", "BONE MARROW REPORT\nBMA 15/01/2020   Reported 16/01/2020\n"
                                                     "Aspirate: blasts 20%.\nConclusion: relapse of B-ALL (20% blasts)."))
    assert [e.date for e in events if e.kind == "marrow"] == [date(2020, 1, 15)]
