"""Issue 16: UK integrated haematopathology (HMDS) reports, GVHD staged in a long clause, and
month-plus-short-year dates ("relapse Nov 24") in day-first charts.

Sentences are paraphrases written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest

from chartabstract.normalize.dates import find_dates


@pytest.mark.parametrize("text, pct", [
    ("Aspirate: cellular, largely replaced by lymphoblasts - 64% of nucleated cells (200 cell count).", "64"),
    ("Abnormal B-lymphoblasts 57% of leucocytes.", "57"),
])
def test_issue16_hmds_blast_counts(extract, text, pct):
    found = [m for m in extract(text, note_type="hmds_report") if m.concept == "marrow_blasts"]
    assert found and found[0].value == pct, text


def test_issue16_hmds_report_is_a_report(extract):
    from chartabstract.evidence import is_report

    found = extract("Morphology: lymphoblasts 12%.", note_type="hmds_report")
    assert found and is_report(found[0])


@pytest.mark.parametrize("text", [
    "Flow: CD19 bright. CD22: not assessed (after inotuzumab, CD22 epitope masked; not reported).",
    "CD22 not evaluated (CD22 binding site occupied by the drug).",
])
def test_issue16_antigen_named_in_its_not_assessed_reason(extract, text):
    cd22 = [m for m in extract(text, note_type="hmds_report") if m.concept == "cd22"]
    assert all(m.value in ("", None) for m in cd22), [(m.text, m.value) for m in cd22]


@pytest.mark.parametrize("text, grade", [
    # the stage sits past the clause's first 70 characters; the organs at 0 follow in the next sentence
    ("Acute GVHD: from D+19 itchy maculopapular rash on the arms, spreading to about 55% BSA by D+23 (skin stage 3), "
     "no diarrhoea, bilirubin normal. Gut stage 0, liver stage 0.", "2"),
    ("Acute GVHD: since D+30 erythema of palms and soles, extending over the trunk to ~30% BSA by D+33 (skin stage 2).", "1"),
])
def test_issue16_gvhd_stage_late_in_its_clause(extract, text, grade):
    found = [m for m in extract(text, note_type="bmt_discharge") if m.concept == "agvhd"]
    assert found and found[0].value == grade


@pytest.mark.parametrize("text, value, precision", [
    ("Summary: MUD allo Oct 23, relapse Nov 24.", date(2023, 10, 1), "month"),
    ("Prior: blinatumomab then haplo allo Sept 24.", date(2024, 9, 1), "month"),
    ("Clinic on Mar 03 with the results.", date(2025, 3, 3), "day"),  # "on": a day
    ("Rash since Feb 12th.", date(2025, 2, 12), "day"),  # an ordinal: a day
])
def test_issue16_month_and_short_year_in_day_first_notes(text, value, precision):
    found = find_dates(text, date(2025, 4, 20), dayfirst=True)
    assert found and found[0].resolved.value == value and found[0].resolved.precision == precision
