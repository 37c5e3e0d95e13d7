"""Review items: the facts behind the flagged cohort columns.

A reviewer decides a fact, once: an event's date (a drug start, a transplant Day 0, a death) or
one of its values (a marrow's blasts or CD19 status, a cause of death). Every column derived from
that fact follows the decision, so one uncertain start date is one item, not twenty. A column's
own doubt with no event behind it (no statement about acute GVHD at all) is an item of its own.

An item's evidence digest names the mentions behind it: a decision made on one digest still holds
when the notes are re-read, and lapses when new evidence arrives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from chartabstract.cohort import CohortRow
from chartabstract.models import Event, Flag, Mention, PatientTimeline
from chartabstract.review.store import Item
from chartabstract.review.validate import InvalidValue, validate_value
from chartabstract.study import Study

REVIEW_COLUMNS = [
    "item_id", "patient_id", "field", "label", "decides", "flag", "detail", "current_value", "candidates",
    "candidate_sources", "evidence_note_ids", "evidence_snippets", "status", "previous_decision",
]
SNIPPETS_PER_ITEM = 4
MAX_CANDIDATES = 8


def flagged_facts(row: CohortRow) -> dict[str, list[tuple[str, Flag]]]:
    """Every fact (or column with its own doubt) behind the row's flags, with (column, flag) pairs."""
    facts: dict[str, list[tuple[str, Flag]]] = {}
    for column, flags in row.flags.items():
        for flag in flags:
            facts.setdefault(flag.fact or column, []).append((column, flag))
    return facts


def build_items(
    row: CohortRow, timeline: PatientTimeline, mentions: Mapping[str, Mention], study: Study,
    facts: Iterable[str] | None = None,
) -> list[Item]:
    """One item per flagged fact (or per column whose doubt is its own), in column order."""
    flagged = flagged_facts(row)
    events = {event.event_id.split(":", 1)[-1]: event for event in timeline.events}
    order = {name: index for index, name in enumerate(study.column_names)}
    items = []
    for key in facts if facts is not None else flagged:
        pairs = flagged.get(key, [])
        columns = tuple(sorted({column for column, _ in pairs}, key=lambda c: order.get(c, len(order))))
        flags = [flag for _, flag in pairs]
        prefix, _, attribute = key.rpartition(".")
        event = events.get(prefix) if prefix else None
        if event is not None:
            items.append(_fact_item(key, event, attribute, columns, flags, mentions, study))
        elif key in order:
            items.append(_column_item(key, row, flags, mentions, study))
    items.sort(key=lambda i: (min((order.get(c, len(order)) for c in i.decides), default=len(order)), i.field))
    return items


def _fact_item(
    key: str, event: Event, attribute: str, columns: tuple[str, ...], flags: list[Flag],
    mentions: Mapping[str, Mention], study: Study,
) -> Item:
    spec = study.fact_spec(event.kind, attribute) or {}
    concepts = [spec["concept"]] if spec.get("concept") else study.event_concepts(event.kind)
    own = {i for i in event.mention_ids if i in mentions and (not concepts or mentions[i].concept in concepts)}
    when = f" {prefix.split('@', 1)[1]}" if "@" in (prefix := event.event_id.split(":", 1)[-1]) else ""
    return _item(event.patient_id, key, attribute, own, flags, mentions, study, value=current_value(event, attribute),
                 label=f"{study.event_label(event.kind)}{when}: {spec.get('label', attribute)}", decides=columns)


def _column_item(column: str, row: CohortRow, flags: list[Flag], mentions: Mapping[str, Mention], study: Study) -> Item:
    spec = study.column(column) or {}
    return _item(row.values["patient_id"], column, "date" if spec.get("type") == "date" else "value", set(), flags,
                 mentions, study, value=row.values.get(column, ""), label=spec.get("meaning", column), decides=(column,))


def _item(
    patient_id: str, field: str, attribute: str, own: set[str], flags: list[Flag], mentions: Mapping[str, Mention],
    study: Study, *, value: str, label: str, decides: tuple[str, ...],
) -> Item:
    """An item whose evidence is its own mentions and those of its flags, with candidates from them."""
    ids = tuple(sorted(own | {i for flag in flags for i in flag.mention_ids}))
    found = [mentions[i] for i in ids if i in mentions]
    candidates = _candidates(study, field, ((_said(m, attribute), m) for m in found))
    return Item(
        patient_id=patient_id, field=field,
        flags=";".join(sorted({flag.kind for flag in flags})),
        detail="; ".join(dict.fromkeys(flag.detail for flag in flags)),
        tool_value=value, candidates=tuple(v for v, _ in candidates), evidence=ids, evidence_digest=digest(ids),
        label=label, decides=decides, candidate_sources=tuple(source for _, source in candidates),
    )


def item_kind(field: str, study: Study) -> str:
    """What kind of fact an item decides, without which event: "Bone marrow: blast %", for
    filtering the page and for agreement per kind of decision."""
    prefix, dot, attribute = field.rpartition(".")
    if not dot:
        return (study.column(field) or {}).get("meaning", field)
    kind = prefix.split("@", 1)[0]
    spec = study.fact_spec(kind, attribute) or {}
    return f"{study.event_label(kind)}: {spec.get('label', attribute)}"


def current_value(event: Event, attribute: str) -> str:
    """What the timeline now holds for a fact."""
    if attribute == "date":
        return event.date.isoformat() if event.date else ""
    return event.value(attribute)


def _said(mention: Mention, attribute: str) -> str:
    """What one mention says the fact is: its date for a date, else its value."""
    if attribute == "date":
        return mention.date.isoformat() if mention.date else ""
    return mention.value


def _candidates(study: Study, field: str, said: Iterable[tuple[str, Mention]]) -> list[tuple[str, str]]:
    """Distinct values of the item's own type, each with the first note that says it.

    A value that would not pass the item's validation (a date offered for a number) is never
    offered: a picked candidate must be as valid as a typed correction.
    """
    chosen: dict[str, str] = {}
    for raw, mention in sorted(said, key=lambda pair: (pair[1].note_date, pair[1].start)):
        if not raw:
            continue
        try:
            value = validate_value(study, field, raw)
        except InvalidValue:
            continue
        chosen.setdefault(value, f"{mention.note_id}: {_short(mention.snippet)}")
    return sorted(chosen.items())[:MAX_CANDIDATES]


def digest(evidence: tuple[str, ...]) -> str:
    return hashlib.sha256("\n".join(evidence).encode()).hexdigest()[:16]


def queue_row(item: Item, mentions: Mapping[str, Mention], status: str, previous: str) -> dict[str, str]:
    """An item as a review_queue.csv row (evidence as note ids and their sentences)."""
    found = [mentions[i] for i in item.evidence if i in mentions]
    return {
        "item_id": item.key,
        "patient_id": item.patient_id,
        "field": item.field,
        "label": item.label,
        "decides": ";".join(item.decides),
        "flag": item.flags,
        "detail": item.detail,
        "current_value": item.tool_value,
        "candidates": " | ".join(item.candidates),
        "candidate_sources": " | ".join(item.candidate_sources),
        "evidence_note_ids": " ".join(dict.fromkeys(m.note_id for m in found)),
        "evidence_snippets": " || ".join(f"[{m.note_id}] {m.snippet}" for m in found[:SNIPPETS_PER_ITEM]),
        "status": status,
        "previous_decision": previous,
    }


def _short(sentence: str, limit: int = 90) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"
