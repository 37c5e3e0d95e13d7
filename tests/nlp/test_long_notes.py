"""Long notes dense with mentions (issue 14): extraction stays linear in the note's length and
finds in a long note what it finds in its parts. No timings: the work is counted in lines of
chartabstract code run, which a slow or busy machine does not change."""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import chartabstract

NOTE_DATE = date(2020, 1, 15)
SECTIONS = ["HOSPITAL COURSE:", "ONCOLOGIC HISTORY:", "LABORATORY DATA:", "Assessment/Plan:", "Flow cytometry:"]
LINES = [
    "BONE MARROW BIOPSY {d}:",
    "Blinatumomab C{n}D1 started {d}; no CRS.",
    "Marrow {d}: {p}% blasts, c/w relapsed B-ALL.",
    "Flow: blasts CD19 positive ({p}%), CD22 dim on {p}% of blasts.",
    "MSD alloHSCT {d}. Day 0 = {d}.",
    "Day +30 marrow {d}: MRD negative, {p}% blasts.",
    "Tisagenlecleucel (CAR-T) infused {d}; Day 0.",
    "Acute GVHD grade II of the skin on {d}.",
    "Relapse {d} -> inotuzumab {d} (3/2018-5/2018).",
    "{d}  WBC 4.{n} | Hgb 9.{n} | Plt 1{n}0 | PB blasts {p}%",
    "Tolerating diet; tacrolimus level 7.{n} on {d}.",
]


def _part(rng: random.Random, size: int) -> str:
    """Paragraphs of dated clinical lines under a section header (a part's section ends with it)."""
    def fill(line: str) -> str:
        day = NOTE_DATE - timedelta(days=rng.randint(1, 1500))
        when = rng.choice([f"{day.month}/{day.day}/{day.year}", f"{day.month}/{day.day}/{day.year % 100}", f"{day.month}/{day.day}"])
        return line.format(d=when, n=rng.randint(1, 9), p=rng.randint(0, 95))

    paragraphs = [rng.choice(SECTIONS)]
    while sum(map(len, paragraphs)) < size:
        paragraphs.append("\n".join(fill(rng.choice(LINES)) for _ in range(rng.randint(2, 8))))
    return "\n\n".join(paragraphs) + "\n\n"


def _note(size: int, parts: int = 1, seed: int = 14) -> list[str]:
    rng = random.Random(seed)
    return [_part(rng, size // parts) for _ in range(parts)]


def _lines_run(extract, text: str) -> tuple[int, int]:
    """(lines of chartabstract code run, mentions) extracting one note: the work done, untimed."""
    package = str(Path(chartabstract.__file__).parent)
    count = 0

    def count_lines(frame, event, arg):
        nonlocal count
        count += event == "line"
        return count_lines

    previous = sys.gettrace()
    sys.settrace(lambda frame, event, arg: count_lines if frame.f_code.co_filename.startswith(package) else None)
    try:
        mentions = extract(text)
    finally:
        sys.settrace(previous)
    return count, len(mentions)


def test_long_notes_work_grows_linearly(extract):
    """Four times the note, four times the work: a scan of every date or every mention for each
    mention made a 400 KB note take 17 times as long as a 100 KB one."""
    small_text, large_text = "".join(_note(15_000)), "".join(_note(60_000))
    small, small_mentions = _lines_run(extract, small_text)
    large, large_mentions = _lines_run(extract, large_text)
    assert large_mentions > 3 * small_mentions > 300
    assert large / small < 4.5, (small, large)  # quadratic scans made it 15


def test_long_notes_same_mentions_as_parts(extract):
    """A 300 KB note gives the mentions of its parts, each extracted alone, with offsets shifted:
    the per-note indexes of dates, sentences and sections answer as the whole-note scans did."""
    parts = _note(300_000, parts=10)
    whole = extract("".join(parts))
    expected, offset = [], 0
    for part in parts:
        for mention in extract(part):
            start, end = mention.start + offset, mention.end + offset
            expected.append(replace(mention, start=start, end=end, mention_id=f"P1/note:{start}-{end}"
                                    + mention.mention_id[len(f"P1/note:{mention.start}-{mention.end}"):]))
        offset += len(part)
    assert len(whole) > 2_000
    assert whole == expected
