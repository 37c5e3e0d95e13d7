"""Issue 16: a trials office's accountability line dates the first dose of a drug named elsewhere.

Sentences are paraphrases written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest


def _starts(mentions, concept):
    return [m for m in mentions if m.concept == concept and m.value == "start" and not m.negated]


@pytest.mark.parametrize("text, concept, day", [
    # the drug named in the protocol header, the line only says "study drug"
    ("Study 19-204 (blinatumomab consolidation) -- cycle 1 visit\n\n"
     "Accountability\n First dose of study drug date: 05-OCT-2021\n Bags dispensed 3, returned 0\n",
     "blinatumomab", date(2021, 10, 5)),
    # the drug on the log row just under the dated line
    ("DRUG LOG\nDate of first dose of investigational product: 02-FEB-2022\nAgent: Besponsa 0.8 mg/m2 IV\n",
     "inotuzumab", date(2022, 2, 2)),
    # the drug assigned at randomisation, the other arm denied
    ("Randomised to inotuzumab alone (not the blinatumomab combination arm).\n\n"
     "IP log:\n  Study drug start date: 11-JAN-2020   Vials dispensed 1\n",
     "inotuzumab", date(2020, 1, 11)),
    # the drug on the line itself, after the date
    ("Visit C1D1. Date of first dose of study drug: 14/01/2020 - Blincyto 9 mcg/d continuous infusion.\n",
     "blinatumomab", date(2020, 1, 14)),
])
def test_issue16_study_drug_first_dose_names_its_drug(extract, text, concept, day):
    found = _starts(extract(text, note_type="research"), concept)
    assert [m.date for m in found if m.rule_id == "study_drug_first_dose"] == [day], text


def test_issue16_study_drug_first_dose_left_open_reads_nothing(extract):
    """Two current drugs and none on the line: the line cannot say which was dosed."""
    text = ("Eligible for blinatumomab or inotuzumab cohorts.\n\n"
            "Date of first dose of study drug: 03-MAR-2021\n")
    assert not [m for m in extract(text, note_type="research") if m.rule_id == "study_drug_first_dose"]


def test_issue16_study_drug_first_dose_skips_past_therapy(extract):
    """A prior course in the therapy summary is not the study drug."""
    text = ("Protocol 20-11 (inotuzumab ozogamicin), C1D1.\n"
            "First dose of study drug: 21-APR-2021\n"
            "Prior therapy: blinatumomab x2 cycles (started 01-DEC-2020).\n")
    found = [m for m in extract(text, note_type="research") if m.rule_id == "study_drug_first_dose"]
    assert [(m.concept, m.date) for m in found] == [("inotuzumab", date(2021, 4, 21))]


def test_issue16_study_drug_without_first_dose_is_no_start(extract):
    """A held or returned study drug is no first dose."""
    text = "Inotuzumab trial. Study drug held 03-MAR-2021 for transaminitis; IP returned to pharmacy.\n"
    assert not [m for m in extract(text, note_type="research") if m.rule_id == "study_drug_first_dose"]


def test_issue16_response_form_results_stay_one_marrow(timeline):
    """A response form's undated blasts and MRD are one marrow: the MRD never joins the earlier
    relapse marrow its blasts disagree with."""
    events = timeline(
        ("2021-03-01", "bm_pathology", "Bone marrow aspirate: lymphoblasts 40%.\n"),
        ("2021-04-02", "response", "Response form, C1D28\nMarrow blasts: <5%\nMRD by flow: 0.05% (positive)\n"),
    )
    marrows = [e for e in events if e.kind == "marrow"]
    by_day = {e.date: dict(e.values) for e in marrows}
    assert by_day[date(2021, 4, 2)].get("mrd") == "positive"
    assert "mrd" not in by_day[date(2021, 3, 1)]


@pytest.mark.parametrize("text, grade", [
    # organ headings with the finding and the stage in brackets, the diagnosis on the next line
    ("Skin: erythema over half the body (stage 3). Gut: stool output 1.2 L/day (stage 2).\nAssessment: acute GVHD.", "3"),
    ("Liver: bilirubin 2.4 (stage 1).  Skin: maculopapular rash 20% BSA (stage 1)\nImpression: acute GvHD of skin and liver.", "2"),
    ("Skin: faint rash, <25% BSA (stage 1). GI: no diarrhoea (stage 0).\nacute GVHD, skin only, topical steroids.", "1"),
])
def test_issue16_gvhd_bracketed_organ_stages(extract, text, grade):
    """An aGVHD without an overall grade takes the MAGIC grade of the bracketed organ stages above it."""
    found = [m for m in extract(text) if m.concept == "agvhd"]
    assert found and found[0].value == grade and found[0].unit == "staging", text


@pytest.mark.parametrize("text, expected", [
    # a one-drug form's start field, dated on or before the form's day
    ("PHARMACY VERIFICATION - BLINATUMOMAB\nwt 61 kg, BSA 1.71 m2, 15 mcg/m2/day.\nStart: 2020-01-14 1400 inpatient, then home infusion.", date(2020, 1, 14)),
    ("Blincyto infusion record\nStart date/time: 01/13/2020 09:30\nBag 1 of 4.", date(2020, 1, 13)),
    # a plan's start, a future day or a second drug in the note: no start field read
    ("Plan: blinatumomab next week.\nStart: 01/20/2020 if insurance approves.", None),
    ("Blinatumomab verification\nStart: 01/22/2020 1400", None),
    ("Inotuzumab and blinatumomab sequence discussed.\nStart: 01/10/2020", None),
])
def test_issue16_drug_form_start_field(extract, text, expected):
    found = [m.date for m in extract(text, note_type="pharmacy") if m.rule_id == "drug_form_start_field"]
    assert found == ([expected] if expected else [])
