"""Review items: every flagged (patient, column) with its reason, candidates and evidence."""

from __future__ import annotations

from collections.abc import Mapping

from chartabstract.cohort import CohortRow
from chartabstract.models import Mention

REVIEW_COLUMNS = ["item_id", "patient_id", "field", "flag", "detail", "current_value", "candidates", "evidence_note_ids", "evidence_snippets"]
SNIPPETS_PER_ITEM = 4


def review_items(row: CohortRow, mentions: Mapping[str, Mention]) -> list[dict[str, str]]:
    """One item per flagged column and flag kind, keyed by patient, field and flag (stable across runs)."""
    items = []
    patient = row.values["patient_id"]
    for column, flags in sorted(row.flags.items()):
        by_kind: dict[str, list] = {}
        for flag in flags:
            by_kind.setdefault(flag.kind, []).append(flag)
        for kind, same in sorted(by_kind.items()):
            ids = list(dict.fromkeys(i for flag in same for i in flag.mention_ids))
            evidence = [mentions[i] for i in ids if i in mentions]
            candidates = sorted({_candidate(m, column) for m in evidence} - {""})
            items.append({
                "item_id": f"{patient}|{column}|{kind}",
                "patient_id": patient,
                "field": column,
                "flag": kind,
                "detail": "; ".join(dict.fromkeys(flag.detail for flag in same)),
                "current_value": row.values.get(column, ""),
                "candidates": " | ".join(candidates),
                "evidence_note_ids": " ".join(dict.fromkeys(m.note_id for m in evidence)),
                "evidence_snippets": " || ".join(f"[{m.note_id}] {m.snippet}" for m in evidence[:SNIPPETS_PER_ITEM]),
            })
    return items


def _candidate(mention: Mention, column: str) -> str:
    """What this mention says the column's value is: a date for date columns, else its value."""
    if column.endswith(("_date", "_start")) or column.startswith("days_"):
        return mention.date.isoformat() if mention.date else ""
    return mention.value
