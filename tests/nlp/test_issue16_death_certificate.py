"""Issue 16: the UK Medical Certificate of Cause of Death (MCCD) quoted in a letter to the GP.

The letter heads the certificate's lines with "MCCD:", "MCCD issued by Dr X:" or "the GP completed
the MCCD as follows:", then writes Part I as "1a ... 1b ... 1c ..." (the chain down to the
underlying cause) and Part II as "2 ...". Sentences are paraphrases written for these tests.
"""

from __future__ import annotations

import pytest


def _death(events):
    deaths = [e for e in events if e.kind == "death"]
    assert deaths
    return dict(deaths[0].values)


@pytest.mark.parametrize("heading, lines, cause", [
    ("MCCD:", "1a  Neutropenic sepsis\n1b  Marrow failure\n1c  Refractory B-lymphoblastic leukaemia\n", "relapse"),
    ("The palliative care doctor completed the MCCD as follows:", "1a  Relapsed acute lymphoblastic leukaemia\n", "relapse"),
    ("MCCD issued by Dr R Penrose:", "1a  Respiratory failure\n1b  Invasive aspergillosis\n2   Chronic GVHD of the lung\n", "non_relapse"),
    ("Medical certificate of cause of death:", "I(a) Bronchopneumonia\nI(b) Relapsed B-ALL\n", "relapse"),
])
def test_issue16_mccd_lines_give_the_cause(timeline, heading, lines, cause):
    text = ("Dear Dr Hale\n\nI am sorry to let you know that Peter died at home on 02/06/2024.\n\n"
            f"{heading}\n{lines}\nYours sincerely\n")
    values = _death(timeline(("2024-06-05", "death_letter", text)))
    assert values["cause"] == cause
    assert not values.get("cause_conflict")  # one certificate's chain is one statement, not a conflict


@pytest.mark.parametrize("text, family", [
    # the caller's kin word for the patient: the daughter's "her father" is the patient
    ("TELEPHONE NOTE\nCall from: Ann (daughter) to the CNS line\nShe told us that her father Tom died at home on Sunday 08/06/2024.\n", False),
    ("Telephone\nHis wife phoned this morning: her husband passed away peacefully at the hospice on 07/06/2024.\n", False),
    # no caller: a relative's death stays the relative's
    ("Clinic review. Her mother died of a stroke in 2019.\n", True),
])
def test_issue16_relative_reporting_the_death_speaks_of_the_patient(extract, text, family):
    deaths = [m for m in extract(text, note_type="telephone") if m.concept == "death"]
    assert deaths and deaths[0].family is family
