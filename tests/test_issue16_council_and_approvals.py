"""Issue 16: classes the Turkish university-hospital set (council decisions, ministry and payer
approvals before every antibody, day-unit records, central-laboratory reports) showed at first
contact, fixed in general.

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest


def _of(mentions, concept):
    return [m for m in mentions if m.concept == concept]


@pytest.mark.parametrize("text", [
    "Payer approval for blinatumomab arrived - blinatumomab NOT started: admitted with pneumonia.",
    "Blinatumomab not started because of sepsis.",
    "Patient not started on blinatumomab yet.",
])
def test_issue16_a_drug_not_started_is_no_start(extract, text):
    found = _of(extract(text), "blinatumomab")
    assert found and not any(m.value == "start" and not m.negated for m in found), [(m.value, m.negated) for m in found]


def test_issue16_off_label_is_no_stop(extract):
    found = _of(extract("Ministry off-label approval for inotuzumab already present."), "inotuzumab")
    assert found and all(m.value != "stop" for m in found)


def test_issue16_an_approvals_date_beside_the_cycle_label_is_no_start(timeline):
    events = timeline(
        ("2020-01-20", "day_unit", "Protocol: inotuzumab ozogamicin cycle 1 day 1 (ministry approval dated 13.01.2020, payer 16.01.2020)\n"
                                   "10:30 Inotuzumab ozogamicin 1.5 mg IV infusion started, 1 hour."),
    )
    assert [e.date for e in events if e.kind == "inotuzumab_start"] == [date(2020, 1, 20)]


def test_issue16_the_counted_differential_beats_the_diagnosis_lines_bound(timeline):
    events = timeline(("2020-01-16", "bm_pathology", "Bone marrow aspiration report\nAspirate: normocellular.\nBlast 1.5% (500 cells).\n"
                                                     "DIAGNOSIS: Bone marrow in morphological remission (blasts <5%)."))
    marrows = [e for e in events if e.kind == "marrow"]
    assert [dict(e.values).get("blasts") for e in marrows] == ["1.5"]
