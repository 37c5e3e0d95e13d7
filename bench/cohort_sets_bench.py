"""Score every chart set with a gold cohort, under each doubt policy of study.json.

For each set (sample_notes and tests/data/heldout*) and each policy, runs `chartabstract run` with
a copy of the rules whose `study.doubt` is set, then `chartabstract evaluate`, and prints fields,
accuracy, wrong-and-unflagged, flagged fields per patient and review items per patient. This is
the trade-off table of docs/heldout_evaluation.md (issue 16): doubt that reaches more columns
costs reviewer attention; unflagged wrong values cost trust.

    python bench/cohort_sets_bench.py [--sets heldout_ax,heldout_tc] [--policies none,inherit,all]
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICIES = {
    "none": {"inherit": False, "fallback": False},
    "inherit": {"inherit": True, "fallback": False},
    "fallback": {"inherit": False, "fallback": True},
    "all": {"inherit": True, "fallback": True},
}


def chart_sets() -> dict[str, Path]:
    found = {"sample_notes": ROOT / "sample_notes"}
    for folder in sorted((ROOT / "tests" / "data").glob("heldout*")):
        if (folder / "gold_cohort.csv").exists():
            found[folder.name] = folder
    return found


def score(notes: Path, rules: Path, out: Path) -> dict[str, float]:
    cli = [sys.executable, "-m", "chartabstract"]
    subprocess.run([*cli, "run", str(notes), "--rules", str(rules), "--out", str(out), "--quiet"], check=False,
                   capture_output=True, cwd=ROOT)
    result = subprocess.run([*cli, "evaluate", str(out), "--gold", str(notes / "gold_cohort.csv"), "--json"],
                            check=True, capture_output=True, text=True, cwd=ROOT)
    total = json.loads(result.stdout)["total"]
    with open(out / "cohort.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with open(out / "review_queue.csv", encoding="utf-8") as handle:
        items = len(list(csv.DictReader(handle)))
    flagged = sum(len([c for c in row["flags"].split(";") if c]) for row in rows)
    return {"patients": len(rows), "fields": total["total"], "accuracy": total["accuracy"],
            "wrong_unflagged": total["wrong_unflagged"], "flagged_per_patient": flagged / max(len(rows), 1),
            "items_per_patient": items / max(len(rows), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", help="comma-separated set names (default: all with a gold cohort)")
    parser.add_argument("--policies", default=",".join(POLICIES), help="comma-separated: " + ", ".join(POLICIES))
    args = parser.parse_args()
    sets = chart_sets()
    chosen = args.sets.split(",") if args.sets else list(sets)
    print("| set | policy | patients | fields | accuracy | wrong, unflagged | flagged fields / patient | items / patient |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for policy in args.policies.split(","):
            rules = Path(tmp) / f"rules_{policy}"
            shutil.copytree(ROOT / "rules", rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
            study = json.loads((rules / "study.json").read_text(encoding="utf-8"))
            study["study"]["doubt"] = POLICIES[policy]
            (rules / "study.json").write_text(json.dumps(study, indent=2), encoding="utf-8")
            for name in chosen:
                s = score(sets[name], rules, Path(tmp) / f"{name}_{policy}")
                print(f"| {name} | {policy} | {s['patients']} | {s['fields']} | {s['accuracy']:.3f} | "
                      f"{s['wrong_unflagged']} ({s['wrong_unflagged'] / max(s['fields'], 1):.1%}) | "
                      f"{s['flagged_per_patient']:.2f} | {s['items_per_patient']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
