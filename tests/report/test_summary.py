"""Study figures from small hand-made cohort tables, each checked against a hand count."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from chartabstract.errors import InputError
from chartabstract.report.cohort_table import read_cohort
from chartabstract.report.summary import build_summary

COLUMNS = ["patient_id", "mab1_drug", "mab1_start", "mab2_drug", "mab2_start", "days_mab1_to_mab2", "cd19_pre_mab1",
           "cd19_pre_mab2", "mab1_response", "mab2_response", "hsct_after_mab2_date", "days_mab2_to_hsct", "death_date",
           "last_followup_date", "relapse_after_mab2_date", "agvhd_max_grade", "death_cause", "nonrelapse_death", "flags"]
ROWS = [
    # P1: blina -> InO (CD19 neg) CR -> HSCT day 40, aGVHD 3, NRM death
    ["P1", "blinatumomab", "2019-01-01", "inotuzumab", "2019-04-01", "90", "positive", "negative", "CR", "CR",
     "2019-05-11", "40", "2019-09-01", "2019-09-01", "", "3", "non_relapse", "true", ""],
    # P2: blina -> InO (CD19 dim) CR -> HSCT day 60, aGVHD 1, relapse, alive
    ["P2", "blinatumomab", "2019-01-01", "inotuzumab", "2019-05-01", "120", "positive", "dim", "CR", "CR",
     "2019-06-30", "60", "", "2020-06-01", "2020-01-10", "1", "", "false", "mab2_start"],
    # P3: InO -> blina, no CR after mab2, dies of leukemia
    ["P3", "inotuzumab", "2019-02-01", "blinatumomab", "2019-03-03", "30", "dim", "positive", "no_CR", "no_CR",
     "", "", "2019-06-01", "2019-06-01", "", "", "relapse", "", "death_date;mab2_response"],
    # P4: blina -> InO CR, no HSCT, relapses, alive
    ["P4", "blinatumomab", "2019-01-01", "inotuzumab", "2019-07-01", "181", "positive", "positive", "CR", "CR",
     "", "", "", "2020-01-01", "2019-11-01", "", "", "", ""],
    # P5: a control who got only blinatumomab: outside the study population
    ["P5", "blinatumomab", "2019-01-01", "", "", "", "positive", "", "CR", "", "", "", "", "2020-01-01", "", "", "", "", "mab1_response"],
]


@pytest.fixture()
def cohort(tmp_path):
    path = tmp_path / "cohort.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(ROWS)
    return read_cohort(path)


def test_summary_sequence_and_response(cohort):
    s = build_summary(cohort)
    assert s["patients_in_table"] == 5 and s["patients_both_mabs"] == 4
    assert s["blinatumomab_first"] == {"n": 3, "of": 4, "pct": 75.0}
    assert s["inotuzumab_first"]["n"] == 1
    assert s["median_days_mab1_to_mab2"] == {"median": 105, "min": 30, "max": 181, "n": 4}  # (90 + 120) / 2
    assert s["cr_after_mab1"]["n"] == 3 and s["cr_after_mab1"]["of"] == 4
    assert s["cr_after_mab2"]["by_cd19"]["negative_or_dim"] == {"n": 2, "of": 2, "pct": 100.0}
    assert s["cr_after_mab2"]["by_cd19"]["positive"] == {"n": 1, "of": 2, "pct": 50.0}
    assert s["cd19_neg_or_dim_after_blinatumomab"] == {"n": 2, "of": 3, "pct": 66.7}
    assert s["cr_after_inotuzumab_post_blinatumomab"]["n"] == 3 and s["cr_after_inotuzumab_post_blinatumomab"]["of"] == 3


def test_summary_transplant_and_outcomes(cohort):
    s = build_summary(cohort)
    assert s["hsct_after_mab2"] == {"n": 2, "of": 3, "pct": 66.7}
    assert s["median_days_mab2_to_hsct"]["median"] == 50
    assert s["agvhd_any"] == {"n": 2, "of": 2, "pct": 100.0}
    assert s["agvhd_grade3_plus"] == {"n": 1, "of": 2, "pct": 50.0}
    assert s["nonrelapse_deaths"] == {"n": 1, "of": 2, "pct": 50.0}
    assert s["relapses_after_mab2"] == {"n": 2, "of": 4, "pct": 50.0}
    assert s["deaths"] == {"n": 2, "of": 4, "pct": 50.0}
    assert s["death_causes"] == {"non_relapse": 1, "relapse": 1}


def test_summary_survival_from_mab2(cohort):
    # OS days from mab2: P1 153 (died), P2 397 (alive), P3 90 (died), P4 184 (alive)
    # KM: S(90) = 3/4; S(153) = 3/4 * 2/3 = 0.5 -> median 153
    s = build_summary(cohort)
    assert s["median_os_days"]["median"] == 153.0
    assert s["one_year_os"]["pct"] == 50.0
    assert s["os_by_hsct_after_mab2"]["hsct"]["n"] == 2 and s["os_by_hsct_after_mab2"]["no_hsct"]["n"] == 2
    # reverse KM (censoring is the event): 184 -> 2/3... P4 at 184 (2 at risk of 4 after 90, 153): S = 1/2 -> median 184
    assert s["median_followup_months"]["median_days"] == 184.0


def test_summary_counts_open_flags_behind_each_table(cohort):
    s = build_summary(cohort)
    # P5 is outside the study population; its flag counts in the total only
    assert s["open_flags"]["total"] == 4
    assert s["open_flags"]["sequence"] == 1  # P2 mab2_start
    assert s["open_flags"]["response"] == 1  # P3 mab2_response
    assert s["open_flags"]["survival"] == 2  # P2 mab2_start, P3 death_date
    assert s["preliminary"] is True


def test_summary_without_outcome_columns_omits_outcome_figures(tmp_path):
    path = tmp_path / "cohort.csv"
    keep = COLUMNS.index("relapse_after_mab2_date")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS[:keep] + ["flags"])
        writer.writerows(row[:keep] + [""] for row in ROWS)
    s = build_summary(read_cohort(path))
    assert "agvhd_any" not in s and "relapses_after_mab2" not in s
    assert s["preliminary"] is False


def test_cohort_table_errors_name_file_line_and_column(tmp_path):
    path = tmp_path / "cohort.csv"
    path.write_text(",".join(COLUMNS) + "\n" + ",".join(ROWS[0]).replace("2019-04-01", "April 1") + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"cohort.csv, line 2: column mab2_start must be an ISO date"):
        read_cohort(path)
    path.write_text("patient_id,mab1_start\nP1,2019-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        read_cohort(path)
    with pytest.raises(InputError, match="no cohort table"):
        read_cohort(Path(tmp_path / "nowhere"))
