"""Review items: every flagged (patient, field) with its reasons, candidates and evidence.

An item's evidence digest names the mentions behind the field: a decision made on one digest
still holds when the notes are re-read, and lapses when new evidence arrives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from chartabstract.cohort import CohortRow
from chartabstract.models import Mention, PatientTimeline
from chartabstract.review.store import Item

REVIEW_COLUMNS = [
    "item_id", "patient_id", "field", "flag", "detail", "current_value", "candidates",
    "evidence_note_ids", "evidence_snippets", "status", "previous_decision",
]
SNIPPETS_PER_ITEM = 4


def field_evidence(row: CohortRow, timeline: PatientTimeline) -> dict[str, tuple[str, ...]]:
    """The mention ids behind every column: the events it was derived from and its flags."""
    by_event = {event.event_id: event.mention_ids for event in timeline.events}
    evidence: dict[str, tuple[str, ...]] = {}
    for column in row.values:
        ids = [i for event_id in row.sources.get(column, ()) for i in by_event.get(event_id, ())]
        ids += [i for flag in row.flags.get(column, []) for i in flag.mention_ids]
        evidence[column] = tuple(sorted(set(ids)))
    return evidence


def digest(evidence: tuple[str, ...]) -> str:
    return hashlib.sha256("\n".join(evidence).encode()).hexdigest()[:16]


def build_items(row: CohortRow, evidence: dict[str, tuple[str, ...]], mentions: Mapping[str, Mention]) -> list[Item]:
    """One item per flagged column."""
    items = []
    for column, flags in sorted(row.flags.items()):
        ids = evidence.get(column, ())
        candidates = sorted({_candidate(mentions[i], column) for i in ids if i in mentions} - {""})
        items.append(Item(
            patient_id=row.values["patient_id"],
            field=column,
            flags=";".join(sorted({flag.kind for flag in flags})),
            detail="; ".join(dict.fromkeys(flag.detail for flag in flags)),
            tool_value=row.values.get(column, ""),
            candidates=tuple(candidates),
            evidence=ids,
            evidence_digest=digest(ids),
        ))
    return items


def queue_row(item: Item, mentions: Mapping[str, Mention], status: str, previous: str) -> dict[str, str]:
    """An item as a review_queue.csv row (evidence as note ids and their sentences)."""
    found = [mentions[i] for i in item.evidence if i in mentions]
    return {
        "item_id": item.key,
        "patient_id": item.patient_id,
        "field": item.field,
        "flag": item.flags,
        "detail": item.detail,
        "current_value": item.tool_value,
        "candidates": " | ".join(item.candidates),
        "evidence_note_ids": " ".join(dict.fromkeys(m.note_id for m in found)),
        "evidence_snippets": " || ".join(f"[{m.note_id}] {m.snippet}" for m in found[:SNIPPETS_PER_ITEM]),
        "status": status,
        "previous_decision": previous,
    }


def _candidate(mention: Mention, column: str) -> str:
    """What this mention says the column's value is: a date for date columns, else its value."""
    if column.endswith(("_date", "_start")) or column.startswith("days_"):
        return mention.date.isoformat() if mention.date else ""
    if column.endswith("_drug"):
        return mention.concept
    return mention.value
