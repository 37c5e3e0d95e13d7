"""Score mentions.csv against a gold mentions file (docs/annotation_guide.md).

A predicted mention matches a gold one when both are in the same note, have the same concept
and their character spans overlap. Detection counts only that; "strict" also requires the
assertion attributes, value and date to agree, which is what a cohort built on them needs.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from chartabstract.errors import InputError

ATTRIBUTES = ("negated", "hypothetical", "historical", "family", "uncertain")
COMPARED = ATTRIBUTES + ("value", "date")
GOLD_COLUMNS = {"note_id", "concept", "text", "occurrence"} | set(COMPARED)


@dataclass
class ConceptScore:
    """Counts for one concept."""

    gold: int = 0
    predicted: int = 0
    matched: int = 0
    strict: int = 0
    field_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @staticmethod
    def _ratio(num: int, den: int) -> float:
        return num / den if den else 1.0

    def as_dict(self) -> dict[str, object]:
        p, r = self._ratio(self.matched, self.predicted), self._ratio(self.matched, self.gold)
        sp, sr = self._ratio(self.strict, self.predicted), self._ratio(self.strict, self.gold)
        return {
            "gold": self.gold, "predicted": self.predicted, "matched": self.matched, "strict_matched": self.strict,
            "precision": round(p, 4), "recall": round(r, 4),
            "strict_precision": round(sp, 4), "strict_recall": round(sr, 4),
            "field_errors": dict(self.field_errors),
        }


@dataclass
class MentionScore:
    """Per-concept scores and every disagreement, for the report and for rule tuning."""

    concepts: dict[str, ConceptScore]
    errors: list[dict[str, str]]

    def total(self) -> ConceptScore:
        total = ConceptScore()
        for score in self.concepts.values():
            total.gold += score.gold
            total.predicted += score.predicted
            total.matched += score.matched
            total.strict += score.strict
            for key, count in score.field_errors.items():
                total.field_errors[key] += count
        return total

    def as_dict(self) -> dict[str, object]:
        return {
            "concepts": {name: score.as_dict() for name, score in sorted(self.concepts.items())},
            "total": self.total().as_dict(),
            "errors": self.errors,
        }


def score_mentions(mentions_csv: Path, gold_csv: Path, note_texts: dict[str, str]) -> MentionScore:
    """Compare predicted and gold mentions.

    Args:
        mentions_csv: the run's mentions.csv.
        gold_csv: gold mentions (columns of docs/annotation_guide.md).
        note_texts: note_id -> note text, to place each gold anchor text in its note.

    Raises:
        InputError: a gold row names an unknown note or text that is not in its note.
    """
    gold = _read_gold(gold_csv, note_texts)
    predicted = _read_csv(mentions_csv)
    by_key: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in predicted:
        by_key[(row["note_id"], row["concept"])].append(row)
    concepts: dict[str, ConceptScore] = defaultdict(ConceptScore)
    for row in predicted:
        concepts[row["concept"]].predicted += 1
    errors: list[dict[str, str]] = []
    used: set[str] = set()
    for g in gold:
        score = concepts[g["concept"]]
        score.gold += 1
        candidates = [
            p for p in by_key[(g["note_id"], g["concept"])]
            if p["mention_id"] not in used and int(p["start"]) < g["_end"] and g["_start"] < int(p["end"])
        ]
        if not candidates:
            errors.append({"kind": "missed", "note_id": g["note_id"], "concept": g["concept"], "text": g["text"]})
            continue
        best = candidates[0]
        used.add(best["mention_id"])
        score.matched += 1
        wrong = [name for name in COMPARED if _norm(best.get(name, "")) != _norm(g.get(name, ""))]
        for name in wrong:
            score.field_errors[name] += 1
        if not wrong:
            score.strict += 1
        else:
            errors.append({
                "kind": "attributes", "note_id": g["note_id"], "concept": g["concept"], "text": g["text"],
                "diff": "; ".join(f"{n}: got {best.get(n, '')!r} want {g.get(n, '')!r}" for n in wrong),
                "snippet": best["snippet"][:200], "modifiers": best.get("modifiers", ""),
            })
    for row in predicted:
        if row["mention_id"] not in used:
            errors.append({"kind": "spurious", "note_id": row["note_id"], "concept": row["concept"], "text": row["text"],
                           "snippet": row["snippet"][:160]})
    return MentionScore(dict(concepts), errors)


def _norm(value: str) -> str:
    return (value or "").strip().lower()


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def _read_gold(path: Path, note_texts: dict[str, str]) -> list[dict[str, object]]:
    rows = _read_csv(path)
    if rows:
        missing = GOLD_COLUMNS - set(rows[0])
        if missing:
            raise InputError(f"{path}: missing gold column(s) {', '.join(sorted(missing))}")
    located = []
    for line, row in enumerate(rows, start=2):
        text = note_texts.get(row["note_id"])
        if text is None:
            raise InputError(f"{path}: line {line}: note {row['note_id']!r} is not among the notes read")
        start = -1
        for _ in range(int(row.get("occurrence") or 1)):
            start = text.find(row["text"], start + 1)
            if start < 0:
                raise InputError(f"{path}: line {line}: text {row['text']!r} (occurrence {row['occurrence']}) not in {row['note_id']}")
        located.append({**row, "_start": start, "_end": start + len(row["text"])})
    return located
