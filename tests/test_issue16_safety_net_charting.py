"""Issue 16: classes the county safety-net hospital set (resident-charted, infusion-centre nursing,
amended pathology, relatives calling in) showed at first contact, fixed in general.

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest


def _of(mentions, concept):
    return [m for m in mentions if m.concept == concept]


def test_issue16_a_needle_length_is_no_date(timeline):
    events = timeline(("2020-03-28", "infusion_nursing",
                       "Port accessed with a 20g 3/4\" needle, good blood return.\n"
                       "Inotuzumab ozogamicin 1.4 mg IV, start 0905, end 1006. C1D1, no reaction."))
    assert [e.date for e in events if e.kind == "inotuzumab_start"] == [date(2020, 3, 28)]


def test_issue16_an_inch_fraction_is_no_date(extract):
    found = _of(extract("Blinatumomab given via a 1/2 inch PICC extension, started today."), "blinatumomab")
    assert found and all(m.date != date(2020, 1, 2) for m in found)


def test_issue16_an_addendum_amends_the_reports_antigen(timeline):
    events = timeline(
        ("2020-03-19", "bm_pathology", "BONE MARROW REPORT\nAspirate: 2% blasts.\nFlow: CD19 positive (bright), CD22 positive (see addendum)."),
        ("2020-03-20", "addendum", "ADDENDUM to the bone marrow report of 3/19/2020.\n"
                                   "The original report's CD22 result is amended to: CD22 NEGATIVE (8% of abnormal blasts)."),
    )
    marrows = [e for e in events if e.kind == "marrow"]
    assert marrows and dict(marrows[0].values).get("cd22") == "negative", marrows


@pytest.mark.parametrize("text", [
    "Wife called the clinic line this morning to let the team know that Mr Lopez passed away at home on Saturday 01/11/2020.",
    "Husband phoned to inform us that Ana died peacefully 01/11/2020.",
])
def test_issue16_the_relative_who_calls_is_the_informant(extract, text):
    found = _of(extract(text, note_type="telephone"), "death")
    assert found and not any(m.family for m in found)
    assert {m.date for m in found} == {date(2020, 1, 11)}


def test_issue16_a_relatives_own_death_stays_the_relatives(extract):
    found = _of(extract("Daughter called: her husband died last week in a car accident; patient is coping.", note_type="telephone"), "death")
    assert found and all(m.family for m in found)


@pytest.mark.parametrize("text, marker", [
    ("CD19 partial, 45% of the abnormal population; the CD19-negative subset was gated on CD22/CD10/CD34.", "cd22"),
    ("No abnormal B lymphoblast population identified (MRD tube panel: CD19/CD10/CD34/CD38/CD45).", "cd19"),
])
def test_issue16_gating_and_panel_markers_are_no_result(extract, text, marker):
    assert [m.value for m in _of(extract(text, note_type="flow_cytometry"), marker) if m.value] == []


def test_issue16_a_panel_with_results_keeps_them(extract):
    mentions = extract("Panel: CD19+, CD22+ on 95% of blasts, CD10+.", note_type="flow_cytometry")
    assert [m.value for m in _of(mentions, "cd19")] == ["positive"]
    assert [m.value for m in _of(mentions, "cd22")] == ["positive"]
