"""When a negation cue really negates a graded outcome (CRS, ICANS, acute GVHD).

ConText marks "CRS: maximum grade 2, now resolved" and "fever without hypotension or hypoxia:
grade 1 cytokine release syndrome" as negated. Neither says the outcome was absent: a resolved
outcome happened, with the grade written beside it, and a negation in an earlier clause denies
something else (the hypotension). "No CRS", "without CRS or ICANS" and "no CRS >= grade 2" still do.
"""

from __future__ import annotations

import re

from chartabstract.nlp.values import Cue, Hit

NEGATION = "NEGATED_EXISTENCE"
# a clause ends between a cue and the outcome: "without hypoxia: grade 1 CRS", "no fever; CRS grade 2"
_CLAUSE_BREAK = re.compile(r":\s|;|\s[-–—]\s")


def negation_holds(hit: Hit, *, graded: bool) -> bool:
    """Whether a negated graded outcome is stated absent.

    Args:
        hit: a graded-outcome target that ConText negated.
        graded: whether a grade is written for it ("grade 2", "gr III").

    Returns:
        False when every negation cue is a resolution ("resolved", "now resolving") and the outcome
        has its grade, or when every negation cue stands before the outcome in an earlier clause.
    """
    cues = [cue for cue in hit.cues if cue.category == NEGATION]
    if not cues:
        return True
    if graded and all(cue.resolution for cue in cues):
        return False
    return not all(_in_earlier_clause(cue, hit) for cue in cues)


def _in_earlier_clause(cue: Cue, hit: Hit) -> bool:
    cue_end = cue.start + len(cue.text)
    return cue_end <= hit.offset_in_sentence and bool(_CLAUSE_BREAK.search(hit.sentence[cue_end : hit.offset_in_sentence]))
