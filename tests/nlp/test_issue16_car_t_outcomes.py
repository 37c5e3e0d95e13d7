"""Cellular-therapy constructions every program writes (issue 16, CAR-T outcomes example study):
the infusion's Day 0 against plans, product logistics and lymphodepletion, and CRS/ICANS grades
against resolution, counselling and conditions. Sentences are our own, not the example's notes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from chartabstract.models import Mention, Note

STUDY_RULES = Path(__file__).resolve().parents[2] / "examples" / "cart_outcomes" / "rules"
NOTE_DAY = date(2023, 5, 2)


@pytest.fixture(scope="module")
def cart_extract():
    """Mentions of one text under the example study's rules (CRS and ICANS are concepts there)."""
    from loguru import logger

    from chartabstract.nlp.extract import process_note
    from chartabstract.nlp.pipeline import build_nlp
    from chartabstract.nlp.rules import load_rules

    logger.disable("PyRuSH")
    nlp = build_nlp(load_rules(STUDY_RULES))

    def run(text: str, note_type: str = "cellular_therapy") -> list[Mention]:
        return process_note(nlp, Note("P1", "P1/note", NOTE_DAY, note_type, text, "test"))

    return run


def _of(found: list[Mention], concept: str) -> list[Mention]:
    return [m for m in found if m.concept == concept]


# --- the infusion's Day 0 ---

@pytest.mark.parametrize("text", [
    "Schedule: cell infusion of Breyanzi set for 05/09/2023 (Day 0).\n- Start valproate prophylaxis on Day 0 for one month.",
    "Yescarta infusion planned 5/9/2023 (Day 0). Seizure prophylaxis begins Day 0.",
])
def test_issue16_bare_day_zero_in_a_planning_note_is_the_planned_day(cart_extract, text):
    bare = [m for m in _of(cart_extract(text), "car_t") if m.rule_id == "day_zero"]
    assert bare and all(m.date == date(2023, 5, 9) and m.hypothetical for m in bare), [(m.snippet, m.date, m.hypothetical) for m in bare]


def test_issue16_bare_day_zero_in_an_infusion_note_stays_the_note_day(cart_extract):
    found = cart_extract("CAR T-CELL INFUSION NOTE\nKymriah thawed at bedside and infused without reaction. Day 0. Monitor for CRS.")
    day_zero = [m for m in _of(found, "car_t") if m.rule_id == "day_zero"]
    assert day_zero and all(m.date == NOTE_DAY and not m.hypothetical for m in day_zero)


@pytest.mark.parametrize("text", [
    "Product: lisocabtagene maraleucel (Breyanzi), received 04/28/2023.",
    "Yescarta manufactured and shipped 04/20/2023; release testing passed.",
    "Tecartus arrived at the cell therapy laboratory on 04/27/2023.",
    "Leukapheresis for tisagenlecleucel 03/30/2023.",
])
def test_issue16_product_logistics_do_not_date_an_infusion(cart_extract, text):
    car_t = _of(cart_extract(text), "car_t")
    assert car_t and all(m.value in ("mention", "plan") and m.date in (NOTE_DAY, None) for m in car_t), [(m.text, m.value, m.date) for m in car_t]


def test_issue16_received_before_the_product_is_an_infusion(cart_extract):
    car_t = _of(cart_extract("Received tisagenlecleucel on 04/25/2023 (Day 0) after lymphodepletion.", "discharge"), "car_t")
    assert any(m.date == date(2023, 4, 25) and m.value in ("dose", "start") for m in car_t)


def test_issue16_lymphodepletion_before_the_product_is_not_its_day(cart_extract):
    found = cart_extract("Came in today for fludarabine/cyclophosphamide lymphodepletion ahead of axicabtagene ciloleucel (Yescarta).")
    assert all(m.date_source != "relative_to_note" and m.value == "mention" for m in _of(found, "car_t"))


@pytest.mark.parametrize("text", [
    "Counselling today: CAR-T risks include fever and confusion.",
    "Lymphoma clinic: CAR-T infusion to follow once a bed is free.",
])
def test_issue16_counselling_and_future_infusions_are_plans(cart_extract, text):
    car_t = [m for m in _of(cart_extract(text, "consult"), "car_t") if m.text.upper().startswith("CAR")]
    assert car_t and all(m.hypothetical for m in car_t), [(m.text, m.modifiers) for m in car_t]


def test_issue16_date_before_a_day_count_is_the_count_day(cart_extract):
    found = cart_extract("Visit 05/02/2023 Day +30 after Breyanzi, doing well.", "progress")
    assert [m.date for m in _of(found, "car_t")] == [date(2023, 4, 2)]


# --- graded outcomes without staging ---

@pytest.mark.parametrize("text, concept, grade", [
    ("Summary: CRS maximum grade 2 so far (resolved); ICE 10/10.", "crs", "2"),
    ("Assessment: peak cytokine release syndrome grade 1 (resolved).", "crs", "1"),
    ("Neurotoxicity: highest ICANS grade 3, now resolved.", "icans", "3"),
    ("CRS grade 3 (max) requiring vasopressors.", "crs", "3"),
    ("Temperature 38.9 without hypotension: grade 1 CRS.", "crs", "1"),
])
def test_issue16_resolved_or_earlier_clause_keeps_the_grade(cart_extract, text, concept, grade):
    outcome = _of(cart_extract(text, "progress"), concept)
    assert outcome and not outcome[0].negated and outcome[0].value == grade, [(m.text, m.value, m.negated, m.modifiers) for m in outcome]


@pytest.mark.parametrize("text, concept", [
    ("Day +10: no CRS.", "crs"),
    ("Afebrile, without CRS or ICANS so far.", "icans"),
    ("Neuro: ICE 10/10, no ICANS.", "icans"),
])
def test_issue16_absent_outcome_is_stated_absent(cart_extract, text, concept):
    outcome = _of(cart_extract(text, "progress"), concept)
    assert outcome and all(m.negated for m in outcome)


@pytest.mark.parametrize("text", [
    "Booster infusion planned 05/12/2023 if no CRS >= grade 2 develops.",
    "Discussed the risk of CRS, including severe forms.",
    "High risk of further CRS after the second infusion.",
    "CRS risk also discussed with the family.",
])
def test_issue16_conditions_and_risks_are_hypothetical(cart_extract, text):
    crs = _of(cart_extract(text, "consult"), "crs")
    assert crs and all(m.hypothetical for m in crs), [(m.text, m.modifiers) for m in crs]


def test_issue16_ice_score_is_no_icans_grade(cart_extract):
    icans = _of(cart_extract("ICANS present, ICE score 3 this morning.", "progress"), "icans")
    assert icans and all(m.value != "3" for m in icans)


def test_issue16_resolution_without_a_grade_still_negates(cart_extract):
    from chartabstract.concepts import default_registry
    from chartabstract.nlp.graded_assertion import negation_holds
    from chartabstract.nlp.values import Cue, Hit

    spec = default_registry().concepts[0]  # any concept: only the cues are read
    hit = Hit(spec=spec, rule_id="x", text="CRS", sentence="CRS resolved.", offset_in_sentence=0, note_type="progress",
              cues=(Cue("NEGATED_EXISTENCE", "resolved", 1, "BACKWARD", 4, resolution=True),))
    assert negation_holds(hit, graded=False)
    assert not negation_holds(hit, graded=True)
