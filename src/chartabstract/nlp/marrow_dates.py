"""Dates that a marrow word labels: "marrow 2/25", "BM bx 1/14", "the bone marrow on 29 July 2019".

Such a date is the day the marrow was taken. Its results (blasts, MRD, antigens) take it, though a
treatment named between them is nearer ("the marrow of 12 November, after one cycle of
blinatumomab, shows 1% blasts"); the treatment does not (the marrow's day is no administration).
A result in the next clause of the same statement ("BM bx 1/14 showed 78% blasts; by flow the
blasts are CD19 positive") is of that marrow too.
"""

from __future__ import annotations

import re
from typing import Protocol

from chartabstract.models import DateMention

# the marrow word right before its date: "marrow 2/25", "BMBx 2/19:", "BM bx 4/30/19", "marrow of 14 May"
_MARROW_BEFORE = re.compile(
    r"\b(?:marrow|bmbx|bm\s*bx|bma|bm|aspirate|bone\s+marrow\s+biopsy)\b(?:\s+(?:of|on|dated|from))?[\s:(]{0,3}$",
    re.IGNORECASE,
)
_LOOK_BACK = 40
# a full stop ends the statement: a marrow date before it dates nothing after it
_STATEMENT_END = re.compile(r"[.!?](?:\s|$)")


class DatesByPosition(Protocol):
    def starting_in(self, start: int, end: int) -> list[DateMention]: ...


def is_marrow_date(text: str, date: DateMention) -> bool:
    """Whether a marrow word labels this date."""
    return _MARROW_BEFORE.search(text, max(0, date.start - _LOOK_BACK), date.start) is not None


def marrow_date_before(text: str, sentence_start: int, dates: DatesByPosition) -> DateMention | None:
    """The marrow date of the clause before this sentence on its line, when only semicolons or
    colons stand between them ("BM bx 1/14 showed 78% blasts; by flow CD19 positive"); else None."""
    line_start = text.rfind("\n", 0, sentence_start) + 1
    on_line = [d for d in dates.starting_in(line_start, sentence_start) if d.resolved.value is not None]
    if not on_line:
        return None
    last = on_line[-1]
    if _STATEMENT_END.search(text, last.end, sentence_start) or not is_marrow_date(text, last):
        return None
    return last
