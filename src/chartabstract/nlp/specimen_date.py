"""The day a report's specimen was taken, from its header ("Entnahme 10.05.2022  Befund 11.05.2022").

A pathology or laboratory report is often filed on its sign-out day, a day or more after the marrow
was aspirated; its results belong to the puncture, which the header names beside a collection label.
A result keeps its note's date as a mention (the annotation convention) and carries the sample's
day as an offset (``models.SAMPLE_ANCHOR``), which the timeline applies when it dates the marrow.
"""

from __future__ import annotations

import re

from chartabstract.evidence import REPORT_TYPES
from chartabstract.models import DateMention, Note
from chartabstract.normalize.dates import find_dates

# labels of the sampling day, as report headers write them (English, German, French, Dutch, Spanish)
_COLLECTION_LABEL = re.compile(
    r"\b(?:collected|date\s+(?:of\s+)?(?:collection|sampling|aspirat\w*|puncture|procedure)"
    r"|(?:collection|sampling|sample|specimen|puncture|aspiration|biopsy|procedure)\s+date"
    r"|specimen\s+(?:collected|taken)|sample\s+(?:collected|taken)|sampled|collection|procedure"
    # "BMA: 10/01/2022   Reported: 11/01/2022", "BMA date: 18/06/2021", and without its colon in a
    # header line that goes on to the report's own day ("BMA 15/06/2023   Reported 16/06/2023"): the
    # aspirate's own day (a progress note's "BMA 4/2: 35% blasts" is no header)
    r"|(?:BMA|BMAT|BMBx|BM\s+aspirate|marrow\s+aspirate)(?:\s+date)?"
    r"(?=\s*:\s*\d|\s+\d[\d/.\-]*\d[ \t]+(?:reported|signed(?:\s+out)?|received|authori[sz]ed|verified|issued)\b)"
    r"|entnahme(?:datum)?|abnahme(?:datum)?|punktion(?:sdatum)?|entnommen(?:\s+am)?"
    # "Material: KM-Aspirat (Beckenkamm re.) vom 12.11.2020", "Specimen: marrow aspirate taken 3/4/2021":
    # the material named, then the day it was taken
    r"|(?:material|specimen|sample|probe)\s*:[^\n:]{0,60}?\b(?:vom|from|dated|taken(?:\s+on)?|collected(?:\s+on)?|entnommen(?:\s+am)?)"
    r"|pr[ée]l[èe]vement|afname(?:datum)?|fecha\s+de\s+(?:toma|extracci[óo]n)"
    # "Sample: bone marrow 29/03/2021", "Muestra: médula ósea 29/03/2021": the specimen named before its day
    r"|(?:sample|specimen|muestra)\s*:\s*(?:bone\s+marrow(?:\s+aspirate)?|marrow(?:\s+aspirate)?|peripheral\s+blood"
    r"|m[ée]dula\s+[óo]sea|sangre\s+perif[ée]rica|aspirate))\b\s*(?:on|am|le|:|-|,)?\s*",
    re.IGNORECASE,
)
_HEADER_LINES = 8  # a note's header: the label is on one of its first lines, above the findings
_REPORT_HEADER_LINES = 24  # a marrow or flow report's: a lab and patient block, or an exchanged result's HL7 segments, may come first
# a sample is signed out within days or weeks; a collection date after the report, or long before
# it, is a slip of the header ("04/03/2019 [corrected: ...]") and dates nothing
_SIGN_OUT_DAYS = 31


def specimen_date(note: Note, *, dayfirst: bool) -> DateMention | None:
    """The collection date a report's header gives, or None when the header names none.

    Read from the note's own text: the prefilter blanks a header that holds no target.

    Args:
        note: the report.
        dayfirst: how the note's numeric dates read.

    Returns:
        The calendar date, to the day, that directly follows a collection label on one of the
        first lines.
    """
    header_end = 0
    report = any(kind in note.note_type.lower() for kind in REPORT_TYPES)
    for _ in range(_REPORT_HEADER_LINES if report else _HEADER_LINES):
        header_end = note.text.find("\n", header_end + 1)
        if header_end < 0:
            header_end = len(note.text)
            break
    header = note.text[:header_end]
    labels = list(_COLLECTION_LABEL.finditer(header))
    if not labels:
        return None
    dates = find_dates(header, note.note_date, dayfirst=dayfirst, order_from=note.text, chart_order=note.chart_date_order, year_first=note.chart_year_first)
    for label in labels:
        for found in dates:
            if found.start == label.end() and found.resolved.value is not None and found.resolved.precision == "day":
                return found if 0 <= (note.note_date - found.resolved.value).days <= _SIGN_OUT_DAYS else None
    return None
