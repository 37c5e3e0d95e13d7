"""The expected output tree of `chartabstract run sample_notes/`, and the command that updates it.

Every output file is compared whole (less what differs by run: timestamps, timings, paths), so a
changed value anywhere shows in review as a diff of tests/data/expected_sample/. Update it on
purpose with `make snapshot` (python -m tests.snapshot --update) and commit the diff.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLE_NOTES = REPO / "sample_notes"
EXPECTED = REPO / "tests" / "data" / "expected_sample"
COMPARED = ("mentions.csv", "note_nlp.csv", "events.csv", "cohort.csv", "review_queue.csv", "data_dictionary.csv",
            ".review_items.jsonl", "run_manifest.json")
RUN_SPECIFIC_COLUMNS = {"note_nlp.csv": ("nlp_date", "nlp_datetime")}
MANIFEST_KEYS = ("tool", "counts", "skipped_inputs", "warnings", "study", "outputs", "decisions_not_applied")


def normalized(out: Path, name: str) -> str:
    """A file's text without what differs from run to run."""
    text = (out / name).read_text(encoding="utf-8")
    if name == "run_manifest.json":
        manifest = json.loads(text)
        return json.dumps({key: manifest.get(key) for key in MANIFEST_KEYS}, indent=2, sort_keys=True) + "\n"
    dropped = RUN_SPECIFIC_COLUMNS.get(name)
    if not dropped:
        return text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    columns = [c for c in csv.DictReader(io.StringIO(text, newline="")).fieldnames or [] if c not in dropped]
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def run_sample(out: Path) -> None:
    from typer.testing import CliRunner

    from chartabstract.cli import app

    result = CliRunner().invoke(app, ["run", str(SAMPLE_NOTES), "--out", str(out), "-q", "--no-cache"])
    if result.exit_code != 0:
        raise SystemExit(f"chartabstract run failed ({result.exit_code}): {result.output}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="write the expected tree from a fresh run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        run_sample(out)
        changed = []
        for name in COMPARED:
            text = normalized(out, name)
            target = EXPECTED / name
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                changed.append(name)
                if args.update:
                    EXPECTED.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, encoding="utf-8", newline="")
    print(("updated: " if args.update else "differs: ") + ", ".join(changed) if changed else "expected tree is current")
    sys.exit(1 if changed and not args.update else 0)


if __name__ == "__main__":
    main()
