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


@pytest.mark.parametrize("text, concept", [
    ("51M with relapsed B-ALL who attained an MRD-negative remission with two cycles of inotuzumab.", "inotuzumab"),
    ("She tolerated blinatumomab without neurotoxicity.", "blinatumomab"),
    ("He later developed grade II acute GVHD of the skin, treated with steroids.", "agvhd"),
    ("Course: he underwent a haploidentical allograft from his sister.", "hsct"),
])
def test_issue16_undated_narrative_of_a_past_course_is_history(extract, text, concept):
    """An interval history retells earlier therapy in the past tense, with no date and no 's/p'."""
    mention = _only(extract(text, note_type="letter"), concept)
    assert mention.historical, mention.modifiers


@pytest.mark.parametrize("text, concept", [
    ("She received inotuzumab today and tolerated it well.", "inotuzumab"),
    ("He developed a relapse, with a marrow on 1/6/20 showing 40% blasts.", "marrow_blasts"),
    ("If he achieved a remission, an allograft would follow.", "hsct"),
])
def test_issue16_narrative_of_today_or_dated_is_not_undated_history(extract, text, concept):
    """Today's course, a recent event with its own date, and a conditional stay as they were."""
    mention = _only(extract(text), concept)
    assert not mention.historical, mention.modifiers


def test_issue16_narrated_dated_start_keeps_its_kind(extract):
    """A start the notes narrate is still the start the timeline needs, now marked as history."""
    mention = _only(extract("Course: he underwent a matched sibling allograft on 3 December 2019."), "hsct")
    assert mention.value == "start" and mention.date is not None


def test_issue16_family_history_section_is_history(extract):
    mentions = extract("FAMILY HISTORY: His uncle died of leukemia in his sixties.\n", note_type="consult")
    death = _only(mentions, "death")
    assert death.family and death.historical


def test_issue16_remission_parenthesis_leaves_death_cause_negation(extract):
    """'leukemia in remission (MRD-negative ...)' in a death note is still no cause of death."""
    text = "Cause of death: septic shock.\nB-ALL: in remission (MRD-negative marrow 3/1/2020).\n"
    causes = [m for m in extract(text, note_type="death") if m.concept == "death_cause" and m.value == "relapse"]
    assert not causes, [(m.text, m.modifiers) for m in causes]
