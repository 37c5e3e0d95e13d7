"""Issue 16: classes the Nordic university-hospital set (a journal exported in English translation,
medication administration lists, plain laboratory wording) showed at its first contact, which met
the target (0.975, none unflagged), fixed in general afterwards.

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest


def _of(mentions, concept):
    return [m for m in mentions if m.concept == concept]


def test_issue16_the_first_bag_of_an_administration_list_starts_the_drug(timeline):
    events = timeline(("2020-02-03", "mar", "Medication administration list\n"
                                            "2020-02-03 14:10 Blinatumomab C1 bag 1 (24 h) 15 mcg/m2/day cont. iv  AB/CD\n"
                                            "2020-02-04 14:05 Blinatumomab C1 bag 2 (24 h) 15 mcg/m2/day cont. iv  CD/EF"))
    assert [e.date for e in events if e.kind == "blinatumomab_start"] == [date(2020, 2, 3)]


@pytest.mark.parametrize("text", [
    "After the seizure, blinatumomab will NOT be re-started.",
    "Blinatumomab should not be restarted given the neurotoxicity.",
])
def test_issue16_a_drug_that_will_not_be_restarted_is_no_start(extract, text):
    found = _of(extract(text), "blinatumomab")
    assert found and all(m.negated or m.value != "start" for m in found)


def test_issue16_seponated_is_a_stop(extract):
    found = _of(extract("Inotuzumab seponated permanently because of rising bilirubin."), "inotuzumab")
    assert [m.value for m in found] == ["stop"]


@pytest.mark.parametrize("text", [
    "Flow cytometry MRD: too few cells; MRD result cannot be given.",
    "MRD inevaluable (haemodilute sample).",
    "FCM MRD could not be assessed on this aspirate.",
])
def test_issue16_an_mrd_that_could_not_be_given_is_no_negative(extract, text):
    found = _of(extract(text, note_type="bm_pathology"), "mrd")
    assert all(m.value not in ("negative", "positive") for m in found), [(m.value, m.snippet) for m in found]
