"""How far an assertion cue's reading reaches, beyond the scope ConText gives it.

ConText attaches a cue to every target in its scope; some cues speak of one kind of target only or of
one moment only (issue 16, mention level):

- a plan or option ("blinatumomab (CD19+) vs inotuzumab (CD22+)") makes the treatments hypothetical,
  not the antigen results that inform the choice; a risk of, a condition on or a goal for the result
  ("risk of CD19-negative escape", "if MRD positive", "Goal: MRD-negative remission") does;
- "after X" orders events: in a planning sentence ("held in reserve should disease persist after
  inotuzumab") the order is of steps still ahead, not a past course;
- "prior X" places X before the time its sentence speaks of, so a meeting's date earlier in the
  sentence is not X's;
- "Day 0 = <date>" inside the parenthesis of a day count ("Day +30 s/p allo (Day 0 = ...)") is the
  anchor the count runs from, not a retold history.

Pure functions of the plain ``values.Hit`` record, so ``extract`` stays the only reader of spaCy spans.
"""

from __future__ import annotations

import re

from chartabstract.nlp import values

# cues that suppose a result itself: a risk of it, a condition on it, a goal for it
_SUPPOSING = re.compile(
    r"(?:risks?\s+of|if|unless|should|when|once|in\s+the\s+event|whether|would|could|might|may"
    r"|goal|aim|target|hope\w*|to\s+(?:get|achieve|reach|attain)|try\w*)\b",
    re.IGNORECASE,
)
_OF = re.compile(r"\s+of\b", re.IGNORECASE)
# "Day +30 s/p MUD alloHSCT (": a parenthesis after a day count opens on the day it counts from
_DAY_COUNT_OPENS = re.compile(r"\bD(?:ay)?\s*\+\s*\d+\b[^()]*\(\s*$", re.IGNORECASE)
_PRIOR = frozenset({"prior", "previous", "earlier"})
# between a sentence's date and a mention: a clause break, or a parenthesis the mention stands in
_APART = re.compile(r":\s|;|\s[-–—]\s|\([^)]*$")


def supposes_a_result(cue: values.Cue, sentence: str) -> bool:
    """Whether a HYPOTHETICAL cue makes a result (antigen, blasts, MRD) hypothetical, not only the
    treatment choice the sentence weighs ("VOD risk, CD22 partial" names a found result).

    Args:
        cue: a cue of the result's.
        sentence: the result's sentence (the cue's ``start`` is an offset into it).
    """
    if cue.category != "HYPOTHETICAL":
        return False
    if "risk" in cue.text.lower():
        own_of = cue.text.lower().endswith(" of") or bool(_OF.match(sentence, cue.start + len(cue.text)))
        return cue.direction == "BACKWARD" or own_of
    return bool(_SUPPOSING.match(cue.text))


def history_only_orders(hit: values.Hit) -> bool:
    """Whether every history cue of the target only orders events ("after X", "following X": the
    context rules marked ``sequence``): a planning sentence orders steps still ahead with them."""
    history = [cue for cue in hit.cues if cue.category == "HISTORICAL"]
    return bool(history) and all(cue.sequence for cue in history)


def prior_to_its_sentence(hit: values.Hit, date_start: int) -> bool:
    """Whether a mention called "prior" stands apart from the sentence's date that precedes it: in
    "At the meeting of 10.08.2022 a second allograft was discussed: declined (age, prior SCT)" the
    date is the meeting's and "prior" places the transplant before it.

    Args:
        hit: the mention.
        date_start: where the date chosen for it starts in its sentence.
    """
    prior = [cue for cue in hit.cues if cue.category == "HISTORICAL" and cue.text.lower() in _PRIOR and cue.distance <= 1]
    if not prior or date_start >= prior[0].start:
        return False
    return bool(_APART.search(hit.sentence[date_start : prior[0].start]))


def anchors_a_day_count(hit: values.Hit) -> bool:
    """Whether a "Day 0" stands in the parenthesis a day count opens ("now Day +30 s/p MUD allo
    (Day 0 = 10/10/2018)"): the day the count runs from, told as the note's present reckoning."""
    return hit.rule_id == "day_zero" and bool(_DAY_COUNT_OPENS.search(hit.sentence[: hit.offset_in_sentence]))
