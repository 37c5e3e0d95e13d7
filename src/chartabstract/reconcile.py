"""From mentions.csv to the reconciled outputs: events.csv, cohort.csv/.parquet, review_queue.csv,
data_dictionary.csv. Runs after extraction, one patient at a time."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from chartabstract.cohort import CohortRow, build_cohort_row
from chartabstract.export import mention_from_row, write_csv, write_parquet
from chartabstract.models import Event, Mention, PatientTimeline
from chartabstract.review.apply import apply_decisions
from chartabstract.review.items import REVIEW_COLUMNS, build_items, field_evidence, queue_row
from chartabstract.review.store import ReviewStore, effective_decision
from chartabstract.study import Study
from chartabstract.timeline import build_timeline

EVENT_COLUMNS = ["patient_id", "event_id", "kind", "date", "precision", "values", "support", "flags", "mention_ids"]
DICTIONARY_COLUMNS = ["name", "type", "allowed", "meaning", "derivation"]


@dataclass
class PatientNotes:
    """What the run saw of a patient's notes, mentions or not (for follow-up dates)."""

    notes: int = 0
    last_note_date: date | None = None

    def add(self, note_date: date) -> None:
        self.notes += 1
        if self.last_note_date is None or note_date > self.last_note_date:
            self.last_note_date = note_date


@dataclass(frozen=True)
class ReconcileSummary:
    patients: int
    events: int
    flagged_fields: int


def reconcile(out: Path, study: Study, patients: dict[str, PatientNotes], store: ReviewStore) -> ReconcileSummary:
    """Build every patient's timeline and cohort row from out/mentions.csv, apply the stored
    review decisions, sync the review items into the store, and write the outputs."""
    by_patient = _mentions_by_patient(out / "mentions.csv")
    decided = decisions_by_patient(store)
    results = [
        reconcile_patient(patient_id, by_patient.get(patient_id, []), patients.get(patient_id, PatientNotes()),
                          study, decided.get(patient_id, {}))
        for patient_id in sorted(set(patients) | set(by_patient))
    ]
    return write_reconciled(out, study, results, store)


def write_reconciled(out: Path, study: Study, results: list[PatientResult], store: ReviewStore) -> ReconcileSummary:
    """Write the reconciled outputs of every patient (in patient order) and sync the review items."""
    cohort_rows: list[dict[str, str]] = []
    event_rows: list[dict[str, str]] = []
    queue: list[dict[str, str]] = []
    all_items = []
    statuses: dict[str, str] = {}
    for result in sorted(results, key=lambda r: r.cohort["patient_id"]):
        cohort_rows.append(result.cohort)
        event_rows += result.events
        queue += result.queue
        all_items += result.items
        statuses |= result.statuses
    store.sync_items(all_items, statuses)
    columns = study.column_names
    write_csv(out / "cohort.csv", columns, cohort_rows)
    write_parquet(out / "cohort.parquet", columns, cohort_rows)
    write_csv(out / "events.csv", EVENT_COLUMNS, event_rows)
    write_csv(out / "review_queue.csv", REVIEW_COLUMNS, queue)
    write_csv(out / "data_dictionary.csv", DICTIONARY_COLUMNS, list(study.columns))
    return ReconcileSummary(len(cohort_rows), len(event_rows), len(queue))


@dataclass
class PatientResult:
    """Everything reconciliation derives for one patient (the unit Spark distributes)."""

    cohort: dict[str, str]
    events: list[dict[str, str]]
    items: list
    statuses: dict[str, str]
    queue: list[dict[str, str]]


def reconcile_patient(
    patient_id: str, mentions: list[Mention], seen: PatientNotes, study: Study, decisions: dict[str, list]
) -> PatientResult:
    """Timeline, cohort row with stored decisions applied, events, and review items of one patient."""
    by_id = {m.mention_id: m for m in mentions}
    timeline = build_timeline(patient_id, mentions, study, last_note_date=seen.last_note_date, notes=seen.notes)
    row = build_cohort_row(timeline, study)
    _add_unresolved(row, timeline)
    evidence = field_evidence(row, timeline)
    items = build_items(row, evidence, by_id)
    row.values["reviewed"] = ""
    row, statuses = apply_decisions(timeline, row, evidence, decisions, study)
    row.values["flags"] = ";".join(column for column in study.column_names if column in row.flags)
    queue = [
        queue_row(item, by_id, statuses.get(item.key, "open"), effective_or_last(decisions.get(item.field, [])))
        for item in items if statuses.get(item.key) != "decided"
    ]
    return PatientResult(row.values, [event_row(event) for event in timeline.events], items, statuses, queue)


def event_row(event: Event) -> dict[str, str]:
    """An event as an events.csv row."""
    flags = [f"{flag.kind}: {flag.detail}" for flag in event.flags]
    flags += [f"{name} {flag.kind}: {flag.detail}" for name, flag in event.field_flags]
    return {
        "patient_id": event.patient_id,
        "event_id": event.event_id,
        "kind": event.kind,
        "date": event.date.isoformat() if event.date else "",
        "precision": event.precision,
        "values": ";".join(f"{k}={v}" for k, v in event.values if v),
        "support": str(len(event.mention_ids)),
        "flags": " | ".join(flags),
        "mention_ids": " ".join(event.mention_ids),
    }


def _add_unresolved(row: CohortRow, timeline: PatientTimeline) -> None:
    """Chart-level problems land on the column they affect."""
    for flag in timeline.unresolved:
        if flag.kind == "missing":
            drug = flag.detail.split(" ", 1)[0]
            row.flag(f"{drug}_start", [flag])


def decisions_by_patient(store: ReviewStore) -> dict[str, dict[str, list]]:
    grouped: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for decision in store.decisions():
        grouped[decision.patient_id][decision.field].append(decision)
    return grouped


def effective_or_last(decisions: list) -> str:
    """The earlier decision shown beside a re-opened item: 'value by reviewer on date'."""
    if not decisions:
        return ""
    last = effective_decision(decisions, None) or decisions[-1]
    value = "not determinable" if last.choice == "not_determinable" else last.value
    return f"{value} by {last.reviewer} on {last.decided_at[:10]}"


def _mentions_by_patient(path: Path) -> dict[str, list[Mention]]:
    grouped: dict[str, list[Mention]] = defaultdict(list)
    for mention in read_mentions(path):
        grouped[mention.patient_id].append(mention)
    return grouped


def read_mentions(path: Path) -> Iterator[Mention]:
    """Stream mentions.csv back as Mention records."""
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield mention_from_row(row)
