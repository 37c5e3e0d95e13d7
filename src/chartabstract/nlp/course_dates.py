"""Drug dates that the sentence around a drug's name gets wrong: what a course's own rows, an
outcome or a meeting say about when the drug was given.

- A regimen line over its indented dose rows ("Regimen: inotuzumab - cycle 1" then "  D1 10/30:
  ... administration documented", "Study drug: blinatumomab ..." then "  Bag 1 hung 30-MAR-2020", a
  dosing summary's "  C1: 30-MAR-2020 -> 27-APR-2020"): the first row dates and records the first dose.
- "CR after inotuzumab (11/27)": the date beside the drug is the outcome's.
- "After our MDT on 6th January we started blinatumomab": the date is the meeting's.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spacy.tokens import Span

from chartabstract.models import DateMention
from chartabstract.nlp.doc_text import doc_text

if TYPE_CHECKING:
    from chartabstract.nlp.mention_dates import NoteDates


def _indent_at(text: str, line_start: int) -> int:
    return len(text[line_start:]) - len(text[line_start:].lstrip(" \t"))


# "  D1 10/30: ... given", "  C1D1 = 03/02 ...", "  Bag 1 hung 30-MAR-2020 at 11:05", and a dosing summary's
# "  C1: 30-MAR-2020 -> 27-APR-2020" (a first cycle's row that gives its span)
_FIRST_DAY_ROW = re.compile(
    r"[ \t]+(?:(?:C1\s*)?D(?:ay)?\s*1\b\s*[:=-]?\s*|(?P<bag>(?:first\s+bag|bag\s*(?:#|no\.?)?\s*1)\s+(?:hung|started|connected|begun)\s+(?:on\s+)?)"
    r"|(?P<cycle>(?:C|cycle\s*)1\s*[:=-]\s*))",
    re.IGNORECASE,
)
_SPAN_AFTER = re.compile(r"\s*(?:->|→|-|–|to|until|through)\s*\d")
_ROW_GIVEN = re.compile(r"\b(?:given|administered|administration|infused|verified\s+and\s+given|documented\s+given|hung)\b", re.IGNORECASE)
_ROW_NOT_GIVEN = re.compile(r"\b(?:not\s+given|held|cancel+ed|omitted|refused|pending|planned|scheduled|due|to\s+be\s+given)\b", re.IGNORECASE)


def first_dose_row_below(ent: Span, dates: NoteDates) -> DateMention | None:
    """The date of a given first dose written on the indented row under a regimen line: in
    "Regimen: inotuzumab - cycle 1" then "  D1 10/30: 0.8 mg/m2 ... administration documented",
    the drug's line names the course and its first row dates and records the first dose. A row
    that is pending, held or planned records no administration."""
    text = doc_text(ent.doc)
    line_end = text.find("\n", ent.end_char)
    if line_end < 0 or text.rfind("\n", 0, ent.start_char) + 1 > ent.start_char:
        return None
    row_end = text.find("\n", line_end + 1)
    row_end = len(text) if row_end < 0 else row_end
    row = text[line_end + 1 : row_end]
    label = _FIRST_DAY_ROW.match(row)
    if label is None or _indent_at(text, line_end + 1) <= _indent_at(text, text.rfind("\n", 0, ent.start_char) + 1):
        return None
    found = [d for d in dates.starting_in(line_end + 1 + label.end(), line_end + 1 + label.end() + 1) if d.resolved.value]
    if not found or _ROW_NOT_GIVEN.search(row):
        return None
    given = label.group("bag") or _ROW_GIVEN.search(row) or (label.group("cycle") and _SPAN_AFTER.match(text, found[0].end))
    return found[0] if given else None


# an administration table's row that starts the drug: "04/02/2018 10:25  New bag hung / infusion STARTED ... C1D1"
_STARTED_ROW = re.compile(r"\b(?:started|starts|initiated|begun|commenced|(?:new\s+|first\s+)?bag\s+hung|C1\s*D1)\b", re.IGNORECASE)
_TABLE_LINES = 12  # rows of a table under the drug's heading line that may hold its first dose
_RULE_OR_HEADER = re.compile(r"^[\s=_|+-]*$|^[\s|]*[A-Za-z][A-Za-z /|()#.-]*$")


def first_started_row_in_table(ent: Span, dates: NoteDates, note_type: str) -> DateMention | None:
    """In an administration record, the first dated row under the drug's own heading line that
    starts it: "BLINATUMOMAB (BLINCYTO) CONTINUOUS IV INFUSION - order #88102774" over a table whose
    row "04/02/2018 10:25  New bag hung / infusion STARTED ... C1D1" names no drug. Rule lines and
    column headers are passed over; a blank line or a heading of another table ends the search."""
    if not re.search(r"\bmar\b|administration|infusion|medication", note_type, re.IGNORECASE):
        return None
    text = doc_text(ent.doc)
    line_start = text.rfind("\n", 0, ent.start_char) + 1
    line_end = text.find("\n", ent.end_char)
    if line_end < 0 or dates.starting_in(line_start, line_end):
        return None  # the heading carries a date of its own, or nothing is under it
    position = line_end + 1
    for _ in range(_TABLE_LINES):
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        row = text[position:end]
        if not row.strip():
            return None
        on_row = [d for d in dates.starting_in(position, end) if d.resolved.value and d.resolved.precision == "day"]
        if on_row and not text[position:on_row[0].start].strip():
            if _STARTED_ROW.search(row) and not _ROW_NOT_GIVEN.search(row):
                return on_row[0]
        elif not on_row and not _RULE_OR_HEADER.match(row) and not row.startswith((" ", "\t")):
            return None  # a line of prose or another heading: the table has ended
        position = end + 1
        if position >= len(text):
            return None
    return None


# "MRD+ CR after inotuzumab (11/27/2018)", "remission following blina (3/2019)": the drug is what
# the outcome came after; the date written beside the drug is the outcome's
# ("wznowa po allo-HSCT (14.02.2022)", "rechute après allogreffe (...)": the same in the site's language)
_OUTCOME_AFTER = re.compile(
    r"\b(?:CR\d?|CRi|CRh|remission|response|responded|MRD\S*|relapsed?|relapsing|progress(?:ed|ion)?|wznow[ay]|rechute|recidiva|reca[ií]da|rezidiv)\s+"
    r"(?:[\w,]+\s+){0,3}?(?:after|following|post|po|après|apres|dopo|tras|despu[ée]s\s+de|nach)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)


def outcome_after_drug(
    date: tuple[DateMention | None, str], ent: Span
) -> tuple[DateMention | None, str]:
    """A drug written as what an outcome came after takes no date from beside it: the date is
    the outcome's. An explicit start ("after blina started 3/4") still dates the drug."""
    chosen = date[0]
    if chosen is None or date[1] != "mention" or chosen.start < ent.end_char:
        return date
    text = doc_text(ent.doc)
    line_start = text.rfind("\n", 0, ent.start_char) + 1
    outcome = _OUTCOME_AFTER.search(text, max(line_start, ent.start_char - 60), ent.start_char)
    if not outcome or _INTERVAL.search(outcome.group(0)):
        return date  # "relapse 10 mo after haplo alloHCT (11/02/2019)": counted from the dated treatment
    if _OWN_COURSE.search(text, ent.end_char, min(len(text), chosen.end + 12)) or _RANGE_AFTER.match(text, chosen.end):
        return date  # "after InO (started 3/3)", "after InO (3/3/2022 start)", "after blina (C1 7.3.-3.4.2022)"
    return None, "note"


_INTERVAL = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:d|days?|wk|wks|weeks?|mo|mos|months?|y|yrs?|years?|miesi\w*|lat|dni)\b", re.IGNORECASE)


# the parenthesis dates the course itself: a start, a cycle label, a count of cycles
_OWN_COURSE = re.compile(r"\b(?:start(?:ed)?|initiated|began|begun|commenced|C\d{1,2}(?:\s*D\d{1,2})?|cycles?|x\s?\d|day\s*0|D\s?0|dzie[nń]\s+0|tag\s+0|J0|infused|infusion|transplanted|given|received)\b", re.IGNORECASE)
_RANGE_AFTER = re.compile(r"\s*(?:-|–|—|to|until|through)\s*\d")


# "After discussion at our MDT on 6th January, we started blinatumomab", "as decided in the tumour
# board of 13.05.2021", "(MDT 05.03.2021)", "Tumorkonferenz 25.01.2023:": the date is the meeting's
_MEETING = r"MDT|MDM|MDC|RCP|meeting|conference|konferenz|tumou?r\s*board|tumou?rkonferenz|board|committee|comit[ée]|comitato|council"
MEETING_BEFORE = re.compile(
    rf"\b(?:(?:{_MEETING}|discussion|clinic|consultation|consent(?:ed)?|review(?:ed)?|seen)\s+(?:held\s+)?(?:on|of|dated)\s+(?:the\s+)?"
    rf"|(?:{_MEETING})[\s:,-]*)$",
    re.IGNORECASE,
)


def meeting_date(date: tuple[DateMention | None, str], ent: Span) -> tuple[DateMention | None, str]:
    """A date that dates a meeting, a consultation or a review is when the drug was decided, not
    given: the drug keeps no date from it (its start is written elsewhere, or is not known here)."""
    chosen = date[0]
    if chosen is None or date[1] != "mention":
        return date
    text = doc_text(ent.doc)
    if MEETING_BEFORE.search(text, max(0, chosen.start - 40), chosen.start) is None:
        return date
    return None, "none"
