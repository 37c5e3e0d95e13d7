"""The procedure (collection) date a pathology or flow report writes in its header.

A marrow report is filed under its sign-out date, a day or two after the aspirate was taken, and
its header says when the specimen was collected ("Collected: 03/04/2021 08:10   Signed out:
03/05/2021", "Procedure date: ...", "Date of procedure: ..."). The results in its body are the
specimen's, so a result that writes no date of its own is dated by the collection, not by the
sign-out: a relapse is dated by the marrow that showed it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from chartabstract.evidence import REPORT_TYPES
from chartabstract.models import DateMention, Note
from chartabstract.normalize.dates import find_dates

_HEADER_CHARS = 800  # the header block: accession, patient and dates come before the diagnosis
_MAX_DAYS_BEFORE_SIGN_OUT = 14  # a "procedure" date weeks before the report is a history date
_LABEL = re.compile(
    r"\b(?:collect(?:ed|ion)(?:\s+date)?|procedure(?:\s+date)?|date\s+of\s+(?:procedure|collection|aspiration|biopsy)|"
    r"specimen\s+(?:date|collected|obtained)|(?:aspirate|aspiration|biopsy)\s+date|date\s+(?:collected|obtained))"
    r"\s*(?:[:=-]\s*|on\s+)?$",
    re.IGNORECASE,
)


def is_report(note: Note) -> bool:
    note_type = note.note_type.lower()
    return any(word in note_type for word in REPORT_TYPES)


def specimen_date(note: Note, *, dayfirst: bool = False) -> DateMention | None:
    """The collection date of a report's specimen, from a labelled date in its header; None
    when the note is no report or writes none (its results then take the note's date). Read from
    the note's own text: the prefilter blanks a header that names no study concept."""
    if not is_report(note):
        return None
    header = note.text[:_HEADER_CHARS]
    for found in find_dates(header, note.note_date, dayfirst=dayfirst, order_from=note.text):
        value = found.resolved.value
        if value is None or found.resolved.precision != "day":
            continue
        if not _LABEL.search(header, max(0, found.start - 30), found.start):
            continue
        if value <= note.note_date and note.note_date - value <= timedelta(days=_MAX_DAYS_BEFORE_SIGN_OUT):
            return found
    return None
