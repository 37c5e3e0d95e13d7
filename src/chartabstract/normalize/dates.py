"""Find date expressions in note text and resolve them against the note date.

Regexes find candidates; ``datetime.date`` validates the calendar (so "02/30/2019" can never
become a date) and ``dateutil.relativedelta`` does the arithmetic. Every result says how much
the text actually said (``precision``) and where the year or day came from (``source``).
A date before 1900 or more than five years after its note is refused like an impossible one
(``plausible.py`` holds the range).
Phrases relative to the note or to a treatment event live in ``relative.py``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace
from datetime import date

from dateutil.relativedelta import relativedelta

from chartabstract.models import DateMention, OrderGuess, ResolvedDate
from chartabstract.normalize import shorthand
from chartabstract.normalize.ocr_digits import repair_date_digits
from chartabstract.normalize.plausible import plausible_in_text, shift
from chartabstract.normalize.relative import Candidate, find_event_relative, find_note_relative, lowered
from chartabstract.normalize.shorthand import DASH
from chartabstract.normalize.year_first import year_first_dates

__all__ = ["find_dates", "normalize_date"]

_INVALID = ResolvedDate(None, None, "none", invalid=True)
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
    "mrt": 3, "maa": 3, "mei": 5, "okt": 10,  # Dutch
}  # fmt: skip
_SEASON_MONTH = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}

# Cheap guards, so that most sentences never reach the expensive patterns below. All
# patterns run on lowercased text (see relative.lowered): several times faster than re.I.
_DIGIT = re.compile(r"\d")
_WORD_GUARD = re.compile(
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mrt|mei|okt|spring|summer|fall|autumn|winter"
    r"|today|tonight|tomorrow|yesterday|morning|afternoon|evening|night|day|week|month|year|ago"
)
_SEASONS = ("spring", "summer", "fall", "autumn", "winter")

_MON = (
    r"(?<![a-z])(?P<mon>jan(?:uary|uari)?|feb(?:ruary|ruari)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
    r"|aug(?:ust(?:us)?)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    # Dutch: "12 mrt 2022", "dag 0 mei 2019", "okt 2021", "juni", "juli"
    r"|maart|mrt|mei|juni|juli|okt(?:ober)?)(?![a-z])"
)
_MONTH_GUARD = re.compile(_MON)  # a whole month word: "summary" and "decreased" do not pass
# Days as digits ("4th") or as dictated words ("the fourth of March", "June twenty-first").
_ORDINAL_DAYS = {
    word: number for number, word in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(), start=1)
}
_ORDINAL_DAYS |= {f"twenty{sep}{word}": 20 + n for sep in ("-", " ", "") for word, n in list(_ORDINAL_DAYS.items())[:9]}
_ORDINAL_DAYS |= {"thirtieth": 30, "thirty-first": 31, "thirty first": 31, "thirtyfirst": 31}
_ORDINAL_WORD = "|".join(sorted(map(re.escape, _ORDINAL_DAYS), key=len, reverse=True))
_DAY = r"(?:(?P<d>[0-3]?\d)(?:st|nd|rd|th)?|(?P<dw>" + _ORDINAL_WORD + r")(?![\w-]))"
# A 2-digit year may not be an hour ("Mar 4 10:30"); a 4-digit one may end a header ("9 May 2020: ...").
_YEAR = r"(?P<y>[12]\d{3}(?!\d|:\d)|'?\d{2}(?![\d:]))(?!\.\d)"

# 3/4/19, 03-04-2019, 3.4.2019, 2019-03-04, 2019/03/04, 78-12-22. Field order is decided in code.
_NUM_DATE = re.compile(
    r"(?<![\w/.])(?P<a>\d{1,4})(?P<s>[/.\-])(?P<b>\d{1,2})(?P=s)(?P<c>\d{4}|\d{1,2})(?!\d|(?P=s)\d|\.\d)"
)
# ... but a fraction with an inch mark is a length ("port needle 20g 3/4\"", "3/4 inch"), no date
_MD_SLASH = re.compile(r"(?<![\w/.+,:])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\w/]|[.,]\d|\s?(?:[\"”″]|inch(?:es)?\b))")
# "5/2019", also opening a range "5/2019-7/2019"; "1/2000-3000" is no date.
_MY_NUM = re.compile(
    r"(?<![\w/.+,:])(?P<m>\d{1,2})/(?P<y>(?:19|20)\d{2})(?![\w/]|\.\d|[" + DASH + r"]\d(?!\d?/\d{2,4}))"
)
# the first month of a month range sharing its year: "04-05/2021", "08 - 11/2021"
_MONTH_RANGE_BEFORE = re.compile(r"(?<![\w/.,:\-])(\d{1,2})\s?[" + DASH + r"]\s?$")
_YM_NUM = re.compile(r"(?<![\w/.\-])(?P<y>[12]\d{3})[\-/](?P<m>\d{1,2})(?![\w/\-]|\.\d)")
_MDY = re.compile(
    _MON + r"\.?[\s,/\-.]{0,3}(?:the\s+)?" + _DAY + r"(?:\s*,\s*|\s+|[/\-.])(?:of\s+)?" + _YEAR
)
# a month name with no group, to look ahead for a list's next day ("04-NOV, 11-NOV, 18-NOV-2020")
_MON_AHEAD = r"[\s,/\-.]{0,3}(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)(?![a-z]{0,6}\d)"
_DMY = re.compile(
    r"(?<![\w.,/\-])(?:the\s+)?" + _DAY + r"\.?[\s/\-.]{0,3}(?:of\s+)?" + _MON
    + r"\.?(?:\s+of\s+|[\s,/\-.]{0,3})" + _YEAR + r"(?!" + _MON_AHEAD + r")"
)  # fmt: skip
_YMD_NAME = re.compile(
    r"(?<![\w.,/\-])(?P<y>[12]\d{3}|\d{2})[\s/\-.]{1,2}" + _MON + r"\.?[\s/\-.]{1,2}" + _DAY
    + r"(?![\w:]|\.\d)"
)  # fmt: skip
_MY = re.compile(_MON + r"\.?(?:\s+of\s+|[\s,/\-.]{0,3})(?P<y>[12]\d{3}|'\d{2})(?![\d:]|\.\d)")
_YM_NAME = re.compile(r"(?<![\w.,/\-])(?P<y>[12]\d{3})[\s\-.]?" + _MON)
_MD_NAME = re.compile(_MON + r"\.?[\s/\-.]{0,2}(?:the\s+)?" + _DAY + r"(?![\w:]|[.,/]\d)")
_DM_NAME = re.compile(r"(?<![\w.,/\-])(?:the\s+)?" + _DAY + r"\.?[\s/\-.]{0,3}(?:of\s+)?" + _MON)
# A month name alone is a date only after a cue ("in June", "last June"), and only
# capitalized (checked in code): "may" and "march" are also verbs.
_MONTH_ALONE = re.compile(
    r"\b(?P<cue>in|since|during|until|till|by|from|through|last|this\s+past|early|late|mid"
    r"|(?:end|beginning|start|middle)\s+of)[\s\-]+(?:(?:early|late|mid)[\s\-]+)?"
    r"(?P<mon>january|february|march|april|may|june|july|august|september|october|november"
    r"|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b(?!\.?\s*\d)"
    r"(?P<rel>\s+of\s+(?P<which>last|this|next)\s+year\b)?"  # "in October of last year"
)
_SEASON = re.compile(
    r"\b(?P<cue>last|this\s+past|early|late|mid|next|(?:in|during|over)\s+the)[\s\-]+"
    r"(?P<season>spring|summer|fall|autumn|winter)\b(?!\s+(?:of\s+)?\d)"
)

# A bare 4-digit number is a year only with a cue: after these words, alone in
# parentheses, or opening a line as a heading ("2018: relapse"). "of" only counts after
# a period word ("summer of 2019"): "WBC of 2000" is a count.
_YEAR_4 = r"(?P<y>(?:19[5-9]|20\d)\d)(?![\d/]|\.\d)"
_YEAR_NUM = re.compile(r"(?<![\w/.])" + _YEAR_4)
_YEAR_CUE_BEFORE = re.compile(
    r"(?:\b(?:in|since|during|from|until|through|before|after|early|late|mid|circa"
    r"|summer|spring|fall|autumn|winter|(?:end|beginning|start|middle|rest|remainder"
    r"|summer|spring|fall|autumn|winter)\s+of)(?:\s+|-)(?:the\s+year\s+)?"
    r"|(?P<paren>\(\s*)|(?P<line>^[ \t]*))$",
    re.M,
)
_PAREN_AFTER = re.compile(r"\s*\)")
_HEADING_AFTER = re.compile(r"[ \t]*[:" + DASH + "]")
_BARE_YEAR = re.compile(r"\s*(?:19[5-9]|20\d)\d\s*")
_YEAR_RANGE_NEXT = re.compile(r"\s*(?:to|through|thru|until|and|[" + DASH + r"])\s*" + _YEAR_4)  # "from 2015 to 2017"

# After a number: a unit or counted noun means a dose or count, not a date ("1/2 tab", "in 2000 mL").
_UNIT_AFTER = re.compile(
    r"\s*(?:%|(?:mg|mcg|ug|µg|g|gm|kg|ng|ml|l|dl|units?|u|iu|meq|mmol|cc|mm|cm|tabs?|tablets?"
    r"|caps?|capsules?|puffs?|drops?|doses?|cells?|copies|patients|cases|people|subjects|hours?"
    r"|hrs?|minutes?|mins?|times|pills?|vials?)\b)"
)
_NUMBER_RANGE_AFTER = re.compile(r"\s*(?:to|[" + DASH + r"])\s*(?P<n>\d{3,})")  # "WBC from 2000 to 5000"
# Bare "m/d" has to be told apart from fractions, scores and ratios. These are the
# words that follow a fraction or score ("2/3 of", "2/6 systolic murmur", "1/2 NS")...
_FRACTION_AFTER = re.compile(
    r"\s*(?:of|strength|murmur|systolic|diastolic|holosystolic|sem|ns|inch(?:es)?|cups?|tsp|tbsp"
    r"|teaspoons?|tablespoons?|packs?|ppd|ratio|split|scale|positive|negative|cores|nodes|lymph"
    r"|occasions|episodes|days?|weeks?|wks?|months?|years?|yrs?|motor|sensation|power)\b"
)
# ...and the contexts that precede one: vital signs, scales, "1 1/2" (a mixed number),
# or a paired label like "Hgb/Hct 10/30".
_SCORE_BEFORE = re.compile(
    r"(?:\b(?:bp|b/p|blood\s+pressure|pressures?|pain|scores?|scored|scale|rated?|strength"
    r"|power|motor|murmurs?|grades?|graded|pulses?|ratio|titers?|titres?|dilution|gcs|ecog|apgar"
    r"|reflexes|dtrs?|sbp|dbp|fio2|peep|vent|simv|cpap|bipap|stage|nyha|kps|ice|icane|mmse|moca)\b[^.;\n\d]{0,14}"
    r"|\b\d+\s+|\b[a-z]{2,}/[a-z]{2,}\b[\s:=]*)$"
)
_DATE_RANGE_BEFORE = re.compile(r"\d{1,2}/\d{1,2}\s*[" + DASH + r"]\s*$")  # "3/4-3/8", "3/4 – 3/8"
_DASH_END = re.compile(r"[" + DASH + r"]$")
# An HLA match is a count of matched alleles out of 6, 8, 10 or 12 ("9/10 MMUD", "HLA 7/8",
# "unrelated donor (10/10)", "4/6 cord units", "cord blood HSCT (single unit, 4/6)"): beside a donor or typing word it is never a date.
# "MRD" is a donor only before a transplant word: in these notes it is mostly residual disease.
_HLA_OUT_OF = (6, 8, 10, 12)
_HLA_WORD = re.compile(
    r"(?<![a-z])(?:donors?|(?:mis)?match(?:ed|es|ing)?|hla|m?mud|msd|haplo\w*|unrelated|siblings?"
    r"|alleles?|antigens?|typing|brother|sister|sib|mother|father|mom|dad|son|daughter|cousin|mrd(?=[\s\-]*(?:allo|hsct|sct|hct|bmt|transplant|donor))"
    r"|cord(?=\s+(?:blood|units?))|umbilical|ucb|(?:single|double)\s+units?)(?![a-z])"
)
_HLA_WORD_TOKENS = 4  # how many words either side of the fraction may hold the donor word
_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)|\n")
_ON_BEFORE = re.compile(r"\bon\s+$")  # "MUD alloHSCT on 9/10": nobody writes "on" before a match
_DATE_CUE_BEFORE = re.compile(
    r"(?:\b(?:on|since|from|dated?|until|through|by|starting|started|before|after|of|for|due"
    r"|scheduled|planned|rtc|returns?)|f/u"
    # a procedure or test named right before: "Marrow 1/3", "BMBx 2/3:" are dates, not thirds
    r"|\b(?:marrow|bm|bmbx|bma|bx|biopsy|aspirate|flow|labs?|cbc|mrd|lp|csf|ct|mri|pet|echo))\s*$"
)
_IN_BEFORE = re.compile(r"\b(?:in|during)\s+$")  # "in 03/10" is March 2010
# an administration verb right before "a/b" dates it: "Admitted 11/11 for blina C1", "blina held
# 3/3 x 10h". Not "2/2", which after such a verb is "secondary to" ("held 2/2 CRS").
_EVENT_VERB_BEFORE = re.compile(
    r"\b(?:admitted|admit|readmitted|discharged|held|resumed|restarted|stopped|infused|given|received)\s*$"
)
_VERSION_BEFORE = re.compile(r"\b(?:v|ver|version|release|rev|build)\.?\s*$")
# Future cues: a yearless date after these is read forward from the note date.
_FUTURE_CUE = re.compile(
    r"\bwill\b|'ll\b|\bschedul\w*|\bplan(?:s|ned|ning)?\b|\bnext\b|\bdue\b(?!\s+to\b)"
    r"|\bto\s+(?:start|begin|receive|return|resume)\b|\bon\s+for\b|\breturns?\s+on\b"
    r"|\bfollow[\s\-]?up\s+on\b|\bf/u\b|\brtc\b|\bupcoming\b|\bexpected\b|\banticipated\b"
)
_PAST_AUXILIARY = re.compile(r"\bhad(?:\s+been)?\s+$")  # "was scheduled for 1/5" may still lie ahead
_MIMIC = re.compile(r"\[\*\*(?P<body>[^\[\]*]{1,40})\*\*\]")  # MIMIC de-identified dates
_MIMIC_MD = re.compile(r"\s*(?P<m>\d{1,2})[\-/](?P<d>\d{1,2})\s*")
_MIMIC_YEAR = re.compile(r"\s*(?P<y>[12]\d{3})\s*")
# What normalize_date allows around its one date: "on 3/4.", "(2017)", "in early 2019", "mid-2018".
_LEADING_FILLER = re.compile(
    r"[\s,.;:(\[]*(?:(?:on|in|since|from|during|by|until|at|dated?|early|late|mid|circa|the|end"
    r"|beginning|start|middle|of|spring|summer|fall|autumn|winter)[\s\-]+)*"
)
_TRAILING_FILLER = re.compile(r"[\s,.;:)\]]*")


def _year2(text: str) -> int:
    """Expand a 2-digit year: 00-69 are 2000-2069, 70-99 are 1970-1999; 4 digits pass through."""
    digits = text.lstrip("'")
    y = int(digits)
    return y if len(digits) == 4 else 2000 + y if y < 70 else 1900 + y


def _month(year: int, month: int) -> ResolvedDate:
    return ResolvedDate(date(year, month, 1), "month", "explicit")


def _year(y: str) -> ResolvedDate:
    return ResolvedDate(date(int(y), 1, 1), "year", "explicit")


def _explicit_day(year: int, month: int, day: int) -> ResolvedDate:
    """A fully written date; an impossible one is flagged, never coerced."""
    try:
        return ResolvedDate(date(year, month, day), "day", "explicit")
    except ValueError:
        return _INVALID


def _day_exists(month: int, day: int) -> bool:
    """Whether month/day exists in some year (2000 is a leap year, so Feb 29 counts)."""
    try:
        date(2000, month, day)
    except ValueError:
        return False
    return True


def _is_future(text: str, start: int) -> bool:
    """Whether a future cue ("will", "scheduled", "f/u") precedes start in the same sentence."""
    window = text[max(0, start - 60) : start]
    cut = max(window.rfind(". "), window.rfind(";"), window.rfind("\n"), window.rfind("?"))
    # "had been planned for 7/2018 but the marrow 7/16 showed relapse": a plan told in the past
    return any(not _PAST_AUXILIARY.search(window, 0, cue.start()) for cue in _FUTURE_CUE.finditer(window, cut + 1))


def _infer_day(month: int, day: int, note_date: date, future: bool) -> ResolvedDate:
    """The nearest month/day not after the note date (on or after it, for future cues)."""
    step = 1 if future else -1
    for k in range(9):  # Feb 29 can be up to 8 years away
        try:
            value = date(note_date.year + step * k, month, day)
        except ValueError:
            continue
        if (value >= note_date) if future else (value <= note_date):
            return ResolvedDate(value, "day", "year_inferred")
    return _INVALID


def _infer_month(month: int, note_date: date, future: bool, strict: bool) -> ResolvedDate:
    """The nearest such month not after the note's month ("last June": strictly before)."""
    this_month = note_date.replace(day=1)
    named = this_month.replace(month=month)
    years = 0
    if future and (named < this_month or (strict and named == this_month)):
        years = 1
    elif not future and (named > this_month or (strict and named == this_month)):
        years = -1
    value = shift(named, relativedelta(years=years))  # None past year 9999
    return _INVALID if value is None else ResolvedDate(value, "month", "year_inferred")


def _month_of(name: str) -> int:
    return _MONTHS[name[:3].lower()]


def _yearless_name_ok(mon: str) -> bool:
    """Without a year, "may" must be capitalized (a verb otherwise), and "MAR" and "DEC"
    are clinical acronyms ("per MAR 2 doses": medication administration record)."""
    return mon not in ("may", "MAR", "DEC")


def _numeric_day(a: str, b: str, c: str, dayfirst: bool) -> ResolvedDate | None:
    """Order the three fields of a numeric date; None when no order makes sense."""
    if len(a) == 4:  # ISO order, whatever dayfirst says
        return _explicit_day(int(a), int(b), int(c)) if len(c) <= 2 else None
    if len(a) == 3 or len(c) == 1:
        return None
    if len(a) == 2 and len(c) == 2 and int(a) > 31:  # "78-12-22": the first field is a year
        return _explicit_day(_year2(a), int(b), int(c))
    month, day = (int(b), int(a)) if dayfirst else (int(a), int(b))
    return _explicit_day(_year2(c), month, day)


def _looks_like_score(first: int, second: int) -> bool:
    """Whether a bare "a/b" is more often a fraction or score than a date.

    Halves and thirds (1/2, 2/3), "n/n" (5/5 strength; "2/2" is shorthand for "secondary
    to"), pain scores out of 10 and strength out of 5 need a date cue ("on 7/10") to count.
    """
    return (first <= second <= 3) or first == second or second == 10 or (second == 5 and first <= 5)


def is_hla_match_at(text: str, start: int) -> bool:
    """Whether the "a/b" written at ``start`` of ``text`` is an HLA match ("HSCT: 10/10 MUD")."""
    low = text.lower()
    m = _MD_SLASH.match(low, start)
    return m is not None and _is_hla_match(m, low)


def _is_hla_match(m: re.Match[str], low: str) -> bool:
    """Whether a bare "a/b" is an HLA match: a/6 to a/12 with a donor or HLA word a few words away,
    in the same sentence."""
    first, second = int(m["a"]), int(m["b"])
    if second not in _HLA_OUT_OF or not 1 <= first <= second:
        return False
    before = _SENTENCE_END.split(low[max(0, m.start() - 80) : m.start()])[-1]
    if _ON_BEFORE.search(before):
        return False
    after = _SENTENCE_END.split(low[m.end() : m.end() + 80])[0]
    near = " ".join(before.split()[-_HLA_WORD_TOKENS:] + ["/"] + after.split()[:_HLA_WORD_TOKENS])
    return _HLA_WORD.search(near) is not None


def _slash_yearless(
    m: re.Match[str], low: str, note_date: date, dayfirst: bool, in_list: bool = False
) -> ResolvedDate | None:
    """Bare "3/4": a date only when it cannot be read as a fraction, score or ratio.

    ``in_list``: the "a/b" is one of a forward-running list of dates ("(2/5, 2/12, 2/19)"), which
    makes even a score-like item a date. A fax page marker ("P. 1/4") never is one.
    """
    start, end = m.span()
    before = low[max(0, start - 30) : start]
    if _FRACTION_AFTER.match(low, end) or _UNIT_AFTER.match(low, end):
        return None
    if _SCORE_BEFORE.search(before) or shorthand.PAGE_BEFORE.search(before):
        return None
    if _DASH_END.search(before) and not _DATE_RANGE_BEFORE.search(before):  # "1-2/6", "2-1/2"
        return None
    if _is_hla_match(m, low):
        return None
    first, second = int(m["a"]), int(m["b"])
    if _IN_BEFORE.search(before) and len(m["b"]) == 2 and 1 <= first <= 12:
        # "in 03/10": nobody writes "in" before a day, so this is month/2-digit year
        # (the same order in US and day-first notes).
        return ResolvedDate(date(_year2(m["b"]), first, 1), "month", "explicit")
    # "marrow (7/7):" - alone in parentheses it is a date; "(8/8 unrelated donor)" is an HLA match
    alone_in_parentheses = before.endswith("(") and low[end : end + 1] == ")"
    cued = (
        _DATE_CUE_BEFORE.search(before)
        or shorthand.CYCLE_LABEL_BEFORE.search(before)
        or (_EVENT_VERB_BEFORE.search(before) and (first, second) != (2, 2))
    )
    if _looks_like_score(first, second) and not (cued or alone_in_parentheses or in_list):
        return None
    month, day = (second, first) if dayfirst else (first, second)
    if not 1 <= month <= 12 or not _day_exists(month, day):
        return None
    return _infer_day(month, day, note_date, _is_future(low, start))


def _year_ok(low: str, end: int) -> bool:
    """A cued 4-digit number is still not a year when a unit or a larger count follows."""
    if _UNIT_AFTER.match(low, end):
        return False
    rng = _NUMBER_RANGE_AFTER.match(low, end)
    return rng is None or _BARE_YEAR.fullmatch(rng["n"]) is not None


def _find_years(low: str, out: list[Candidate]) -> None:
    """Bare 4-digit years, kept only with a cue: after "in", "since"..., alone in
    parentheses, or opening a line as a heading ("2018: relapse")."""
    for m in _YEAR_NUM.finditer(low):
        cue = _YEAR_CUE_BEFORE.search(low, max(0, m.start() - 30), m.start())
        if cue is None or not _year_ok(low, m.end()):
            continue
        if cue["paren"] is not None and not _PAREN_AFTER.match(low, m.end()):
            continue
        if cue["line"] is not None and not _HEADING_AFTER.match(low, m.end()):
            continue
        out.append((m.start(), m.end(), _year(m["y"])))
        if (nxt := _YEAR_RANGE_NEXT.match(low, m.end())) and _year_ok(low, nxt.end()):
            out.append((nxt.start("y"), nxt.end("y"), _year(nxt["y"])))  # "from 2015 to 2017"


def _find_numeric(low: str, note_date: date, dayfirst: bool, out: list[Candidate], dot_dayfirst: bool = False) -> None:
    """Dates written with digits only. ``dot_dayfirst``: dotted ones ("08.09.2020") are day-first
    whatever the slashed ones are (see ``_dotted_orders``)."""
    for m in _NUM_DATE.finditer(low):
        start, sep = m.start(), m["s"]
        if sep == "." and _VERSION_BEFORE.search(low, max(0, start - 12), start):
            continue
        if start >= 2 and low[start - 1] == sep and low[start - 2].isdigit():
            continue  # glued to a longer run like "1.3.4.2019"
        if len(m["c"]) == 2 and _UNIT_AFTER.match(low, m.end()):
            continue
        resolved = _numeric_day(m["a"], m["b"], m["c"], dot_dayfirst if sep == "." else dayfirst)
        if resolved is not None:
            out.append((start, m.end(), resolved))
    if "/" in low:
        for m in _MY_NUM.finditer(low):
            before = low[max(0, m.start() - 30) : m.start()]
            if 1 <= int(m["m"]) <= 12 and not _SCORE_BEFORE.search(before) and _year_ok(low, m.end()):
                opened = _MONTH_RANGE_BEFORE.search(low, max(0, m.start() - 6), m.start())
                if opened and 1 <= int(opened[1]) < int(m["m"]):  # "(04-05/2021)": a course that began in April
                    out.append((opened.start(), m.end(), _month(int(m["y"]), int(opened[1]))))
                else:
                    out.append((m.start(), m.end(), _month(int(m["y"]), int(m["m"]))))
        listed = shorthand.date_list_members(low, dayfirst)
        slashes = []
        for m in _MD_SLASH.finditer(low):
            if (resolved := _slash_yearless(m, low, note_date, dayfirst, m.start() in listed)) is not None:
                slashes.append((m.start(), m.end(), int(m["a"]), m["b"], resolved))
        out.extend(shorthand.reread_month_year(slashes, low, note_date) if not dayfirst else
                   [(start, end, resolved) for start, end, _a, _b, resolved in slashes])
    if (dayfirst or dot_dayfirst) and "." in low:
        out.extend(shorthand.find_day_month_dots(low, note_date, _infer_dot_day))
    for m in _YM_NUM.finditer(low):
        if 1 <= int(m["m"]) <= 12:
            out.append((m.start(), m.end(), _month(int(m["y"]), int(m["m"]))))
    _find_years(low, out)


def _infer_dot_day(month: int, day: int, note_date: date, start: int) -> ResolvedDate | None:
    """The year of a day-first "3.4." after a date cue: the nearest such day not after the note."""
    return _infer_day(month, day, note_date, False) if _day_exists(month, day) else None


def _counted_number(low: str, m: re.Match[str]) -> bool:
    """Whether the "day" of a day-month-year match is a count: "cycle 1 January 2021"."""
    return m["d"] is not None and shorthand.COUNTED_BEFORE.search(low, max(0, m.start() - 12), m.start()) is not None


def _day_of(m: re.Match[str]) -> int:
    """The day of a month-name match, written as digits or as an ordinal word."""
    return int(m["d"]) if m["d"] else _ORDINAL_DAYS[m["dw"]]


def _find_named(text: str, low: str, note_date: date, out: list[Candidate], dayfirst: bool = False) -> None:
    """Dates with a month name: March 4, 2019; 4-Mar-2019; June 2019; March 4; in June.

    ``dayfirst``: a day-first writer puts the day before the month ("24 Sept", "24th Sept"), so
    a bare two digits after it are the year: "relapse Nov 24", "VUD allo Sept 24" is November or
    September 2024 (see ``_month_and_short_year``); "on Nov 24" is still a day."""
    for pattern in (_MDY, _DMY, _YMD_NAME):
        for m in pattern.finditer(low):
            y = m["y"]
            if pattern is _YMD_NAME and len(y) == 2 and int(y) <= 31:
                continue  # "12-Dec-22" is day-month-year; _DMY has it
            if len(y.lstrip("'")) == 2 and _UNIT_AFTER.match(low, m.end()):
                continue
            if pattern is _DMY and _counted_number(low, m):
                continue  # the month-year reading (_MY) dates it
            out.append((m.start(), m.end(), _explicit_day(_year2(y), _month_of(m["mon"]), _day_of(m))))
    for pattern in (_MY, _YM_NAME):
        for m in pattern.finditer(low):
            if pattern is _YM_NAME and text[m.start("mon") : m.end("mon")] == "may":
                continue  # "in 2019 may have"
            out.append((m.start(), m.end(), _month(_year2(m["y"]), _month_of(m["mon"]))))
    for pattern in (_MD_NAME, _DM_NAME):
        for m in pattern.finditer(low):
            day, month = _day_of(m), _month_of(m["mon"])
            if (dayfirst and pattern is _MD_NAME and not _ON_BEFORE.search(low, max(0, m.start() - 4), m.start())
                    and (year := _month_and_short_year(m, note_date)) is not None):
                out.append((m.start(), m.end(), _month(year, month)))
                continue
            glued = pattern is _DM_NAME and low[m.start("mon") - 1] == "-"  # "07-DEC": a CRF's day, no acronym
            if not (glued or _yearless_name_ok(text[m.start("mon") : m.end("mon")])) or not 1 <= day <= 31:
                continue
            if _UNIT_AFTER.match(low, m.end()) or (pattern is _DM_NAME and _counted_number(low, m)):
                continue
            resolved = (
                _infer_day(month, day, note_date, _is_future(low, m.start()))
                if _day_exists(month, day) else _INVALID  # "Feb 30"
            )  # fmt: skip
            out.append((m.start(), m.end(), resolved))
    for m in _MONTH_ALONE.finditer(low):
        if not text[m.start("mon")].isupper():
            continue
        if m["rel"]:
            years = {"last": -1, "this": 0, "next": 1}[m["which"]]
            value = shift(date(note_date.year, _month_of(m["mon"]), 1), relativedelta(years=years))
            resolved = _INVALID if value is None else ResolvedDate(value, "month", "relative_to_note")
            out.append((m.start("mon"), m.end(), resolved))
            continue
        strict = m["cue"] in ("last", "this past")
        start = m.start() if strict else m.start("mon")
        future = not strict and _is_future(low, m.start())
        out.append((start, m.end(), _infer_month(_month_of(m["mon"]), note_date, future, strict)))


# "Nov 24": the month, a space and two bare digits (no "th", no "the", no year after them)
_SHORT_YEAR_AFTER_MONTH = re.compile(r"\.?\s(?P<yy>\d{2})$")


def _month_and_short_year(m: re.Match[str], note_date: date) -> int | None:
    """The year of a day-first note's "Nov 24": two bare digits after the month, read as a year
    no later than the note's and at most 30 years before it; else None (a day after all)."""
    written = m.group()[len(m["mon"]):]
    short = _SHORT_YEAR_AFTER_MONTH.fullmatch(written)
    if short is None:
        return None
    year = 2000 + int(short["yy"])
    return year if note_date.year - 30 <= year <= note_date.year else None


def _find_seasons(low: str, note_date: date, out: list[Candidate]) -> None:
    """"last summer" -> the season's first month. "in the fall" is skipped: patients fall."""
    for m in _SEASON.finditer(low):
        cue, season = m["cue"], m["season"]
        if season == "fall" and cue.endswith("the"):
            continue
        future = cue == "next"
        strict = cue in ("last", "this past", "next")
        out.append((m.start(), m.end(), _infer_month(_SEASON_MONTH[season], note_date, future, strict)))


def _find_mimic(text: str, note_date: date, dayfirst: bool, out: list[Candidate]) -> None:
    """MIMIC brackets: "[**2019-03-04**]", "[**3-4**]" (always month-day), "[**2019**]"."""
    for m in _MIMIC.finditer(text):
        body = m["body"]
        resolved: ResolvedDate | None = None
        if md := _MIMIC_MD.fullmatch(body):
            month, day = int(md["m"]), int(md["d"])
            if 1 <= month <= 12 and _day_exists(month, day):
                resolved = _infer_day(month, day, note_date, _is_future(lowered(text), m.start()))
        elif y := _MIMIC_YEAR.fullmatch(body):
            resolved = ResolvedDate(date(int(y["y"]), 1, 1), "year", "explicit")
        else:
            for start, end, inner in _scan(body, note_date, dayfirst):
                if not body[:start].strip() and not body[end:].strip():
                    resolved = inner
                    break
        if resolved is not None:
            out.append((m.start(), m.end(), resolved))


# Roman-numeral months, the Polish, Czech, Hungarian and Russian convention, always day-first and
# upper case: "14.III.2021", "2.VIII.2021 r.", "14 III 2021", "14-III-21", "14.III." (yearless),
# "XI.2019" (a month). Lower-case "i"/"v" are words, never months.
_ROMAN_HINT = re.compile(r"\d[.\s/-][IVX]|[IVX][.\s/-]\s?[12]\d{3}")
_ROMAN_MONTHS = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10, "XI": 11, "XII": 12}
_ROMAN = r"(?P<m>XII|XI|IX|X|VIII|VII|VI|IV|V|III|II|I)"
_ROMAN_DAY = re.compile(
    r"(?<![\w.,/])(?P<d>[0-3]?\d)(?:\.\s?|\s|-|/)" + _ROMAN + r"(?:(?:\.\s?|\s|-|/)(?P<y>[12]\d{3}|\d{2})(?![\w:]|[.,]\d)|\.(?![\w]))"
)
_ROMAN_MONTH_YEAR = re.compile(r"(?<![\w.,/-])" + _ROMAN + r"[./]\s?(?P<y>[12]\d{3})(?![\w:]|[.,]\d)")  # not "Stage IV 2019"


# A dotted day without its year that opens a range or a list ended by a full dotted date takes that
# date's year: "C1 (27.06-24.07.2022)", "InO (08.08, 16.08, 22.08.2022)". Alone, "27.06" may be a number;
# a one-digit month ("Hb 12.5-13.07.2022") is one.
_FULL_DOTTED = r"[0-3]?\d\.[01]?\d\.(?:[12]\d{3}|\d{2})(?![\d.]\d)"
_DOTTED_SERIES = re.compile(
    r"(?<![\w.,/])(?P<d>[0-3]?\d)\.(?P<m>[01]\d)\.?(?=(?:\s?[-–—,;]\s?[0-3]?\d\.[01]\d\.?(?![\d]))*\s?[-–—,;]\s?(?P<end>" + _FULL_DOTTED + r"))"
)


def _find_dotted_series(text: str, out: list[Candidate]) -> None:
    for m in _DOTTED_SERIES.finditer(text):
        end = re.match(r"([0-3]?\d)\.([01]?\d)\.(\d+)", m["end"])
        day, month = int(m["d"]), int(m["m"])
        if end is None or not (1 <= month <= 12 and _day_exists(month, day)):
            continue
        year = _year2(end[3])
        year -= 1 if (month, day) > (int(end[2]), int(end[1])) else 0  # "28.12-24.01.2022" began the year before
        out.append((m.start(), m.start() + len(m["d"]) + 1 + len(m["m"]), _explicit_day(year, month, day)))


# A compact timestamp of exchanged documents (HL7 v2, C-CDA effectiveTime): "20200615",
# "20200615093000-0500", "202006150930". The date is its first eight digits; a longer run of digits is
# an identifier, not a date.
_COMPACT = re.compile(r"(?<![\w.,/+-])(?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])?(?:[0-5]\d){0,2}(?:\.\d+)?(?:[+-][01]\d[0-5]\d)?(?![\w.]|,\d)")


def _find_compact(text: str, out: list[Candidate]) -> None:
    for m in _COMPACT.finditer(text):
        out.append((m.start(), m.start() + 8, _explicit_day(int(m["y"]), int(m["m"]), int(m["d"]))))


def _find_roman(text: str, note_date: date, out: list[Candidate]) -> None:
    for m in _ROMAN_DAY.finditer(text):
        month, day = _ROMAN_MONTHS[m["m"]], int(m["d"])
        if not 1 <= day <= 31 or (len(m["m"]) == 1 and text[m.end("d")].isspace()):
            continue  # "3 I 2020", "12 V 2021": a lone letter after a space is no month
        if m["y"]:
            year = int(m["y"]) if len(m["y"]) == 4 else _year2(m["y"])
            out.append((m.start(), m.end(), _explicit_day(year, month, day)))
        elif _day_exists(month, day):
            out.append((m.start(), m.end() - 1, _infer_day(month, day, note_date, _is_future(text.lower(), m.start()))))
    for m in _ROMAN_MONTH_YEAR.finditer(text):
        out.append((m.start(), m.end(), _month(int(m["y"]), _ROMAN_MONTHS[m["m"]])))


def _scan(text: str, note_date: date, dayfirst: bool, dot_dayfirst: bool = False) -> list[Candidate]:
    """All candidates, overlapping, in priority order for equal lengths."""
    low = lowered(text)
    out: list[Candidate] = []
    has_digit = _DIGIT.search(low) is not None
    if has_digit:
        _find_numeric(low, note_date, dayfirst, out, dayfirst or dot_dayfirst)
        if _ROMAN_HINT.search(text):
            _find_roman(text, note_date, out)
        if "." in text:
            _find_dotted_series(text, out)
        _find_compact(text, out)
    if _MONTH_GUARD.search(low):
        _find_named(text, low, note_date, out, dayfirst)
    if any(season in low for season in _SEASONS):
        _find_seasons(low, note_date, out)
    out.extend(find_note_relative(text, note_date))
    if has_digit:
        out.extend(find_event_relative(text))
    return out


def _dotted_orders(text: str, year_first: Collection[int] = ()) -> tuple[bool, bool]:
    """Whether the text writes full dotted dates ("08.09.2020", "08.09.20"), and whether one of
    them can only be month-first ("11.30.2018").

    The dotted form is the continental European convention, and it is day-first: a note that
    writes only dates like 08.09.2020 or 03.04.2021, none with a day above 12, is still
    day-first. American notes write slashes; a dotted date that proves month-first turns it off.
    """
    written = month_first = False
    for m in _NUM_DATE.finditer(text):
        if m.start() in year_first:
            continue  # "20.10.01" in a Korean note: yy.mm.dd (normalize.year_first)
        a, b, c = m["a"], m["b"], m["c"]
        if m["s"] != "." or len(a) > 2 or not (len(c) == 4 or (len(c) == 2 and len(a) == len(b) == 2)):
            continue  # "1.2.10" may number a section; a zero-padded "08.09.20" does not
        written = written or (1 <= int(b) <= 12 and 1 <= int(a) <= 31)
        month_first = month_first or (12 < int(b) <= 31 and 1 <= int(a) <= 12)
    return written, month_first


def orders_written(text: str, note_date: date | None = None, *, year_first: bool = False) -> tuple[bool, bool]:
    """Whether some numeric date of the text can only be day-first ("30.11.2018") or is written
    in the day-first dotted convention ("08.09.2020"), and whether some can only be month-first
    ("11/30/2018"). With ``note_date``, short dates read year-first ("20.10.01") decide nothing
    (``year_first``: the chart's convention, see ``normalize.year_first``)."""
    return _orders(text, year_first_dates(text, note_date, chart=year_first) if note_date is not None else {})


def _orders(text: str, year_firsts: Collection[int]) -> tuple[bool, bool]:
    """``orders_written`` with the text's year-first short dates already found (their starts)."""
    dotted, dotted_month_first = _dotted_orders(text, year_firsts)
    day_first, month_first = dotted and not dotted_month_first, False
    for m in _NUM_DATE.finditer(text):
        if len(m["a"]) == 4 or len(m["a"]) == 3 or len(m["c"]) == 1 or m.start() in year_firsts:
            continue  # ISO or not a date
        a, b = int(m["a"]), int(m["b"])
        day_first = day_first or (12 < a <= 31 and 1 <= b <= 12)
        month_first = month_first or (12 < b <= 31 and 1 <= a <= 12)
    return day_first, month_first


def _order_guess(
    text: str, dayfirst: bool, chart_order: OrderGuess | None = None, year_firsts: Collection[int] = (),
) -> OrderGuess | None:
    """How the text's own dates decide the order of its ambiguous ones ("03/04/2019"), when the
    caller did not: day-first when some can only be day-first, in doubt when the text writes both.
    A text whose dates decide nothing takes its chart's order (``chart_order``)."""
    day_first, month_first = _orders(text, year_firsts)
    if dayfirst:
        return None
    if not day_first:
        return chart_order if not month_first else None
    return "ambiguous_order" if month_first else "dayfirst_inferred"


# A numeric date whose day and month could be either way round: "03/04/2019", "3.4.19", "3/4".
_EITHER_ORDER = re.compile(r"(?P<a>\d{1,2})(?P<s>[/.\-])(?P<b>\d{1,2})(?:(?P=s)(?:\d{2}|\d{4}))?")


def _with_order(resolved: ResolvedDate, written: str, guess: OrderGuess | None) -> ResolvedDate:
    """Record on a date that its day/month order was guessed from the rest of the note."""
    m = _EITHER_ORDER.fullmatch(written)
    if guess is None or m is None or resolved.value is None or resolved.precision != "day":
        return resolved
    a, b = int(m["a"]), int(m["b"])
    return replace(resolved, order=guess) if a != b and 1 <= a <= 12 and 1 <= b <= 12 else resolved


def find_dates(
    text: str, note_date: date, *, dayfirst: bool = False, order_from: str | None = None, chart_order: OrderGuess | None = None,
    year_first: bool = False,
) -> list[DateMention]:
    """Find every date expression in a note or sentence.

    Args:
        text: note or sentence text.
        note_date: the date the note was written; yearless and relative dates resolve
            against it.
        dayfirst: read numeric dates as day/month ("03/04/2019" is 3 April). ISO and
            month-name dates are unaffected. Without it, a text whose own numeric dates
            show the day-first convention ("29.06.2020") and never the month-first one
            ("06/29/2020") is read day-first: its "03.04.2019" is 3 April, with
            ``order`` "dayfirst_inferred". Full dotted dates ("08.09.2020") show that convention
            by their form. A text that writes both orders keeps the month-first reading of its
            ambiguous slashed dates, with ``order`` "ambiguous_order"; its dotted ones stay
            day-first (with that flag) unless a dotted one can only be month-first.
        order_from: the whole note, when ``text`` is only the part of it that is read (the
            prefilter folds paragraphs without a mention): the note's own dates decide the order,
            so the prefilter cannot change a reading.
        chart_order: the order the patient's whole chart shows (``normalize.date_order``), used
            only when the note's own dates show neither order: "dayfirst_inferred" reads the
            ambiguous dates day-first, "ambiguous_order" keeps month-first and flags them.
        year_first: the patient's chart writes short dates year first ("21.03.05",
            ``normalize.year_first``): this text's short dates are read so too.

    Returns:
        Non-overlapping mentions sorted by start offset; where candidates overlap, the
        longest wins. Impossible dates come back with ``resolved.invalid`` set.
    """
    if not _DIGIT.search(text) and not _WORD_GUARD.search(lowered(text)):
        return []
    read = repair_date_digits(text)  # "1l/03/2020" is 11/03/2020; same length, so offsets hold
    order_text = read if order_from is None else repair_date_digits(order_from)
    # found once: they decide no order, and they are read year-first below
    order_year_firsts = year_first_dates(order_text, note_date, chart=year_first)
    guess = _order_guess(order_text, dayfirst, chart_order, order_year_firsts)
    dotted, dotted_month_first = _dotted_orders(order_text, order_year_firsts)
    dayfirst = dayfirst or guess == "dayfirst_inferred"
    # Dotted dates keep their day-first convention even when the note's slashed dates are
    # month-first (then they carry the "ambiguous_order" flag like the rest).
    candidates = _scan(read, note_date, dayfirst, dotted and not dotted_month_first)
    # "20.10.01" read year-first outranks its day-first reading of the same length (listed first)
    candidates = [(start, end, _explicit_day(day.year, day.month, day.day))
                  for start, (end, _length, day) in (order_year_firsts if order_text is read else
                                                    year_first_dates(read, note_date, chart=year_first)).items()] + candidates
    if "[**" in text:
        _find_mimic(read, note_date, dayfirst, candidates)
    chosen: list[Candidate] = []
    # The characters the chosen candidates cover: a candidate overlaps one iff it covers one of
    # them (each has a length). Comparing with every chosen one was quadratic in a long note.
    taken = bytearray(len(text))
    # Longest first; the sort is stable, so equal lengths keep the family priority of _scan.
    for start, end, resolved in sorted(candidates, key=lambda c: c[0] - c[1]):
        if taken.find(1, start, end) < 0:
            chosen.append((start, end, resolved))
            taken[start:end] = b"\x01" * (end - start)
    chosen.sort(key=lambda c: c[0])
    low = lowered(text)
    return [DateMention(s, e, text[s:e], _with_order(_plausible(r, note_date), read[s:e], guess))
            for s, e, r in chosen if not _BIRTH_LABEL.search(low, max(0, s - 24), s)]


# A date of birth in a record's header ("Patient: X  DOB 22/06/1956", "Date of birth: 3rd May 1961",
# "D.O.B. 03/11/77") dates no event: read as a date, it becomes the day of the sheet's rows.
_BIRTH_LABEL = re.compile(r"(?:\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth|\bborn(?:\s+on)?)\s*[:=\-]?\s*$")


def _plausible(resolved: ResolvedDate, note_date: date) -> ResolvedDate:
    """A date before 1900 or more than 5 years after its note is no date (like 02/30/2019)."""
    if resolved.value is None or plausible_in_text(resolved.value, note_date):
        return resolved
    return _INVALID


def normalize_date(text: str, note_date: date, *, dayfirst: bool = False) -> ResolvedDate | None:
    """Resolve one date expression that makes up the whole of text.

    Args:
        text: the expression, optionally with a leading preposition ("on 3/4") and
            surrounding punctuation.
        note_date: the date the note was written.
        dayfirst: as in ``find_dates``.

    Returns:
        The resolved date (``invalid`` set for impossible dates such as "02/30/2019"),
        or None when text is not exactly one date expression.
    """
    mentions = find_dates(text, note_date, dayfirst=dayfirst)
    low = lowered(text)
    if len(mentions) == 1:
        m = mentions[0]
        if _LEADING_FILLER.fullmatch(low, 0, m.start) and _TRAILING_FILLER.fullmatch(low, m.end):
            return m.resolved
    if not mentions and (bare := _BARE_YEAR.fullmatch(text)):
        # A whole string that is just a year is a year: the caller says it is a date.
        return _plausible(_year(bare.group().strip()), note_date)
    return None
