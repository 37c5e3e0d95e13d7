"""From mentions.csv to the reconciled outputs: events.csv, cohort.csv/.parquet, review_queue.csv,
data_dictionary.csv. Runs after extraction, one patient at a time."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from chartabstract.cohort_types import arrow_schema, output_column_names, output_columns, typed_frame, written_row
from chartabstract.export import AtomicFile, mention_from_row, write_csv
from chartabstract.models import Event, Mention
from chartabstract.review.apply import review_patient
from chartabstract.review.items import REVIEW_COLUMNS, queue_row
from chartabstract.review.store import ITEMS_FILE, ReviewStore, effective_decision, item_line
from chartabstract.study import Study
from chartabstract.timeline import build_timeline

EVENT_COLUMNS = ["patient_id", "event_id", "kind", "date", "precision", "values", "support", "flags", "mention_ids"]
DICTIONARY_COLUMNS = ["name", "type", "allowed", "meaning", "derivation", "pattern", "parameters"]


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
    review_items: int  # open items (facts to decide)
    flagged_fields: int  # cohort cells those items leave in doubt
    problems: tuple[str, ...] = ()  # stored decisions that could not be applied


def reconcile(out: Path, study: Study, patients: dict[str, PatientNotes], store: ReviewStore) -> ReconcileSummary:
    """Build every patient's timeline and cohort row from out/mentions.csv, apply the stored
    review decisions, and write the outputs with every review item (synced into the store once
    the output set is switched in).

    Mentions are sorted by patient on disk (a temporary SQLite file), so memory holds one
    patient's mentions at a time however large the export.
    """
    decided = decisions_by_patient(store)

    def results() -> Iterator[PatientResult]:
        for patient_id, mentions in _mentions_by_patient(out, set(patients)):
            yield reconcile_patient(patient_id, mentions, patients.get(patient_id, PatientNotes()),
                                    study, decided.get(patient_id, {}))

    return write_reconciled(out, study, results())


def write_reconciled(out: Path, study: Study, results: Iterable[PatientResult]) -> ReconcileSummary:
    """Write the reconciled outputs of every patient (given in patient order), review items included."""
    columns = output_column_names(study)
    patients = events = queued = flagged = 0
    problems: list[str] = []
    parquet = _ParquetRows(out / "cohort.parquet", study)
    with AtomicFile(out / "cohort.csv") as cohort_file, AtomicFile(out / "events.csv") as events_file, \
            AtomicFile(out / "review_queue.csv") as queue_file, AtomicFile(out / ITEMS_FILE) as items_file:
        cohort_csv = csv.DictWriter(cohort_file, columns, extrasaction="ignore")
        events_csv = csv.DictWriter(events_file, EVENT_COLUMNS)
        queue_csv = csv.DictWriter(queue_file, REVIEW_COLUMNS)
        for writer in (cohort_csv, events_csv, queue_csv):
            writer.writeheader()
        for result in results:
            written = written_row(study, result.cohort)
            cohort_csv.writerow(written)
            parquet.add(written)
            events_csv.writerows(result.events)
            queue_csv.writerows(result.queue)
            items_file.writelines(item_line(item, result.statuses.get(item.key, "open")) for item in result.items)
            patients += 1
            events += len(result.events)
            queued += len(result.queue)
            flagged += len([c for c in result.cohort.get("flags", "").split(";") if c])
            problems += result.problems
    parquet.close()
    write_csv(out / "data_dictionary.csv", DICTIONARY_COLUMNS, [_dictionary_row(c) for c in output_columns(study)])
    return ReconcileSummary(patients, events, queued, flagged, tuple(problems))


def _dictionary_row(column: dict[str, Any]) -> dict[str, str]:
    """A column's definition as written, and the pattern and parameters the tool derives it by."""
    spec = dict(column["derive"])
    pattern = spec.pop("pattern")
    return {**{k: column[k] for k in ("name", "type", "allowed", "meaning", "derivation")},
            "pattern": pattern, "parameters": json.dumps(spec) if spec else ""}


class _ParquetRows:
    """cohort.parquet written in batches, each column typed as study.json declares it (see
    cohort_types), with the pandas metadata that gives pandas.read_parquet the same dtypes;
    renamed when done."""

    BATCH = 5000

    def __init__(self, path: Path, study: Study) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.partial")
        self.study = study
        self.schema = arrow_schema(study)
        self.rows: list[dict[str, str]] = []
        self.writer = None

    def add(self, row: dict[str, str]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        frame = typed_frame(self.study, self.rows, source=str(self.path))
        table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.tmp, table.schema)  # the first batch's pandas metadata
        self.writer.write_table(table)
        self.rows = []

    def close(self) -> None:
        self._flush()
        assert self.writer is not None
        self.writer.close()
        os.replace(self.tmp, self.path)


@dataclass
class PatientResult:
    """Everything reconciliation derives for one patient (the unit Spark distributes)."""

    cohort: dict[str, str]
    events: list[dict[str, str]]
    items: list
    statuses: dict[str, str]
    queue: list[dict[str, str]]
    problems: list[str] = field(default_factory=list)  # stored decisions that could not be applied


def reconcile_patient(
    patient_id: str, mentions: list[Mention], seen: PatientNotes, study: Study, decisions: dict[str, list]
) -> PatientResult:
    """Timeline, cohort row with stored decisions applied, events, and review items of one patient.

    The queue is built from the row as written, so review_queue.csv, the review database and the
    cohort's `flags` column always name the same open items with the same values.
    """
    by_id = {m.mention_id: m for m in mentions}
    timeline = build_timeline(patient_id, mentions, study, last_note_date=seen.last_note_date, notes=seen.notes)
    reviewed = review_patient(timeline, by_id, decisions, study)
    row = reviewed.row
    row.values["flags"] = ";".join(column for column in study.column_names if column in row.flags)
    queue = [
        queue_row(item, by_id, reviewed.statuses.get(item.key, "open"), effective_or_last(decisions.get(item.field, [])))
        for item in reviewed.items if reviewed.statuses.get(item.key) != "decided"
    ]
    return PatientResult(row.values, [event_row(event) for event in reviewed.timeline.events], reviewed.items,
                         reviewed.statuses, queue, reviewed.problems)


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


def _mentions_by_patient(out: Path, patient_ids: set[str]) -> Iterator[tuple[str, list[Mention]]]:
    """Every patient in id order with their mentions in file order, sorted on disk."""
    spill = out / ".reconcile.tmp.db"
    spill.unlink(missing_ok=True)
    db = sqlite3.connect(spill)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE m (patient_id TEXT, n INTEGER, row TEXT)")
        with open(out / "mentions.csv", encoding="utf-8", newline="") as handle:
            rows = ((r["patient_id"], n, json.dumps(r)) for n, r in enumerate(csv.DictReader(handle)))
            db.executemany("INSERT INTO m VALUES (?, ?, ?)", rows)
        db.execute("CREATE INDEX m_patient ON m (patient_id, n)")
        with_mentions = db.execute("SELECT patient_id, row FROM m ORDER BY patient_id, n")
        pending = sorted(patient_ids)
        index = 0
        current: str | None = None
        group: list[Mention] = []
        for patient_id, row in with_mentions:
            if patient_id != current:
                if current is not None:
                    yield current, group
                while index < len(pending) and pending[index] < patient_id:
                    yield pending[index], []  # a patient whose notes hold no mention
                    index += 1
                if index < len(pending) and pending[index] == patient_id:
                    index += 1
                current, group = patient_id, []
            group.append(mention_from_row(json.loads(row)))
        if current is not None:
            yield current, group
        for patient_id in pending[index:]:
            yield patient_id, []
    finally:
        db.close()
        spill.unlink(missing_ok=True)
