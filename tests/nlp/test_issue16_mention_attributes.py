"""Issue 16: mention attributes against the annotation guide (history lines, history sections, plans).

Sentences are paraphrases written for these tests (none is copied from a sample or held-out chart).
"""

from __future__ import annotations

from datetime import date

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


@pytest.mark.parametrize("text, concept, note_type", [
    # a narrative section tells past events with their own dates and no "s/p" or "prior"
    ("HPI: 41M with B-ALL; flow MRD negative (4/2018). Now with new cytopenias.\n", "mrd", "consult"),
    ("History of present illness: she relapsed in June 2019 and went on to transplant.\n", "relapse", "admission"),
    ("Final diagnosis:\nMatched unrelated allo-SCT 3 October 2019.\nSeptic shock.\n", "hsct", "death"),
    # an unsectioned note written as one block
    ("52F B-ALL. Blinatumomab C1 2 March 2019 to 30 March 2019; now pre-C2 review.\n", "blinatumomab", "mdt"),
])
def test_issue16_dated_past_event_in_narrative_is_history(extract, text, concept, note_type):
    mention = _first(extract(text, note_type=note_type), concept)
    assert mention.historical, (mention.date, mention.section, mention.modifiers)


@pytest.mark.parametrize("text, concept", [
    # recent events are the illness being presented, not history
    ("HPI: marrow 1/6/2020 shows MRD negative after cycle 2.\n", "mrd"),
    ("HPI: relapse confirmed on the marrow of 12/28/2019.\n", "relapse"),
    # an absence dated in the past is no past event
    ("HPI: blinatumomab was not given in 5/2019 because of infection.\n", "blinatumomab"),
])
def test_issue16_recent_or_undated_narrative_event_is_not_history(extract, text, concept):
    mention = _first(extract(text, note_type="progress"), concept)
    assert not mention.historical, (mention.date, mention.section, mention.modifiers)


@pytest.mark.parametrize("text, concept", [
    # an active "favor"/"prefers" looks forward to the treatment it proposes
    ("We favor blinatumomab with steroid debulking first.", "blinatumomab"),
    ("Favour InO given the high CD22 density.", "inotuzumab"),
    ("The transplant team prefers tisagenlecleucel once in remission.", "car_t"),
    # a goal, a revisit, a ceiling on future cycles
    ("Goal remains a matched unrelated alloHSCT in CR2.", "hsct"),
    ("Will revisit a second allograft if MRD clears.", "hsct"),
    ("Limit inotuzumab to two cycles given SOS risk.", "inotuzumab"),
    ("Aim for a maximum of 2 cycles of blinatumomab.", "blinatumomab"),
])
def test_issue16_proposal_cues_make_plans(extract, text, concept):
    mention = _first(extract(text), concept)
    assert mention.hypothetical and mention.value == "plan", (mention.value, mention.modifiers)


@pytest.mark.parametrize("text, concept", [
    ("Max dose of blinatumomab 28 mcg/day given through the pump.", "blinatumomab"),
    ("Limited response to inotuzumab after one cycle.", "inotuzumab"),
])
def test_issue16_ceiling_words_without_a_proposal_are_no_plan(extract, text, concept):
    mention = _first(extract(text), concept)
    assert not mention.hypothetical, mention.modifiers


@pytest.mark.parametrize("text, concept, want", [
    # results after a dated specimen label on their line are that specimen's, though split into sentences
    ("Marrow bx 12/9/19 (day 29): 4% blasts; flow MRD negative; CD22 retained.\n", "mrd", date(2019, 12, 9)),
    ("Marrow bx 12/9/19 (day 29): 4% blasts; flow MRD negative; CD22 retained.\n", "cd22", date(2019, 12, 9)),
    ("Interval: tired. BM aspirate 1/6/20: 60% blasts. Flow: CD19 dim on most blasts.\n", "cd19", date(2020, 1, 6)),
    # a history row labelled with a span: the span's first date
    ("- 03/2017-09/2018: hyper-CVAD then maintenance. CR1, MRD negative after cycle 2.\n", "mrd", date(2017, 3, 1)),
])
def test_issue16_result_takes_its_lines_specimen_label_date(extract, text, concept, want):
    mention = _first(extract(text), concept)
    assert mention.date == want, (mention.date, mention.date_text)


def test_issue16_date_inside_prose_is_no_label(extract):
    """A date in running prose earlier on the line is no label: the result keeps the note date."""
    mention = _first(extract("Seen 1/6/20 for fatigue and she is well. MRD negative on today's marrow.\n"), "mrd")
    assert mention.date == date(2020, 1, 15), (mention.date, mention.date_text)


def test_issue16_oncologic_course_summary_is_history(extract):
    """A death note's "Oncologic course:" summary is the past oncologic history."""
    text = "Pronounced at 04:10.\n\nOncology course (brief): B-ALL -> blinatumomab x2 -> CR2 -> MUD allograft.\n"
    mention = _first(extract(text, note_type="death"), "blinatumomab")
    assert mention.historical and mention.section == "oncologic_history", (mention.section, mention.modifiers)


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
