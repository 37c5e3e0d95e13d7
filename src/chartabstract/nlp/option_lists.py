"""Treatments named in a list of options: "I discussed salvage options:" then "- Blinatumomab, ...".

A consult letter often lays out the choices as a list under a lead line that names them as
options. Each item is its own sentence to the splitter, so the lead's "options" cue (a ConText
modifier bound to its sentence) never reaches the drugs below it; an item that describes how a
drug is given ("requiring admission for the first 9 days of the first cycle", "given on an
outpatient basis") then reads as a start or a dose. The list is a menu, not a record.
"""

from __future__ import annotations

import re

# a list item's opening: "- ", "* ", "• ", "1. ", "2) "
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•]|\d{1,2}[.)])[ \t]")
# a line wrapped from the item above it: indented and not a new item
_CONTINUATION = re.compile(r"[ \t]+\S")
# a lead line naming what follows as options: "I discussed salvage options:", "Options discussed:",
# "Treatment alternatives include:"; the colon ends the line, in the sentence that names them
_OPTIONS_LEAD = re.compile(r"\b(?:options?|alternatives|choices)\b[^\n:.;!?]{0,40}:[ \t]*$", re.IGNORECASE)
_MAX_LINES_UP = 15


def in_option_list(text: str, position: int) -> bool:
    """Whether ``position`` lies in a list item (or its wrapped lines) under a lead line that
    names the list as options.

    Args:
        text: the note's own text.
        position: a character offset into ``text`` (a mention's start).

    Returns:
        True when the nearest line above the item's list that is not an item is an options lead.
    """
    line_start = text.rfind("\n", 0, position) + 1
    seen_item = False
    for _ in range(_MAX_LINES_UP):
        line_end = text.find("\n", line_start)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        if _LIST_ITEM.match(line):
            seen_item = True
        elif not (line.strip() and _CONTINUATION.match(line)):
            return seen_item and bool(_OPTIONS_LEAD.search(line))
        if line_start == 0:
            return False
        line_start = text.rfind("\n", 0, line_start - 1) + 1
    return False
