"""Issue 16: UK / Commonwealth administration records and transplant histories.

A ChemoCare-style record heads its one day below the patient line (which carries the date of birth),
spells its dose rates out ("micrograms/24h") or glues them to the number ("0.8mg/m2"), and a
letter names the donor with a kin word before the transplant ("sibling allograft").
Sentences are paraphrases written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest

from chartabstract.normalize.dates import find_dates


@pytest.mark.parametrize("text, kept", [
    ("Name: SMITH John   Hosp no 123456   DOB 14/07/1961   Date: 03/02/2024", [date(2024, 2, 3)]),
    ("Date of birth: 2nd May 1958. Seen in clinic 11th March 2024.", [date(2024, 3, 11)]),
    ("D.O.B. 09/10/80, ward 12, admitted 05/01/2024", [date(2024, 1, 5)]),
    ("Born on 4 July 1975; diagnosed 12/02/2023", [date(2023, 2, 12)]),
])
def test_issue16_birth_date_dates_nothing(text, kept):
    found = [d.resolved.value for d in find_dates(text, date(2024, 3, 20), dayfirst=True)]
    assert found == kept


def _starts(events, drug):
    return [e for e in events if e.kind == f"{drug}_start"]


@pytest.mark.parametrize("text, drug, day", [
    # the patient line (with its birth date) opens the record; the day sits on a Cycle/Day line below
    ("DAY UNIT SACT ADMINISTRATION RECORD\nJONES Mary   MRN 55512   DOB 03/08/1969\n"
     "Regimen: Inotuzumab ozogamicin - relapsed ALL   Funding: CDF\nCycle 1  Day 1   Tuesday 14/05/2024\n"
     "09:40 Inotuzumab ozogamicin 0.8mg/m2 (1.4mg) IV over 60 min - nurse A / second check nurse B\n",
     "inotuzumab", date(2024, 5, 14)),
    ("SACT RECORD - Ward 9\nPatient: BROWN Alan  DOB 30/11/1950\nRegimen: BLINATUMOMAB (R/R B-ALL)\n"
     "Cycle: 1   Day: 1   Date: 14/05/2024\nBlinatumomab 9 micrograms/24h CIVI via PICC, 96h bag\n"
     "   Administered by: nurse C    Checked: nurse D\n",
     "blinatumomab", date(2024, 5, 14)),
])
def test_issue16_chemo_record_below_the_patient_line(timeline, text, drug, day):
    starts = _starts(timeline(("2024-05-14", "chemo_admin", text)), drug)
    assert starts and starts[0].date == day


@pytest.mark.parametrize("text, concept", [
    ("10:05 Inotuzumab ozogamicin 0.5mg/m2 (0.9mg) IV over 1 hour", "inotuzumab"),
    ("Blinatumomab 28 micrograms/24h (no step-up) CIVI", "blinatumomab"),
    ("Blinatumomab 15 micrograms/m2/day = 12 mcg/day CIVI via Hickman", "blinatumomab"),
])
def test_issue16_spelt_out_and_glued_dose_units(extract, text, concept):
    found = [m for m in extract(text, note_type="chemo_admin") if m.concept == concept]
    assert found and found[0].value == "dose", text


@pytest.mark.parametrize("text, family", [
    ("Matched sibling allograft (brother donor) 04/05/2019, Day 0, in CR1.", False),
    ("Relapse 2020 -> sibling alloSCT (sister) 17/03/2021.", False),
    ("Sister-donor allo-HSCT on 12/06/2018.", False),
    ("Her sister had a BMT for aplastic anaemia in 2009.", True),
])
def test_issue16_kin_word_before_a_transplant_is_the_donor(extract, text, family):
    found = [m for m in extract(text, note_type="clinic_letter") if m.concept == "hsct"]
    assert found and all(m.family is family for m in found), text
