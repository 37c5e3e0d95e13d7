"""Issue 16 (mention level): assertion cues the ConText rules missed, against the annotation guide.

Plans the cues did not reach ("before the allograft", "will give", "No further ..."), refusals
("not available", "not currently planned"), result words that negated a drug ("CD19-negative
escape" after the drug), and remissions that name the treatments that led to them.
Sentences are paraphrases written for these tests (none is copied from a sample or held-out chart).
"""

from __future__ import annotations

import pytest


def _only(mentions, concept):
    found = [m for m in mentions if m.concept == concept]
    assert found, f"no {concept} mention in {[(m.concept, m.text) for m in mentions]}"
    return found[0]


@pytest.mark.parametrize("text, concept", [
    ("Plan: keep inotuzumab to two cycles before the allograft because of VOD.", "hsct"),
    ("Pulmonary function tests before transplant, given earlier bleomycin.", "hsct"),
    ("Would aim for at most two courses before a second allograft.", "hsct"),
    ("We will give one further cycle of inotuzumab and then reassess.", "inotuzumab"),
    ("She would like to complete a second course of blinatumomab first.", "blinatumomab"),
])
def test_issue16_plan_cues_reach_the_treatment(extract, text, concept):
    mention = _only(extract(text), concept)
    assert mention.hypothetical and not mention.negated and mention.value == "plan", (mention.value, mention.modifiers)


@pytest.mark.parametrize("text, concept", [
    ("No further blinatumomab for the time being.", "blinatumomab"),
    ("- no second course of blina", "blinatumomab"),
    ("Do not give a third dose of inotuzumab (liver toxicity).", "inotuzumab"),
    ("Tisagenlecleucel is not available to him outside a study.", "car_t"),
    ("Allogeneic transplant not currently planned.", "hsct"),
])
def test_issue16_refused_plans_are_negated_plans(extract, text, concept):
    """The guide: a course that will not be given is negated=true, hypothetical=true, value plan."""
    mention = _only(extract(text), concept)
    assert mention.negated and mention.hypothetical and mention.value == "plan", (mention.value, mention.modifiers)


@pytest.mark.parametrize("text, concept", [
    ("Second relapse, resistant to blinatumomab with a CD19-negative clone.", "blinatumomab"),
    ("Two cycles of inotuzumab then blinatumomab to an MRD-negative second remission.", "blinatumomab"),
])
def test_issue16_negative_result_does_not_negate_the_drug(extract, text, concept):
    mention = _only(extract(text), concept)
    assert not mention.negated, mention.modifiers


@pytest.mark.parametrize("text", [
    "60F with B-ALL now in MRD-negative CR2 (blinatumomab, later inotuzumab).",
    "Ph-negative B-ALL in CR3 (inotuzumab followed by blinatumomab).",
])
def test_issue16_remission_names_the_treatments_behind_it(extract, text):
    mentions = [m for m in extract(text) if m.concept in ("blinatumomab", "inotuzumab")]
    assert mentions and all(m.historical and m.value == "history" for m in mentions), [(m.text, m.value, m.modifiers) for m in mentions]
