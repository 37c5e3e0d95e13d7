"""Issue 16 (mention level): plans written without a cue, and history cues that only order steps.

A plan section's line names what is ahead with no verb ("- allograft: HLA typing sent"); an MDT's
"outcome" list is such a plan; "after X" in a plan orders steps still to come; a refusal can close a
proposal from afar ("were discussed and declined") or behind an arrow ("planned -> cancelled"); a
family history paragraph does not run on into the letter's prose; an earlier relapse is named as the
yardstick of a present finding ("as at first relapse").
Sentences are paraphrases written for these tests (none is copied from a sample or held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest


def _only(mentions, concept):
    found = [m for m in mentions if m.concept == concept]
    assert found, f"no {concept} mention in {[(m.concept, m.text) for m in mentions]}"
    return found[0]


@pytest.mark.parametrize("text, concept", [
    ("Assessment and plan:\n- allogeneic transplant: tissue typing of siblings sent;\n", "hsct"),
    ("Plan:\n2. allograft in CR2: refer back to the BMT unit;\n", "hsct"),
    ("Recommendations:\nInotuzumab ozogamicin - good response rates in this setting;\n", "inotuzumab"),
    ("MDT outcome:\n1. Haploidentical allograft (sister as donor) in second remission.\n", "hsct"),
])
def test_issue16_plan_section_names_what_is_ahead(extract, text, concept):
    """The guide: plans are hypothetical with value plan, and a plan line needs no 'will' to be one."""
    mention = _only(extract(text), concept)
    assert mention.hypothetical and mention.value == "plan", (mention.value, mention.section, mention.modifiers)


@pytest.mark.parametrize("text, concept, value", [
    ("Plan:\nC1D1 blinatumomab today, 9 mcg/day.\n", "blinatumomab", "start"),
    ("Plan:\n- continue inotuzumab, C2D8 given today.\n", "inotuzumab", "cycle"),
    ("Plan:\n- allograft 3/2019 at the university, now Day +200.\n", "hsct", None),
])
def test_issue16_plan_section_keeps_administrations(extract, text, concept, value):
    """A cued or dated treatment in a plan section is what it says, not a plan."""
    mention = _only(extract(text), concept)
    assert not mention.hypothetical, (mention.value, mention.modifiers)
    if value:
        assert mention.value == value, (mention.value, mention.modifiers)


@pytest.mark.parametrize("text, concept", [
    ("Blinatumomab kept in reserve should disease persist after inotuzumab.", "inotuzumab"),
    ("Repeat the marrow after the first cycle of blinatumomab.", "blinatumomab"),
    ("- Avoid busulfan-based conditioning after inotuzumab.", "inotuzumab"),
    ("Inotuzumab first, given the bulky marrow disease.", "inotuzumab"),
    ("Comment: CD22 strongly expressed (relevant for inotuzumab selection).", "inotuzumab"),
])
def test_issue16_ordered_steps_of_a_plan_are_plans(extract, text, concept):
    mention = _only(extract(text), concept)
    assert mention.hypothetical and not mention.historical, mention.modifiers


@pytest.mark.parametrize("text, concept", [
    ("Relapsed B-ALL, MRD-negative CR2 after two cycles of blinatumomab.", "blinatumomab"),
    ("Persistent disease after one cycle of inotuzumab.", "inotuzumab"),
])
def test_issue16_after_still_tells_history_without_a_plan(extract, text, concept):
    mention = _only(extract(text), concept)
    assert mention.historical and not mention.hypothetical, mention.modifiers


@pytest.mark.parametrize("text, concept", [
    ("Inotuzumab re-challenge and CAR-T were discussed and declined by the patient.", "inotuzumab"),
    ("Inotuzumab re-challenge and CAR-T were discussed and declined by the patient.", "car_t"),
    ("A second allograft was raised at clinic and deferred for now.", "hsct"),
    ("- haplo transplant planned for March -> cancelled (donor-specific antibodies).", "hsct"),
    ("Blinatumomab was planned but never given because funding was refused.", "blinatumomab"),
])
def test_issue16_refusals_reach_the_proposal(extract, text, concept):
    """The guide: a refused or cancelled proposal is negated=true, hypothetical=true, value plan."""
    mention = _only(extract(text), concept)
    assert mention.negated and mention.hypothetical and mention.value == "plan", (mention.value, mention.modifiers)


@pytest.mark.parametrize("text, concept", [
    ("Plan:\n- inotuzumab now, possibly then allograft\n", "hsct"),
    ("Plan:\n- blinatumomab +/- allograft\n", "hsct"),
])
def test_issue16_optional_steps_are_uncertain(extract, text, concept):
    mention = _only(extract(text), concept)
    assert mention.uncertain and mention.hypothetical, mention.modifiers


def test_issue16_causal_given_is_no_administration(extract):
    mention = _only(extract("Assessment:\nWe favour blinatumomab, given the low marrow burden.\n"), "blinatumomab")
    assert mention.value == "plan", (mention.value, mention.modifiers)


def test_issue16_monitoring_for_an_outcome_is_hypothetical(extract):
    mention = _only(extract("Post-transplant: monitor closely for GVHD flare on blinatumomab."), "agvhd")
    assert mention.hypothetical, mention.modifiers


def test_issue16_family_history_paragraph_ends_at_the_prose(extract):
    text = ("Family history: his father had a myocardial infarction at 60.\n\n"
            "We explained that CAR-T is not an option for him outside a trial, and that an allograft is the aim.\n")
    mention = _only(extract(text, note_type="letter"), "hsct")
    assert not mention.family and not mention.historical, mention.modifiers


@pytest.mark.parametrize("text", [
    "Blasts with the same immunophenotype as at first relapse.",
    "Cells larger than at first relapse, with irregular nuclei.",
    "CD19-independent gating given the known CD19-negative relapse.",
])
def test_issue16_earlier_relapse_as_yardstick_is_history(extract, text):
    mention = _only(extract(text, note_type="bm_pathology"), "relapse")
    assert mention.historical, mention.modifiers


def test_issue16_long_history_header_still_heads_a_history(extract):
    """A header with a long remark in parentheses ('Onc hx (copied from the last note, updated):')."""
    text = "Onc hx (copied from the last note, updated):\n- InO C1D1 12/20/19, C1D8 12/27.\n\nS: tired.\n"
    mention = _only(extract(text), "inotuzumab")
    assert mention.historical and mention.value == "start", (mention.value, mention.section)


@pytest.mark.parametrize("text, concept", [
    ("Second relapse May 2019 (52% blasts, CD19 dim).", "marrow_blasts"),
    ("Blinatumomab C1D1 14 May 2019 - CR2, MRD negative.", "mrd"),
])
def test_issue16_the_month_may_is_no_modal(extract, text, concept):
    mention = _only(extract(text), concept)
    assert not mention.hypothetical, mention.modifiers


@pytest.mark.parametrize("text, concept", [
    ("Options reviewed: blinatumomab (CD19+) vs inotuzumab (CD22+) vs hospice.", "cd19"),
    ("Considered inotuzumab versus CAR-T: CD22 90%, so inotuzumab reasonable.", "cd22"),
])
def test_issue16_results_beside_a_treatment_choice_are_found(extract, text, concept):
    """The choice is hypothetical; the antigen result that informs it was measured."""
    mention = _only(extract(text), concept)
    assert not mention.hypothetical, mention.modifiers


def test_issue16_risk_of_a_result_stays_hypothetical(extract):
    mention = _only(extract("Counselled on the risk of CD19-negative escape after blinatumomab."), "cd19")
    assert mention.hypothetical, mention.modifiers


@pytest.mark.parametrize("text, concept, value", [
    ("She is admitted today to start blinatumomab 9 mcg/day.", "blinatumomab", "start"),
    ("Seen in the day unit to start C2 inotuzumab today.", "inotuzumab", "cycle"),
    ("Start blinatumomab 9 mcg/day continuous infusion today.", "blinatumomab", "start"),
])
def test_issue16_todays_purpose_is_an_administration(extract, text, concept, value):
    mention = _only(extract(text), concept)
    assert not mention.hypothetical and mention.value == value, (mention.value, mention.modifiers)


def test_issue16_todays_purpose_with_a_plan_word_stays_a_plan(extract):
    mention = _only(extract("Plan to start blinatumomab next week; labs today."), "blinatumomab")
    assert mention.hypothetical and mention.value == "plan", (mention.value, mention.modifiers)


@pytest.mark.parametrize("text", ["B-ALL, third relapse suspected.", "Query relapse."])
def test_issue16_doubted_relapse_is_uncertain(extract, text):
    mention = _only(extract("Clinical information: " + text + "\n", note_type="bm_pathology"), "relapse")
    assert mention.uncertain and not mention.historical, mention.modifiers


def test_issue16_day_zero_anchoring_a_day_count_is_no_history(extract):
    text = "Now Day +28 s/p haploidentical alloHSCT (Day 0 = 12/18/2019), engrafted."
    days = [m for m in extract(text) if m.text.startswith("Day 0")]
    assert days and not days[0].historical and days[0].value == "start", [(m.text, m.value, m.modifiers) for m in days]


@pytest.mark.parametrize("text", [
    "Post-transplant course c/b gut acute GVHD grade 3 (D+45), treated with steroids.",
    "She developed skin acute GVHD at Day +21, which later progressed to grade III.",
])
def test_issue16_course_counted_from_the_transplant_is_history(extract, text):
    """A Day +N count places the event in the course the letter retells, not before the note."""
    mention = _only(extract(text, note_type="letter"), "agvhd")
    assert mention.historical, mention.modifiers


def test_issue16_current_treatment_header_heads_a_history(extract):
    text = ("Treatment to date in this relapse:\n- Inotuzumab C1 03.01.2020, C2D1 04.02.2020\n\n"
            "Discussion:\nMRD-positive CR.\n")
    mentions = extract(text, note_type="mdt")
    assert _only(mentions, "inotuzumab").historical
    assert not _only(mentions, "relapse").historical, "the header's own 'this relapse' is the present one"


@pytest.mark.parametrize("text, concept", [
    ("- second allograft: per the BMT team not a candidate at present;", "hsct"),
    ("CAR-T: the product is licensed to age 25 only - he is not eligible.", "car_t"),
    ("He never proceeded to allogeneic transplant.", "hsct"),
    ("Maintenance blinatumomab was raised - not applicable, the clone is CD19-negative.", "blinatumomab"),
])
def test_issue16_refusals_after_the_proposal(extract, text, concept):
    mention = _only(extract(text), concept)
    assert mention.negated, mention.modifiers


@pytest.mark.parametrize("text, concept", [
    ("- donor lymphocytes deferred (prior GVHD)", "agvhd"),
    ("She declines the allograft (caregiver strain, fear of GVHD).", "agvhd"),
    ("- not a candidate for re-treatment with blinatumomab (relapse soon after the last cycle)", "relapse"),
])
def test_issue16_refusal_is_the_proposals_not_the_outcomes(extract, text, concept):
    mention = _only(extract(text), concept)
    assert not mention.negated, mention.modifiers


@pytest.mark.parametrize("text", [
    "VOD risk high (inotuzumab after a prior myeloablative allograft): daily weights.",
    "Severe hepatic VOD - a known risk after inotuzumab exposure.",
])
def test_issue16_risk_of_a_complication_leaves_the_treatment_given(extract, text):
    mention = _only(extract(text), "inotuzumab")
    assert not mention.hypothetical, (mention.value, mention.modifiers)


def test_issue16_as_needed_stays_with_its_medicine(extract):
    text = "Mouthwash as needed and lubricating drops: his chronic GVHD remains mild."
    mention = _only(extract(text, note_type="letter"), "cgvhd")
    assert not mention.hypothetical, mention.modifiers


def test_issue16_risks_of_a_treatment_weigh_a_proposal(extract):
    mention = _only(extract("- Risks of inotuzumab: liver VOD, especially with a transplant soon after;"), "inotuzumab")
    assert mention.hypothetical, mention.modifiers


@pytest.mark.parametrize("text", [
    "Goal: MRD-negative remission, then transplant.",
    "One cycle of blinatumomab to try to get the MRD negative before transplant.",
])
def test_issue16_a_result_set_as_goal_stays_hypothetical(extract, text):
    mention = _only(extract(text), "mrd")
    assert mention.hypothetical, mention.modifiers


def test_issue16_prior_treatment_does_not_take_the_meetings_date(extract):
    text = ("At the tumour board of 12.03.2021 a second allograft was discussed: not advised "
            "(frailty, diabetes, prior SCT).")
    prior = [m for m in extract(text, note_type="letter") if m.concept == "hsct" and m.text == "SCT"]
    assert prior and prior[0].historical and prior[0].date != date(2021, 3, 12), [(m.text, m.date) for m in prior]
