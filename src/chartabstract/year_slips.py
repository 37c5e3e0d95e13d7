"""Start dates that repeat the recorded first dose's day and month in another year: a slip of the year.

Dictated letters and summaries are typed after the fact, and a wrong year ("started on March 22,
2012" for a course the day-unit record dates 22-MAR-2021) is the commonest slip of transcription.
Taken at its word, such a date makes a course of its own years before the real one and reorders
the drugs. A day and month that match a record written at the time, in another year, are far
likelier a slip than a second course that began on the same calendar day; the record decides,
and the timeline flags the disagreement for a reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence

from chartabstract import evidence
from chartabstract.models import Mention


def year_slips(starts: Sequence[Mention]) -> list[Mention]:
    """The start mentions, not written at the time, whose day and month equal those of a start
    written at the time (an administration record), in a different year.

    Args:
        starts: one drug's dated start evidence.

    Returns:
        The mentions to set aside as slips of the year, in their input order.
    """
    recorded = {m.date for m in starts if m.date and m.date_precision == "day" and evidence.written_at_the_time(m)}
    return [
        m for m in starts
        if m.date and m.date_precision == "day" and m.date not in recorded and not evidence.written_at_the_time(m)
        and any((d.month, d.day) == (m.date.month, m.date.day) and d.year != m.date.year for d in recorded)
    ]
