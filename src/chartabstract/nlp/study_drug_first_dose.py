"""A trial's drug accountability line: "Date of first dose of study drug: 14-MAR-2022", and a
drug form's start field ("Start: 2021-06-21 1400" in a pharmacy verification of one drug).

A research coordinator records the first administration against the protocol, not the drug:
the accountability line says "study drug" (or "investigational product", "IP") and the drug is
named elsewhere in the note ("Drug: inotuzumab ozogamicin ...", "assigned: blinatumomab",
"Protocol X (inotuzumab ... )"). The line is the start of that drug's first course on the written
day. The drug it refers to is the one named on the line itself, else on the lines just under it
(the log's "Drug:" row), else the only study drug the note names without denying or dating it to
the past; when the note leaves it open (two drugs, none on the line) nothing is read. A day unit's
"Today C1D1: ... 1,52 mg IV" line that names no drug is the first dose of the one drug the note
gives or decides (any other it names only as refused or planned), on the line's day or the note's;
so is a sentence of its own that opens with the label and its day after the one drug its line names as
given ("Blinatumomab C1: 9 mcg/d D1-7. C1D1 02AUG2021 (inpt 4W).") in any note.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from chartabstract.evidence import DAY_UNIT_TYPE
from chartabstract.models import DateMention, Mention, Note
from chartabstract.nlp.mention_dates import NoteDates
from chartabstract.normalize.dates import find_dates

RULE_ID = "study_drug_first_dose"
START_FIELD_RULE_ID = "drug_form_start_field"
FIRST_DAY_LINE_RULE_ID = "unnamed_first_day_line"

# "Date of first dose of study drug:", "First dose of investigational product (IP) date -",
# "Study drug start date:", "Date of first study drug administration:", "C1D1 dose date of study drug"
_FIRST_DOSE = re.compile(
    r"\b(?:(?:date\s+of\s+)?first\s+(?:dose|administration|infusion)\s+(?:date\s+)?of\s+(?:the\s+)?"
    r"|(?:date\s+of\s+)?first\s+)?"
    r"(?:study\s+(?:drug|medication|treatment|agent)|investigational\s+(?:product|agent|drug)(?:\s*\(IP\))?|\bIP\b)"
    r"(?:\s+(?:first\s+dose|start|initiation|administration)\s*(?:date)?|\s+(?:dose|administration)\s+date)?",
    re.IGNORECASE,
)
_NEEDS_FIRST = re.compile(r"first|start|initiation", re.IGNORECASE)
# a form's start field opening its line: "Start: 2021-06-21 1400", "Start date/time: 6/21/21 14:00",
# "Infusion start: ..."; it dates the one drug the form is about, as given, never a plan
_START_FIELD = re.compile(r"(?m)^[ \t]*(?:infusion\s+|actual\s+|administration\s+)?start(?:ed)?(?:\s+(?:date|time|date\s*/\s*time))?[ \t]*:", re.IGNORECASE)
_LINES_BELOW = 3  # rows of a drug log under its first-dose line that may name the drug
# a day unit's own record of the first dose, on a line that names no drug: "Today C1D1: BSA 1,90 ->
# 0,8 mg/m2 = 1,52 mg IV 60 min." under "Decision in committee: INOTUZUMAB OZOGAMICIN"
_FIRST_DAY_LINE = re.compile(
    r"(?m)^[ \t]*(?:[-*•][ \t]*)?(?:today[ \t]*[:,-]?[ \t]*)?(?:C1[ \t]*D1|cycle[ \t]*1[ \t]*,?[ \t]*day[ \t]*1)\b(?=[^\n]*\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg)\b)",
    re.IGNORECASE,
)
# a first-day label opening a sentence of its own with its day right after it, the drug named only in
# the sentence before: "Blinatumomab C1: 9 mcg/d D1-7, 28 mcg/d D8-28. C1D1 02AUG2021 (inpt 4W)."
_DATED_FIRST_DAY = re.compile(
    r"(?:^|(?<=[.;]))[ \t]*(?:C1[ \t]*D1|cycle[ \t]*1[ \t]*,?[ \t]*day[ \t]*1)\b[ \t]*[:=-]?[ \t]*(?:on[ \t]+)?(?=\d|[A-Za-z]{3})",
    re.IGNORECASE | re.MULTILINE,
)
_DAY_RIGHT_AFTER = 3  # characters from the label to its day
_NOT_YET = re.compile(r"\b(?:not\s+given|held|cancel+ed|postponed|deferred|planned|scheduled|due|pending|will|to\s+be)\b", re.IGNORECASE)
_ADMINISTRATION_NOTE = re.compile(r"infusion|\bmar\b|administration", re.IGNORECASE)


def study_drug_first_doses(mentions: Sequence[Mention], note: Note, drugs: Sequence[str], *, dayfirst: bool = False) -> list[Mention]:
    """The mentions plus one start mention per first-dose-of-study-drug line whose drug the note names.

    The line is read in the note's own text: a drug log paragraph names no target of its own, so
    the prefilter may have blanked it in the text the pipeline saw.

    Args:
        mentions: the note's mentions (offsets into the note's own text).
        note: the note.
        drugs: the treatment concepts a study drug may be.
        dayfirst: the chart writes the day before the month.
    """
    text = note.text
    lines = [found for found in _FIRST_DOSE.finditer(text) if _NEEDS_FIRST.search(found.group(0))]
    fields = [found for found in _START_FIELD.finditer(text)] if _about_one_given_drug(mentions, drugs) else []
    day_lines = [found for found in _FIRST_DAY_LINE.finditer(text) if not _NOT_YET.search(text, found.start(), _line_end(text, found.end()))
                 and not any(found.start() <= m.start < _line_end(text, found.end()) for m in mentions)] if (
        (_ADMINISTRATION_NOTE.search(note.note_type) or DAY_UNIT_TYPE.search(note.note_type)) and _one_drug_given(mentions, drugs)) else []
    # each dated first-day label with the drug its line names before it (None: not this drug's line)
    dated_drugs = {found.start(): _drug_before_on_line(mentions, drugs, text, found.start()) for found in _DATED_FIRST_DAY.finditer(text)}
    dated_days = [found for found in _DATED_FIRST_DAY.finditer(text) if dated_drugs[found.start()] is not None
                  and not _NOT_YET.search(text, found.start(), _sentence_end(text, found.end()))
                  and not any(found.start() <= m.start < _sentence_end(text, found.end()) for m in mentions)]
    lines = sorted([*lines, *fields, *day_lines[:1], *dated_days[:1]], key=lambda found: found.start())
    if not lines:  # "study drug held", "IP returned": no first dose
        return list(mentions)
    dates = NoteDates(find_dates(text, note.note_date, dayfirst=dayfirst, order_from=text, chart_order=note.chart_date_order, year_first=note.chart_year_first))
    added: list[Mention] = []
    for found in lines:
        line_start = text.rfind("\n", 0, found.start()) + 1
        line_end = _line_end(text, found.end())
        day = next((d for d in dates.starting_in(found.end(), line_end) if d.resolved.value and d.resolved.precision == "day"), None)
        if found.re is _DATED_FIRST_DAY and (day is None or day.start > found.end() + _DAY_RIGHT_AFTER):
            continue  # "C1D1 (inpt 4W)": no day of its own
        if found.re is _DATED_FIRST_DAY:
            added.append(_started(dated_drugs[found.start()], note, found, line_start, line_end, day))
            continue
        if found.re is _FIRST_DAY_LINE:
            drug = next(m for m in mentions if m.concept in drugs and _given(m))
            added.append(_started(drug, note, found, line_start, line_end, day))
            continue
        if day is None or (found.re is _START_FIELD and (day.resolved.value > note.note_date or day.start > found.end() + 3)):
            continue  # a start field holds its date right after the label, on or before the form's day
        drug = _study_drug(mentions, drugs, (line_start, line_end), _lines_end(text, line_end, _LINES_BELOW))
        if drug is None:
            continue
        start, end = found.start(), found.end()
        added.append(replace(
            drug, mention_id=f"{note.note_id}:{start}-{end}", start=start, end=end, text=text[start:end],
            snippet=text[line_start:line_end].strip(),
            rule_id=START_FIELD_RULE_ID if found.re is _START_FIELD else RULE_ID, negated=False, hypothetical=False, historical=False, family=False, uncertain=False,
            date=day.resolved.value, date_precision=day.resolved.precision, date_source=day.resolved.reported_source,
            date_text=day.text, date_from="mention", date_anchor="", date_offset_days=None,
            value="start", unit="", cycle=1, modifiers=(f"EVENT_START:{found.group(0)}",),
        ))
    return [*mentions, *added]


def _given(mention: Mention) -> bool:
    return not (mention.negated or mention.hypothetical or mention.historical or mention.family)


def _drug_before_on_line(mentions: Sequence[Mention], drugs: Sequence[str], text: str, position: int) -> Mention | None:
    """The one drug named on the label's line before it, named as given ("Blinatumomab C1: 9 mcg/d
    D1-7. C1D1 02AUG2021"), or None when the line names none, two, or one not given."""
    line_start = text.rfind("\n", 0, position) + 1
    before = [m for m in mentions if m.concept in drugs and line_start <= m.start < position and not m.family]
    if len({m.concept for m in before}) != 1 or not all(_given(m) for m in before):
        return None
    return before[-1]


def _one_drug_given(mentions: Sequence[Mention], drugs: Sequence[str]) -> bool:
    """The note names one drug as given or decided; any other only as refused, planned or past."""
    return len({m.concept for m in mentions if m.concept in drugs and _given(m)}) == 1


def _started(drug: Mention, note: Note, found: re.Match[str], line_start: int, line_end: int, day: DateMention | None) -> Mention:
    """The drug's start read from a first-dose line that does not name it: the line's own day, else the note's."""
    text = note.text
    dated = dict(date=day.resolved.value, date_precision=day.resolved.precision, date_source=day.resolved.reported_source,
                 date_text=day.text, date_from="mention") if day else dict(
                 date=note.note_date, date_precision="day", date_source="note_date", date_text="", date_from="note")
    return replace(
        drug, mention_id=f"{note.note_id}:{found.start()}-{found.end()}", start=found.start(), end=found.end(), text=text[found.start():found.end()].strip(),
        snippet=text[line_start:line_end].strip(), rule_id=FIRST_DAY_LINE_RULE_ID, negated=False, hypothetical=False, historical=False,
        family=False, uncertain=False, date_anchor="", date_offset_days=None, value="start", unit="", cycle=1,
        modifiers=(f"EVENT_START:{found.group(0).strip()}",), **dated,
    )


def _about_one_given_drug(mentions: Sequence[Mention], drugs: Sequence[str]) -> bool:
    """The note names one drug, and never as a plan, a refusal or the past: a start field there is its."""
    named = [m for m in mentions if m.concept in drugs and not m.family]
    return len({m.concept for m in named}) == 1 and not any(m.negated or m.hypothetical or m.historical for m in named)


def _study_drug(mentions: Sequence[Mention], drugs: Sequence[str], line: tuple[int, int], below_end: int) -> Mention | None:
    """The mention naming the drug the line's "study drug" means, or None when the note leaves it open."""
    named = [m for m in mentions if m.concept in drugs and not m.negated and not m.family]
    for window in ((line[0], line[1]), (line[1], below_end)):
        inside = [m for m in named if window[0] <= m.start < window[1] and not m.historical]
        if len({m.concept for m in inside}) == 1:
            return inside[0]
        if inside:
            return None
    current = [m for m in named if not m.historical]
    if len({m.concept for m in current}) == 1:
        return current[0]
    return None


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end < 0 else end


_SENTENCE_BREAK = re.compile(r"[.;](?:\s|$)|\n")


def _sentence_end(text: str, position: int) -> int:
    found = _SENTENCE_BREAK.search(text, position)
    return found.start() if found else len(text)


def _lines_end(text: str, position: int, count: int) -> int:
    for _ in range(count):
        if position >= len(text):
            break
        position = _line_end(text, position + 1)
    return position
