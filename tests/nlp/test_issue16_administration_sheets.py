"""Issue 16: nursing administration sheets dated once in their header, and drugs approved or
ordered but never given.

Sentences are paraphrases written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest


def _starts(events, drug):
    return [e for e in events if e.kind == f"{drug}_start"]


@pytest.mark.parametrize("written, text, drug, day", [
    # the day is on the header line beside the patient, the rows carry clock times only
    ("2020-08-10", "CHEMOTHERAPY ADMINISTRATION - NURSING\nPatient XY12     10/08/2020     BSA 1,62 m2\n"
     "Inotuzumab ozogamicin 0,8 mg/m2 = 1,3 mg IV in 50 mL, 1 h. 09:05 - 10:07.\nNext doses D8 17/08 and D15 24/08.\n",
     "inotuzumab", date(2020, 8, 10)),
    ("2020-08-10", "NURSING ADMINISTRATION SHEET\nXY12   10/08/2020\n11:30 Blinatumomab 15 mcg/m2/d continuous infusion, bag 48 h.\n"
     "Drug supplied after court ruling of 05/08/2020.\n", "blinatumomab", date(2020, 8, 10)),
    ("2021-03-15", "INFUSION SHEET\nBed 4 - 15/03/2021\nMedication: inotuzumab ozogamicin (Besponsa) 1,4 mg (0,8 mg/m2) in 50 mL NS.\n"
     "Begin 08:50 - Finish 09:55. No reaction.\n", "inotuzumab", date(2021, 3, 15)),
    # the sheet's day written on the dose row itself, the times on the next line
    ("2020-08-24", "ADMINISTRATION RECORD\nXY12 - 24/08/2020 - Inotuzumab ozogamicin 1,2 mg IV (0,8 mg/m2) over 60 min.\n"
     "09:00-10:00, no reaction.\n", "inotuzumab", date(2020, 8, 24)),
])
def test_issue16_one_day_sheet_is_the_first_dose(timeline, written, text, drug, day):
    starts = _starts(timeline((written, "mar", text)), drug)
    assert starts and starts[0].date == day


@pytest.mark.parametrize("text, concept, value", [
    # per-square-metre-per-day units and "x mg IV (y mg/m2)" are doses
    ("09:00 Blinatumomab 5 mcg/m2/day continuous infusion.", "blinatumomab", "dose"),
    ("Blinatumomab 15 mcg/m2/d, bag 96 h.", "blinatumomab", "dose"),
    ("Inotuzumab ozogamicin 1,1 mg IV (0,6 mg/m2), 1 h.", "inotuzumab", "dose"),
    # a bare "start" closing the row is the first dose
    ("08:45 Blinatumomab 9 mcg/day CIVI start.", "blinatumomab", "start"),
])
def test_issue16_sheet_row_values(extract, text, concept, value):
    found = [m for m in extract(text, note_type="mar") if m.concept == concept]
    assert found and found[0].value == value, text


@pytest.mark.parametrize("text, concept", [
    ("The board had approved blinatumomab as a bridge (04/2019), but it was never given; she went to CAR-T.", "blinatumomab"),
    ("Inotuzumab ozogamicin C1D1 0.8 mg/m2 ordered for this morning -> not given, total bilirubin 3.4.", "inotuzumab"),
    ("Blinatumomab approved 11/2019 but could not be administered (no bed).", "blinatumomab"),
    ("Inotuzumab authorised by the insurer on 1/2; the first dose was cancelled for sepsis.", "inotuzumab"),
])
def test_issue16_not_given_after_a_clause_break(extract, text, concept):
    found = [m for m in extract(text) if m.concept == concept]
    assert found and found[0].negated, text


@pytest.mark.parametrize("after, others, expected", [
    (" as a bridge, but it was never administered.", [], True),
    (" C1D1 ordered for today -> NOT GIVEN: bilirubin 3.1", [], True),
    # the not-given clause speaks of another drug named before it
    (" started 3/1, but InO was never given.", [17], False),
    # a drug in the order's aside is not the one that was not given
    ("-refractory disease) -> NOT GIVEN", [], False),
    # a not-given clause with a subject of its own is someone else's
    (" started; dexamethasone was not given.", [], False),
])
def test_issue16_not_given_clause_reaches_its_drug(after, others, expected):
    from chartabstract.nlp.not_given import never_given_later

    assert never_given_later(after, others) is expected


@pytest.mark.parametrize("notes", [
    [("2021-05-03", "consult", "History: relapse 3/2021. The tumour board approved blinatumomab as a bridge (04/2021), "
      "but it was never given; she went to CAR-T.\n")],
    [("2021-05-03", "progress", "Inotuzumab ozogamicin C1D1 0.8 mg/m2 ordered for this morning -> not given, total bilirubin 3.4.\n")],
    [("2021-05-03", "progress", "Blinatumomab approved by the ministry 04/2021 after a court ruling.\n")],
])
def test_issue16_approved_or_ordered_is_no_start(timeline, notes):
    events = timeline(*notes)
    assert not [e for e in events if e.kind.endswith("_start") and e.date is not None]


@pytest.mark.parametrize("text, month", [
    ("Prior therapy: inotuzumab x2 cycles (03-04/2020), CR2 MRD positive.", date(2020, 3, 1)),
    ("Salvage blinatumomab 07 - 10/2019 with MRD-negative CR.", date(2019, 7, 1)),
])
def test_issue16_month_range_dates_its_first_month(extract, text, month):
    found = [m for m in extract(text) if m.concept in ("inotuzumab", "blinatumomab")]
    assert found and found[0].date == month, text


def test_issue16_result_after_cycles_is_not_the_drug_start(timeline):
    events = timeline(
        ("2019-06-03", "mar", "INFUSION SHEET\nAB34   03/06/2019\nInotuzumab ozogamicin 1,3 mg IV (0,8 mg/m2), 10:00-11:00.\n"),
        ("2019-08-12", "myelogram", "BONE MARROW ASPIRATE - 12/08/2019 (after two cycles of InO)\nBlasts 1%. MRD negative.\n"),
    )
    starts = _starts(events, "inotuzumab")
    assert starts and starts[0].date == date(2019, 6, 3)
