"""Extraction time and memory of one long note dense with mentions, by the note's length.

Long discharge summaries paste labs, flowsheets and treatment histories: hundreds of dated
mentions in one note. Extraction must stay linear in the note's length; this builds such a note
from varied clinical lines (drug starts, marrows, antigens, transplant days, dated labs, section
headers) at each size and runs ``process_note`` on it, as the CLI does for one note (same
pipeline and prefilter), each size in a process of its own so that its peak RSS is its own.

Prints seconds, characters/s, the per-character cost relative to the smallest size, mentions
found and peak RSS.

    python bench/long_note_bench.py [--sizes 100k,400k,1.6m,4.9m] [--timeout 600]
        [--mentions-out DIR]  (each size's mentions as JSON lines, to compare two versions)
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTE_DATE = date(2021, 6, 30)
DEFAULT_SIZES = "100k,400k,1.6m,4.9m"

HEADERS = [
    "HOSPITAL COURSE:", "ONCOLOGIC HISTORY:", "Labs:", "Assessment/Plan:", "Medications:",
    "BONE MARROW BIOPSY {d}:", "Flow cytometry:", "Interval History:", "Transplant course:",
]
LINES = [
    "Blinatumomab C{c}D1 started {d}, 28 mcg/day continuous infusion; tolerated without CRS.",
    "Started inotuzumab ozogamicin C{c}D1 {d} (0.8 mg/m2 D1, 0.5 mg/m2 D8 and D15).",
    "Marrow {d}: {p}% blasts, hypercellular, c/w relapsed B-ALL.",
    "BMBx {d}: {p}% lymphoblasts by aspirate differential; MRD by flow {m}%.",
    "Flow: blasts CD19 positive ({p}%), CD22 bright on {q}% of blasts, CD20 negative.",
    "CD19 negative on the {d} marrow; CD22 dim (40%).",
    "MSD alloHSCT {d}, myeloablative Cy/TBI. Day 0 = {d}.",
    "Day +30 marrow {d}: MRD negative (<0.01%), {p}% blasts, 100% donor chimerism.",
    "Day +{n} marrow: {p}% blasts, MRD {m}% by flow.",
    "Tisagenlecleucel (CAR-T) infused {d}; Day 0. CRS grade 1 on Day +3.",
    "Acute GVHD grade II of the skin on {d}, started prednisone 1 mg/kg.",
    "Chronic GVHD of the mouth, mild, since {d}.",
    "Relapse {d} with {p}% marrow blasts -> blinatumomab {e}.",
    "{d}  WBC {w} | Hgb {h} | Plt {pl} | ANC {a} | PB blasts {q}%",
    "{d}: Cr {cr}, T bili {b}, ALT {alt}, LDH {ldh}.",
    "Peripheral smear {d}: circulating blasts {q}%.",
    "Plan: start blinatumomab C{c} on {e} if counts recover; repeat marrow after the cycle.",
    "No evidence of relapse on marrow {d} (MRD negative).",
    "Continue acyclovir, posaconazole and ursodiol; tacrolimus level 7.2 on {d}.",
    "Seen in clinic today, Day +{n} after her transplant; no fevers, eating well.",
]
# pasted flowsheets and exam lines with no study concept: half the lines of the note
FILLER = [
    "{d}  Na 13{n1} | K 4.{n1} | Cl 10{n1} | CO2 2{n1} | BUN 1{n1} | Glu 1{n1}{n1}",
    "{d} 08:00  T 37.{n1} | HR {hr} | BP 11{n1}/7{n1} | RR 1{n1} | SpO2 9{n1}% RA",
    "- ondansetron 8 mg PO q8h PRN nausea; pantoprazole 40 mg PO daily",
    "General: well-appearing, NAD. Mucosa moist, no lesions. Lungs clear. Abdomen soft, nontender.",
    "Tolerating diet, ambulating in the hallway, pain controlled on acetaminophen.",
    "{d}: blood cultures no growth to date; CMV PCR not detected.",
]


def _when(rng: random.Random) -> str:
    day = NOTE_DATE - timedelta(days=rng.randint(1, 1500))
    style = rng.randrange(4)
    if style == 0:
        return f"{day.month}/{day.day}/{day.year % 100:02d}"
    if style == 1:
        return f"{day.month}/{day.day}/{day.year}"
    if style == 2:
        return day.strftime("%d %B %Y").lstrip("0")
    return f"{day.month}/{day.day}"


def _line(rng: random.Random, template: str) -> str:
    return template.format(
        d=_when(rng), e=_when(rng), c=rng.randint(1, 5), p=rng.randint(0, 95), q=rng.randint(0, 99),
        m=round(rng.uniform(0, 5), 2), n1=rng.randint(0, 9), hr=rng.randint(60, 130), n=rng.choice([7, 14, 30, 60, 100, 180, 365]),
        w=round(rng.uniform(0.2, 40), 1), h=round(rng.uniform(6, 14), 1), pl=rng.randint(5, 400), a=round(rng.uniform(0, 8), 1),
        cr=round(rng.uniform(0.4, 2), 1), b=round(rng.uniform(0.2, 3), 1), alt=rng.randint(8, 200), ldh=rng.randint(150, 1500),
    )


def build_note(size: int, seed: int = 14) -> str:
    """A discharge summary of ``size`` characters: paragraphs of 3-10 varied lines, half of them with
    a study concept, some under a section header, each paragraph ending in a blank line."""
    rng = random.Random(seed)
    parts = ["DISCHARGE SUMMARY\nDate of Service: 06/30/2021\n\n"]
    length = len(parts[0])
    while length < size:
        lines = [_line(rng, rng.choice(LINES if rng.random() < 0.5 else FILLER)) for _ in range(rng.randint(3, 10))]
        if rng.random() < 0.4:
            lines.insert(0, rng.choice(HEADERS).format(d=_when(rng)))
        paragraph = "\n".join(lines) + "\n\n"
        parts.append(paragraph)
        length += len(paragraph)
    return "".join(parts)[:size]


def parse_size(text: str) -> int:
    """'100k' -> 100,000 characters; '1.6m' -> 1,600,000."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def run_one(size: int, mentions_out: Path | None) -> dict[str, object]:
    """Extract one note of ``size`` characters in this process; the figures as a dict."""
    from loguru import logger

    from chartabstract.models import Note
    from chartabstract.nlp.extract import process_note
    from chartabstract.nlp.pipeline import build_nlp
    from chartabstract.nlp.prefilter import Prefilter
    from chartabstract.nlp.rules import load_rules

    logger.disable("PyRuSH")
    rules = load_rules(REPO / "rules")
    nlp, prefilter = build_nlp(rules), Prefilter(rules)
    process_note(nlp, Note("W", "W/warm", NOTE_DATE, "discharge", build_note(5_000, seed=1), "bench"), prefilter=prefilter)
    text = build_note(size)
    note = Note("P1", "P1/discharge", NOTE_DATE, "discharge", text, "bench")
    started = time.perf_counter()
    mentions = process_note(nlp, note, prefilter=prefilter)
    seconds = time.perf_counter() - started
    if mentions_out is not None:
        mentions_out.mkdir(parents=True, exist_ok=True)
        with (mentions_out / f"mentions_{size}.jsonl").open("w", encoding="utf-8") as out:
            for mention in mentions:
                out.write(json.dumps(asdict(mention), default=str, sort_keys=True) + "\n")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"size": len(text), "seconds": seconds, "mentions": len(mentions), "peak_mb": peak_mb}


def measure(size: int, timeout: float, mentions_out: Path | None) -> dict[str, object] | None:
    """``run_one`` in a fresh process (its own peak RSS); None when it runs past ``timeout``."""
    command = [sys.executable, __file__, "--one", str(size)] + (["--mentions-out", str(mentions_out)] if mentions_out else [])
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"note sizes in characters (default {DEFAULT_SIZES})")
    parser.add_argument("--timeout", type=float, default=600, help="seconds after which a size is given up")
    parser.add_argument("--mentions-out", type=Path, help="write each size's mentions here as JSON lines")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child process: one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.mentions_out)))
        return 0
    print(f"{'size':>10}{'seconds':>9}{'chars/s':>10}{'cost/char vs first':>20}{'mentions':>10}{'peak RSS MB':>13}")
    first: float | None = None
    for size in (parse_size(s) for s in args.sizes.split(",")):
        result = measure(size, args.timeout, args.mentions_out)
        if result is None:
            print(f"{size:>10,}  not done in {args.timeout:.0f} s")
            continue
        per_char = result["seconds"] / result["size"]
        first = first or per_char
        print(f"{result['size']:>10,}{result['seconds']:>9.2f}{result['size'] / result['seconds']:>10,.0f}"
              f"{per_char / first:>19.2f}x{result['mentions']:>10,}{result['peak_mb']:>13,.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
