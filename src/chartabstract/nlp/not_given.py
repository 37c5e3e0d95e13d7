"""A treatment whose own sentence says, in a later clause, that it was never given.

"The board approved blinatumomab as a bridge, but it was never administered", "InO C1D1 ordered for
today -> NOT GIVEN (bilirubin 3.1)", "inotuzumab authorised; the dose was cancelled": the not-given
statement stands after "but", ";" or an arrow, beyond the reach ConText gives a negation cue (a
conjunction ends its scope). Such a drug was approved or ordered, never started: a plan that did not
happen, never a start. The clause must speak of the drug itself (no subject but "it", "the dose" and
the like), and no other study treatment may stand between them outside a parenthesis ("blina
started 3/1 but InO was never given" negates InO only).
"""

from __future__ import annotations

import re

_REACH = 160  # characters from the drug to its not-given clause

_CLAUSE_BREAK = r"(?:\bbut\b|\bhowever\b|;|->|→|=>|\s[-–—]\s)"
_NOT_GIVEN_CLAUSE = re.compile(
    _CLAUSE_BREAK + r"\s*,?\s*"
    r"(?:(?:it|this|that|they|the\s+(?:drug|dose|infusion|course|order|treatment|first\s+dose))\s+)?"
    r"(?:(?:was|were|has|had|is|have)\s+)?(?:(?:been|then|ultimately|finally|eventually)\s+)?"
    r"(?:never\s+(?:been\s+)?(?:given|administered|started|received|infused|begun|initiated)"
    r"|not\s+(?:been\s+)?(?:given|administered|infused|started|initiated)"
    r"|could\s*(?:not|n't)\s+be\s+(?:given|administered|started|infused)"
    r"|cancel+ed|withdrawn|never\s+happened"
    # "requested 09/2020 - DECLINED (scheme)"; not "- declined further cycles", which is a later course's
    r"|(?:declined|refused|rejected|denied|not\s+approved|turned\s+down)\b(?!\s+(?:further|more|another|additional|any\s+more"
    r"|the\s+(?:second|next|remaining|rest)|second|next|continu\w*|cycles?|C\d|maintenance|re-?treatment|transplant|HSCT|BMT)))\b",
    re.IGNORECASE,
)


def never_given_later(after: str, others: list[int]) -> bool:
    """Whether the text after a treatment's mention (to the end of its sentence) says, past a
    clause break, that it was not given.

    Args:
        after: the sentence's text after the mention.
        others: offsets into ``after`` where other study treatments are named.
    """
    found = _NOT_GIVEN_CLAUSE.search(after[:_REACH])
    if found is None:
        return False
    between = after[: found.start()]
    if _closes_parenthesis(between):
        return False  # "(switch from blina-refractory disease) -> NOT GIVEN": the aside's drug is another's course
    return not any(at < found.start() and not _in_parenthesis(between, at) for at in others)


def negation_is_anothers(sentence: str, mention: tuple[int, int], cues: list[int], others: list[int]) -> bool:
    """Whether a treatment's negation cues all stand in another clause, about another treatment:
    "Blina started 3/1 but InO was never given", "blina was never given but InO started 3/2".
    medspaCy ends a cue's scope at "but" only when the terminator allows the cue's target types,
    and the shared terminators allow all of them.

    Args:
        sentence: the mention's sentence.
        mention: the mention's start and end in the sentence.
        cues: offsets in the sentence of the negation cues on the mention.
        others: offsets in the sentence where other study treatments are named.
    """
    start, end = mention
    if not cues or any(start <= cue < end for cue in cues):
        return False
    for cue in cues:
        if cue >= end:  # a later clause whose own treatment comes before the cue
            boundary = re.search(_CLAUSE_BREAK, sentence[end:cue], re.IGNORECASE)
            if boundary is None or not any(end + boundary.end() <= at < cue for at in others):
                return False
        else:  # an earlier clause that named its own treatment
            boundary = re.search(_CLAUSE_BREAK, sentence[cue:start], re.IGNORECASE)
            if boundary is None or not any(at < cue for at in others):
                return False
    return True


def clause_after(sentence_after: str, following: str) -> str:
    """The text after a mention to the end of its clause chain: a sentence the sentencizer ended at
    ";" goes on in the next one ("InO authorised 2/2; the dose was cancelled")."""
    if not sentence_after.rstrip().endswith(";"):
        return sentence_after
    return sentence_after + " " + re.split(r"[.\n]", following.lstrip(), maxsplit=1)[0]


def _closes_parenthesis(text: str) -> bool:
    return text.count(")") > text.count("(")


def _in_parenthesis(text: str, at: int) -> bool:
    opened = text.rfind("(", 0, at)
    return opened >= 0 and text.rfind(")", opened, at) < 0


# a checklist's answer after the item: "Prior blinatumomab: [ ] Yes [X] No", "Prior InO - N",
# "Previous allogeneic HSCT? No" (an eligibility form lists the drugs it asks about)
_ANSWERED_NO = re.compile(
    r"^[^.\n:?]{0,40}?(?::|\?|\s[-–]\s)\s*(?:\[\s*\]\s*(?:Y|Yes)\s*)?"
    r"(?:\[\s*[xX✓✔]\s*\]\s*(?:N|No)\b|(?:N|No|None|Never)[ \t]*(?:$|[\n;,.(]))",
    re.IGNORECASE | re.MULTILINE,
)


def answered_no(after: str) -> bool:
    """Whether the line after a treatment's name answers a checklist item about it with No."""
    return _ANSWERED_NO.match(after.split("\n", 1)[0] + "\n") is not None


# the refusal written right after the treatment's name: "inotuzumab declined 1/2023 (liver)", "haplo
# HSCT - refused"; ConText's "declined" rule reads forward ("declined InO") and shadows a backward one
_REFUSED_RIGHT_AFTER = re.compile(
    r"^\s*(?:\([^()\n]{0,30}\)\s*)?(?:[-–:]\s*)?(?:(?:re-?treatment|re-?challenge|re-?exposure|therapy|treatment|course)\s+)?"
    r"(?:was\s+|were\s+|has\s+been\s+)?(?:declined|refused|cancel+ed|withdrawn|rejected)\b"
    r"(?!\s+(?:further|more|another|additional|the\s+(?:second|next)|second|next|cycles?|C\d|maintenance))",
    re.IGNORECASE,
)


# the subject of "are not options": "Blinatumomab and re-infusion of CAR T are NOT options given ..."
_NOT_AN_OPTION_AFTER = re.compile(
    r"^(?:(?!\b(?:because|since|so|but|while|although|after|before|was|were|has|had|started|given)\b)[^.;,\n]){0,60}?"
    r"\b(?:is|are)\s+(?:not|no\s+longer)\s+(?:an?\s+|good\s+|viable\s+|real\s+)?(?:options?|candidates?|alternatives?)\b",
    re.IGNORECASE,
)


def refused_right_after(after: str) -> bool:
    """Whether the words right after a treatment's name refuse it, or say it is no option."""
    return _REFUSED_RIGHT_AFTER.match(after) is not None or _NOT_AN_OPTION_AFTER.match(after) is not None
