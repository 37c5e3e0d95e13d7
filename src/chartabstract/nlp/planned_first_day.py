"""A start order that names its own first day after the note: "start blinatumomab ... C1D1 5/1/23".

A clinic note written days before a course orders it with a start verb and the day it will
begin ("start commercial blinatumomab for MRD (28 mcg/day) C1D1 5/1/23. Admit 3 days."). The
start verb makes the drug read as started, and the note's header date is the nearest date; but
the written first day is after the note, so the start is a plan for that day, never a start on
the day of the note (the pharmacy note of that later day records the real first dose).
"""

from __future__ import annotations

import re
from datetime import date

from spacy.tokens import Span

from chartabstract.models import DateMention
from chartabstract.nlp.mention_dates import NoteDates
from chartabstract.nlp.doc_text import doc_text, sentence_of

# "C1D1 5/1/23", "C1 D1: 5/1", "cycle 1 day 1 on 05/01/2023", "D1 = 5/1", "start date 5/1/23"
_FIRST_DAY = re.compile(
    r"\b(?:C(?:ycle)?\s*1\s*,?\s*D(?:ay)?\s*1|D(?:ay)?\s*1|start\s+date|first\s+dose)\b\s*(?:(?:on|=|:|-|scheduled|planned|for)\s*){0,2}$",
    re.IGNORECASE,
)


# the label after its day: "8/9 (Mon) C1D1", "14/3 = D1"
_FIRST_DAY_AFTER = re.compile(r"\s*(?:\([^()\n]{1,6}\)\s*)?(?:[:=-]\s*)?(?:C(?:ycle)?\s*1\s*,?\s*D(?:ay)?\s*1|D1)\b", re.IGNORECASE)
_NEXT_LINE_REACH = 60  # characters after the drug where its first day may stand on the next line


def planned_first_day(ent: Span, dates: NoteDates, note_date: date) -> DateMention | None:
    """The first day written after the drug in its sentence ("C1D1 5/1/23") when it is after the
    note's date, else None."""
    sentence = sentence_of(ent)
    text = doc_text(ent.doc)
    # the label may end its line and its day open the next ("Inotuzumab C1D1" / "   05/14/2018 at ..."),
    # which the sentencizer splits
    paragraph_end = text.find("\n\n", ent.end_char)
    reach = min(len(text) if paragraph_end < 0 else paragraph_end, ent.end_char + _NEXT_LINE_REACH)
    for found in dates.starting_in(ent.end_char, max(sentence.end_char, reach)):
        when = found.resolved.value
        if when is None or when <= note_date:
            continue
        if _FIRST_DAY.search(text[max(ent.end_char, found.start - 40) : found.start]) or _FIRST_DAY_AFTER.match(text, found.end):
            return found
    return None
