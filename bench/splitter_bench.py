"""Sentence splitter choice: chartabstract's line-aware splitter vs PyRuSH vs spaCy's sentencizer.

Each splitter runs inside the same pipeline (targets, sections, ConText) over sample_notes and
is scored against the gold mentions, so speed and accuracy are compared in one run.

    python bench/splitter_bench.py
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

from loguru import logger

from chartabstract.export import MentionWriter
from chartabstract.ingest import IngestReport, read_notes
from chartabstract.nlp.extract import process_note
from chartabstract.nlp.pipeline import build_nlp
from chartabstract.nlp.rules import load_rules
from chartabstract.scoring import score_mentions

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_notes"


def with_splitter(name: str):
    nlp = build_nlp(load_rules(REPO / "rules"))
    if name == "chartabstract":
        return nlp
    nlp.remove_pipe("chartabstract_sentencizer")
    if name == "PyRuSH":
        nlp.add_pipe("medspacy_pyrush", first=True)
    else:
        nlp.add_pipe("sentencizer", first=True)
    return nlp


def main() -> int:
    logger.disable("PyRuSH")
    notes = list(read_notes(SAMPLES, IngestReport()))
    texts = {note.note_id: note.text for note in notes}
    chars = sum(len(t) for t in texts.values())
    print(f"{len(notes)} sample notes, {chars:,} characters; every note goes through the full pipeline")
    print(f"{'splitter':<26}{'seconds':>9}{'chars/s':>11}{'P':>7}{'R':>7}{'strict P':>10}{'strict R':>10}")
    for name in ("chartabstract", "PyRuSH", "spaCy sentencizer"):
        nlp = with_splitter(name)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            started = time.perf_counter()
            with MentionWriter(out) as writer:
                for note in notes:
                    for mention in process_note(nlp, note):
                        writer.write(mention)
            seconds = time.perf_counter() - started
            total = score_mentions(out / "mentions.csv", SAMPLES / "gold_mentions.csv", texts).total().as_dict()
        print(f"{name:<26}{seconds:>9.2f}{chars / seconds:>11,.0f}{total['precision']:>7.3f}{total['recall']:>7.3f}"
              f"{total['strict_precision']:>10.3f}{total['strict_recall']:>10.3f}")
    return 0


if __name__ == "__main__":
    csv.field_size_limit(2**31 - 1)
    sys.exit(main())
