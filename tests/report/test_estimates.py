"""Survival estimates of the report against lifelines' KaplanMeierFitter, fitted here on the cohort
read independently with pandas, and against hand computation on a 3-patient cohort (issue 17)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

from chartabstract.report import plots, survival
from chartabstract.report.cohort_table import read_cohort
from chartabstract.report.summary import build_summary, study_data
from tests.conftest import REPO

SEED_COHORT = REPO / "tests" / "data" / "seed_cohort" / "cohort.csv"


def _seed_groups() -> dict[str, pd.DataFrame]:
    table = pd.read_csv(SEED_COHORT)
    both = table[table["mab1_start"].notna() & table["mab2_start"].notna()]
    hsct = both["hsct_after_mab2_date"].notna()
    return {"all": both, "hsct": both[hsct], "no_hsct": both[~hsct]}


def _expected(group: pd.DataFrame, ci: str) -> dict:
    """What the report must say for a group, from lifelines alone: no extrapolation past the last time."""
    kmf = KaplanMeierFitter().fit(group["os_days_from_mab2"], group["os_event"])
    median = kmf.median_survival_time_
    found = {"median": None if math.isinf(median) else int(median), "one_year": None, "one_year_ci": None}
    if group["os_days_from_mab2"].max() >= 365:
        found["one_year"] = round(100 * float(kmf.predict(365)), 1)
        if ci == "log-log":  # lifelines' own interval
            band = kmf.confidence_interval_survival_function_
            row = band[band.index <= 365].iloc[-1]
            found["one_year_ci"] = [round(100 * float(v), 1) for v in row]
            lower, upper = median_survival_times(kmf.confidence_interval_survival_function_).iloc[0]
            found["median_ci"] = [None if math.isinf(v) else int(v) for v in (lower, upper)]
    return found


@pytest.mark.parametrize("ci", ["log", "log-log"])
def test_estimates_match_lifelines_on_the_seed_cohort(ci):
    s = build_summary(read_cohort(SEED_COHORT), ci_method=ci)
    report = {"all": {"median_os_days": s["median_os_days"], "one_year_os": s["one_year_os"]},
              "hsct": s["os_by_hsct_after_mab2"]["hsct"], "no_hsct": s["os_by_hsct_after_mab2"]["no_hsct"]}
    for name, group in _seed_groups().items():
        want, got = _expected(group, ci), report[name]
        assert got["median_os_days"]["median"] == want["median"], name
        assert got["one_year_os"]["pct"] == want["one_year"], name
        if want["one_year_ci"] is not None:
            assert got["one_year_os"]["ci_pct"] == want["one_year_ci"], name
            assert got["median_os_days"]["ci"] == want["median_ci"], name
    assert isinstance(s["median_os_days"]["median"], int)  # printed "206", never "206.0"
    # the paper's figures (README of the seed cohort): median 203, 1-year 26.5% (log CI 11.2-62.4)
    assert report["no_hsct"]["median_os_days"]["median"] == 203
    if ci == "log":
        assert report["no_hsct"]["one_year_os"]["ci_pct"] == [11.2, 62.4]


def test_estimates_reverse_km_follow_up_matches_lifelines():
    group = _seed_groups()["all"]
    kmf = KaplanMeierFitter().fit(group["os_days_from_mab2"], 1 - group["os_event"])
    s = build_summary(read_cohort(SEED_COHORT))
    assert s["median_followup_months"]["median_days"] == int(kmf.median_survival_time_) == 511
    assert s["median_followup_months"]["median"] == 16.8


def test_estimates_km_figure_draws_lifelines_curves_and_hand_counted_numbers_at_risk():
    data = study_data(read_cohort(SEED_COHORT))
    no_hsct = data.times.subset([d is None for d in data.hsct_day])
    fig = plots.draw_km([("all", data.times), ("no alloHSCT", no_hsct)], title="t", note="n")
    for label, times in (("all", data.times), ("no alloHSCT", no_hsct)):
        line = next(line for ax in fig.axes for line in ax.get_lines() if line.get_gid() == f"km:{label}")
        curve = KaplanMeierFitter().fit(times.days, times.events).survival_function_.iloc[:, 0]
        assert list(line.get_xdata()) == list(curve.index)
        assert list(line.get_ydata()) == pytest.approx(list(curve))
        assert max(line.get_xdata()) == max(times.days)  # the curve stops at the last follow-up
        counts = {t.get_gid(): int(t.get_text()) for ax in fig.axes for t in ax.texts
                  if (t.get_gid() or "").startswith(f"at-risk:{label}:")}
        assert counts
        for gid, shown in counts.items():
            day = int(gid.rsplit(":", 1)[1])
            assert shown == sum(1 for d in times.days if d >= day), gid  # still followed on that day
    main = next(ax for ax in fig.axes if ax.get_lines())
    fig.canvas.draw()
    legend = main.get_legend().get_window_extent()
    assert legend.y0 >= main.get_window_extent().y1 - 1  # the legend sits above the axes, clear of the bands


# three patients, days from mAb2: a death at 100, censored at 200, a death at 300
THREE = survival.SurvivalTimes(["P1", "P2", "P3"], [100, 200, 300], [1, 0, 1])


def test_estimates_three_patients_by_hand():
    kmf = survival.fit(THREE, "three")
    # S(100) = 2/3; at 200 one is censored; S(300) = 2/3 * 0/1 = 0 -> the median is 300
    assert kmf.survival_function_at_times([99, 100, 200, 299, 300]).round(4).tolist() == [1, 0.6667, 0.6667, 0.6667, 0]
    assert survival.median_with_ci(kmf)["median"] == 300
    assert survival.survival_at(kmf, 250) == {"pct": 66.7, "ci_pct": [
        round(100 * 2 / 3 * math.exp(-survival.Z95 * math.sqrt(1 / 6)), 1), 100.0]}  # Greenwood, log scale
    everyone_died = survival.survival_at(kmf, 365)
    assert everyone_died["pct"] == 0.0 and "died by day 300" in everyone_died["reason"]
    lifelines = KaplanMeierFitter().fit(THREE.days, THREE.events)
    assert survival.median_with_ci(kmf, "log-log")["median"] == lifelines.median_survival_time_ == 300


def test_estimates_are_not_extrapolated_past_the_last_follow_up():
    # the case: the longest follow-up of the group is 149 days, 1-year OS was printed as 40%
    group = survival.SurvivalTimes(["a", "b", "c", "d"], [30, 60, 100, 149], [1, 1, 0, 0])
    one_year = survival.survival_at(survival.fit(group, "g"), 365)
    assert one_year["pct"] is None and one_year["ci_pct"] == [None, None]
    assert one_year["reason"] == "not estimable: the longest follow-up in this group is 149 days"
    assert survival.survival_at(survival.fit(group, "g"), 149)["pct"] == 50.0  # on the last day it still is
    # a cohort followed 29 days, nobody died: no 1-year OS (it was "100% (100-100)") and no median
    followed = survival.SurvivalTimes(["a", "b"], [29, 29], [0, 0])
    result = survival.summarize(followed, "short")
    assert result["one_year_os"]["pct"] is None and "29 days" in result["one_year_os"]["reason"]
    assert result["median_os_days"]["median"] is None and "not reached" in result["median_os_days"]["reason"]
    assert survival.compare(followed, followed) is None
    assert survival.compare_reason(followed, followed) == "not computed: no deaths in either group"
