"""Issue 16: an administration verb before a score-like "a/b" makes it a date ("admitted 11/11")."""

from __future__ import annotations

from datetime import date

import pytest

from chartabstract.normalize.dates import find_dates

NOTE_DATE = date(2020, 12, 20)


@pytest.mark.parametrize("text, expected", [
    ("Readmitted 12/12 for the second Blincyto cycle.", date(2020, 12, 12)),
    ("Pump held 4/4 for about 8 hours, then restarted.", date(2020, 4, 4)),
    ("InO infused 12/10 without reaction.", date(2020, 12, 10)),
])
def test_issue16_event_verb_makes_a_date(text, expected):
    assert [d.resolved.value for d in find_dates(text, NOTE_DATE)] == [expected]


@pytest.mark.parametrize("text", [
    "Blina held 2/2 CRS grade 2.",  # "2/2" after a verb is "secondary to"
    "Strength 5/5 throughout.",
])
def test_issue16_event_verb_keeps_scores_out(text):
    assert [d.resolved.value for d in find_dates(text, NOTE_DATE) if d.resolved.value] == []
