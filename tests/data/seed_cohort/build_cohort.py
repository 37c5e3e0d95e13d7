"""Build the hand-designed 29-patient seed cohort (cohort.csv) for the seed study.

The survival-relevant numbers (days from mAb2 to death / last follow-up, to HSCT, to relapse,
acute GVHD grades, responses) are written out by hand below so that the published figures come
out exactly; the calendar placement (mAb2 start dates, follow-up slack, prior HSCT / CAR-T
offsets, the mAb1->mAb2 gaps, patient order) is drawn from a seeded RNG so the file is
reproducible:

    /work/main/.venv/bin/python tests/data/seed_cohort/build_cohort.py

Run check_figures.py afterwards.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from chartabstract.study import load_study

SEED = 20200630
CUTOFF = date(2020, 6, 30)
HERE = Path(__file__).resolve().parent

COLUMNS = load_study().column_names  # the cohort columns, from rules/study.json

# One tuple per patient, all day counts relative to mAb2 start:
#  key, first drug (B = blinatumomab first, I = inotuzumab first), mab1 response, mab2 response,
#  mrd after mab2, days to HSCT (None = no HSCT after mAb2), os days, dead?, days to relapse
#  (None = no relapse after mAb2), aGVHD max grade (None without HSCT), death cause,
#  blasts pre mab1, blasts pre mab2, cd19/cd22 pre mab1, cd19/cd22 pre mab2, prior HSCT?, prior CAR-T?
P = [
    # --- mAb2 non-responders, no HSCT after mAb2 (10) -------------------------------------------
    ("N1", "B", "no_CR", "no_CR", "not_assessed", None, 35, True, None, None, "relapse",
     "88", "91", "positive", "positive", "positive", "positive", False, False),
    ("N2", "B", "CR", "no_CR", "positive", None, 62, True, None, None, "non_relapse",
     "34", "62", "positive", "positive", "negative", "positive", True, False),
    ("N3", "I", "no_CR", "no_CR", "positive", None, 98, True, None, None, "relapse",
     "71", "83", "positive", "partial", "positive", "dim", False, False),
    # refractory to mAb2, CR after later salvage (CAR-T or chemotherapy), then relapse
    ("N4", "B", "CR", "no_CR", "positive", None, 140, True, 104, None, "relapse",
     "22", "46", "positive", "positive", "dim", "positive", False, False),
    ("N5", "B", "no_CR", "no_CR", "positive", None, 166, True, 121, None, "relapse",
     "64", "58", "positive", "positive", "positive", "positive", True, False),
    ("N6", "B", "CR", "no_CR", "not_assessed", None, 178, True, 133, None, "relapse",
     "15", "39", "positive", "not_reported", "negative", "positive", False, False),
    ("N7", "B", "no_CR", "no_CR", "positive", None, 203, True, 150, None, "relapse",
     "93", "76", "positive", "positive", "positive", "partial", False, True),
    ("N8", "I", "CR", "no_CR", "positive", None, 287, False, None, None, "",
     "27", "18", "positive", "positive", "positive", "positive", False, False),
    ("N9", "B", "no_CR", "no_CR", "positive", None, 316, False, 241, None, "",
     "56", "68", "positive", "positive", "positive", "positive", False, False),
    ("N10", "B", "CR", "no_CR", "positive", None, 760, False, 402, None, "",
     "9", "31", "positive", "positive", "positive", "positive", True, False),
    # --- CR after mAb2, no HSCT after mAb2 (7); all relapsed --------------------------------------
    ("C1", "B", "CR", "CR", "positive", None, 151, True, 88, None, "relapse",
     "41", "12", "positive", "positive", "negative", "positive", False, False),
    ("C2", "B", "no_CR", "CR", "negative", None, 191, True, 117, None, "relapse",
     "77", "52", "positive", "positive", "positive", "positive", True, False),
    ("C3", "B", "CR", "CR", "positive", None, 229, True, 139, None, "relapse",
     "<5", "24", "positive", "positive", "positive", "positive", False, False),
    ("C4", "B", "no_CR", "CR", "not_assessed", None, 262, True, 170, None, "relapse",
     "47", "35", "positive", "positive", "positive", "not_reported", True, False),
    ("C5", "B", "CR", "CR", "negative", None, 341, True, 214, None, "relapse",
     "19", "8", "positive", "positive", "dim", "positive", False, True),
    ("C6", "I", "CR", "CR", "positive", None, 472, True, 297, None, "unknown",
     "38", "26", "positive", "positive", "positive", "positive", False, False),
    ("C7", "B", "CR", "CR", "negative", None, 905, False, 398, None, "",
     "<5", "14", "positive", "positive", "positive", "positive", False, False),
    # --- CR after mAb2, then alloHSCT (12) ----------------------------------------------------------
    # nonrelapse deaths (5)
    ("H1", "B", "CR", "CR", "negative", 22, 74, True, None, 4, "non_relapse",
     "52", "37", "positive", "positive", "positive", "positive", False, False),
    ("H2", "B", "CR", "CR", "negative", 35, 118, True, None, 3, "non_relapse",
     "33", "21", "positive", "positive", "negative", "positive", True, False),
    ("H3", "B", "no_CR", "CR", "positive", 44, 187, True, None, 0, "non_relapse",
     "81", "63", "positive", "positive", "positive", "positive", False, False),
    ("H4", "B", "CR", "CR", "negative", 29, 256, True, None, 3, "non_relapse",
     "12", "17", "positive", "positive", "positive", "positive", False, False),
    ("H5", "B", "CR", "CR", "not_assessed", 66, 402, True, None, 2, "non_relapse",
     "26", "9", "positive", "positive", "positive", "positive", True, False),
    # relapse after HSCT, died (3)
    ("H6", "B", "CR", "CR", "positive", 31, 231, True, 139, 0, "relapse",
     "44", "28", "positive", "positive", "negative", "positive", False, True),
    ("H7", "B", "no_CR", "CR", "negative", 40, 368, True, 205, 1, "relapse",
     "69", "47", "positive", "positive", "positive", "positive", False, False),
    ("H8", "I", "CR", "CR", "negative", 26, 495, True, 262, 0, "relapse",
     "58", "11", "not_reported", "positive", "positive", "positive", True, False),
    # alive (4): three relapsed after HSCT and were salvaged, one in continuous remission
    ("H9", "B", "CR", "CR", "negative", 34, 400, False, 288, 1, "",
     "7", "<5", "positive", "positive", "positive", "positive", False, False),
    ("H10", "B", "no_CR", "CR", "negative", 51, 470, False, 330, 0, "",
     "36", "22", "positive", "positive", "positive", "positive", False, False),
    ("H11", "B", "CR", "CR", "positive", 58, 511, False, 301, 2, "",
     "18", "6", "positive", "positive", "partial", "positive", False, False),
    ("H12", "B", "no_CR", "CR", "negative", 83, 1180, False, None, 0, "",
     "61", "29", "positive", "not_reported", "positive", "positive", False, False),
]

# mAb1 -> mAb2 gaps in days (29 values, 15th smallest = 99)
GAPS = [28, 35, 41, 47, 52, 58, 63, 70, 76, 81, 86, 90, 94, 97, 99, 104, 112, 120, 131, 145,
        160, 178, 196, 221, 248, 290, 352, 433, 540]


def iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def main() -> None:
    rng = random.Random(SEED)
    assert len(P) == 29 and len(GAPS) == 29
    # Patients refractory to mAb1 moved on to mAb2 sooner: they draw their gaps from the 15
    # shortest; patients in CR after mAb1 (who had to relapse first) take the rest.
    refractory = [i for i, p in enumerate(P) if p[2] != "CR"]
    responders = [i for i, p in enumerate(P) if p[2] == "CR"]
    # (the four shortest, under 7 weeks, always go to refractory patients)
    pool = GAPS[4:15]
    rng.shuffle(pool)
    short = GAPS[:4] + pool[:len(refractory) - 4]
    rng.shuffle(short)
    rest = pool[len(refractory) - 4:] + GAPS[15:]
    rng.shuffle(rest)
    gaps = [0] * len(P)
    for i, g in zip(refractory, short):
        gaps[i] = g
    for i, g in zip(responders, rest):
        gaps[i] = g
    order = list(range(29))
    rng.shuffle(order)  # patient_id order is unrelated to the design groups
    rows = []
    for sid, idx in enumerate(order, start=1):
        (key, first, r1, r2, mrd, hsct_d, os_d, dead, rel_d, gvhd, cause,
         bl1, bl2, cd19a, cd22a, cd19b, cd22b, prior_hsct, prior_cart) = P[idx]
        gap = gaps[idx]
        if dead:
            # mAb2 start between 2014-06-01 and 2019-10-31 with the death before the cutoff
            latest = min(date(2019, 10, 31), CUTOFF - timedelta(days=os_d + 5))
            earliest = date(2014, 6, 1)
            m2 = earliest + timedelta(days=rng.randint(0, (latest - earliest).days))
            end = m2 + timedelta(days=os_d)
            death = end
        else:
            end = CUTOFF - timedelta(days=rng.randint(0, 40))  # last clinic note before cutoff
            m2 = end - timedelta(days=os_d)
            death = None
        m1 = m2 - timedelta(days=gap)
        blin, ino = (m1, m2) if first == "B" else (m2, m1)
        d1, d2 = ("blinatumomab", "inotuzumab") if first == "B" else ("inotuzumab", "blinatumomab")
        room = (m1 - date(2012, 1, 15)).days  # keep every date in 2012 or later
        phsct = m1 - timedelta(days=rng.randint(150, min(720, room))) if prior_hsct else None
        pcart = m1 - timedelta(days=rng.randint(60, min(200, room))) if prior_cart else None
        hsct = m2 + timedelta(days=hsct_d) if hsct_d is not None else None
        rel = m2 + timedelta(days=rel_d) if rel_d is not None else None
        rows.append({
            "patient_id": f"S{sid:02d}",
            "blinatumomab_start": iso(blin), "inotuzumab_start": iso(ino),
            "mab1_drug": d1, "mab1_start": iso(m1), "mab2_drug": d2, "mab2_start": iso(m2),
            "days_mab1_to_mab2": str(gap),
            "prior_hsct_date": iso(phsct), "prior_cart_date": iso(pcart),
            "blasts_pre_mab1_pct": bl1, "blasts_pre_mab2_pct": bl2,
            "cd19_pre_mab1": cd19a, "cd22_pre_mab1": cd22a, "cd19_pre_mab2": cd19b, "cd22_pre_mab2": cd22b,
            "mab1_response": r1, "mab2_response": r2, "mrd_after_mab2": mrd,
            "hsct_after_mab2_date": iso(hsct), "days_mab2_to_hsct": "" if hsct_d is None else str(hsct_d),
            "death_date": iso(death), "last_followup_date": iso(end),
            "relapse_after_mab2_date": iso(rel),
            "agvhd_max_grade": "" if gvhd is None else str(gvhd),
            "death_cause": cause,
            "nonrelapse_death": "" if hsct is None else ("true" if dead and cause == "non_relapse" else "false"),
            "os_days_from_mab2": str((end - m2).days), "os_event": "1" if dead else "0",
            "flags": "", "reviewed": "",
        })
        print(f"S{sid:02d} <- {key}")
    with open(HERE / "cohort.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
