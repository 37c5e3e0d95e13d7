"""Negation on the NegEx test set (2,376 sentences nobody here wrote): our ConText rules vs medspaCy's.

Both rule sets run through the same tokenizer and sentence splitter, on the same sentences, in
this one run; only the context rules differ. The annotated condition is set as the target.
Prints precision, recall and F1 of "negated", plus temporality and experiencer agreement.

    python bench/negex_bench.py [--errors N]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

from loguru import logger

from chartabstract.nlp.extract import assertions
from chartabstract.nlp.folding import fold_spaces
from chartabstract.nlp.pipeline import build_assertion_nlp
from chartabstract.nlp.rules import load_rules

REPO = Path(__file__).resolve().parents[1]
EXTERNAL = Path(os.environ.get("CHARTABSTRACT_EXTERNAL", REPO / "tests" / "data" / "external"))
NEGEX = EXTERNAL / "negex" / "rsAnnotations-1-120-random.txt"
GENNEGEX_F1 = 0.946  # published in TestSet.md


def load_cases(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        return [
            {"condition": row[1], "sentence": row[2], "negation": row[3].lower(),
             "temporality": row[4].lower(), "experiencer": row[5].lower()}
            for row in reader if len(row) >= 6
        ]


def medspacy_default_rules() -> list[dict[str, object]]:
    import medspacy

    path = Path(medspacy.__file__).resolve().parents[1] / "resources" / "en" / "context_rules.json"
    return json.loads(path.read_text())["context_rules"]


def evaluate(nlp, cases):
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0, "temporality_ok": 0, "experiencer_ok": 0, "located": 0}
    wrong = []
    started = time.perf_counter()
    for case in cases:
        sentence = fold_spaces(case["sentence"]).text
        condition = fold_spaces(case["condition"].strip()).text
        doc = nlp.make_doc(sentence)
        # The annotated condition is the one written in capitals; fall back to any case.
        start = sentence.find(condition.upper())
        if start < 0:
            start = sentence.lower().find(condition.lower())
        span = doc.char_span(start, start + len(condition), label="CONDITION", alignment_mode="expand") if start >= 0 else None
        for name, proc in nlp.pipeline:
            if name == "medspacy_context" and span is not None:
                doc.ents = [span]
            doc = proc(doc)
        if span is None:
            predicted_negated, hist, hyp, fam = False, False, False, False
        else:
            counts["located"] += 1
            flags = assertions(doc.ents[0])  # the same reading of ConText the extractor uses
            predicted_negated = flags["negated"]
            hist, hyp, fam = flags["historical"], flags["hypothetical"], flags["family"]
        gold_negated = case["negation"] == "negated"
        key = ("tp" if gold_negated else "fp") if predicted_negated else ("fn" if gold_negated else "tn")
        counts[key] += 1
        if key in ("fp", "fn"):
            wrong.append((key, case["condition"], case["sentence"]))
        temporality = "hypothetical" if hyp else "historical" if hist else "recent"
        counts["temporality_ok"] += temporality == case["temporality"]
        counts["experiencer_ok"] += ("other" if fam else "patient") == case["experiencer"]
    seconds = time.perf_counter() - started
    p = counts["tp"] / max(counts["tp"] + counts["fp"], 1)
    r = counts["tp"] / max(counts["tp"] + counts["fn"], 1)
    f1 = 2 * p * r / max(p + r, 1e-9)
    return {"precision": p, "recall": r, "f1": f1, "seconds": seconds, **counts}, wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", type=int, default=0, help="print this many misclassified sentences of ours")
    args = parser.parse_args()
    logger.disable("PyRuSH")
    if not NEGEX.exists():
        print(f"NegEx test set not found at {NEGEX} (set CHARTABSTRACT_EXTERNAL)", file=sys.stderr)
        return 2
    cases = load_cases(NEGEX)
    ours = load_rules(REPO / "rules").context
    results = {}
    for name, rules in (("chartabstract rules", ours), ("medspaCy default rules", medspacy_default_rules())):
        results[name] = evaluate(build_assertion_nlp(rules), cases)
    n = len(cases)
    print(f"NegEx test set: {n} sentences, {sum(c['negation'] == 'negated' for c in cases)} negated "
          f"(published GenNegEx F1 {GENNEGEX_F1})")
    print(f"{'rules':<24}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>5}{'FN':>5}{'temporality':>13}{'experiencer':>13}{'sent/s':>8}")
    for name, (m, _) in results.items():
        print(f"{name:<24}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['tp']:>6}{m['fp']:>5}{m['fn']:>5}"
              f"{m['temporality_ok'] / n:>13.3f}{m['experiencer_ok'] / n:>13.3f}{n / m['seconds']:>8.0f}")
    for kind, condition, sentence in results["chartabstract rules"][1][: args.errors]:
        print(f"  {kind}: [{condition}] {sentence}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
