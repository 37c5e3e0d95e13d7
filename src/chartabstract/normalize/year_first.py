"""Short dates written year first: "20.10.01", "21/03/05", "'21.3.5" (East Asian EMRs).

Korean, Japanese and Chinese records write a two-digit year first (yy.mm.dd), where a European
note writes it last (dd.mm.yy). Read day-first, "20.10.01" is 20 October 2001, nineteen years
before a 2020 note; read year-first it is 1 October 2020. A short date is read year-first when
that reading is near its note (within three years before it, or a year after) and every other
reading is far from it (more than five years before, or after it; two years when the reading is
within a year of the note and the text writes no full day-first dotted date), or when the text also writes
full year-first dates with the same kind of separator ("2020.09.03"), the convention of the site.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

# "20.10.01", "21/03/05", "21-03-05" (all two-digit), or "'21.3.5" after an apostrophe
_SHORT = re.compile(
    r"(?<![\w/.\-'])(?P<a>\d{2})(?P<s>[./\-])(?P<b>\d{1,2})(?P=s)(?P<c>\d{1,2})(?![\d]|[./\-]\d)"
    r"|(?<=')(?P<qa>\d{2})(?P<qs>[./])(?P<qb>\d{1,2})(?P=qs)(?P<qc>\d{1,2})(?![\d]|[./]\d)"
)
_FULL_YEAR_FIRST = re.compile(r"(?<![\w.])(?:19|20)\d{2}(?P<s>[./])\d{1,2}(?P=s)\d{1,2}(?![\d]|[./]\d)")
_NEAR_BEFORE = timedelta(days=3 * 366)
_FAR_BEFORE = timedelta(days=5 * 366)
# with no full day-first dotted date in the text ("21.03.2018"), a rival reading two years before the
# note is far enough: "22.03.18" in a note of 18 March 2022 is that day, not 22 March 2018
_FAR_BEFORE_NO_DAY_FIRST = timedelta(days=2 * 366)
_NEAR_FOR_RELAXED = timedelta(days=366)
_RIVAL_AFTER = timedelta(days=31)  # a full date months after its note is no event it reports
FULL_DAY_FIRST = re.compile(r"(?<![\w.])\d{1,2}\.\d{1,2}\.(?:19|20)\d{2}(?!\d)")  # "21.03.2018"
_AFTER = timedelta(days=366)
_CONVENTION_BEFORE = timedelta(days=15 * 366)


def year_first_dates(text: str, note_date: date, *, chart: bool = False) -> dict[int, tuple[int, int, date]]:
    """The short dates of the text read year-first: start offset -> (end offset, its length, the day).

    A date that only the year-first reading places near the note shows the text's convention:
    the text's other short dates with its separator are then read year-first too ("19.06.20", the
    transplant of June 2019, in a note that also writes "21.02.05"). ``chart``: the patient's other
    notes show the convention (``shows_year_first``), so this note's short dates follow it too."""
    if not any(ch.isdigit() for ch in text):
        return {}
    readings, separators, day_first_site = _readings(text, note_date)
    if not day_first_site:
        separators |= {sep for _m, sep, _quoted, _day, alone in readings if alone or chart}
    return {
        m.start(): (m.end(), m.end() - m.start(), day)
        for m, sep, quoted, day, alone in readings
        if alone or ((quoted or sep in separators) and note_date - day <= _CONVENTION_BEFORE)
    }


def shows_year_first(text: str, note_date: date) -> bool:
    """Whether the text writes full year-first dotted dates ("2020.09.03") or a short date only the
    year-first reading places near it, and no full day-first dotted date ("21.03.2018")."""
    if not any(ch.isdigit() for ch in text):
        return False
    readings, separators, day_first_site = _readings(text, note_date)
    return not day_first_site and (bool(separators) or any(alone for *_rest, alone in readings))


def _readings(text: str, note_date: date) -> tuple[list[tuple[re.Match[str], str, bool, date, bool]], set[str], bool]:
    """Each short date's year-first reading and whether only it is near the note; the separators
    of the text's full year-first dates; whether the text writes a full day-first dotted date."""
    separators = {m["s"] for m in _FULL_YEAR_FIRST.finditer(text)}
    day_first_site = FULL_DAY_FIRST.search(text) is not None
    readings = []
    for m in _SHORT.finditer(text):
        quoted = m["qa"] is not None
        a, b, c = (m["qa"], m["qb"], m["qc"]) if quoted else (m["a"], m["b"], m["c"])
        day = _day(2000 + int(a), int(b), int(c))
        if day is None or day - note_date > _AFTER:
            continue
        others = (_day(2000 + int(c), int(b), int(a)), _day(2000 + int(c), int(a), int(b)))
        alone = note_date - day <= _NEAR_BEFORE and all(o is None or note_date - o > _FAR_BEFORE or o - note_date > _AFTER for o in others)
        alone = alone or (not day_first_site and note_date - day <= _NEAR_FOR_RELAXED and all(
            o is None or note_date - o > _FAR_BEFORE_NO_DAY_FIRST or o - note_date > _RIVAL_AFTER for o in others))
        readings.append((m, m["qs"] if quoted else m["s"], quoted, day, alone))
    return readings, separators, day_first_site


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
