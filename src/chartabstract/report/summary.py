"""The study's results, computed from the cohort table: every figure of the report, as data.

Study population: patients who received both drugs (mab1 and mab2 starts present). Counts are
``{"n", "of", "pct"}``; medians of days ``{"median", "min", "max", "n"}``; survival figures carry
their 95% CI. Each section records how many unresolved flags lie behind it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from chartabstract.report import survival
from chartabstract.report.cohort_table import Cohort

NEG_OR_DIM = ("negative", "dim")
CD19_GROUPS = ("positive", "partial", "dim", "negative", "not_reported")

# the cohort columns each section of the report rests on (for its open-flag count)
SEQUENCE_COLUMNS = ("blinatumomab_start", "inotuzumab_start", "mab1_drug", "mab1_start", "mab2_drug", "mab2_start", "days_mab1_to_mab2")
RESPONSE_COLUMNS = ("mab1_response", "mab2_response", "cd19_pre_mab1", "cd19_pre_mab2", "mrd_after_mab2", "blasts_pre_mab1_pct", "blasts_pre_mab2_pct")
TRANSPLANT_COLUMNS = ("mab2_response", "hsct_after_mab2_date", "days_mab2_to_hsct", "mab2_start")
OUTCOME_COLUMNS = ("hsct_after_mab2_date", "agvhd_max_grade", "nonrelapse_death", "relapse_after_mab2_date", "death_date", "death_cause")
SURVIVAL_COLUMNS = ("mab2_start", "death_date", "last_followup_date", "hsct_after_mab2_date")


@dataclass(frozen=True)
class StudyData:
    """The study population and its survival times from mab2 start."""

    both: pd.DataFrame
    times: survival.SurvivalTimes
    hsct_day: list[int | None]  # days from mab2 start to the HSCT after mab2, per patient


def study_data(cohort: Cohort) -> StudyData:
    """Select patients with both drugs and derive OS times (from the os_ columns when present)."""
    table = cohort.table
    both = table[table["mab1_start"].notna() & table["mab2_start"].notna()].reset_index(drop=True)
    days, events, hsct = [], [], []
    for row in both.itertuples(index=False):
        end = row.death_date or row.last_followup_date
        if _has(row, "os_days_from_mab2"):
            days.append(int(row.os_days_from_mab2))
        else:
            days.append((end - row.mab2_start).days if end else 0)
        events.append(int(row.os_event) if _has(row, "os_event") else int(row.death_date is not None))
        hsct.append((row.hsct_after_mab2_date - row.mab2_start).days if row.hsct_after_mab2_date else None)
    times = survival.SurvivalTimes([str(p) for p in both["patient_id"]], days, events)
    return StudyData(both=both, times=times, hsct_day=hsct)


def build_summary(cohort: Cohort, *, landmark_day: int | None = None, ci_method: str = "log",
                  data: StudyData | None = None) -> dict[str, Any]:
    """Every figure of the report, keyed as documented in README ("Study report")."""
    data = data or study_data(cohort)
    both = data.both
    ids = both["patient_id"]
    blina_first = both[both["mab1_drug"] == "blinatumomab"]
    responders = both[both["mab2_response"] == "CR"]
    transplanted = both[both["hsct_after_mab2_date"].notna()]
    responders_transplanted = responders[responders["hsct_after_mab2_date"].notna()]
    no_hsct = [d is None for d in data.hsct_day]

    summary: dict[str, Any] = {
        "patients_in_table": int(len(cohort.table)),
        "patients_both_mabs": int(len(both)),
        "blinatumomab_first": count(len(blina_first), len(both)),
        "inotuzumab_first": count(int((both["mab1_drug"] == "inotuzumab").sum()), len(both)),
        "median_days_mab1_to_mab2": median_range(both["days_mab1_to_mab2"]),
        "cr_after_mab1": response(both, "mab1_response", "cd19_pre_mab1"),
        "cr_after_mab2": response(both, "mab2_response", "cd19_pre_mab2"),
        "cd19_neg_or_dim_after_blinatumomab": count(int(blina_first["cd19_pre_mab2"].isin(NEG_OR_DIM).sum()), len(blina_first)),
        "cr_after_inotuzumab_post_blinatumomab": response(blina_first, "mab2_response", "cd19_pre_mab2"),
        "hsct_after_mab2": count(len(responders_transplanted), len(responders)),
        "median_days_mab2_to_hsct": median_range(transplanted["days_mab2_to_hsct"]),
        "deaths": count(int(both["death_date"].notna().sum()), len(both)),
        "median_followup_months": survival.median_followup_months(data.times, ci_method),
    }
    overall = survival.summarize(data.times, "all patients", ci_method)
    summary["median_os_days"] = overall["median_os_days"]
    summary["one_year_os"] = overall["one_year_os"]
    summary["last_followup_days"] = overall["last_followup_days"]
    hsct_group = data.times.subset([not n for n in no_hsct])
    rest = data.times.subset(no_hsct)
    summary["os_by_hsct_after_mab2"] = {
        "hsct": survival.summarize(hsct_group, "alloHSCT after mAb2", ci_method),
        "no_hsct": survival.summarize(rest, "no alloHSCT after mAb2", ci_method),
        "logrank_p": survival.compare(hsct_group, rest),
        "logrank_reason": survival.compare_reason(hsct_group, rest),
    }
    if landmark_day is not None:
        treated, untreated = survival.landmark(data.times, data.hsct_day, landmark_day)
        summary["os_landmark"] = {
            "day": landmark_day,
            "hsct": survival.summarize(treated, f"alloHSCT by day {landmark_day}", ci_method),
            "no_hsct": survival.summarize(untreated, f"no alloHSCT by day {landmark_day}", ci_method),
            "logrank_p": survival.compare(treated, untreated),
            "logrank_reason": survival.compare_reason(treated, untreated),
        }
    summary.update(outcomes(both, transplanted))
    summary["open_flags"] = {
        "total": cohort.total_open_flags,
        "sequence": cohort.open_flags(SEQUENCE_COLUMNS, ids),
        "response": cohort.open_flags(RESPONSE_COLUMNS, ids),
        "transplant": cohort.open_flags(TRANSPLANT_COLUMNS, ids),
        "outcomes": cohort.open_flags(OUTCOME_COLUMNS, ids),
        "survival": cohort.open_flags(SURVIVAL_COLUMNS, ids),
        "review_items": open_review_items(cohort.source.parent / "review_queue.csv"),
    }
    summary["status"] = report_status(len(both), cohort.total_open_flags)
    # "final" needs patients: a report of nobody (every note skipped, say) is not a final result
    summary["preliminary"] = summary["status"] != "final"
    summary["ci_method"] = ci_method
    return summary


def report_status(patients: int, open_flags: int) -> str:
    """``final`` only with patients in the study population and no open flag; else ``preliminary``
    (open flags) or ``empty`` (nobody received both drugs)."""
    if not patients:
        return "empty"
    return "preliminary" if open_flags else "final"


def open_review_items(queue: Path) -> int | None:
    """The open review items behind the flags (each decides one or more flagged values), when the
    cohort sits in its run folder; None for a cohort table on its own."""
    if not queue.exists():
        return None
    with open(queue, encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def outcomes(both: pd.DataFrame, transplanted: pd.DataFrame) -> dict[str, Any]:
    """aGVHD and non-relapse mortality after the mab2 HSCT, relapse after mab2 (when the columns exist)."""
    found: dict[str, Any] = {}
    if "agvhd_max_grade" in transplanted:
        grades = transplanted["agvhd_max_grade"]
        found["agvhd_any"] = count(int((grades >= 1).sum()), len(transplanted))
        found["agvhd_grade3_plus"] = count(int((grades >= 3).sum()), len(transplanted))
        found["agvhd_grade_unknown"] = int(grades.isna().sum())
    if "nonrelapse_death" in transplanted:
        found["nonrelapse_deaths"] = count(int((transplanted["nonrelapse_death"] == "true").sum()), len(transplanted))
    if "relapse_after_mab2_date" in both:
        found["relapses_after_mab2"] = count(int(both["relapse_after_mab2_date"].notna().sum()), len(both))
    if "death_cause" in both:
        causes = both.loc[both["death_date"].notna(), "death_cause"].fillna("unknown")
        found["death_causes"] = {str(k): int(v) for k, v in causes.value_counts().sort_index().items()}
    return found


def count(n: int, of: int) -> dict[str, Any]:
    return {"n": int(n), "of": int(of), "pct": round(100 * n / of, 1) if of else None}


def median_range(values: pd.Series) -> dict[str, Any]:
    known = values.dropna().astype(float)
    if known.empty:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": _number(known.median()), "min": _number(known.min()), "max": _number(known.max()), "n": int(len(known))}


def response(group: pd.DataFrame, column: str, cd19_column: str) -> dict[str, Any]:
    """CR count overall and by CD19 status at that relapse (the marrow before the drug)."""
    result = count(int((group[column] == "CR").sum()), len(group))
    result["not_assessed"] = int((group[column] == "not_assessed").sum())
    status = group[cd19_column].fillna("not_reported")
    result["by_cd19"] = {
        name: count(int(((status == name) & (group[column] == "CR")).sum()), int((status == name).sum()))
        for name in CD19_GROUPS if (status == name).any()
    }
    negative_or_dim = status.isin(NEG_OR_DIM)
    result["by_cd19"]["negative_or_dim"] = count(int((negative_or_dim & (group[column] == "CR")).sum()), int(negative_or_dim.sum()))
    return result


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(float(value), 1)


def _has(row: object, column: str) -> bool:
    value = getattr(row, column, None)
    return value is not None and not pd.isna(value)
