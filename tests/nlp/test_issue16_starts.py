"""Issue 16: drug-start evidence from administration records, first-cycle labels and start cues.

Sentences are paraphrases written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest


def _drug(mentions, concept):
    return [m for m in mentions if m.concept == concept]


def _assert_first(mentions, text, concept, expected):
    """The first mention of the drug has every expected attribute."""
    found = _drug(mentions, concept)
    assert found, text
    for key, want in expected.items():
        assert getattr(found[0], key) == want, f"{key}: {getattr(found[0], key)!r} in {text!r}"


@pytest.mark.parametrize("text, concept, expected", [
    # a start cue outranks a dose cue, and a dated start outranks a later-day label
    ("C1D3 blinatumomab 9 mcg/d, begun 1/12 ~1500 after dexamethasone.", "blinatumomab", {"value": "start", "date": date(2020, 1, 12)}),
    ("Admitted for C1 Blincyto.", "blinatumomab", {"value": "start"}),
    ("Adm for inotuzumab C1, premeds given.", "inotuzumab", {"value": "start"}),
    ("Blincyto 28 mcg/24h CIVI started 1400.", "blinatumomab", {"value": "start"}),
    # a dated first-cycle range starts on its first date
    ("Salvage blinatumomab C1 12/02/2019 - 12/29/2019, MRD negative.", "blinatumomab", {"value": "start", "date": date(2019, 12, 2)}),
    # a stop is a stop; a start dated in the same clause wins over it, with its own date
    ("Last day of C1 blina today, pump off.", "blinatumomab", {"value": "stop"}),
    ("Discharged from the outside unit 1/9 on blina C1 (started 1/5 there).", "blinatumomab", {"value": "start", "date": date(2020, 1, 5)}),
    # passive negations of administration
    ("Inotuzumab was never started.", "inotuzumab", {"negated": True}),
    ("Blinatumomab was NOT started on 01/03/2020.", "blinatumomab", {"negated": True}),
    ("Pt called to cancel tomorrow's admission for blinatumomab.", "blinatumomab", {"negated": True}),
    # "today" next to a prior-authorisation step is no administration
    ("switch to InO - insurance paperwork sent today, plan C1D1 1/27.", "inotuzumab", {"hypothetical": True}),
])
def test_issue16_start_cues(extract, text, concept, expected):
    _assert_first(extract(text), text, concept, expected)


def test_issue16_cycle_label_is_not_the_drug_date(extract):
    """A "Cycle 1 Day 1" label dates nothing: the infusion note of that day does."""
    found = _drug(extract("Agent: inotuzumab ozogamicin   Cycle 1 Day 1\n", note_type="infusion"), "inotuzumab")
    assert found[0].value == "start" and found[0].date == date(2020, 1, 15) and found[0].date_source == "note_date"


def test_issue16_day_grouped_administration_record(extract):
    """Rows under a day header take its date; "NOT GIVEN" rows are no administration."""
    text = (
        "ADMINISTRATION RECORD\n\n"
        "01/03/2020  INOTUZUMAB OZOGAMICIN 1.5 mg IV  -- NOT GIVEN, febrile.\n"
        "01/07/2020  08:55 ondansetron 8 mg IV - given\n"
        "            09:40 INOTUZUMAB OZOGAMICIN 1.5 mg (0.8 mg/m2) IV, C1D1 - GIVEN\n"
        "01/14/2020  INOTUZUMAB OZOGAMICIN 0.9 mg (0.5 mg/m2) C1D8 - GIVEN\n"
    )
    rows = _drug(extract(text, note_type="mar"), "inotuzumab")
    assert rows[0].negated
    assert (rows[1].value, rows[1].date) == ("start", date(2020, 1, 7))
    assert rows[2].value == "dose"


def test_issue16_later_day_label_does_not_date_the_line(extract):
    found = _drug(extract("- 12/16/2019: Inotuzumab C1D1 0.8 mg/m2 (D8 12/23, D15 12/30)."), "inotuzumab")
    assert (found[0].value, found[0].date) == ("start", date(2019, 12, 16))


@pytest.mark.parametrize("text, concept, expected", [
    # a brand name in parentheses between the drug and its start verb keeps the start
    ("Blinatumomab (Blincyto) 9 µg/d as continuous infusion - started today at 10:00.", "blinatumomab", {"value": "start", "date": date(2020, 1, 15)}),
    ("Inotuzumab ozogamicin (Besponsa) 0,8 mg/m2 IV started today, premedication as usual.", "inotuzumab", {"value": "start"}),
    # a first cycle given over a dotted (day-first) range starts on its first day
    ("Blinatumomab C1 04.11.2019-01.12.2019, afterwards MRD negative.", "blinatumomab", {"value": "start", "date": date(2019, 11, 4)}),
    ("Blina cycle 1 from 4.11. to 1.12.2019, well tolerated.", "blinatumomab", {"value": "start", "date": date(2019, 11, 4)}),
    # a start verb with a dotted date of its own
    ("Dose held 28.11.2019; InO started 02.12.2019 on the ward.", "inotuzumab", {"value": "start", "date": date(2019, 12, 2)}),
])
def test_issue16_day_first_starts(extract, text, concept, expected):
    _assert_first(extract(text), text, concept, expected)


def test_issue16_parenthesised_brand_does_not_lift_a_negation(extract):
    found = _drug(extract("Inotuzumab (Besponsa) was not started, liver values too high."), "inotuzumab")
    assert found and all(m.negated for m in found)


@pytest.mark.parametrize("text, concept", [
    # common misspellings of the drug names still name the drug
    ("Pharmacy verified Inotuzamab ozogamicin for cycle 1.", "inotuzumab"),
    ("Options were re-treatment with Blinatumumab or palliation.", "blinatumomab"),
])
def test_issue16_misspelled_drug_names(extract, text, concept):
    assert _drug(extract(text), concept), text
