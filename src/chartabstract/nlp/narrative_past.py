"""Past events a note retells as narrative, without a date or a history cue.

An interval history or a letter's course paragraph re-tells earlier therapy in the past tense:
"who achieved an MRD-negative CR with 2 cycles of inotuzumab", "He tolerated inotuzumab well",
"he developed acute GVHD of the skin at Day +18". No "s/p" or "prior" marks it and no date says how
long ago, so neither the ConText cues nor the dated-history rule in ``extract`` see it; the
annotation guide calls such a sentence history (historical=true). The verbs below tell a completed
past course; "received" or "started" do not (a note of the day says "received C1 today").

Only the assertion changes here: ``extract`` keeps a dated start, stop or cycle as that event, so
a start the notes narrate is still a start for the timeline.
"""

from __future__ import annotations

import re

# verbs that retell a completed course: what a note says about earlier weeks, not about today
_PAST_NARRATIVE = re.compile(
    r"\b(?:achieved|attained|underwent|developed|tolerated|went\s+into\s+(?:a\s+)?remission"
    r"|was\s+(?:subsequently\s+|then\s+|later\s+)?(?:transplanted|diagnosed)"
    r"|was\s+(?:last|ultimately|subsequently|eventually)\s+\w+"
    r"|remained\s+in\s+(?:\w+\s+)?remission|(?:course|was)\s+(?:complicated\s+by|c/b)|progress(?:ed|ing)\s+to"
    r"|relapsed\s+(?:in|on)\s+(?:[A-Z][a-z]+|\d))",
    re.IGNORECASE,
)
# the note's own days ("tolerated C1 well today", "this admission") and conditions ("if remission
# achieved") are no retold past
_PRESENT = re.compile(
    r"\b(?:today|tonight|this\s+(?:admission|morning|afternoon|evening|visit|week)|so\s+far|currently|if|unless|once|would)\b",
    re.IGNORECASE,
)
# "in MRD-negative CR3 (inotuzumab then blinatumomab": the opening of a parenthesis after a remission
_REMISSION_OPENS = re.compile(r"\b(?:CR\d?|CRi\d?|remission)\s*\(\s*$", re.IGNORECASE)
# sections that narrate the current stay or the findings of the present test, not earlier history
_PRESENT_SECTIONS = frozenset({"hospital_course", "physical_exam", "labs", "bone_marrow", "peripheral_blood",
                               "flow_cytometry", "microscopic_description", "cytogenetics", "specimen", "medications"})


def told_as_past(sentence: str, section: str) -> bool:
    """Whether a sentence retells a completed past course (see the module docstring).

    Args:
        sentence: the mention's sentence.
        section: the mention's section category ("" when the note has none).
    """
    if section in _PRESENT_SECTIONS:
        return False
    return bool(_PAST_NARRATIVE.search(sentence)) and not _PRESENT.search(sentence)


def named_behind_remission(sentence: str, offset: int) -> bool:
    """Whether a treatment at ``offset`` stands in a parenthesis that opens right after a remission:
    "45F, B-ALL in MRD-negative CR3 (blinatumomab, then inotuzumab x2)" names the treatments that
    led to the remission the note reports, given before it."""
    opening = sentence.rfind("(", 0, offset)
    if opening < 0 or ")" in sentence[opening:offset]:
        return False
    return bool(_REMISSION_OPENS.search(sentence[: opening + 1]))


# "in CR2 after post-transplant relapse", "B-ALL relapsed after haplo HCT, now in MRD-negative CR2"
_REMISSION = r"(?:CRi?\d|complete\s+remission|(?:first|second|third|1st|2nd|3rd)\s+remission)"
_IN_REMISSION_AFTER = re.compile(
    rf"\b(?:in|achieved|attained|reached)\s+(?:[\w-]+\s+){{0,3}}{_REMISSION}\b[^.;()]{{0,40}}\b(?:after|following|post)\b[^.;()]{{0,40}}$",
    re.IGNORECASE)
_NOW_IN_REMISSION = re.compile(rf"^[^.;]{{0,80}}\b(?:now|currently|presently)\s+in\s+(?:[\w-]+\s+){{0,3}}{_REMISSION}\b", re.IGNORECASE)


def relapse_behind_remission(sentence: str, offset: int, end: int) -> bool:
    """Whether a relapse at ``offset``..``end`` is the one a remission the sentence reports came
    after: "referred in CR2 after post-transplant relapse", "relapsed after haplo HCT, now in
    MRD-negative CR2". ("Relapse in CR2" is a new relapse: the remission must come first, or be now.)"""
    return bool(_IN_REMISSION_AFTER.search(sentence[:offset]) or _NOW_IN_REMISSION.search(sentence[end:]))
