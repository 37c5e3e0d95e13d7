"""The date a dated list item lends to the sentences that follow it on its line.

A history or result list writes one event per line and opens the line with its date:
"- 4/2019 relapse, T315I; 28% blasts, CD19+, CD22+" or "3. 04/01/2019 marrow: refractory, 41% blasts;
CD19 12% (negative)". The sentencizer splits such a line at semicolons and full stops, so the
results after the first sentence hold no date of their own; the item's date is theirs, not the
note's. Only a date that opens the line counts (after a bullet or a list number at most): a date
in the middle of a line belongs to the sentence around it.
"""

from __future__ import annotations

import re
from typing import Protocol

from chartabstract.models import DateMention

# what may stand before the opening date: a bullet, "3.", "(b)", or nothing
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*•+>]|\d{1,2}[.)]|\(?[a-z]\))?[ \t]*")
# a date after an arrow on the line is the step after it: "- 4/2019 relapse -> blina C1 ... CR2"
_ARROW = re.compile(r"->|→|=>|-->|>>")
# a wrapped paragraph may put a date at the start of a line mid-sentence ("... after\n06/14/2020
# with SOS"); a list item starts after a line that ended a statement, a heading or nothing
_ENDS_STATEMENT = re.compile(r"(?:[.;:)\]]|^)[ \t]*$")


class DatesOnLine(Protocol):
    def starting_in(self, start: int, end: int) -> list[DateMention]: ...


def list_item_date(text: str, sentence_start: int, mention_start: int, dates: DatesOnLine) -> DateMention | None:
    """The date opening the list item whose line holds this sentence, or None.

    Args:
        text: the note text.
        sentence_start: where the mention's sentence starts (the date must lie before it, on its line).
        mention_start: where the mention starts (no arrow may stand between the date and it).
        dates: the note's dates, by position.
    """
    line_start = text.rfind("\n", 0, sentence_start) + 1
    on_line = dates.starting_in(line_start, sentence_start)
    if not on_line or on_line[0].resolved.value is None:
        return None
    opening = on_line[0]
    lead = text[line_start : opening.start]
    if not _LIST_MARKER.fullmatch(lead):
        return None
    if not lead.strip() and not _starts_an_item(text, line_start):
        return None
    if _ARROW.search(text, opening.end, mention_start):
        return None
    return opening


def _starts_an_item(text: str, line_start: int) -> bool:
    """A line with no bullet opens an item when the line before it ended a statement or is blank."""
    if line_start == 0:
        return True
    previous_start = text.rfind("\n", 0, line_start - 1) + 1
    previous = text[previous_start : line_start - 1]
    return not previous.strip() or bool(_ENDS_STATEMENT.search(previous))


def earlier_step_of_a_chain(text: str, mention_end: int, sentence_end: int, dates: DatesOnLine) -> bool:
    """An undated step of a course told as an arrow chain, with a dated step after it: "CD19+
    relapse 06/2021 -> MRD+ CR w/ blinatumomab x2 -> CD19-NEGATIVE relapse 10/2021". The step came
    before that date, so it is history, not a result of the note's day."""
    arrow = _ARROW.search(text, mention_end, sentence_end)
    if arrow is None:
        return False
    return any(d.resolved.value is not None for d in dates.starting_in(arrow.end(), sentence_end))
