"""A note that gathers several days' entries ("27.06.2022, 12:30" then that day's text, "28.06.2022,
08:40 - ward round" then the next day's) is filed under its last day, yet each entry's "today",
"yesterday" or "this morning" is the day its own heading names. The relative dates of such an entry
are counted from that heading's day, not from the note's.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from chartabstract.models import DateMention

# what an entry heading holds beside its date: a clock time, a weekday, a label of a few words ("- obchód",
# "Attending physician ward round record", "(urgent)"), never a sentence of its own (no period, no figures)
_HEADING_REST = re.compile(r"[ \t,;:–—-]*(?:\d{1,2}[:.]\d{2}(?:\s*h)?)?[ \t,;:–—-]*(?:[^\W\d][\w().'/&-]*[ \t]*){0,8}[ \t:]*")
_MAX_DAYS_BEFORE = 60  # a heading this far before its note still opens one of its entries
_DAY_SOURCES = frozenset({"explicit", "dayfirst_inferred", "ambiguous_order", "year_inferred"})


def rebase_to_entry_days(dates: list[DateMention], text: str, note_date: date) -> list[DateMention]:
    """``dates`` with each relative-to-note date under an earlier entry heading counted from the heading's day."""
    headings = [d for d in dates if _is_heading(d, text, note_date)]
    if not headings:
        return dates
    rebased = []
    for found in dates:
        heading = next((h for h in reversed(headings) if h.start < found.start), None)
        if (heading is None or found.resolved.source != "relative_to_note" or found.resolved.value is None
                or heading.resolved.value == note_date):
            rebased.append(found)
            continue
        value = heading.resolved.value + (found.resolved.value - note_date)
        rebased.append(replace(found, resolved=replace(found.resolved, value=value)))
    return rebased


def _is_heading(found: DateMention, text: str, note_date: date) -> bool:
    """A day-precision date that opens its line, with only a time or a short label after it."""
    resolved = found.resolved
    if resolved.value is None or resolved.precision != "day" or resolved.source not in _DAY_SOURCES:
        return False
    if not 0 <= (note_date - resolved.value).days <= _MAX_DAYS_BEFORE:
        return False
    line_start = text.rfind("\n", 0, found.start) + 1
    line_end = text.find("\n", found.end)
    line_end = len(text) if line_end < 0 else line_end
    return not text[line_start:found.start].strip() and _HEADING_REST.fullmatch(text, found.end, line_end) is not None
