"""Compare cohort.csv with a gold cohort table: per-field accuracy, flagged vs unflagged errors.

An unflagged wrong value is the worst defect (SPEC section 6): the report counts it apart from
errors a reviewer would have been shown.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from chartabstract.cohort_types import bound_column, join_bound, split_bound
from chartabstract.errors import InputError
from chartabstract.study import Study, study_of_run


@dataclass
class FieldScore:
    total: int = 0
    correct: int = 0
    wrong_flagged: int = 0
    wrong_unflagged: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (gold, predicted)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


@dataclass
class Evaluation:
    fields: dict[str, FieldScore]
    errors: list[dict[str, str]]
    categorical: set[str] = field(default_factory=set)  # columns with a confusion table

    def totals(self) -> FieldScore:
        total = FieldScore()
        for score in self.fields.values():
            total.total += score.total
            total.correct += score.correct
            total.wrong_flagged += score.wrong_flagged
            total.wrong_unflagged += score.wrong_unflagged
        return total

    def as_dict(self) -> dict[str, object]:
        def one(score: FieldScore) -> dict[str, object]:
            return {"total": score.total, "correct": score.correct, "accuracy": round(score.accuracy, 4),
                    "wrong_flagged": score.wrong_flagged, "wrong_unflagged": score.wrong_unflagged}

        return {
            "fields": {name: one(score) for name, score in self.fields.items()},
            "total": one(self.totals()),
            "confusion": {
                name: [{"gold": g, "predicted": p, "count": n} for (g, p), n in sorted(score.confusion.items())]
                for name, score in self.fields.items() if name in self.categorical
            },
            "errors": self.errors,
        }


def evaluate_cohort(cohort_csv: Path, gold_csv: Path, *, date_tolerance: int = 0, study: Study | None = None) -> Evaluation:
    """Score every gold column of every gold patient, each by the type study.json gives it (the
    study of the run that wrote ``cohort_csv`` unless one is passed).

    Raises:
        InputError: a file is missing, or the gold table lacks patient_id.
    """
    study = study or study_of_run(cohort_csv.parent)
    bounded = study.columns_of_type("number or bound")
    not_scored = {"patient_id", *study.columns_of_type("list"), *(bound_column(name) for name in bounded)}
    categorical = set(study.columns_of_type("category", "boolean")) | _coded_integers(study)
    dates = set(study.columns_of_type("date"))
    predicted = {row["patient_id"]: _joined(row, bounded) for row in _read(cohort_csv)}
    gold_rows = [_joined(row, bounded) for row in _read(gold_csv)]
    if gold_rows and "patient_id" not in gold_rows[0]:
        raise InputError(f"{gold_csv}: no patient_id column")
    fields: dict[str, FieldScore] = defaultdict(FieldScore)
    errors: list[dict[str, str]] = []
    for gold in gold_rows:
        row = predicted.get(gold["patient_id"], {})
        flagged = set(filter(None, row.get("flags", "").split(";")))
        for name, want in gold.items():
            if name in not_scored or name is None:
                continue
            got = row.get(name, "")
            score = fields[name]
            score.total += 1
            if name in categorical:
                score.confusion[(want or "(empty)", got or "(empty)")] += 1
            if _same(name in dates, got, want, date_tolerance):
                score.correct += 1
                continue
            is_flagged = name in flagged
            if is_flagged:
                score.wrong_flagged += 1
            else:
                score.wrong_unflagged += 1
            errors.append({"patient_id": gold["patient_id"], "field": name, "got": got, "want": want,
                           "flagged": "yes" if is_flagged else "no"})
    return Evaluation(dict(sorted(fields.items())), errors, categorical)


def _same(is_date: bool, got: str, want: str, date_tolerance: int) -> bool:
    got, want = got.strip(), want.strip()
    if got == want:
        return True
    if not got or not want:
        return False
    if is_date:
        try:
            return abs((date.fromisoformat(got) - date.fromisoformat(want)).days) <= date_tolerance
        except ValueError:
            return False
    (got_number, got_bound), (want_number, want_bound) = split_bound(got), split_bound(want)
    try:
        return float(got_number) == float(want_number) and got_bound == want_bound
    except ValueError:
        return got.lower() == want.lower()


def _joined(row: dict[str, str], bounded: list[str]) -> dict[str, str]:
    """A row with each "number or bound" value whole again ("5" + bound "<" is "<5"), whether the
    table splits bounds into their own column (cohort.csv) or writes them inline (older gold files)."""
    joined = dict(row)
    for name in bounded:
        bound = row.get(bound_column(name))
        if name in row and bound:
            joined[name] = join_bound(row[name] or "", bound)
    return joined


def _coded_integers(study: Study) -> set[str]:
    """Integer columns with a short code list ("0|1", grade "0|1|2|3|4") get a confusion table too."""
    return {c["name"] for c in study.columns
            if c["type"] == "integer" and len(c["allowed"].split("|")) > 1 and all(v.isdigit() for v in c["allowed"].split("|"))}


def _read(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
