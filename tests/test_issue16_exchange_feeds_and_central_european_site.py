"""Issue 16: the last two blind styles, full length, scored on frozen rules (b096676) and then fixed
in general: PL, a Polish university clinic's records in staff translation (Roman-numeral months,
journal-style ward rounds, drug-programme qualifications, death certificates with ICD-10 codes),
and HX, a health-information-exchange feed (compact HL7/C-CDA timestamps, medication-administration
summaries printed after the course, medication lists with column headers and stale orders).

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest

from chartabstract.normalize.dates import find_dates

from tests.issue16_helpers import of, start_of


def _days(text, note_date=date(2022, 8, 1)):
    return [(d.text, d.resolved.value) for d in find_dates(text, note_date) if d.resolved.value]


# --- dates

@pytest.mark.parametrize("text, expected", [
    ("C1D1 on 23.IX.2021 r.", [("23.IX.2021", date(2021, 9, 23))]),
    ("aspirated 2.VIII.2022", [("2.VIII.2022", date(2022, 8, 2))]),
    ("diagnosed XI.2019", [("XI.2019", date(2019, 11, 1))]),
    ("Stage IV 2019 colon cancer", []),
    ("12 V 2021", []),
])
def test_issue16_roman_numeral_months(text, expected):
    assert _days(text) == expected


def test_issue16_a_dotted_day_opening_a_range_takes_the_ranges_year():
    assert _days("blinatumomab C1 (14.06-11.07.2022)") == [("14.06", date(2022, 6, 14)), ("11.07.2022", date(2022, 7, 11))]
    assert _days("InO given 03.08, 10.08, 17.08.2022") == [("03.08", date(2022, 8, 3)), ("10.08", date(2022, 8, 10)), ("17.08.2022", date(2022, 8, 17))]
    assert _days("C1 29.12-25.01.2022") [0] == ("29.12", date(2021, 12, 29))


def test_issue16_a_decimal_before_a_dotted_date_stays_a_number():
    assert _days("Hb 11.4-12.07.2022") == [("12.07.2022", date(2022, 7, 12))]


@pytest.mark.parametrize("text, expected", [
    ("| ordered | 20210309 |", date(2021, 3, 9)),
    ("OBX|3|TX|||20210309101500-0500", date(2021, 3, 9)),
    ("effectiveTime: 20210309", date(2021, 3, 9)),
])
def test_issue16_compact_exchange_timestamps_are_dates(text, expected):
    assert [v for _, v in _days(text, date(2021, 3, 20))] == [expected]


def test_issue16_a_long_identifier_is_no_date():
    assert _days("accession 2021030912345678", date(2021, 3, 20)) == []


# --- a journal of day entries

def test_issue16_today_in_a_day_entry_is_the_entrys_day(timeline):
    events = timeline(("2022-03-10", "ward_round", "WARD ROUND ENTRIES\n\n07.03.2022, 09:15 - ward round\nBlincyto C1 started today at 11:00, 9 ug/d.\n\n"
                       "09.03.2022, 08:30\nAfebrile, ICE 10/10. Infusion continues.\n"))
    assert start_of(events, "blinatumomab").date == date(2022, 3, 7)


def test_issue16_a_restart_after_a_hold_is_no_start(timeline):
    events = timeline(
        ("2022-03-07", "ward_round", "Blincyto C1 started today 10:00, 9 ug/d."),
        ("2022-03-09", "ward_round", "Decision: blinatumomab infusion held at 14:00 (ICANS 2)."),
        ("2022-03-10", "ward_round", "Decision: RESTART of Blincyto today at 9 ug/d, new bag at 11:15."),
    )
    assert start_of(events, "blinatumomab").date == date(2022, 3, 7)


# --- access steps and cancelled days

def test_issue16_a_programme_qualification_date_is_not_the_start(extract):
    drug = of(extract("Admitted for inotuzumab C1 (qualification 11.04.2023).", "ward_round", date(2023, 4, 17)), "inotuzumab")
    assert drug and all(m.date != date(2023, 4, 11) for m in drug)


def test_issue16_a_start_the_same_day_says_was_not_given_is_no_start(timeline):
    events = timeline(("2023-04-17", "ward_round", "Admitted for inotuzumab C1.\nDECISION: inotuzumab planned for today NOT GIVEN - cancelled (septic shock)."))
    assert start_of(events, "inotuzumab").date is None


def test_issue16_another_drugs_not_given_words_cancel_nothing(timeline):
    events = timeline(
        ("2021-10-05", "chemo_admin", "Besponsa (inotuzumab) cycle 1 day 1, 1.6 mg. Infusion 10:05-11:06."),
        ("2021-11-04", "progress", "- 10/05/21 InO C1 (blina not given - seizure disorder)"),
    )
    assert start_of(events, "inotuzumab").date == date(2021, 10, 5)


@pytest.mark.parametrize("text", [
    "Pt was scheduled for admission to the university hospital 6 North on Wed 04/07/2021 for blinatumomab C1D1.",
    "Admission for blina C1 at the transplant centre targeted\nThursday 04/22/2021 after the repeat marrow.",
    "Options: inotuzumab vs blinatumomab; blina requires inpatient start and 28-day infusion.",
])
def test_issue16_scheduled_targeted_and_required_starts_are_plans(extract, text):
    drug = of(extract(text, "progress", date(2021, 4, 1)), "blinatumomab")
    assert drug and all(m.value != "start" for m in drug)


@pytest.mark.parametrize("text", ["Blinatumomab C1D1 was started on 04/05/2021 as scheduled.", "Blinatumomab started 04/05/2021 as planned."])
def test_issue16_a_start_as_scheduled_is_given(extract, text):
    assert [m.value for m in of(extract(text, "progress", date(2021, 4, 6)), "blinatumomab")] == ["start"]


# --- administration records

def test_issue16_the_started_row_under_a_drugs_table_heading_dates_it(extract):
    text = ("BLINATUMOMAB CONTINUOUS IV INFUSION - order #5531\n"
            "-----------------------------------------------\n"
            "Date/Time  Action  Rate\n"
            "-----------------------------------------------\n"
            "03/08/2021 09:30  dexamethasone 20 mg IV  premed\n"
            "03/08/2021 10:05  New bag hung / infusion STARTED  9 mcg/24 h  C1D1\n"
            "03/09/2021 10:00  Bag change  9 mcg/24 h\n")
    drug = of(extract(text, "mar", date(2021, 3, 15)), "blinatumomab")
    assert [(m.value, m.date) for m in drug] == [("start", date(2021, 3, 8))]


def test_issue16_a_summary_printed_after_the_course_keeps_its_first_row(timeline):
    events = timeline(("2021-05-28", "mar", "MEDICATION ADMINISTRATION SUMMARY\n"
                       "20210510 0950 INOTUZUMAB OZOGAMICIN 0.8 mg/m2 1.5 mg IV 60 min Given\n"
                       "20210517 1000 INOTUZUMAB OZOGAMICIN 0.5 mg/m2 0.9 mg IV 60 min Given\n"
                       "20210524 1010 INOTUZUMAB OZOGAMICIN 0.5 mg/m2 0.9 mg IV 60 min Given\n"))
    assert start_of(events, "inotuzumab").date == date(2021, 5, 10)


def test_issue16_a_medication_lists_column_headers_are_not_cues(extract):
    text = "[MEDICATIONS]\n  Medication   RxNorm   Status   Start   Stop   Sig\n  blinatumomab 35 mcg inj   1603296   active   20210921   -   9 mcg/day CIV\n"
    assert [m.value for m in of(extract(text, "ccd", date(2021, 9, 22)), "blinatumomab")] == ["mention"]


def test_issue16_a_first_day_label_ending_its_line_dates_the_plan_on_the_next(extract):
    drug = of(extract("A/P: partial response. Inotuzumab C1D1\n   05/24/2021 at the centre (0.8 mg/m2 D1).", "progress", date(2021, 5, 18)), "inotuzumab")
    assert [(m.value, m.date) for m in drug] == [("plan", date(2021, 5, 24))]


# --- reports and certificates

def test_issue16_polish_blasts_and_a_conclusion_heading(extract):
    text = "Peripheral blood smear (19.04.2022): blasty 9%.\n\nCONCLUSION: relapse of ALL - blasty 72%."
    mentions = extract(text, "mielogram", date(2022, 4, 22))
    assert [m.value for m in of(mentions, "marrow_blasts")] == ["72"]
    assert [m.value for m in of(mentions, "peripheral_blasts")] == ["9"]


@pytest.mark.parametrize("cause_line, expected", [
    ("- underlying: ostra białaczka limfoblastyczna B, oporna (C91.0)", "relapse"),
    ("- underlying: przewlekła choroba przeszczep przeciwko gospodarzowi (T86.0)", "non_relapse"),
])
def test_issue16_a_certificates_icd10_code_names_the_cause(timeline, cause_line, expected):
    events = timeline(("2023-06-18", "death", f"Patient died on 18.06.2023.\n\nPrzyczyny zgonu (for the death certificate):\n- immediate: niewydolność wielonarządowa\n{cause_line}\n"))
    death = [e for e in events if e.kind == "death"][0]
    assert dict(death.values)["cause"] == expected
