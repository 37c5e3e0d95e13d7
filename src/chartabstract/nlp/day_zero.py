"""Which day a bare "Day 0" of a note means: the note's own Day 0, not the note's date.

A pre-infusion or pre-transplant note sets the schedule once ("CAR T-cell infusion planned for
06/07/2022 (Day 0)") and then counts from it without a date ("levetiracetam from Day 0", "Day 0
admission"). Such a bare "Day 0" is the planned day, so it is a plan like the dated one, never an
infusion on the day the note was written. Only a note that dates a Day 0 (or plans the procedure
for a later day) changes anything: in an infusion note, a bare "Day 0" is still the note's day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from chartabstract.models import Mention

DAY_ZERO_RULE = "day_zero"
_OWN_DATE_SOURCES = ("explicit", "year_inferred")


def date_bare_day_zeros(mentions: Sequence[Mention], procedures: Sequence[str]) -> list[Mention]:
    """The mentions with every undated "Day 0" of a procedure dated by its note's scheduled Day 0.

    Args:
        mentions: one note's mentions.
        procedures: the concepts with a Day 0 (transplants, cellular therapies).

    Returns:
        The mentions in the same order; a bare "Day 0" whose note schedules the procedure for
        another day carries that day, and is a plan when the day is after the note.
    """
    dated: list[Mention] = []
    schedules: dict[str, Mention | None] = {}  # per procedure, found once: a long note has hundreds of mentions
    for mention in mentions:
        schedule = None
        if _is_bare_day_zero(mention, procedures):
            if mention.concept not in schedules:
                schedules[mention.concept] = _schedule(mention, mentions)
            schedule = schedules[mention.concept]
        if schedule is None or schedule.date == mention.note_date:
            dated.append(mention)
            continue
        later = schedule.date is not None and schedule.date > mention.note_date
        dated.append(replace(  # the date is the schedule's, read from it, not written beside this "Day 0"
            mention, date=schedule.date, date_precision=schedule.date_precision, date_source=schedule.date_source,
            date_text=schedule.date_text, date_from="note",
            hypothetical=mention.hypothetical or later, value="plan" if later else mention.value,
        ))
    return dated


def _is_bare_day_zero(mention: Mention, procedures: Sequence[str]) -> bool:
    return mention.rule_id == DAY_ZERO_RULE and mention.concept in procedures and mention.date_from == "note"


def _schedule(bare: Mention, mentions: Sequence[Mention]) -> Mention | None:
    """The mention giving the note's Day 0 for the bare one's procedure: a "Day 0" written with its
    own date, else a plan of the procedure dated after the note. None when the note gives no such
    day, or several different ones. The same for every bare "Day 0" of the procedure (a bare one
    has no date of its own, so it is never among the candidates)."""
    same = [m for m in mentions if m.concept == bare.concept and m is not bare and not m.negated and m.date]
    written = [m for m in same if m.rule_id == DAY_ZERO_RULE and m.date_source in _OWN_DATE_SOURCES]
    if not written:
        written = [m for m in same if m.hypothetical and m.date_source in _OWN_DATE_SOURCES and _after_note(m)]
    return written[0] if len({m.date for m in written}) == 1 else None


def _after_note(mention: Mention) -> bool:
    return mention.date is not None and mention.date > mention.note_date
