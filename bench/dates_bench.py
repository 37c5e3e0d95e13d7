"""Benchmark the date normalizer against external date cases and time it on real notes.

Reads $CHARTABSTRACT_EXTERNAL/dates/ (default: tests/data/external/dates in this
repository) and prints, per file, how many in-scope cases resolve
correctly, which cases were left out of scope and why, and every in-scope miss.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
try:
    from chartabstract.normalize.dates import find_dates
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT / "src"))
    from chartabstract.normalize.dates import find_dates

from chartabstract.models import DateMention

EXTERNAL = Path(os.environ.get("CHARTABSTRACT_EXTERNAL", ROOT / "tests" / "data" / "external"))
DATES = EXTERNAL / "dates"
MTSAMPLES = EXTERNAL / "mtsamples" / "general_medicine"

# Out-of-scope categories, checked in order against the expected text. The module is
# for clinical notes, which date events by calendar date, by offsets from the note, or by
# treatment day; the rest of Recognizers-Text's everyday English is left out on purpose.
OUT_OF_SCOPE: list[tuple[str, re.Pattern[str], str]] = [
    ("weekday names", re.compile(r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?s?\b", re.I),
     "weekday arithmetic ('next Tuesday') is not supported"),
    ("spelled-out day/year numbers", re.compile(
        r"\b(?:first|second|third|fourth|fifth|seventh|tenth|eleventh|fifteen|twenty|thirty|nineteen"
        r"|thousand|one two)\b(?!\s+(?:days?|weeks?|months?|years?))", re.I),
     "'May twenty-first' is rare in notes; numerals are supported"),
    ("day of month only", re.compile(r"^(?:on\s+|the\s+)?\d{1,2}(?:st|nd|rd|th)?$", re.I),
     "a bare '15' or 'the 27th' is unsafe to read as a date in clinical text"),
    ("day of a relative month", re.compile(r"\b(?:of\s+)?(?:next|this|previous)\s+month\b", re.I),
     "'20th of next month' is not supported"),
    ("vague or compound offsets", re.compile(
        r"\bfew\b|business|later|from\s+(?:tomorrow|yesterday)|after\s+today|before\s+yesterday"
        r"|\d+\s+\w+,?\s+(?:and\s+)?\d+\s+\w+\s+ago|\d+\s+years?\s+\d+", re.I),
     "vague counts, 'later' (relative to an unknown event) and multi-unit offsets"),
    ("day words without a number", re.compile(r"^(?:the\s+|my\s+|this\s+|past\s+|last\s+|next\s+)+day$", re.I),
     "'the next day', 'the last day' depend on an event, not on the note date"),
    ("chat abbreviations", re.compile(r"\btmrw\b", re.I), "'tmrw' does not occur in notes"),
]


@dataclass
class Tally:
    """In-scope counts for one file, and the misses to print."""

    name: str
    in_scope: int = 0
    correct: int = 0
    coarser: int = 0  # right period at coarser precision ("a month ago" -> that month)
    misses: list[str] = field(default_factory=list)


def categorize(text: str) -> str | None:
    """The out-of-scope category of an expected expression, or None if in scope."""
    for name, pattern, _why in OUT_OF_SCOPE:
        if pattern.search(text):
            return name
    return None


def overlapping(mentions: list[DateMention], start: int, end: int) -> DateMention | None:
    return next((m for m in mentions if m.start < end and start < m.end), None)


# Why a miss is a deliberate choice of the module, when it is one.
POLICY = [
    (re.compile(r"^\d{2}-\d{1,2}-\d{2}$"), "2-digit-year field order is ambiguous; read as m-d-y"),
    (re.compile(r"^(?:1[3-9]|2\d|3[01])[/.\-]\d{1,2}[/.\-]\d{2,4}$"),
     "day-first order; the caller opts in with dayfirst=True"),
    (re.compile(r"^\d{1,2}[.\-]\d{1,2}$"), "yearless m.d / m-d: decimals and ranges look the same"),
    (re.compile(r"^(?:1[3-9]|2\d|3[01])/\d{1,2}$"), "yearless day-first d/m; dayfirst=False"),
    (re.compile(r"^\d{8}$"), "compact YYYYMMDD: identifiers look the same"),
    (re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$"), "d-m-Y and m-d-Y look the same; read as US m-d-Y"),
    (re.compile(r"\d,\s*\d"), "comma before the year ('08/12,2015') is not accepted"),
]


def describe(m: DateMention | None, expected_text: str = "") -> str:
    note = next((why for pattern, why in POLICY if pattern.search(expected_text)), "")
    if m is None:
        found = "nothing found"
    else:
        r = m.resolved
        found = f"{m.text!r} -> {'INVALID' if r.invalid else r.value} {r.precision or ''} {r.source}"
        if r.precision in ("month", "year") and expected_text and not note:
            note = "coarser precision by design"
    return f"{found}  [{note}]" if note else found


def timex_precision(timex: str) -> str:
    return {3: "day", 2: "month", 1: "year"}[len(timex.split("-"))]


def bench_recognizers_parser(out_of_scope: Counter[str]) -> Tally:
    """DateParser: spans with a resolved value against a reference date."""
    cases = json.loads((DATES / "recognizers_text_en" / "DateParser.json").read_text("utf-8-sig"))
    tally = Tally("recognizers DateParser")
    for case in cases:
        ref = date.fromisoformat(case["Context"]["ReferenceDateTime"][:10])
        mentions = find_dates(case["Input"], ref)
        for res in case["Results"]:
            if category := categorize(res["Text"]):
                out_of_scope[category] += 1
                continue
            tally.in_scope += 1
            # Both resolutions are valid readings of a yearless date; the tense of the
            # sentence picks one ("I'll go back Oct. 2" is the coming October).
            future = re.search(r"\b(?:i'll|will)\b", case["Input"], re.I) is not None
            want = res["Value"]["FutureResolution" if future else "PastResolution"]["date"]
            start = res["Start"]
            got = overlapping(mentions, start, start + res["Length"])
            if got is not None and want == "0001-01-01":  # the spec's marker for an impossible date
                ok = got.resolved.invalid
            elif got is not None and got.resolved.value is not None:
                precision = timex_precision(res["Value"]["Timex"])
                ok = str(got.resolved.value) == want and got.resolved.precision == precision
                if not ok and got.resolved.precision in ("month", "year"):
                    cut = 7 if got.resolved.precision == "month" else 4
                    tally.coarser += str(got.resolved.value)[:cut] == want[:cut]
            else:
                ok = False
            tally.correct += ok
            if not ok:
                tally.misses.append(f"{case['Input']!r} (ref {ref}): want {want}, got {describe(got, res['Text'])}")
    return tally


def bench_recognizers_extractor(out_of_scope: Counter[str]) -> Tally:
    """DateExtractor: spans only (no values); empty results are false-positive checks."""
    cases = json.loads((DATES / "recognizers_text_en" / "DateExtractor.json").read_text("utf-8-sig"))
    tally = Tally("recognizers DateExtractor (span found)")
    for case in cases:
        ref = date.fromisoformat(case.get("Context", {}).get("ReferenceDateTime", "2016-11-07")[:10])
        mentions = find_dates(case["Input"], ref)
        if not case["Results"]:
            tally.in_scope += 1
            tally.correct += not mentions
            if mentions:
                tally.misses.append(f"{case['Input']!r}: want nothing, got {describe(mentions[0])}")
            continue
        for res in case["Results"]:
            if category := categorize(res["Text"]):
                out_of_scope[category] += 1
                continue
            tally.in_scope += 1
            got = overlapping(mentions, res["Start"], res["Start"] + res["Length"])
            tally.correct += got is not None
            if got is None:
                tally.misses.append(f"{case['Input']!r}: want {res['Text']!r}, got {describe(None, res['Text'])}")
    return tally


def bench_claritynlp(out_of_scope: Counter[str]) -> Tally:
    """ClarityNLP date finder: year/month/day per expected date (2-digit years as written)."""
    data = json.loads((DATES / "claritynlp_date_finder" / "date_finder_cases.json").read_text("utf-8"))
    tally = Tally("ClarityNLP date_finder")
    note_date = date(2020, 1, 1)  # the cases give no reference date; yearless ones check month/day
    for case in data["cases"]:
        sentence = case["sentence"]
        mentions = find_dates(sentence, note_date)
        cursor = 0
        for exp in case["expected"]:
            start = sentence.find(exp["text"], cursor)
            cursor = start + len(exp["text"])
            bracketed = exp["text"].startswith("[**")
            if "day" not in exp and "month" not in exp and not bracketed:
                out_of_scope["bare year without a cue"] += 1
                continue
            if "year" not in exp and "day" not in exp:
                out_of_scope["bare month name without a cue"] += 1
                continue
            tally.in_scope += 1
            got = overlapping(mentions, start, cursor)
            value = got.resolved.value if got is not None else None
            year = exp.get("year")
            if year is not None and year < 100:
                year = 2000 + year if year < 70 else 1900 + year
            precision = "day" if "day" in exp else "month" if "month" in exp else "year"
            ok = (
                value is not None
                and got is not None
                and got.resolved.precision == precision
                and (year is None or value.year == year)
                and value.month == exp.get("month", 1)
                and value.day == exp.get("day", 1)
            )
            tally.correct += ok
            if not ok:
                tally.misses.append(f"{exp['text']!r} in {sentence[:40]!r}...: got {describe(got, exp['text'])}")
    return tally


def count_durations(out_of_scope: Counter[str]) -> None:
    cases = json.loads((DATES / "recognizers_text_en" / "DurationParser.json").read_text("utf-8-sig"))
    out_of_scope["durations (DurationParser.json)"] += sum(len(c["Results"]) for c in cases)


def time_mtsamples() -> str:
    """Dates found per second with find_dates over whole MTSamples notes."""
    notes = [p.read_text("utf-8", errors="replace") for p in sorted(MTSAMPLES.glob("*.txt"))]
    note_date = date(2020, 1, 1)
    found, rounds = 0, 5
    t0 = time.perf_counter()
    for _ in range(rounds):
        found = sum(len(find_dates(text, note_date)) for text in notes)
    elapsed = (time.perf_counter() - t0) / rounds
    chars = sum(map(len, notes))
    return (
        f"MTSamples general_medicine: {len(notes)} notes, {chars / 1e6:.2f} M chars, {found} dates "
        f"in {elapsed * 1000:.0f} ms per pass: {found / elapsed:,.0f} dates/s, "
        f"{len(notes) / elapsed:,.0f} notes/s, {chars / elapsed / 1e6:.1f} M chars/s"
    )


def main() -> None:
    out_of_scope: Counter[str] = Counter()
    tallies = [
        bench_recognizers_parser(out_of_scope),
        bench_recognizers_extractor(out_of_scope),
        bench_claritynlp(out_of_scope),
    ]
    count_durations(out_of_scope)
    print(f"{'file':40} {'in scope':>8} {'correct':>8} {'share':>7}")
    for t in tallies:
        share = t.correct / t.in_scope if t.in_scope else 0.0
        extra = f"  (+{t.coarser} right period at coarser precision)" if t.coarser else ""
        print(f"{t.name:40} {t.in_scope:8} {t.correct:8} {share:7.1%}{extra}")
    why = {name: reason for name, _p, reason in OUT_OF_SCOPE}
    why["bare year without a cue"] = "a lone 4-digit number needs a cue ('in 2004') in notes: lab values"
    why["bare month name without a cue"] = "'January' alone needs a cue ('in January'): 'May', 'March' are verbs"
    why["durations (DurationParser.json)"] = "durations are not dates"
    print("\nout of scope:")
    for name, n in out_of_scope.most_common():
        print(f"  {n:4}  {name}: {why[name]}")
    print("\nin-scope misses:")
    for t in tallies:
        for miss in t.misses:
            print(f"  [{t.name.split()[0]}] {miss}")
    print()
    print(time_mtsamples())


if __name__ == "__main__":
    main()
