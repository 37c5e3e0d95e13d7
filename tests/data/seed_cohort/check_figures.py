"""Print the published figures of the seed study as computed from cohort.csv, and check row consistency.

    /work/main/.venv/bin/python tests/data/seed_cohort/check_figures.py

Exits non-zero when a target figure or a consistency rule fails.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from lifelines.utils import median_survival_times

from chartabstract.study import load_study

HERE = Path(__file__).resolve().parent
CUTOFF = pd.Timestamp("2020-06-30")
MONTH = 30.4375
HEADER = ",".join(load_study().column_names)  # the cohort header, from rules/study.json
DATES = ["blinatumomab_start", "inotuzumab_start", "mab1_start", "mab2_start", "prior_hsct_date",
         "prior_cart_date", "hsct_after_mab2_date", "death_date", "last_followup_date",
         "relapse_after_mab2_date"]

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    if not ok:
        failures.append(what)


def pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.1f}%)"


def main() -> int:
    path = HERE / "cohort.csv"
    check(path.read_text().splitlines()[0] == HEADER, "header row")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for c in DATES:
        df[c + "_d"] = pd.to_datetime(df[c].replace("", None))
    num = lambda c: pd.to_numeric(df[c].replace("", None))  # noqa: E731
    gap, h_days, grade, os_days, os_event = (num(c) for c in (
        "days_mab1_to_mab2", "days_mab2_to_hsct", "agvhd_max_grade", "os_days_from_mab2", "os_event"))
    hsct = df["hsct_after_mab2_date"] != ""
    cr2 = df["mab2_response"] == "CR"
    dead = df["death_date"] != ""

    print("== Published figures ==")
    n = len(df)
    blina_first = int((df["mab1_drug"] == "blinatumomab").sum())
    ino_first = int((df["mab1_drug"] == "inotuzumab").sum())
    print(f"1. patients with both mAbs: {n}; blinatumomab first {blina_first}, inotuzumab first {ino_first}")
    check((n, blina_first, ino_first) == (29, 25, 4), "figure 1")

    med_gap = float(gap.median())
    print(f"2. median days mAb1 -> mAb2: {med_gap:g}")
    check(med_gap == 99, "figure 2")

    n_cr, n_cr_hsct, n_nr_hsct = int(cr2.sum()), int((cr2 & hsct).sum()), int((~cr2 & hsct).sum())
    print(f"3. CR after mAb2: {n_cr}; alloHSCT after mAb2 among them {pct(n_cr_hsct, n_cr)}; "
          f"HSCT without CR after mAb2: {n_nr_hsct}")
    check((n_cr, n_cr_hsct, n_nr_hsct) == (19, 12, 0), "figure 3")

    med_h = float(h_days[hsct].median())
    print(f"4. median days mAb2 -> alloHSCT (n={int(hsct.sum())}): {med_h:g}")
    check(med_h == 37.5, "figure 4")

    g1, g3, nh = int((grade[hsct] >= 1).sum()), int((grade[hsct] >= 3).sum()), int(hsct.sum())
    print(f"5. acute GVHD grade >= 1: {pct(g1, nh)}; grade >= 3: {pct(g3, nh)}")
    check((g1, g3) == (7, 3), "figure 5")

    nrm = int((df.loc[hsct, "nonrelapse_death"] == "true").sum())
    print(f"6. nonrelapse mortality after alloHSCT: {pct(nrm, nh)}")
    check(nrm == 5, "figure 6")

    rel = int((df["relapse_after_mab2_date"] != "").sum())
    print(f"7. relapsed after mAb2: {pct(rel, n)}")
    check(rel == 19, "figure 7")

    nd = int(dead.sum())
    print(f"8. died: {pct(nd, n)}")
    check(nd == 21, "figure 8")

    kmf = KaplanMeierFitter().fit(os_days[~hsct], os_event[~hsct], label="no_hsct")
    med = kmf.median_survival_time_
    s365 = float(kmf.predict(365))
    ci = median_survival_times(kmf.confidence_interval_)
    lo_med, hi_med = float(ci.iloc[0, 0]), float(ci.iloc[0, 1])
    ci365 = kmf.confidence_interval_.loc[:365].iloc[-1]
    print(f"9. OS from mAb2 without alloHSCT after mAb2 (n={int((~hsct).sum())}, "
          f"{int(os_event[~hsct].sum())} deaths): median {med:g} days "
          f"(lifelines 95% CI {lo_med:g}-{hi_med:g}); 1-year OS {100 * s365:.1f}% "
          f"(lifelines log-log 95% CI {100 * ci365.iloc[0]:.1f}-{100 * ci365.iloc[1]:.1f})")
    # the same estimates with the plain log-transformed Greenwood interval (R survfit's default)
    t, e = os_days[~hsct].to_numpy(), os_event[~hsct].to_numpy()
    s, var, rows = 1.0, 0.0, []
    for time in np.unique(t[e == 1]):
        at_risk, d = int((t >= time).sum()), int(((t == time) & (e == 1)).sum())
        s *= 1 - d / at_risk
        var += d / (at_risk * (at_risk - d))
        rows.append((time, s, s * math.exp(-1.959964 * math.sqrt(var)), min(1.0, s * math.exp(1.959964 * math.sqrt(var)))))
    lo_log = next(r[0] for r in rows if r[2] <= 0.5)
    hi_log = next((r[0] for r in rows if r[3] <= 0.5), math.inf)
    at365 = [r for r in rows if r[0] <= 365][-1]
    print(f"   with log-scale Greenwood CI: median 95% CI {lo_log:g}-{'NR' if math.isinf(hi_log) else hi_log}; "
          f"1-year OS 95% CI {100 * at365[2]:.1f}-{100 * at365[3]:.1f}")
    check(med == 203 and 0.2645 <= s365 < 0.2655, "figure 9")
    first_half = kmf.survival_function_.iloc[:, 0]
    check(float(first_half[first_half <= 0.5].index[0]) == 203, "figure 9: survival first <= 0.5 at day 203")

    rk = KaplanMeierFitter().fit(os_days, 1 - os_event, label="reverse_km")
    fu = rk.median_survival_time_
    print(f"10. median follow-up after mAb2 (reverse KM): {fu:g} days = {fu / MONTH:.1f} months")
    check(round(fu / MONTH, 1) == 16.8, "figure 10")

    lr = logrank_test(os_days[hsct], os_days[~hsct], os_event[hsct], os_event[~hsct])
    km_h = KaplanMeierFitter().fit(os_days[hsct], os_event[hsct])
    print(f"11. OS alloHSCT vs no alloHSCT after mAb2: log-rank p = {lr.p_value:.3f} "
          f"(alloHSCT median {km_h.median_survival_time_:g} days, 1-year {100 * float(km_h.predict(365)):.1f}%)")
    check(lr.p_value > 0.05, "figure 11")

    print("== Other structure ==")
    bf = df["mab1_drug"] == "blinatumomab"
    print(f"12a. CR after mAb1: {int((df['mab1_response'] == 'CR').sum())}/29 "
          f"(blinatumomab first {int((bf & (df['mab1_response'] == 'CR')).sum())}/25, "
          f"inotuzumab first {int((~bf & (df['mab1_response'] == 'CR')).sum())}/4)")
    cd19_lost = int((bf & df["cd19_pre_mab2"].isin(["negative", "dim"])).sum())
    print(f"12b. blinatumomab first, CD19 negative or dim before inotuzumab: {cd19_lost}/25 "
          f"(negative {int((bf & (df['cd19_pre_mab2'] == 'negative')).sum())}, "
          f"dim {int((bf & (df['cd19_pre_mab2'] == 'dim')).sum())})")
    print(f"12c. CR after inotuzumab given second: {int((bf & cr2).sum())}/25; "
          f"CR after blinatumomab given second: {int((~bf & cr2).sum())}/4")
    for c in ("cd19_pre_mab1", "cd22_pre_mab1", "cd19_pre_mab2", "cd22_pre_mab2", "mrd_after_mab2", "death_cause"):
        print(f"     {c}: {dict(df[c].replace('', '(empty)').value_counts())}")
    print(f"12d. prior alloHSCT {int((df['prior_hsct_date'] != '').sum())}, prior CAR-T "
          f"{int((df['prior_cart_date'] != '').sum())}")
    print(f"12e. relapses by group: alloHSCT after mAb2 {int((hsct & (df['relapse_after_mab2_date'] != '')).sum())}/12, "
          f"CR without alloHSCT {int((cr2 & ~hsct & (df['relapse_after_mab2_date'] != '')).sum())}/7, "
          f"no CR after mAb2 (after later salvage remission) {int((~cr2 & (df['relapse_after_mab2_date'] != '')).sum())}/10")

    # ---- row consistency --------------------------------------------------------------------
    for _, r in df.iterrows():
        pid = r["patient_id"]
        m1, m2 = r["mab1_start_d"], r["mab2_start_d"]
        blin, ino = r["blinatumomab_start_d"], r["inotuzumab_start_d"]
        check(m1 == min(blin, ino) and m2 == max(blin, ino) and m1 < m2, f"{pid}: mab order")
        check(r["mab1_drug"] == ("blinatumomab" if blin < ino else "inotuzumab")
              and {r["mab1_drug"], r["mab2_drug"]} == {"blinatumomab", "inotuzumab"}, f"{pid}: drug names")
        check(int(r["days_mab1_to_mab2"]) == (m2 - m1).days, f"{pid}: days_mab1_to_mab2")
        check(pd.Timestamp("2014-01-01") <= m2 <= pd.Timestamp("2019-12-31"), f"{pid}: mab2 year")
        for c in DATES:
            d = r[c + "_d"]
            check(pd.isna(d) or pd.Timestamp("2012-01-01") <= d <= CUTOFF, f"{pid}: {c} range")
        for c in ("prior_hsct_date", "prior_cart_date"):
            check(pd.isna(r[c + "_d"]) or r[c + "_d"] < m1, f"{pid}: {c} before mab1")
        end = r["death_date_d"] if r["death_date"] else r["last_followup_date_d"]
        check(r["last_followup_date_d"] == end if r["death_date"] else True, f"{pid}: last follow-up = death")
        check(int(r["os_days_from_mab2"]) == (end - m2).days, f"{pid}: os days")
        check(r["os_event"] == ("1" if r["death_date"] else "0"), f"{pid}: os event")
        check((r["death_cause"] in ("relapse", "non_relapse", "unknown")) == bool(r["death_date"])
              and (r["death_cause"] == "" or bool(r["death_date"])), f"{pid}: death cause")
        h, rel = r["hsct_after_mab2_date_d"], r["relapse_after_mab2_date_d"]
        if r["hsct_after_mab2_date"]:
            check(r["mab2_response"] == "CR", f"{pid}: HSCT without CR")
            check(h >= m2 and int(r["days_mab2_to_hsct"]) == (h - m2).days and h < end, f"{pid}: HSCT date")
            check(r["agvhd_max_grade"] in list("01234"), f"{pid}: aGVHD grade")
            nrm_ = r["death_cause"] == "non_relapse" and bool(r["death_date"]) and (pd.isna(rel) or rel < h)
            check(r["nonrelapse_death"] == ("true" if nrm_ else "false"), f"{pid}: nonrelapse_death")
            check(pd.isna(rel) or rel > h, f"{pid}: relapse vs HSCT")
        else:
            check(r["days_mab2_to_hsct"] == r["agvhd_max_grade"] == r["nonrelapse_death"] == "", f"{pid}: HSCT fields")
        if r["relapse_after_mab2_date"]:
            check(m2 < rel <= end, f"{pid}: relapse date")
        if r["mab2_response"] != "CR":
            check(r["mrd_after_mab2"] in ("positive", "not_assessed"), f"{pid}: MRD for no_CR")
        check(r["flags"] == r["reviewed"] == "", f"{pid}: flags/reviewed")

    print("== Consistency ==")
    print("all checks passed" if not failures else "FAILED: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
