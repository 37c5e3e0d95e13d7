"""Issue 16: the errors of the last two blind styles (IE, an Irish teaching hospital's letters and
day-ward records; MT, a military treatment facility's terse notes and pharmacy orders), fixed in
general after their first contact.

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

from tests.issue16_helpers import of, start_of


# --- a death letter whose sentence also counts the transplant's days

def test_issue16_a_death_day_before_a_parenthesis_counting_transplant_days_is_the_deaths(extract):
    death = of(extract("Sadly she died on the haematology ward on 3rd March 2023 (Day +81 post haplo SCT).", "letter", date(2023, 3, 6)), "death")
    assert [m.date for m in death] == [date(2023, 3, 3)]


def test_issue16_a_day_count_inside_the_parenthesis_still_dates_the_aside(extract):
    # the transplant named in the aside has no day of its own there: the death's date is not its
    hsct = of(extract("He died at home on 14/02/2022 (D+120 after MUD alloHCT).", "letter", date(2022, 2, 20)), "hsct")
    assert all(m.date != date(2022, 2, 14) for m in hsct)


# --- a first cycle written on its own day

def test_issue16_cycle_one_today_is_the_start(extract):
    drug = of(extract("Cycle 1 inotuzumab today, premeds given.", "progress", date(2022, 5, 9)), "inotuzumab")
    assert [(m.value, m.date) for m in drug] == [("start", date(2022, 5, 9))]


def test_issue16_a_later_day_counted_today_is_not_the_start(extract):
    drug = of(extract("Remains on blinatumomab C1 (D17 today), tolerating well.", "progress", date(2022, 5, 9)), "blinatumomab")
    assert all(m.value != "start" for m in drug)


def test_issue16_a_ward_round_admission_for_cycle_one_is_the_start(extract):
    drug = of(extract("Adm C1 Blincyto. Started 9 mcg/day at 14:10.", "ward_round", date(2021, 11, 2)), "blinatumomab")
    assert [(m.value, m.date) for m in drug] == [("start", date(2021, 11, 2))]


def test_issue16_admission_for_a_later_cycle_stays_a_cycle(extract):
    drug = of(extract("Adm C3 Blincyto.", "ward_round", date(2022, 1, 4)), "blinatumomab")
    assert [m.value for m in drug] == ["cycle"]


# --- a pharmacy order whose first-day label stands in its own sentence

def test_issue16_a_first_day_label_after_the_drugs_dosing_sentence_is_its_start(timeline):
    events = timeline(
        ("2022-04-11", "chemo_order", "ONC PHARMACY ORDER\nInotuzumab C1: 0.8 mg/m2 D1, 0.5 mg/m2 D8, D15. C1D1 11APR2022 (clinic 2B). Verified PharmD."),
        ("2022-04-12", "nursing", "Inotuzumab day 2 - no IRR overnight."),
    )
    assert start_of(events, "inotuzumab").date == date(2022, 4, 11)


def test_issue16_a_first_day_label_on_another_drugs_line_is_not_this_drugs(extract):
    mentions = extract("- Inotuzumab (Besponsa) per SOC. C1D1 TODAY 05/02/2022: 1.2 mg.\nBlinatumomab on hold.", "progress", date(2022, 5, 2))
    assert all(m.rule_id != "unnamed_first_day_line" or m.concept == "inotuzumab" for m in mentions)


def test_issue16_a_planned_first_day_label_is_no_start(extract):
    mentions = extract("Blinatumomab C1: 9 mcg/d D1-7. C1D1 planned 02AUG2021 if counts allow.", "chemo_order", date(2021, 7, 28))
    assert not [m for m in mentions if m.rule_id == "unnamed_first_day_line"]


# --- an institution named Children's, a tentative Day 0

def test_issue16_a_transplant_at_a_childrens_centre_is_the_patients(extract):
    hsct = of(extract("CR2, then MSD allo BMT at Children's regional centre, Day 0 03MAY2018.", "consult", date(2020, 1, 10)), "hsct")
    assert hsct and not any(m.family for m in hsct)


def test_issue16_a_relatives_childrens_transplant_stays_family(extract):
    hsct = of(extract("Her children's father had a BMT in 2019.", "consult", date(2020, 1, 10)), "hsct")
    assert hsct and all(m.family for m in hsct)


def test_issue16_a_tentative_day_zero_is_a_plan_in_its_coming_month(extract):
    hsct = [m for m in of(extract("Sent to network BMT; tentative Day 0 early June.", "progress", date(2021, 3, 2)), "hsct") if m.text == "Day 0"]
    assert [(m.value, m.hypothetical, m.date) for m in hsct] == [("plan", True, date(2021, 6, 1))]


# --- a day unit's record is an administration record; a marker the panel did not study has no status

def test_issue16_a_day_ward_note_records_the_dose_of_its_day(timeline):
    events = timeline(("2021-05-12", "day_ward", "HAEM DAY WARD 12/05/2021\nBesponsa (InO) C1D1 0.8 mg/m2 IV. Infusion 10:30-11:35, no reaction."))
    assert not [f for f in start_of(events, "inotuzumab").flags if f.kind == "low_support"]


def test_issue16_a_marker_left_out_of_the_panel_is_not_negative(extract):
    for text in ("CD19 96%. CD22: no estudiado.", "CD22 not studied (not in panel).", "CD22: not included in the panel."):
        assert not of(extract(text, "flow", date(2022, 1, 10)), "cd22"), text


def test_issue16_a_marker_left_out_of_the_next_sentence_leaves_this_markers_result(extract):
    mentions = extract("The abnormal population is CD19 positive, CD10 bright. (CD22 not included in the MRD tube.)", "flow", date(2019, 5, 21))
    assert [m.value for m in of(mentions, "cd19")] == ["positive"]
    assert not of(mentions, "cd22")
    assert not of(mentions, "mrd")  # the tube's name is no MRD result
