"""Issue 16: decimal commas in percentages ("61,8%"), as most non-US charts write them, and the
specimen header ("Sample: bone marrow 29/03/2021") of their flow reports.

Sentences are paraphrases written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

import pytest

from chartabstract.normalize.decimal_comma import read_decimal_commas


def _of(mentions, concept):
    return [m for m in mentions if m.concept == concept]


@pytest.mark.parametrize("text, expected", [
    ("Aspirate: blasts 61,8% of nucleated cells.", "61.8"),
    ("Myelogram: blasts 0,5%. Trilineage regeneration.", "0.5"),
    ("Lymphoblasts 3,4 % on the 500-cell count.", "3.4"),
    ("Marrow today with 27,25% blasts.", "27.25"),
])
def test_issue16_decimal_comma_blast_percent(extract, text, expected):
    blasts = _of(extract(text, note_type="bone_marrow"), "marrow_blasts")
    assert [b.value for b in blasts] == [expected]


def test_issue16_decimal_comma_mention_keeps_the_written_text(extract):
    blasts = _of(extract("Aspirate: blasts 61,8% of nucleated cells.", note_type="bone_marrow"), "marrow_blasts")
    assert "61,8%" in blasts[0].text


@pytest.mark.parametrize("text, concept, percent", [
    ("Flow: CD19 expressed in 38,5% of blasts.", "cd19", 38.5),
    ("Immunophenotype: CD22 positive on 92,3% of the blasts.", "cd22", 92.3),
])
def test_issue16_decimal_comma_fills_percent_positive(extract, text, concept, percent):
    found = _of(extract(text, note_type="flow"), concept)
    assert found[0].percent_positive == percent


@pytest.mark.parametrize("text", [
    "Leukocytes 14.300/uL, platelets 62.000/uL, Hb 8,9 g/dL.",
    "Immunophenotype: CD19, CD22, CD10 and CD34 expressed.",
    "Blinatumomab cycles 3,4 given as outpatient.",
    "Sequential marrows: 5,10,15 % blasts at the three time points.",
])
def test_issue16_decimal_comma_leaves_other_commas(text):
    assert read_decimal_commas(text) == text


def test_issue16_dot_thousands_count_is_no_blast_percent(extract):
    assert not _of(extract("Labs: leukocytes 14.300/uL, plat 62.000/uL.", note_type="progress"), "marrow_blasts")


@pytest.mark.parametrize("header", [
    "Patient: X1   Sample: bone marrow 14/03/2021   Report: 15/03/2021",
    "Muestra: médula ósea 14/03/2021 - Informe 15/03/2021",
    "Specimen: peripheral blood, 14/03/2021; signed out 15/03/2021",
])
def test_issue16_specimen_named_before_its_day_dates_the_sample(header):
    """A flow report filed the next day belongs to the sample named with its type in the header."""
    from datetime import date

    from chartabstract.models import Note
    from chartabstract.nlp.specimen_date import specimen_date

    note = Note("X1", "X1/flow", date(2021, 3, 15), "flow_cytometry", f"{header}\nBlasts 40,5% of nucleated cells.", "test")
    found = specimen_date(note, dayfirst=True)
    assert found is not None and found.resolved.value == date(2021, 3, 14)
