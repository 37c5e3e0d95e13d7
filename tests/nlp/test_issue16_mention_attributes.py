"""Issue 16: mention attributes against the annotation guide (history lines, history sections, plans).

Sentences are paraphrases written for these tests (none is copied from a sample or held-out chart).
"""

from __future__ import annotations

import pytest


def _first(mentions, concept, anchor=None):
    found = [m for m in mentions if m.concept == concept and (anchor is None or anchor.lower() in m.text.lower())]
    assert found, f"no {concept} mention"
    return found[0]


@pytest.mark.parametrize("text, concept, value", [
    # a history line that dates the event itself keeps the event's kind
    ("ONCOLOGIC HISTORY:\n- InO C1D1 3/2/19, D8 3/9, D15 3/16\n", "inotuzumab", "start"),
    ("ONCOLOGIC HISTORY:\n- 04/11/2019: Blincyto C1D1 at 9 mcg/day\n", "blinatumomab", "start"),
    ("ONCOLOGIC HISTORY:\n- blina C2 6/3/19 - 6/30/19\n", "blinatumomab", "cycle"),
    ("ONCOLOGIC HISTORY:\n- 5/14/2018 haplo alloHSCT (PTCy)\n", "hsct", "start"),
    # referring back without dating its own event stays history
    ("ONCOLOGIC HISTORY:\n- s/p blinatumomab x2 cycles, then InO\n", "blinatumomab", "history"),
    ("ONCOLOGIC HISTORY:\n- inotuzumab x3 cycles (C1D1 1/7/19, C2D1 2/4/19)\n", "inotuzumab", "history"),
    ("ONCOLOGIC HISTORY:\n- relapse, refractory to blinatumomab (C1 2/1-2/28/19)\n", "blinatumomab", "history"),
])
def test_issue16_history_line_event_kind(extract, text, concept, value):
    mention = _first(extract(text), concept)
    assert mention.historical and mention.value == value, (mention.value, mention.modifiers)


@pytest.mark.parametrize("text", [
    "Clinical history: 30F with B-ALL in CR2.\nRule out relapse.\n",
    "Clinical information: new cytopenias. ?Relapse.\n",
])
def test_issue16_question_of_a_clinical_history_is_not_history(extract, text):
    """The indication of the current test ("R/o relapse") is what the test answers, not a past event."""
    mention = _first(extract(text, note_type="bm_pathology"), "relapse")
    assert mention.uncertain and not mention.historical


def test_issue16_history_header_ends_with_its_list(extract):
    """A letter's "Diagnoses:" list, then prose paragraphs: the prose is not history."""
    text = (
        "Diagnoses:\n1. B-ALL, first relapse June 2019\n2. Blinatumomab C1 from 3 July 2019\n\n"
        "He came to clinic today feeling well. The marrow this week showed no evidence of relapse.\n"
    )
    mentions = extract(text, note_type="letter")
    listed, current = [m for m in mentions if m.concept == "relapse"]
    assert listed.historical and not current.historical


@pytest.mark.parametrize("text, concept", [
    ("Inotuzumab reserved for persistent disease after two cycles.", "inotuzumab"),
    ("- blinatumomab + TKI = alternative;", "blinatumomab"),
    ("Keep tisagenlecleucel as the next step if she responds.", "car_t"),
    ("Inotuzumab would remain an option for later MRD.", "inotuzumab"),
    ("CAR-T preferred by the patient given CD19 retention.", "car_t"),
])
def test_issue16_plan_words_after_the_treatment(extract, text, concept):
    mention = _first(extract(text), concept)
    assert mention.hypothetical and mention.value == "plan", mention.modifiers


def test_issue16_preferred_past_treatment_is_no_plan(extract):
    """Only a preference next to the name makes a plan; a given drug in the same sentence is not one."""
    mention = _first(extract("He tolerated blinatumomab well and it was preferred over chemotherapy."), "blinatumomab")
    assert not mention.hypothetical


@pytest.mark.parametrize("text, concept, negated", [
    # a negation inside parentheses does not reach past them to the next drug
    ("Blinatumomab first (no response), afterwards inotuzumab from 11/04/2019.", "inotuzumab", False),
    ("Marrow 12/02/2019 (not in remission), blinatumomab continued.", "blinatumomab", False),
    # it still speaks of the word the parentheses follow
    ("Inotuzumab (not given, liver values) was on the plan.", "inotuzumab", True),
    ("Blina (not given because of infection).", "blinatumomab", True),
])
def test_issue16_negation_stays_inside_its_parentheses(extract, text, concept, negated):
    assert _first(extract(text), concept).negated is negated
