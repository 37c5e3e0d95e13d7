"""'Day 0' after a CAR-T product is the infusion day, whichever brand the target rules name (issue 15)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("product", ["Breyanzi", "Yescarta", "Aucatzyl", "liso-cel", "axicabtagene ciloleucel"])
def test_car_t_day_zero_follows_any_product_the_rules_name(extract, product):
    found = extract(f"{product} infused on the unit; Day 0 was 1/6/2020. Tolerated well.")
    day_zero = [m for m in found if m.rule_id == "day_zero"]
    assert [m.concept for m in day_zero] == ["car_t"], [(m.text, m.concept) for m in found]


def test_car_t_day_zero_after_a_transplant_stays_hsct(extract):
    found = extract("Matched unrelated donor allogeneic HSCT; Day 0 was 1/6/2020.")
    assert [m.concept for m in found if m.rule_id == "day_zero"] == ["hsct"]
