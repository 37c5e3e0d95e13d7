"""Issue 16: values of a denied relapse and of an MRD result joined by a hyphen.

Sentences are paraphrases written for these tests (none is copied from a chart).
"""

from __future__ import annotations

import pytest


def _first(mentions, concept):
    found = [m for m in mentions if m.concept == concept]
    assert found, f"no {concept} in {[m.concept for m in mentions]}"
    return found[0]


@pytest.mark.parametrize("text, expected", [
    # a denied relapse keeps the kind it denies (annotation guide, relapse values)
    ("The Day +60 aspirate shows no evidence of relapse.", "morphologic"),
    ("There is no morphological relapse on this marrow.", "morphologic"),
    ("This is persistent disease, not an MRD recurrence.", "mrd"),
])
def test_issue16_denied_relapse_keeps_its_kind(extract, text, expected):
    found = _first(extract(text), "relapse")
    assert found.negated and found.value == expected


@pytest.mark.parametrize("text, expected", [
    ("Now in MRD-positive CR2 after blinatumomab.", "positive"),
    ("Achieved MRD-negative remission after one cycle.", "negative"),
    ("MRD-guided therapy was discussed; MRD negative on the last marrow.", "negative"),
])
def test_issue16_mrd_hyphen_result(extract, text, expected):
    assert _first(extract(text), "mrd").value == expected


@pytest.mark.parametrize("text", [
    "Keep InO to two cycles at most before the allograft (SOS risk).",
    "Dental clearance ahead of transplant is arranged.",
    "Blinatumomab to clear MRD prior to alloHSCT, if the donor work-up allows.",
])
def test_issue16_transplant_as_a_future_point_is_a_plan(extract, text):
    """A transplant that something must come "before" has not happened yet: a plan."""
    found = _first(extract(text), "hsct")
    assert found.hypothetical and found.value == "plan", (found.hypothetical, found.value)
