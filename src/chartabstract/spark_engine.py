"""`chartabstract run --engine spark`: the same extraction and reconciliation, on Apache Spark.

Notes are extracted per partition (mapInPandas, one pipeline per Python worker) and timelines and
cohort rows are built per patient (cogrouped applyInPandas over mentions and note dates); the
driver writes the same output files as the local engine, in the same order. Local note folders
and tables go through the local ingest (the same validation and skip reporting); any other
Spark-readable path (hdfs://, s3a://, a directory of Parquet parts) is read by Spark with the
OMOP NOTE column names or the --columns map. Install with `pip install chartabstract[spark]`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from chartabstract.errors import InputError
from chartabstract.export import MENTION_COLUMNS, MentionWriter, mention_from_row, mention_row
from chartabstract.ingest import IngestReport, read_notes
from chartabstract.models import Note
from chartabstract.reconcile import PatientNotes, PatientResult, ReconcileSummary, decisions_by_patient, reconcile_patient, write_reconciled
from chartabstract.review.store import ReviewStore, item_from_dict
from chartabstract.study import Study

NOTE_SCHEMA = "order long, patient_id string, note_id string, note_date string, note_type string, text string"
MENTION_SCHEMA = "order long, seq long, " + ", ".join(f"{name} string" for name in MENTION_COLUMNS)
RESULT_SCHEMA = "patient_id string, kind string, payload string"
SPARK_TABLE_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".json": "json", ".jsonl": "json", ".ndjson": "json"}


def spark_session(master: str) -> Any:
    """A Spark session whose workers run this interpreter and which listens on loopback only."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError("--engine spark needs PySpark: pip install 'chartabstract[spark]'") from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(master).appName("chartabstract")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false").config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.shuffle.partitions", "8").config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def notes_frame(spark: Any, path: str, report: IngestReport, ingest_options: Any) -> Any:
    """Notes as a Spark DataFrame with their input order."""
    local = Path(path)
    if "://" not in path and local.exists():
        rows = [
            (order, n.patient_id, n.note_id, n.note_date.isoformat(), n.note_type, n.text)
            for order, n in enumerate(read_notes(local, report, ingest_options))
        ]
        return spark.createDataFrame(rows, NOTE_SCHEMA)
    from pyspark.sql import functions as F

    kind = next((fmt for suffix, fmt in SPARK_TABLE_SUFFIXES.items() if path.rstrip("/").endswith(suffix)), "parquet")
    reader = spark.read.option("header", True).option("multiLine", True).option("escape", '"')
    frame = getattr(reader, kind)(path)
    names = {"person_id": "person_id", "note_id": "note_id", "note_date": "note_date", "note_type": "note_type",
             "note_text": "note_text", **(ingest_options.columns or {})}
    missing = [ours for ours, theirs in names.items() if theirs not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing required column(s) {', '.join(missing)} (columns found: {', '.join(frame.columns)})")
    return frame.select(
        F.monotonically_increasing_id().alias("order"), F.col(names["person_id"]).cast("string").alias("patient_id"),
        F.col(names["note_id"]).cast("string").alias("note_id"), F.col(names["note_date"]).cast("string").alias("note_date"),
        F.col(names["note_type"]).cast("string").alias("note_type"), F.col(names["note_text"]).cast("string").alias("text"),
    ).where(F.col("text").isNotNull() & (F.length(F.trim(F.col("text"))) > 0))


def _extract_partition(settings: Any) -> Any:
    def extract(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        from chartabstract.extraction import _WORKER, _init_worker, _process

        if _WORKER.get("settings") != settings:
            _init_worker(settings)
        for batch in batches:
            rows = []
            for record in batch.itertuples(index=False):
                note = Note(record.patient_id, record.note_id, date.fromisoformat(record.note_date[:10]),
                            record.note_type, record.text, "spark")
                for seq, mention in enumerate(_process(note)):
                    rows.append({"order": record.order, "seq": seq, **{k: str(v) for k, v in mention_row(mention).items()}})
            yield pd.DataFrame(rows, columns=["order", "seq", *MENTION_COLUMNS])
    return extract


def _reconcile_group(study: Study, decisions: dict[str, dict[str, list]]) -> Any:
    def reconcile(mentions: Any, notes: Any) -> Any:
        import pandas as pd

        patient_id = str((mentions["patient_id"] if len(mentions) else notes["patient_id"]).iloc[0])
        seen = PatientNotes()
        for note_date in notes["note_date"]:
            seen.add(date.fromisoformat(str(note_date)[:10]))
        records = mentions.sort_values(["order", "seq"]).to_dict("records") if len(mentions) else []
        found = [mention_from_row({k: v for k, v in r.items() if k in MENTION_COLUMNS}) for r in records]
        result = reconcile_patient(patient_id, found, seen, study, decisions.get(patient_id, {}))
        payload = {"cohort": result.cohort, "events": result.events, "items": [asdict(i) for i in result.items],
                   "statuses": result.statuses, "queue": result.queue, "problems": result.problems}
        return pd.DataFrame([{"patient_id": patient_id, "kind": "result", "payload": json.dumps(payload, default=str)}])
    return reconcile


def run_spark(options: Any, study: Study, settings: Any, report: IngestReport, store: ReviewStore,
              master: str, progress: Any) -> tuple[ReconcileSummary, dict[str, int], dict[str, PatientNotes]]:
    """Extract on Spark, write mentions.csv/note_nlp.csv, reconcile per patient, write the rest."""
    from collections import Counter

    spark = spark_session(master)
    try:
        notes = notes_frame(spark, str(options.notes), report, options.ingest).cache()
        mentions = notes.mapInPandas(_extract_partition(settings), MENTION_SCHEMA).cache()
        per_concept: Counter[str] = Counter()
        with MentionWriter(options.out) as writer:
            for row in mentions.orderBy("order", "seq").toLocalIterator():
                mention = mention_from_row({name: row[name] for name in MENTION_COLUMNS})
                writer.write(mention)
                per_concept[mention.concept] += 1
        decisions = decisions_by_patient(store)
        dates = notes.select("patient_id", "note_date")
        grouped = mentions.groupby("patient_id").cogroup(dates.groupby("patient_id"))
        results = grouped.applyInPandas(_reconcile_group(study, {k: dict(v) for k, v in decisions.items()}), RESULT_SCHEMA)
        patient_results = sorted((_result(json.loads(row["payload"])) for row in results.collect()),
                                 key=lambda result: result.cohort["patient_id"])
        summary = write_reconciled(options.out, study, patient_results)
        patients: dict[str, PatientNotes] = {}
        for row in dates.collect():
            patients.setdefault(row["patient_id"], PatientNotes()).add(date.fromisoformat(row["note_date"][:10]))
        with_mentions = mentions.select("order").distinct().count()
        return summary, {"mentions": writer.count, "notes_with_mentions": with_mentions, **per_concept}, patients
    finally:
        spark.stop()


def _result(payload: dict[str, Any]) -> PatientResult:
    items = [item_from_dict(item) for item in payload["items"]]
    return PatientResult(payload["cohort"], payload["events"], items, payload["statuses"], payload["queue"], payload["problems"])
