"""Issue 16: transplant-unit Day 0 notes of non-US charts, HLA match fractions, and transplant
history lines with a donor clause before the date.

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest

from chartabstract.normalize.dates import find_dates


def _hsct(events) -> list[date | None]:
    return [e.date for e in events if e.kind == "hsct"]


@pytest.mark.parametrize("header", [
    "SERVICIO DE TRASPLANTE HEMATOPOYETICO - DÍA 0",
    "Unidad de trasplante -- DIA 0",
    "BMT unit, D0",
    "Transplant unit: day zero",
])
def test_issue16_day_zero_header_dates_the_transplant(timeline, header):
    """A transplant-unit note headed Day 0 dates the transplant its body describes."""
    events = timeline(
        ("2022-03-01", "consult", "Relapsed B-ALL, referred for allogeneic transplant work-up."),
        ("2022-03-14", "transplant", f"{header}\nPatient seen on the ward.\nHaploidentical allogeneic HSCT, donor brother (5/10 HLA).\n"
                                     "Infusion without incidents."),
    )
    assert date(2022, 3, 14) in _hsct(events)


@pytest.mark.parametrize("text", [
    "Cord blood HSCT (single unit, 4/6, TNC 4 x10^7/kg).",
    "Donor: father, 5/10 HLA, ABO compatible.",
    "Unrelated donor 8/8 matched identified in the registry.",
    "Double unit umbilical graft, 4/6 and 5/6.",
])
def test_issue16_hla_match_fraction_is_no_date(text):
    assert [m.text for m in find_dates(text, date(2022, 5, 26)) if m.resolved.value is not None] == []


def test_issue16_slashed_date_beside_a_transplant_still_reads():
    found = find_dates("Allogeneic HSCT from a matched sibling on 4/6/2021.", date(2022, 5, 26))
    assert [m.resolved.value for m in found] == [date(2021, 4, 6)]


@pytest.mark.parametrize("line", [
    "- Allo-HSCT haploidentical from her daughter (31 y) on 23/10/2018 (MAC, PTCy).",
    "- alloHCT, 9/10 MUD, on 23/10/2018; no chronic GVHD.",
    "- Allogeneic SCT from his HLA-identical brother on 23/10/2018.",
])
def test_issue16_donor_clause_before_the_date_dates_the_transplant(timeline, line):
    events = timeline(("2020-06-15", "consult", f"Relapsed B-ALL.\nHistory:\n{line}\nNow referred for blinatumomab."))
    assert date(2018, 10, 23) in _hsct(events)


def test_issue16_other_event_between_transplant_and_date_does_not_date_it(timeline):
    events = timeline(("2020-06-15", "consult", "History:\n- AlloHSCT from his sister, relapse on 23/10/2018.\n"))
    assert date(2018, 10, 23) not in _hsct(events)
