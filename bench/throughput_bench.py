"""Throughput on sample_notes plus MTSamples distractor notes, three ways, in one run.

1. chartabstract: the `run` stage over the notes folder (ingest, prefilter, pipeline, mention
   outputs) timed in-process without start-up, the same plus timelines and cohort, and the whole
   CLI as a subprocess;
2. medspaCy's default pipeline (`medspacy.load()`: PyRuSH, target matcher, ConText) with the
   same target rules, over the same texts;
3. spaCy's tokenizer alone over the same texts: the practical floor for any spaCy pipeline.

Prints characters/s, notes/s and the ratios.   python bench/throughput_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from loguru import logger

REPO = Path(__file__).resolve().parents[1]
EXTERNAL = Path(os.environ.get("CHARTABSTRACT_EXTERNAL", REPO / "tests" / "data" / "external"))
MTSAMPLES = EXTERNAL / "mtsamples" / "general_medicine"


def build_corpus(folder: Path, repeat: int) -> list[str]:
    """sample_notes plus the MTSamples notes as one notes folder; returns the texts."""
    texts = []
    for copy in range(repeat):
        for patient in sorted(p for p in (REPO / "sample_notes").iterdir() if p.is_dir() and not p.name.startswith("gold")):
            target = folder / f"{patient.name}_{copy}"
            shutil.copytree(patient, target)
            texts += [f.read_text(encoding="utf-8") for f in sorted(target.glob("*.txt"))]
        distractors = folder / f"MTS_{copy}"
        distractors.mkdir()
        start = date(2020, 1, 1)
        for i, note in enumerate(sorted(MTSAMPLES.glob("*.txt"))):
            text = note.read_text(encoding="utf-8", errors="replace")
            (distractors / f"{(start + timedelta(days=i)).isoformat()}_consult.txt").write_text(text, encoding="utf-8")
            texts.append(text.replace("\r\n", "\n"))
    return texts


def time_chartabstract(folder: Path, out: Path) -> float:
    from chartabstract.run import RunOptions, run_extraction

    options = RunOptions(notes=folder, out=out, progress=False, cache=False, workers=1)
    run_extraction(options)  # warm: rules, pipeline, imports
    summary = run_extraction(options)
    timings = json.loads((out / "run_manifest.json").read_text())["timings"]
    return timings["extraction_seconds"], timings["reconciliation_seconds"], summary.mentions


def time_cli(folder: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "chartabstract", "run", str(folder), "--out", str(out), "-q", "--no-cache", "--workers", "1"], check=True)
    return time.perf_counter() - started


def time_medspacy_default(texts: list[str]) -> tuple[float, int]:
    import medspacy
    from medspacy.target_matcher import TargetRule

    from chartabstract.nlp.rules import load_rules

    nlp = medspacy.load()
    matcher = nlp.get_pipe("medspacy_target_matcher")
    matcher.add([TargetRule.from_dict({k: v for k, v in r.items() if v is not None}) for r in load_rules(REPO / "rules").targets])
    nlp.max_length = max(len(t) for t in texts) + 1
    list(nlp.pipe(texts[:5]))
    started = time.perf_counter()
    ents = sum(len(doc.ents) for doc in nlp.pipe(texts))
    return time.perf_counter() - started, ents


def time_tokenizer(texts: list[str]) -> float:
    import spacy

    nlp = spacy.blank("en")
    started = time.perf_counter()
    for _ in nlp.tokenizer.pipe(texts):
        pass
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="copies of the corpus (more notes, steadier figures)")
    args = parser.parse_args()
    logger.disable("PyRuSH")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notes"
        folder.mkdir()
        texts = build_corpus(folder, args.repeat)
        chars = sum(len(t) for t in texts)
        n = len(texts)
        ours, reconciling, mentions = time_chartabstract(folder, Path(tmp) / "out")
        cli = time_cli(folder, Path(tmp) / "out_cli")
        medspacy_seconds, ents = time_medspacy_default(texts)
        tokenizer = time_tokenizer(texts)
    print(f"Corpus: {n} notes, {chars:,} characters (sample_notes x{args.repeat} + {len(list(MTSAMPLES.glob('*.txt')))} MTSamples x{args.repeat})")
    print(f"{'pipeline':<44}{'seconds':>9}{'chars/s':>12}{'notes/s':>9}{'vs medspaCy':>13}")
    rows = [
        ("chartabstract extraction (in-process)", ours),
        ("chartabstract extraction + reconciliation", ours + reconciling),
        ("chartabstract CLI (subprocess, with start-up)", cli),
        ("medspaCy default pipeline + same targets", medspacy_seconds),
        ("spaCy tokenizer alone", tokenizer),
    ]
    for name, seconds in rows:
        print(f"{name:<44}{seconds:>9.2f}{chars / seconds:>12,.0f}{n / seconds:>9.1f}{medspacy_seconds / seconds:>12.1f}x")
    print(f"chartabstract vs tokenizer alone: {tokenizer / ours:.2f}x the tokenizer's speed; "
          f"{mentions} mentions written; medspaCy found {ents} target spans")
    return 0


if __name__ == "__main__":
    sys.exit(main())
