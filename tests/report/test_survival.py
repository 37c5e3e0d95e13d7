"""Survival statistics against hand computations on small tables."""

from __future__ import annotations

import math

import pytest

from chartabstract.report import survival

# 5 patients: deaths at days 1, 3, 4; censored at 2 and 5.
# S(1) = 4/5 = 0.8; S(3) = 0.8 * 2/3 = 0.5333; S(4) = 0.5333 * 1/2 = 0.2667 -> median 4.
SMALL = survival.SurvivalTimes(["a", "b", "c", "d", "e"], [1, 2, 3, 4, 5], [1, 0, 1, 1, 0])


def test_survival_kaplan_meier_by_hand():
    kmf = survival.fit(SMALL, "small")
    assert kmf.survival_function_at_times([1, 2, 3, 4]).round(4).tolist() == [0.8, 0.8, 0.5333, 0.2667]
    assert survival.median_with_ci(kmf)["median"] == 4.0
    assert survival.survival_at(kmf, 5)["pct"] == 26.7  # the last follow-up (censored at day 5)
    assert survival.survival_at(kmf, 365)["pct"] is None  # past it: not estimable, never extrapolated


def test_survival_log_ci_by_hand():
    # Greenwood: var(log S(3)) = 1/(5*4) + 1/(3*2) = 0.05 + 0.16667; S(3) * exp(+-1.96 * sqrt(var))
    kmf = survival.fit(SMALL, "small")
    spread = 1.959963984540054 * math.sqrt(1 / 20 + 1 / 6)
    band = survival.confidence_band(kmf, "log")
    lower, upper = band.loc[3.0]
    assert lower == pytest.approx(0.53333 * math.exp(-spread), abs=1e-4)
    assert upper == pytest.approx(min(1.0, 0.53333 * math.exp(spread)), abs=1e-4)
    # log-log is lifelines' own band: narrower than 1 on top, never above 1
    assert (survival.confidence_band(kmf, "log-log")["upper"] <= 1).all()
    with pytest.raises(ValueError):
        survival.confidence_band(kmf, "plain")


def test_survival_median_not_reached_is_none():
    times = survival.SurvivalTimes(["a", "b", "c"], [10, 20, 30], [1, 0, 0])
    assert survival.median_with_ci(survival.fit(times, "x"))["median"] is None
    assert survival.summarize(survival.SurvivalTimes([], [], []), "empty")["median_os_days"]["median"] is None


def test_survival_reverse_km_follow_up_by_hand():
    # all alive at 30, 60, 90, 120 days: reverse KM 0.75, 0.5 at day 60 -> median 60 days = 2.0 months
    times = survival.SurvivalTimes(list("abcd"), [30, 60, 90, 120], [0, 0, 0, 0])
    result = survival.median_followup_months(times)
    assert result["median_days"] == 60.0
    assert result["median"] == round(60 / 30.4375, 1) == 2.0
    # a death is censoring for follow-up: patients who died do not shorten it
    times = survival.SurvivalTimes(list("abcd"), [10, 60, 90, 120], [1, 0, 0, 0])
    assert survival.median_followup_months(times)["median_days"] == 90.0


def test_survival_landmark_drops_early_deaths_and_groups_by_treatment_before_landmark():
    times = survival.SurvivalTimes(["early_death", "hsct_d30", "hsct_d90", "none"], [20, 400, 300, 200], [1, 1, 0, 1])
    treated, untreated = survival.landmark(times, [None, 30, 90, None], 60)
    assert treated.patient_ids == ["hsct_d30"] and treated.days == [340]
    assert untreated.patient_ids == ["hsct_d90", "none"]  # transplanted after the landmark counts as not
    assert untreated.days == [240, 140]


def test_survival_logrank_identical_groups():
    assert survival.compare(SMALL, SMALL) == 1.0
    assert survival.compare(SMALL, survival.SurvivalTimes([], [], [])) is None


def test_survival_numbers_at_risk():
    assert survival.at_risk_table(survival.fit(SMALL, "s"), [0, 2, 3, 5, 6]) == [5, 4, 3, 1, 0]
