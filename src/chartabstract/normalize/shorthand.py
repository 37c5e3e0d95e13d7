"""Short numeric dates whose reading depends on their neighbours: "allo 6/20" (month/year), date lists
"(2/5, 2/12, 2/19)", fax page markers "P. 1/4", a cycle label before "3/10", and day-first "3.4.".

``dates.py`` reads one bare "a/b" at a time and must refuse the fractions and scores; these readers
look at what stands around it, which is where a writer's shorthand shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from chartabstract.models import ResolvedDate

DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"  # hyphen, the Unicode hyphens, en and em dash, minus
RANGE_JOIN = rf"\s*(?:[{DASH}]|to|through|thru|until|till|bis)\s*"  # "5/2019 - 7/2019", "02.03.–29.03.2021"

# A fax or scan page marker: "P. 1/4", "Page 2/3", "pg 1/2". Never a date.
PAGE_BEFORE = re.compile(r"(?:\bp|\bpg|\bpp|\bpage|\bseite)\.?\s*#?\s*$")
# A cycle, day or block label right before a date: "InO C1D1 3/10", "D8: 3/17", "cycle 2 3/10". Such a
# date is a date even when it looks like a score ("3/10" is otherwise a pain score).
CYCLE_LABEL_BEFORE = re.compile(
    r"(?<![a-z])(?:c\d{1,2}\s*d\d{1,2}|c\d{1,2}|d\d{1,2}|(?:cycle|cyc|course|block|day)\s*#?\s*\d{1,2})"
    r"\s*[:=\-]?\s*\(?$"
)
# "cycle 1 January 2021": the number is the cycle's, the month and year its date.
COUNTED_BEFORE = re.compile(r"(?<![a-z])(?:cycle|cyc|course|block|dose|week|wk|day|dag|phase|arm)s?\.?\s*#?\s*$")

# A comma list of bare slash dates: "(2/5, 2/12, 2/19)", "given 3/1, 3/8 and 3/15".
_SLASH_ITEM = r"\d{1,2}/\d{1,2}(?![\w/]|[.,]\d)"
DATE_LIST = re.compile(rf"(?<![\w/.+,:]){_SLASH_ITEM}(?:\s*(?:,|;|and|&)\s*{_SLASH_ITEM})+")
_LIST_ITEM = re.compile(r"(?P<a>\d{1,2})/(?P<b>\d{1,2})")


def date_list_members(low: str, dayfirst: bool) -> set[int]:
    """Start offsets of the bare slash dates that are read as dates because they form a list.

    A list is dates when each item is a valid month/day and they run forward in time: fractions and
    scores ("5/5, 4/5") do not, and at least one item must not look like a score by itself.
    """
    starts: set[int] = set()
    for m in DATE_LIST.finditer(low):
        items = list(_LIST_ITEM.finditer(low, m.start(), m.end()))
        keys = []
        for item in items:
            a, b = int(item["a"]), int(item["b"])
            month, day = (b, a) if dayfirst else (a, b)
            if not 1 <= month <= 12 or not 1 <= day <= 31:
                keys = []
                break
            keys.append((month, day))
        some_unlike_a_score = any(month != day for month, day in keys)  # "5/5, 5/5" is strength
        if len(keys) >= 2 and keys == sorted(keys) and len(set(keys)) == len(keys) and some_unlike_a_score:
            starts.update(item.start() for item in items)
    return starts


# History shorthand: "s/p allo 6/20", "Kymriah 11/21", "dx 1/20", "relapse 2/21 -> blina". A bare a/b in
# such a context is month/2-digit year when the month/day reading lies well back from the note.
_HISTORY_BEFORE = re.compile(
    r"(?<![a-z])(?:dx|diagnos\w*|relaps\w*|s/p|allo\w*|auto\w*|hsct|hct|sct|bmt|transplant\w*"
    r"|car[\s\-]?t(?:[\s\-]cells?)?|kymriah|tisagenlecleucel|tisa[\s\-]?cel|yescarta|axi[\s\-]?cel|tecartus"
    r"|brexu\w*|breyanzi|liso[\s\-]?cel|abecma|carvykti|cr[12]|remission|induction|consolidation|completed"
    r"|received|progress\w*|refractory|mrd|msd|mud|haplo\w*|->|\u2192)\W{0,12}$"
)
_CHAIN = re.compile(r"->|\u2192")
_NOT_HISTORY_BEFORE = re.compile(r"\b(?:on|since|dated?|due|next|plan\w*|scheduled|will)\s+$")
IMPLAUSIBLE_DAYS = 150  # an m/d history date further back than this is more likely m/yy
SOON_DAYS = 45  # ...unless it is this close ahead (a plan); mention_dates moves such a date forward


def _history_context(low: str, start: int, end: int) -> bool:
    """Whether a date stands in a history line: after a diagnosis, relapse, transplant or product word,
    or in a "->" chain of events within its clause."""
    before = low[max(0, start - 40) : start]
    before = re.split(r"[.;!?](?:\s|$)|\n", before)[-1]
    if _NOT_HISTORY_BEFORE.search(before):
        return False
    if _HISTORY_BEFORE.search(before):
        return True
    after = re.split(r"[.;!?](?:\s|$)|\n", low[end : end + 30])[0]
    return bool(_CHAIN.search(before) or _CHAIN.match(after.lstrip()))


def _near_the_note(value: date, note_date: date) -> bool:
    """Whether a month/day falls, in some year, from ``IMPLAUSIBLE_DAYS`` before the note to
    ``SOON_DAYS`` after it: "tisagenlecleucel 12/16" in a note of 12/10 is next week."""
    for year in (note_date.year - 1, note_date.year, note_date.year + 1):
        try:
            days = (note_date - value.replace(year=year)).days
        except ValueError:  # 29 February
            continue
        if -SOON_DAYS <= days <= IMPLAUSIBLE_DAYS:
            return True
    return False


def month_year_reading(first: int, second_text: str, note_date: date) -> ResolvedDate | None:
    """"6/20" as June 2020, when that month is not after the note's and the year is two digits."""
    if len(second_text) != 2 or not 1 <= first <= 12:
        return None
    year = 2000 + int(second_text)
    if year > note_date.year or year < note_date.year - 30 or (year, first) > (note_date.year, note_date.month):
        return None
    return ResolvedDate(date(year, first, 1), "month", "month_year_inferred")


def reread_month_year(
    slashes: list[tuple[int, int, int, str, ResolvedDate | None]], low: str, note_date: date
) -> list[tuple[int, int, ResolvedDate]]:
    """Read history shorthand "a/yy" as month/year where the month/day reading does not fit.

    Args:
        slashes: each bare "a/b" as (start, end, a, b as written, its month/day reading or None).
        low: the lowercased note.
        note_date: the note's date.

    Returns:
        (start, end, reading) for every "a/b" that gets a reading: month/year in a history context
        when the month/day reading is more than ``IMPLAUSIBLE_DAYS`` before the note or impossible
        ("2/30"), or when the note writes such month/year shorthand elsewhere; else the month/day one.
    """
    shorthand: dict[int, ResolvedDate] = {}
    candidates: dict[int, ResolvedDate] = {}
    for start, end, first, second, day_reading in slashes:
        if not _history_context(low, start, end):
            continue
        if (month_year := month_year_reading(first, second, note_date)) is None:
            continue
        if day_reading is not None and day_reading.source != "year_inferred":
            continue  # a cue or the order already decided ("on 6/20", "in 03/10")
        far = day_reading is None or day_reading.value is None or not _near_the_note(day_reading.value, note_date)
        (shorthand if far else candidates)[start] = month_year
    if shorthand:
        shorthand |= candidates
    out = []
    for start, end, _first, _second, day_reading in slashes:
        reading = shorthand.get(start, day_reading)
        if reading is not None:
            out.append((start, end, reading))
    return out


# Day-first "3.4." / "02.03." without a year: a date after a date cue or opening a range to a full date.
_DAY_MONTH_DOT = re.compile(r"(?<![\w.,/\-])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?!\d)")
_RANGE_TO_FULL = re.compile(RANGE_JOIN + r"\d{1,2}\.\d{1,2}\.(?P<y>\d{4}|\d{2})(?!\d)")
_DOT_CUE_BEFORE = re.compile(
    r"\b(?:am|vom|seit|ab|bis|on|from|since|until|dated?|today|heute|le|du|depuis|jusqu'au|el|desde|hasta|dal|al"
    r"|csf|liquor|lp|bm|kmp|marrow)\s*$"  # a specimen's day: "(see CSF 14.02.)", "BM 13.6. with 38 %"
    rf"|[{DASH}]\s*$"
)
# "KMP 13.06.: 38 % blasts", "TK 11.05.: switch to InO": a day.month. that ends a label is its date
_DOT_LABEL_AFTER = re.compile(r"\s*:(?!\d)")


DayInference = Callable[[int, int, date, int], "ResolvedDate | None"]


def find_day_month_dots(low: str, note_date: date, infer: DayInference) -> list[tuple[int, int, ResolvedDate]]:
    """"vom 02.03.–29.03.2021", "am 3.4.", "BM 13.6.:": day.month. in a day-first note.

    A range takes its year from the full date that closes it; a lone one after a date cue gets the
    year by ``infer(month, day, note_date, start)`` (the nearest not after the note).
    """
    out = []
    for m in _DAY_MONTH_DOT.finditer(low):
        day, month = int(m["d"]), int(m["m"])
        if not 1 <= month <= 12 or not 1 <= day <= 31:
            continue
        if rng := _RANGE_TO_FULL.match(low, m.end()):
            y = rng["y"]
            year = int(y) if len(y) == 4 else 2000 + int(y) if int(y) < 70 else 1900 + int(y)
            try:
                out.append((m.start(), m.end(), ResolvedDate(date(year, month, day), "day", "explicit")))
            except ValueError:
                continue
        elif _DOT_CUE_BEFORE.search(low, max(0, m.start() - 12), m.start()) or _DOT_LABEL_AFTER.match(low, m.end()):
            resolved = infer(month, day, note_date, m.start())
            if resolved is not None and resolved.value is not None:
                out.append((m.start(), m.end(), resolved))
    return out


