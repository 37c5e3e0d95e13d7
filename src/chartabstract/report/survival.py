"""Kaplan-Meier estimates with lifelines: overall survival, reverse-KM follow-up, landmark groups.

95% confidence intervals come in two kinds. ``log`` (the default) is Greenwood's variance on the
log scale, R survfit's default and what most clinical papers report (the seed study's 1-year OS
CI, 11.2-62.4, is reproduced exactly this way); lifelines does not offer it, so it is computed
here from lifelines' event table. ``log-log`` is lifelines' own exponential Greenwood interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from lifelines.utils import median_survival_times

DAYS_PER_MONTH = 365.25 / 12  # 30.4375: months of follow-up are reported in average months
CI_METHODS = ("log", "log-log")
Z95 = 1.959963984540054


@dataclass(frozen=True)
class SurvivalTimes:
    """Days from time zero to death (event 1) or last follow-up (event 0), one per patient."""

    patient_ids: list[str]
    days: list[int]
    events: list[int]

    def __len__(self) -> int:
        return len(self.days)

    def subset(self, keep: list[bool]) -> "SurvivalTimes":
        pick = [i for i, k in enumerate(keep) if k]
        return SurvivalTimes([self.patient_ids[i] for i in pick], [self.days[i] for i in pick], [self.events[i] for i in pick])


def fit(times: SurvivalTimes, label: str, *, reverse: bool = False) -> KaplanMeierFitter | None:
    """A fitted Kaplan-Meier estimator (``reverse``: censoring is the event, for follow-up)."""
    if not len(times):
        return None
    events = [1 - e for e in times.events] if reverse else times.events
    return KaplanMeierFitter(label=label).fit(times.days, event_observed=events)


def confidence_band(kmf: KaplanMeierFitter, method: str = "log") -> pd.DataFrame:
    """Lower and upper 95% bounds of S(t) at each time of the fitted curve."""
    if method == "log-log":
        band = kmf.confidence_interval_survival_function_
        return pd.DataFrame({"lower": band.iloc[:, 0], "upper": band.iloc[:, 1]}, index=band.index)
    if method != "log":
        raise ValueError(f"CI method must be one of {CI_METHODS}, not {method!r}")
    table = kmf.event_table
    deaths, at_risk = table["observed"].to_numpy(float), table["at_risk"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(deaths > 0, deaths / (at_risk * (at_risk - deaths)), 0.0)
    spread = Z95 * np.sqrt(np.cumsum(terms))
    estimate = kmf.survival_function_.iloc[:, 0].to_numpy(float)
    lower = np.where(estimate > 0, estimate * np.exp(-spread), 0.0)
    upper = np.where(estimate > 0, np.minimum(1.0, estimate * np.exp(spread)), 0.0)
    return pd.DataFrame({"lower": lower, "upper": upper}, index=kmf.survival_function_.index)


def median_with_ci(kmf: KaplanMeierFitter | None, method: str = "log") -> dict[str, object]:
    """Median survival time (whole days) with its 95% CI.

    A median the curve never reaches is None with ``not_reached`` saying how far follow-up went; a CI
    bound the band never reaches is None ("NR" on the page). ``reason`` says why a value is missing.
    """
    if kmf is None:
        return {"median": None, "ci": [None, None], "reason": "no patients in this group"}
    interval = median_survival_times(confidence_band(kmf, method))
    lower, upper = (float(v) for v in interval.iloc[0])
    result: dict[str, object] = {"median": _days(float(kmf.median_survival_time_)), "ci": [_days(lower), _days(upper)]}
    if result["median"] is None:
        result["reason"] = f"not reached: survival stays above 50% to the longest follow-up (day {last_time(kmf)})"
    return result


def last_time(kmf: KaplanMeierFitter) -> int:
    """The last day the group was observed: its longest time to death or last follow-up."""
    return int(max(kmf.durations))


def survival_at(kmf: KaplanMeierFitter | None, day: int, method: str = "log") -> dict[str, object]:
    """S(day) as a percent with its 95% CI, never extrapolated.

    Past the group's longest follow-up S(day) is not estimable (None, with ``reason``), unless every
    patient had died by then: S is then exactly 0 and its CI undefined.
    """
    if kmf is None:
        return {"pct": None, "ci_pct": [None, None], "reason": "no patients in this group"}
    last = last_time(kmf)
    estimate = float(kmf.survival_function_at_times(min(day, last)).iloc[0])
    if day > last:
        if estimate == 0:
            return {"pct": 0.0, "ci_pct": [None, None], "reason": f"every patient had died by day {last}"}
        return {"pct": None, "ci_pct": [None, None],
                "reason": f"not estimable: the longest follow-up in this group is {last} days"}
    band = confidence_band(kmf, method)
    row = band.loc[band.index <= day].iloc[-1]
    return {"pct": _pct(estimate), "ci_pct": [_pct(float(row.iloc[0])), _pct(float(row.iloc[1]))]}


def summarize(times: SurvivalTimes, label: str, method: str = "log") -> dict[str, object]:
    """Patients, deaths, median OS (days, CI) and 1-year OS (percent, CI) of one group."""
    kmf = fit(times, label)
    return {
        "n": len(times),
        "events": int(sum(times.events)),
        "last_followup_days": None if kmf is None else last_time(kmf),
        "median_os_days": median_with_ci(kmf, method),
        "one_year_os": survival_at(kmf, 365, method),
    }


def median_followup_months(times: SurvivalTimes, method: str = "log") -> dict[str, object]:
    """Median follow-up by the reverse Kaplan-Meier method, in months, with its CI."""
    kmf = fit(times, "follow-up", reverse=True)
    result = median_with_ci(kmf, method)
    found: dict[str, object] = {
        "median": _months(result["median"]),
        "ci": [_months(v) for v in result["ci"]],  # type: ignore[union-attr]
        "median_days": result["median"],
    }
    if kmf is None:
        found["reason"] = "no patients"
    elif result["median"] is None:  # every patient died: nobody was censored, follow-up never ends
        found["reason"] = "not reached: fewer than half the patients were censored (alive at last follow-up)"
    return found


def compare(first: SurvivalTimes, second: SurvivalTimes) -> float | None:
    """Log-rank p value between two groups (None when it cannot be computed: see ``compare_reason``)."""
    if compare_reason(first, second):
        return None
    result = logrank_test(first.days, second.days, event_observed_A=first.events, event_observed_B=second.events)
    p = float(result.p_value)
    return None if math.isnan(p) else round(p, 4)


def compare_reason(first: SurvivalTimes, second: SurvivalTimes) -> str | None:
    """Why two groups cannot be compared by log-rank, or None when they can."""
    if not len(first) or not len(second):
        return "not computed: a group has no patients"
    if not sum(first.events) and not sum(second.events):
        return "not computed: no deaths in either group"
    return None


def landmark(times: SurvivalTimes, treated_day: list[int | None], day: int) -> tuple[SurvivalTimes, SurvivalTimes]:
    """Landmark analysis: patients alive and followed at ``day``, grouped by treatment before it.

    Times restart at the landmark. This removes the immortal-time bias of comparing patients by a
    treatment they had to survive long enough to receive.
    """
    alive = [d > day or (d == day and e == 0) for d, e in zip(times.days, times.events)]
    shifted = SurvivalTimes(times.patient_ids, [d - day for d in times.days], times.events)
    treated = [t is not None and t <= day for t in treated_day]
    return (shifted.subset([a and t for a, t in zip(alive, treated)]),
            shifted.subset([a and not t for a, t in zip(alive, treated)]))


def at_risk_table(kmf: KaplanMeierFitter | None, days: list[int]) -> list[int]:
    """Numbers at risk at each of ``days`` (patients whose time is at least that day)."""
    if kmf is None:
        return [0 for _ in days]
    durations = pd.Series(kmf.durations)
    return [int((durations >= d).sum()) for d in days]


def _days(value: float | None) -> int | float | None:
    """A KM time in days: whole days stay whole (206, not 206.0); infinite or NaN (not reached) is None."""
    if value is None or math.isinf(value) or math.isnan(value):
        return None
    return int(value) if float(value).is_integer() else round(value, 1)


def _pct(value: float) -> float | None:
    return None if math.isnan(value) else round(100 * value, 1)


def _months(days: object) -> float | None:
    return None if days is None else round(float(days) / DAYS_PER_MONTH, 1)  # type: ignore[arg-type]
