"""A relapse tied to its marrow takes the marrow's day (annotation guide, "relapse": the marrow date
when the sentence ties the relapse to a marrow).

History lines write a relapse by its month and then the marrow that showed it: "2/2019 relapse:
marrow 2/25 with 63% blasts", "first relapse May 2019: marrow 14 May 2019, 72% blasts",
"relapse 01/2019 with our marrow 2/25: 71% blasts". The month is how the writer remembers the
relapse; the marrow's day is when it was shown, and the day the timeline needs.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Protocol

from chartabstract.models import DateMention
from chartabstract.nlp.marrow_dates import is_marrow_date

_ARROW = re.compile(r"->|→|=>|-->|>>")
# the marrow shows a relapse of that month or a few weeks after it ("01/2019 relapse; marrow 2/25")
_MARROW_WITHIN_DAYS = 62


class DatesOnLine(Protocol):
    def starting_in(self, start: int, end: int) -> list[DateMention]: ...


def relapse_marrow_date(
    chosen: DateMention | None, text: str, mention_end: int, sentence_end: int, dates: DatesOnLine
) -> DateMention | None:
    """The day of the marrow that the relapse's sentence ties to it, when the relapse itself is dated
    by month or year; else None.

    Args:
        chosen: the date the relapse's sentence gave it (None: the note's, and no marrow is sought).
        text: the note text.
        mention_end: where the relapse mention ends; the marrow follows it in its sentence.
        sentence_end: where the sentence ends (a marrow in the next sentence is told apart).
        dates: the note's dates, by position.
    """
    if chosen is None:
        return _marrow_after_colon(text, mention_end, sentence_end, dates)
    if chosen.resolved.value is None or chosen.resolved.precision == "day":
        return None
    for candidate in dates.starting_in(mention_end, sentence_end):
        if _ARROW.search(text, mention_end, candidate.start):
            return None  # what follows an arrow is a later step, not this relapse's marrow
        value = candidate.resolved.value
        if value is None or candidate.resolved.precision != "day":
            continue
        if not is_marrow_date(text, candidate):
            continue
        period_start = chosen.resolved.value
        period_days = 366 if chosen.resolved.precision == "year" else 31
        if not period_start <= value <= period_start + timedelta(days=period_days + _MARROW_WITHIN_DAYS):
            return None
        return candidate
    return None


# "He relapsed ~16 months after transplant: BM 06/01/2021 (...)": the colon opens the marrow that
# showed it (without one, "relapsed B-ALL in CR (last BM 2/22/22)" names a remission marrow)
_TO_COLON_MARROW = re.compile(r"[^.;:()]{0,60}:\s*(?:the\s+)?(?:BM|bone\s+marrow|marrow)(?:\s+(?:biopsy|bx|aspirate|exam(?:ination)?))?\s*(?:of\s+|on\s+|dated\s+)?$", re.IGNORECASE)


def _marrow_after_colon(text: str, mention_end: int, sentence_end: int, dates: DatesOnLine) -> DateMention | None:
    for candidate in dates.starting_in(mention_end, sentence_end):
        if candidate.resolved.value is None or candidate.resolved.precision != "day":
            return None
        return candidate if _TO_COLON_MARROW.fullmatch(text, mention_end, candidate.start) else None
    return None
