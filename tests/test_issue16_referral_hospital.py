"""Issue 16: classes the South African academic-hospital set showed at first contact (admission
for a drug's first cycle, medical-aid and import permits, report clinical lines), fixed in general.

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest


def _of(mentions, concept):
    return [m for m in mentions if m.concept == concept]


def test_issue16_the_infusion_record_outranks_the_admission_day(timeline):
    """Admitted the evening before, the infusion started the next morning: the record's day is the start."""
    events = timeline(("2021-10-25", "nursing", "Mrs F., admitted 24/10 for Blincyto Cycle 1.\n"
                                                "09:10 BLINATUMOMAB 9 mcg/24 hr continuous infusion started via CVC."))
    assert [e.date for e in events if e.kind == "blinatumomab_start"] == [date(2021, 10, 25)]


@pytest.mark.parametrize("text", [
    "- Blinatumomab requested from the medical aid 09/2019 - DECLINED (scheme), not given.",
    "InO requested; declined by the insurer.",
])
def test_issue16_a_request_the_payer_declined_is_no_course(extract, text):
    found = [m for m in extract(text) if m.concept in ("blinatumomab", "inotuzumab")]
    assert found and all(m.negated for m in found)


def test_issue16_a_course_that_went_on_is_not_negated_by_later_refusals(extract):
    found = _of(extract("Blinatumomab started 1/3 - declined further cycles later."), "blinatumomab")
    assert found and not found[0].negated


@pytest.mark.parametrize("text", [
    "Section 21 permit for inotuzumab expired 03/2020 - never used, no drug imported.",
    "Import permit expired 01/2020.",
])
def test_issue16_an_expired_permit_is_no_death(extract, text):
    assert _of(extract(text), "death") == []


@pytest.mark.parametrize("line", ["Clinical: 2nd relapse B-ALL (CD19-neg).", "Clin: B-ALL CD19-neg relapse post CAR-T."])
def test_issue16_a_reports_clinical_line_retells_the_relapse(extract, line):
    found = _of(extract(f"BONE MARROW REPORT\n{line}\nDIAGNOSIS: marrow in remission, blasts 2%.", note_type="bm_pathology"), "relapse")
    assert found and all(m.historical for m in found)


def test_issue16_an_autologous_transplants_day_zero_is_no_allograft(extract):
    found = _of(extract("Hodgkin 2011 -> salvage ICE + BEAM autologous SCT (Day 0 05/14/2012), remission since."), "hsct")
    assert found == []


def test_issue16_an_allografts_day_zero_after_an_autologous_one_still_counts(extract):
    found = _of(extract("Prior autologous SCT 2012; MUD alloHSCT, Day 0 07/20/2019."), "hsct")
    assert date(2019, 7, 20) in {m.date for m in found}


@pytest.mark.parametrize("text, value", [
    ("MRD flow (8-colour, 700k events, LOD 0.01%): no abnormal B-blast population; MRD NEGATIVE (<0.01%).", "negative"),
    ("MRD 0.4% (sensitivity 0.01%).", "positive"),
])
def test_issue16_an_assays_detection_limit_is_no_mrd_level(extract, text, value):
    found = _of(extract(text, note_type="bm_pathology"), "mrd")
    assert [m.value for m in found] == [value]
