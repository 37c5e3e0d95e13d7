"""Short dates written year first: "20.10.01", "21/03/05", "'21.3.5" (East Asian EMRs).

Korean, Japanese and Chinese records write a two-digit year first (yy.mm.dd), where a European
note writes it last (dd.mm.yy). Read day-first, "20.10.01" is 20 October 2001, nineteen years
before a 2020 note; read year-first it is 1 October 2020. A short date is read year-first when
that reading is near its note (within three years before it, or a year after) and every other
reading is far from it (more than five years before, or after it), or when the text also writes
full year-first dates with the same kind of separator ("2020.09.03"), the convention of the site.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

# "20.10.01", "21/03/05", "21-03-05" (all two-digit), or "'21.3.5" after an apostrophe
_SHORT = re.compile(
    r"(?<![\w/.\-'])(?P<a>\d{2})(?P<s>[./\-])(?P<b>\d{2})(?P=s)(?P<c>\d{2})(?![\d]|[./\-]\d)"
    r"|(?<=')(?P<qa>\d{2})(?P<qs>[./])(?P<qb>\d{1,2})(?P=qs)(?P<qc>\d{1,2})(?![\d]|[./]\d)"
)
_FULL_YEAR_FIRST = re.compile(r"(?<![\w.])(?:19|20)\d{2}(?P<s>[./])\d{1,2}(?P=s)\d{1,2}(?![\d]|[./]\d)")
_NEAR_BEFORE = timedelta(days=3 * 366)
_FAR_BEFORE = timedelta(days=5 * 366)
_AFTER = timedelta(days=366)
_CONVENTION_BEFORE = timedelta(days=15 * 366)


def year_first_dates(text: str, note_date: date) -> dict[int, tuple[int, int, date]]:
    """The short dates of the text read year-first: start offset -> (end offset, its length, the day)."""
    if not any(ch.isdigit() for ch in text):
        return {}
    separators = {m["s"] for m in _FULL_YEAR_FIRST.finditer(text)}
    found: dict[int, tuple[int, int, date]] = {}
    for m in _SHORT.finditer(text):
        quoted = m["qa"] is not None
        a, b, c = (m["qa"], m["qb"], m["qc"]) if quoted else (m["a"], m["b"], m["c"])
        sep = m["qs"] if quoted else m["s"]
        day = _day(2000 + int(a), int(b), int(c))
        if day is None or day - note_date > _AFTER:
            continue
        others = (_day(2000 + int(c), int(b), int(a)), _day(2000 + int(c), int(a), int(b)))
        alone = note_date - day <= _NEAR_BEFORE and all(o is None or note_date - o > _FAR_BEFORE or o - note_date > _AFTER for o in others)
        by_convention = (quoted or sep in separators) and note_date - day <= _CONVENTION_BEFORE
        if alone or by_convention:
            found[m.start()] = (m.end(), m.end() - m.start(), day)
    return found


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
