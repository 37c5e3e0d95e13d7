"""A report's value that its own addendum corrects.

An amended marrow report keeps its original lines, marks them ("18% BLASTS [corrected - see
addendum]") and gives the right value under an addendum heading ("ADDENDUM (07/12/2021): ... the
correct 500-cell differential blast count is 11%"). The marked value is withdrawn by the pathologist:
it is dropped when the addendum states a value of the same concept, and the addendum's value takes
the marked one's date (the marrow's, not the day the addendum was signed).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace

from chartabstract.models import Mention

# a heading line that opens an addendum or amendment of the report
_ADDENDUM_HEADING = re.compile(
    r"^[ \t]*(?:\*+[ \t]*)?(?:addendum|amendment|amended\s+report|corrected\s+report|revised\s+report)\b"
    r"(?![ \t]*(?:signed|date|time|by|status)\b)[^\n]{0,60}$",
    re.IGNORECASE | re.MULTILINE,
)
# what marks a line the addendum corrects
_MARKED_CORRECTED = re.compile(
    r"\b(?:corrected|amended|revised|superseded)\b[^\n]{0,20}\b(?:addendum|amendment|below)\b|\bsee\s+(?:addendum|amendment)\b",
    re.IGNORECASE,
)


def supersede_amended_values(mentions: Sequence[Mention], text: str, value_concepts: Collection[str]) -> list[Mention]:
    """The note's mentions without the values its addendum corrects, the addendum's values dated
    like the ones they replace."""
    heading = None
    for heading in _ADDENDUM_HEADING.finditer(text):
        pass  # the last: an addendum follows the report it amends ("Addendum signed: ..." in the header is a label)
    if heading is None:
        return list(mentions)
    amended = [m for m in mentions if m.concept in value_concepts and m.value and m.start >= heading.end()]
    concepts = {m.concept for m in amended}
    marked = [m for m in mentions if m.concept in concepts and m.start < heading.start() and _MARKED_CORRECTED.search(_line(text, m.start))]
    if not marked:
        return list(mentions)
    by_concept = {m.concept: m for m in marked}
    withdrawn = {id(m) for m in marked}
    return [
        _dated_like(m, by_concept[m.concept]) if m in amended and m.concept in by_concept else m
        for m in mentions if id(m) not in withdrawn
    ]


def _line(text: str, position: int) -> str:
    end = text.find("\n", position)
    return text[text.rfind("\n", 0, position) + 1 : end if end >= 0 else len(text)]


def _dated_like(mention: Mention, original: Mention) -> Mention:
    return replace(
        mention, date=original.date, date_precision=original.date_precision, date_source=original.date_source,
        date_text=original.date_text, date_from=original.date_from, date_anchor=original.date_anchor,
        date_offset_days=original.date_offset_days,
    )
