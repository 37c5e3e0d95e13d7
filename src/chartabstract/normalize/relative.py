"""Relative dates: offsets from the note date ("2 weeks ago") or a treatment event ("Day +30", "C2D8")."""

from __future__ import annotations

import re
from datetime import date

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from chartabstract.models import DatePrecision, ResolvedDate
from chartabstract.normalize.plausible import shift

Candidate = tuple[int, int, ResolvedDate]

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_NUM = r"(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNIT = r"(?P<unit>days?|d|wks?|weeks?|mos?|months?|yrs?|years?)"

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Cheap guards: substrings (on lowercased text) without which a family cannot match.
_DAY_WORD_GUARD = ("today", "tonight", "tomorrow", "yesterday", "morning", "afternoon", "evening", "night")
_UNIT_GUARD = ("day", "wk", "week", "mo", "yr", "year", "d ")

# "2 days ago", "x2 days ago" (clinical shorthand), "two weeks from now"
_COUNT_AGO = re.compile(
    rf"(?<![\w/])(?:x\s?)?{_NUM}\s*-?\s*{_UNIT}\s+(?P<dir>ago|from\s+now)\b"
)
# "in 3 days", "in two weeks": always forward from the note. "in 2019" is a year (dates.py).
_IN_COUNT = re.compile(rf"\bin\s+(?:about\s+|approximately\s+|~\s*)?{_NUM}\s*-?\s*{_UNIT}\b")
# "last week", "next month", "this year". "past week" is left out: it names a period
# ("over the past week"), not a point in time; so do "for the next week", "over the last year".
_LAST_NEXT = re.compile(
    r"(?<!the )\b(?:(?P<dir>last|next)\s+(?P<unit>week|month|year)|this\s+(?P<this>month|year))\b"
)
# "last Tuesday", "this past Monday", "next Friday": the nearest such weekday before (after) the note's day
_WEEKDAY = re.compile(
    r"\b(?P<dir>last|this\s+past|past|next)\s+(?P<day>mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b"
)
_WEEKDAYS = {"mon": MO, "tue": TU, "wed": WE, "thu": TH, "fri": FR, "sat": SA, "sun": SU}
_DAY_WORDS = re.compile(
    r"\b(?:(?P<before>(?:the\s+)?day\s+before\s+yesterday)|(?P<after>(?:the\s+)?day\s+after\s+tomorrow)"
    r"|(?P<today>(?:earlier|later)\s+today|today|tonight|this\s+(?:morning|afternoon|evening))"
    r"|(?P<yesterday>yesterday|last\s+night)|(?P<tomorrow>tomorrow))\b"
)

# Event-relative days. "C2D8", "C2 D8", "cycle 2 day 8", "Cycle 2, Day 8".
_CYCLE_DAY = re.compile(
    r"(?<![\w/])(?:c|cycle\s*#?\s*|cyc\.?\s*)(?P<c>\d{1,2})\s*,?\s*(?:d|day\s*)(?P<d>\d{1,2})(?![\d\-–])"
)
# "day 8 of cycle 2"
_DAY_OF_CYCLE = re.compile(
    r"(?<![\w/])(?:day|d)\s*(?P<d>\d{1,2})\s+of\s+(?:cycle\s*#?\s*|c)(?P<c>\d{1,2})(?!\d)"
)
_TRANSPLANT = (
    r"(?:transplant|tx|allo[\s\-]?hsct|hsct|allo[\s\-]?sct|sct|bmt|car[\s\-]?t(?:[\s\-]cells?)?"
    r"|(?:cell\s+)?infusion)"
)
# "Day +30", "Day+30", "day 30", "Day -7", "D+100", "D +100", "D0", with optional
# "post-transplant" before or "post HSCT" after. A bare "D5" is not accepted: "D5" is
# dextrose ("D5 1/2NS"), so "D" needs a sign or the lone 0 of "D0" ("D05", "D01" are codes or
# names: "Mr D05's marrow").
_DAY0 = re.compile(
    rf"(?<![\w/])(?P<pre>post[\s\-]?{_TRANSPLANT}\s+)?"
    r"(?:day\s*(?P<s1>[+\-−–])?\s*|d(?:(?P<s2>[+\-−–])\s*|\s(?P<s3>[+\-−–])\s*|(?=0(?!\d))))"
    rf"(?P<n>\d{{1,3}})(?![\d%]|[.,/:]\d|\s*[\-–]\s*\d)(?P<post>\s+(?:post|after|s/p)[\s\-]?{_TRANSPLANT})?"
)
# Unsigned "day N" after these words counts days of something else (hospital day 3,
# POD 2, antibiotic day 5, "twice a day 3 ..."), not days from a transplant or infusion.
_NOT_DAY0_BEFORE = re.compile(
    r"(?:\b(?:hospital|hosp|hd|icu|pod|op|postop|post-op|postoperative|illness|admission|life|dol"
    r"|vent|antibiotics?|abx|fever|a|per|each|every|same|next|first|last|one|this|that)|#)\s*$"
)
# "day 5 of antibiotics", "day 1 of admission": counted from something other than Day 0.
_OF_OTHER = re.compile(r"\s+of\s+(?!cycle|c\d)")


def lowered(text: str) -> str:
    """Lowercase text without changing its length, so offsets into it are offsets into text.

    Matching lowercase patterns on lowercased text is several times faster than re.I.
    """
    low = text.lower()
    return low if len(low) == len(text) else text.translate(_ASCII_LOWER)  # "İ" lowercases to 2 chars


def _count(word: str) -> int:
    """A count written as digits or as one of the words a, an, one..twelve."""
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


def _shift(note_date: date, n: int, unit: str) -> ResolvedDate:
    """Move n units from the note date, at the precision the unit supports.

    "3 months ago" only says which month, so it resolves to the first of that month with
    month precision; years likewise resolve to 1 January with year precision. A result off
    the calendar (9999-12-31 "in 2 weeks") is no date.
    """
    u = unit.lower()
    if u.startswith("d"):
        return _resolved(note_date, relativedelta(days=n), "day")
    if u.startswith("w"):
        return _resolved(note_date, relativedelta(weeks=n), "day")
    if u.startswith("m"):
        return _resolved(note_date, relativedelta(months=n, day=1), "month")
    return _resolved(note_date, relativedelta(years=n, month=1, day=1), "year")


def _resolved(note_date: date, delta: relativedelta, precision: DatePrecision) -> ResolvedDate:
    value = shift(note_date, delta)
    if value is None:
        return ResolvedDate(None, None, "none", invalid=True)
    return ResolvedDate(value, precision, "relative_to_note")


def find_note_relative(text: str, note_date: date) -> list[Candidate]:
    """Phrases resolved against the note date: today, yesterday, 2 weeks ago, next month."""
    low = lowered(text)
    out: list[Candidate] = []
    has_unit = any(word in low for word in _UNIT_GUARD)
    if has_unit and ("ago" in low or "from now" in low):
        for m in _COUNT_AGO.finditer(low):
            sign = -1 if m["dir"] == "ago" else 1
            out.append((m.start(), m.end(), _shift(note_date, sign * _count(m["n"]), m["unit"])))
    if has_unit and "in " in low:
        for m in _IN_COUNT.finditer(low):
            out.append((m.start(), m.end(), _shift(note_date, _count(m["n"]), m["unit"])))
    if "last " in low or "next " in low or "this " in low:
        for m in _LAST_NEXT.finditer(low):
            # "last week" is a day (note - 7): a week is short enough to be a usable point.
            sign = 0 if m["this"] else -1 if m["dir"] == "last" else 1
            out.append((m.start(), m.end(), _shift(note_date, sign, m["unit"] or m["this"])))
    if "last " in low or "past " in low or "next " in low:
        for m in _WEEKDAY.finditer(low):
            weekday = _WEEKDAYS[m["day"][:3]]
            delta = relativedelta(days=1, weekday=weekday(+1)) if m["dir"] == "next" else relativedelta(days=-1, weekday=weekday(-1))
            out.append((m.start(), m.end(), _resolved(note_date, delta, "day")))
    if any(word in low for word in _DAY_WORD_GUARD):
        for m in _DAY_WORDS.finditer(low):
            days = (
                -2 if m["before"] else 2 if m["after"] else -1 if m["yesterday"]
                else 1 if m["tomorrow"] else 0
            )  # fmt: skip
            out.append((m.start(), m.end(), _resolved(note_date, relativedelta(days=days), "day")))
    return out


def _event(anchor: str, offset: int) -> ResolvedDate:
    return ResolvedDate(None, "day", "relative_to_event", anchor=anchor, offset_days=offset)


def find_event_relative(text: str) -> list[Candidate]:
    """Days counted from Day 0 (transplant, CAR-T infusion) or from the start of a cycle.

    The value stays None: only the timeline knows when Day 0 or cycle N day 1 was.
    """
    low = lowered(text)
    out: list[Candidate] = []
    if "d" not in low:  # every form has a "d" (D8, day 8)
        return out
    if "c" in low:
        for pattern in (_CYCLE_DAY, _DAY_OF_CYCLE):
            for m in pattern.finditer(low):
                cycle, day = int(m["c"]), int(m["d"])
                if cycle >= 1 and day >= 1:  # C2D8 is 7 days after C2D1
                    out.append((m.start(), m.end(), _event(f"cycle:{cycle}", day - 1)))
    for m in _DAY0.finditer(low):
        sign = m["s1"] or m["s2"] or m["s3"]
        if not sign and not (m["pre"] or m["post"]):
            if _NOT_DAY0_BEFORE.search(low, max(0, m.start() - 25), m.start()):
                continue
            if _OF_OTHER.match(low, m.end()):
                continue
        n = int(m["n"])
        out.append((m.start(), m.end(), _event("day0", n if sign in (None, "+") else -n)))
    return out
