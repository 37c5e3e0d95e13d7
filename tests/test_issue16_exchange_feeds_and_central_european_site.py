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


# --- second round: outcomes after a transplant, exchanged results, normal B cells

@pytest.mark.parametrize("text", ["B-ALL - relapse after allo-HSCT (14.02.2022).", "B-ALL - wznowa hematologiczna po allo-HSCT (14.02.2022)."])
def test_issue16_a_date_after_a_relapse_after_the_transplant_is_the_relapses(extract, text):
    hsct = of(extract(text, "discharge", date(2022, 3, 11)), "hsct")
    assert hsct and all(m.date != date(2022, 2, 14) for m in hsct)


@pytest.mark.parametrize("text, day", [
    ("Relapse 10 mo after haplo alloHCT (11/02/2019).", date(2019, 11, 2)),
    ("Relapse after MSD allo-HSCT (Day 0 01.10.2020).", date(2020, 10, 1)),
    ("Relapse after brexucabtagene autoleucel (infused 09/15/2021).", date(2021, 9, 15)),
])
def test_issue16_a_transplant_or_infusion_dated_as_its_own_keeps_its_day(extract, text, day):
    found = [m for m in extract(text, "bm_pathology", date(2022, 5, 25)) if m.concept in ("hsct", "car_t")]
    assert day in {m.date for m in found}


def test_issue16_mrd_still_positive_after_a_negated_clause(extract):
    mrd = of(extract("Marrow 10/06/2020: no morphologic leukemia (blasts 1%), flow MRD still positive at 0.01%.", "letter", date(2020, 11, 19)), "mrd")
    assert [m.value for m in mrd] == ["positive"]


def test_issue16_an_mrd_level_of_its_own_outweighs_an_earlier_no(extract):
    mrd = of(extract("07/10/2018: no morphologic leukemia, MRD 0.03%.", "letter", date(2018, 8, 30)), "mrd")
    assert [m.value for m in mrd] == ["positive"]


def test_issue16_hl7_segments_an_order_names_no_result_an_observation_does(extract):
    text = ("OBR|1|BM1|H1|BMASP^BONE MARROW ASPIRATE - MRD^L|||20220829081000-0500\n"
            "OBX|2|ST|MRDFC^B-ALL MRD by flow cytometry^L||NOT DETECTED (<0.01)|%|<0.01||N|||F|||20220829081000-0500\n")
    assert [m.value for m in of(extract(text, "bm_pathology", date(2022, 8, 31)), "mrd")] == ["negative"]


def test_issue16_normal_b_cell_precursors_markers_are_no_leukaemia_result(extract):
    text = "Flow: no abnormal B-lymphoblast population. Normal B-cell precursors (hematogones) 0.3% - these are CD19 positive, CD22 positive."
    mentions = extract(text, "bm_pathology", date(2023, 11, 16))
    assert not of(mentions, "cd19") and not of(mentions, "cd22")


def test_issue16_a_report_header_below_hl7_segments_gives_the_collection_day(extract):
    text = ("MSH|^~\\&|LAB|H|HIE|C|20190905162100||ORU^R01|1|P|2.3\nPID|1||123\nOBR|1|B1|H1|BMBX^BONE MARROW|||20190903090000\n"
            "OBX|1|NM|11150-6^Blasts BM manual^LN||40|%\n\n\nHEMATOPATHOLOGY\nCase H19-1\nCollected: 09/03/2019 09:00    Final: 09/05/2019 16:15\n"
            "History: B-ALL in CR2.\n\nDIAGNOSIS:\n - RELAPSED B-LYMPHOBLASTIC LEUKEMIA, 40% BLASTS (aspirate differential).\n")
    blasts = of(extract(text, "bm_pathology", date(2019, 9, 5)), "marrow_blasts")
    # the mention keeps its note's day and records the sample's as an offset the timeline applies
    assert blasts and all((m.date_anchor, m.date_offset_days) == ("sample", -2) for m in blasts)


def test_issue16_leukaemia_named_as_a_drugs_indication_is_not_the_cause_of_death(timeline):
    events = timeline(("2021-02-10", "death", "Patient died 02/09/2021.\nCause of death:\n  Immediate: respiratory failure\n"
                       "  Due to: invasive pulmonary aspergillosis\n  Underlying: profound neutropenia after inotuzumab ozogamicin for relapsed B-ALL.\n"))
    death = [e for e in events if e.kind == "death"][0]
    assert dict(death.values)["cause"] == "non_relapse"


def test_issue16_a_summarys_own_date_yields_to_the_start_day_it_writes(timeline):
    events = timeline(("2022-08-05", "ccd", "Plan of treatment: initiation of blinatumomab cycle 1.\nBlinatumomab 9 mcg/24 h CIV started 20220801 at 11:05."))
    assert start_of(events, "blinatumomab").date == date(2022, 8, 1)


# --- after the AC/HK pair (an academic leukemia service; a Hong Kong public hospital)

def test_issue16_a_deceased_donor_with_a_spaced_hyphen_is_no_death(extract):
    assert not of(extract("brother - ESRD, s/p deceased- donor kidney transplant 2017.", "clinic", date(2021, 8, 9)), "death")


def test_issue16_a_family_heading_makes_its_lines_family(extract):
    deaths = of(extract("FAMILY: father - ESRD, s/p living-donor kidney transplant 2004, deceased 2015;", "clinic", date(2021, 6, 7)), "death")
    assert deaths and all(m.family for m in deaths)


def test_issue16_the_donor_relative_of_a_transplant_is_not_family(extract):
    hsct = of(extract("PBSC from HLA-identical sister (Lucia), DAY 0 =\n09/22/2015 (per our BMT database).", "clinic", date(2018, 11, 5)), "hsct")
    assert hsct and not any(m.family for m in hsct)
    assert date(2015, 9, 22) in {m.date for m in hsct}  # "DAY 0 =" wraps onto its date


def test_issue16_a_transplant_day_more_notes_write_wins_and_is_flagged(timeline):
    events = timeline(
        ("2018-11-02", "outside", "History: stem cell transplant from his sister on 9/24/2015."),
        ("2018-11-05", "clinic", "s/p MSD alloHCT (Day 0 09/22/2015)."),
        ("2018-12-12", "hp", "s/p MSD alloHCT Day 0 09/22/2015 (sister)."),
        ("2019-02-20", "consult", "First alloHCT here: 8/8 matched sibling, Day 0 09/22/2015."),
    )
    hsct = [e for e in events if e.kind == "hsct"]
    assert [e.date for e in hsct] == [date(2015, 9, 22)]
    assert any(f.kind == "conflict" for f in hsct[0].flags)


@pytest.mark.parametrize("text", [
    "CD22 NOT PERFORMED - CD22 reagent supply interruption.",
    "The 04/18 marrow did NOT show CD22-negative disease.",
])
def test_issue16_no_cd22_status_where_none_was_measured_or_a_loss_is_denied(extract, text):
    assert not of(extract(text, "bm_report", date(2021, 4, 9)), "cd22")


def test_issue16_neither_positive_nor_negative_blasts_name_no_status(extract):
    assert not of(extract("No abnormal B lymphoblasts detected (neither CD19+ nor CD19- leukaemic population).", "bm_report", date(2023, 1, 5)), "cd19")


def test_issue16_a_reinfusion_not_available_locally_is_no_infusion(extract):
    cart = of(extract("Re-infusion of CAR-T / 2nd CD19 CAR-T not available locally.", "progress", date(2022, 7, 4)), "car_t")
    assert cart and all(m.value == "plan" or m.negated for m in cart)


def test_issue16_an_accession_numbers_mrd_label_is_no_result(extract):
    mrd = of(extract("Lab No. : BM23-0305 / FC23-0288 (MRD)\nMRD RESULT: POSITIVE, 0.03% (3 x 10^-4)", "bm_report", date(2023, 4, 4)), "mrd")
    assert [m.value for m in mrd] == ["positive"]


def test_issue16_what_a_drug_targets_is_no_antigen_result(extract):
    text = "Plan: blinatumomab 28 mcg/day cycle 1 from 05/12/2022 (target the CD19+ fraction / MRD)."
    assert not of(extract(text, "letter", date(2022, 11, 25)), "cd19")
