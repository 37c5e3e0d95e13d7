"""The `run` command's work: ingest -> NLP -> outputs, with counts, digests and timings."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from chartabstract import __version__
from chartabstract.errors import NothingReadError, OutputError
from chartabstract.export import MentionWriter, prepare_output_dir, write_json
from chartabstract.ingest import IngestOptions, IngestReport, read_notes
from chartabstract.ingest.folder import deeper_notes_folder
from chartabstract.cache import ExtractionCache
from chartabstract.extraction import (
    ExtractionSettings, default_workers, extract_notes, note_budget, pipeline_build_seconds, start_worker_server,
)
from chartabstract.models import Note, SkippedInput
from chartabstract.normalize.date_order import chart_conventions, with_chart_orders
from chartabstract.reconcile import PatientNotes, reconcile
from chartabstract.outputs import OUTPUT_FILES, OutputLock, OutputSet
from chartabstract.review.store import ITEMS_FILE, ReviewStore, load_items
from chartabstract.study import load_study


@dataclass(frozen=True)
class RunOptions:
    """Everything `chartabstract run` was asked to do."""

    notes: Path
    out: Path
    rules_dir: Path | None = None
    ingest: IngestOptions = field(default_factory=IngestOptions)
    dayfirst: bool = False
    prefilter: bool = True
    progress: bool = False
    date_tolerance: int | None = None  # days two sources may disagree on a date (default: study.json)
    db: Path | None = None  # the review database (default: <out>/review.db)
    workers: int | None = None  # extraction processes (None: one per core, or 1 for a small folder)
    cache: bool = True  # reuse mentions of unchanged notes (<out>/cache.db)
    max_note_seconds: float | None = None  # extraction budget of one note (None: 30 s + 1 s per 10,000 characters)
    engine: str = "local"  # local or spark
    spark_master: str = "local[*]"


@dataclass(frozen=True)
class RunSummary:
    """What a run did, for the closing message and the exit code."""

    read: int
    processed: int
    skipped: int
    mentions: int
    seconds: float
    out: Path
    skipped_inputs: tuple[SkippedInput, ...] = ()
    warnings: int = 0
    patients: int = 0
    review_items: int = 0
    flagged_fields: int = 0
    decision_problems: tuple[str, ...] = ()

    def describe(self) -> str:
        line = (
            f"Read {self.read} notes: {self.processed} processed, {self.skipped} skipped. "
            f"{self.mentions} mentions, cohort of {self.patients} patients; {self.review_items} items to review "
            f"({self.flagged_fields} flagged fields), in {self.seconds:.1f}s. Outputs in {self.out}/"
        )
        if self.warnings:
            line += f" {self.warnings} input warning(s) recorded in {self.out / 'run_manifest.json'}."
        return line

    def skipped_lines(self, limit: int = 20, *, in_manifest: bool = True) -> list[str]:
        """One line per skipped input: file (and line or row) and reason, never note text."""
        lines = []
        for item in self.skipped_inputs[:limit]:
            where = item.source if item.line is None or f"line {item.line}" in item.source else f"{item.source}: line {item.line}"
            lines.append(f"skipped: {where}: {item.reason}")
        if len(self.skipped_inputs) > limit:
            where = f", all listed in {self.out / 'run_manifest.json'}" if in_manifest else ""
            lines.append(f"... and {len(self.skipped_inputs) - limit} more{where}")
        return lines

    def nothing_read(self, notes: Path) -> NothingReadError | None:
        """The error of a run that read no note at all (its outputs are not worth switching in)."""
        if self.processed or self.patients:  # a Spark-read path counts its notes as patients only
            return None
        if not self.read:
            return NothingReadError(f"{notes}: no notes found (a folder needs <patient_id>/<YYYY-MM-DD>_<type>.txt "
                                    f"files, a table needs rows); {self.out} keeps its previous outputs")
        deeper = deeper_notes_folder(notes)
        hint = f"; the notes look one folder deeper: run on {deeper}" if deeper else ""
        return NothingReadError(f"{notes}: no note could be read: all {self.read} input(s) were skipped (listed above)"
                                f"{hint}; {self.out} keeps its previous outputs",
                                tuple(self.skipped_lines(in_manifest=False)))


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def run_extraction(options: RunOptions) -> RunSummary:
    """Extract every mention of every note, reconcile, and switch in the whole output set.

    The run holds the output folder's lock throughout and writes into a staging folder; the
    folder's outputs change only at the end, all at once. A failure or a kill leaves them as
    they were.

    Raises:
        RuleFileError, InputError, OutputError: the outputs of the folder are unchanged.
        NothingReadError: no note was found, or every input was skipped (outputs unchanged too).
    """
    from chartabstract.nlp.medspacy_adapter import check_supported
    from chartabstract.nlp.rules import load_rules

    started = time.perf_counter()
    started_at = datetime.now(timezone.utc)
    workers = options.workers or _auto_workers(options.notes)
    if options.engine == "local" and options.notes.exists():
        start_worker_server(workers)  # imports the pipeline code while the rules are validated
    rules = load_rules(options.rules_dir)
    study = load_study(options.rules_dir, date_tolerance=options.date_tolerance)
    check_supported()  # here, not first in each worker: one clear line instead of a broken pool
    prepare_output_dir(options.out)
    with OutputLock(options.out):
        outputs = OutputSet(options.out)
        stage = outputs.open()
        try:
            summary = _run_into(stage, options, rules, study, workers, started, started_at, outputs.run_id)
            nothing = summary.nothing_read(options.notes)
            if nothing is not None:
                raise nothing  # an empty cohort would only replace the previous outputs
            outputs.commit()
        except (OSError, sqlite3.Error) as exc:
            outputs.abort()
            raise OutputError(f"{options.out}: writing the outputs failed ({_reason(exc)}); "
                              "the folder keeps its previous outputs") from None
        except BaseException:
            outputs.abort()
            raise
        _sync_review_items(options, outputs.run_id)
    return summary


def _with_chart_date_orders(notes: Iterator[Note], options: RunOptions) -> Iterator[Note]:
    """The notes, each told the day/month order its patient's chart shows. One more pass over the
    input, scanning dates only, since a patient's notes may be spread through a table; with
    ``--dayfirst`` the order is given and nothing is inferred."""
    if options.dayfirst:
        return notes
    orders, year_first = chart_conventions(read_notes(options.notes, IngestReport(), options.ingest))
    return with_chart_orders(notes, orders, year_first) if orders or year_first else notes


def _run_into(stage: Path, options: RunOptions, rules: Any, study: Any, workers: int, started: float,
              started_at: datetime, run_id: str) -> RunSummary:
    """Every output of the run, written into the staging folder."""
    report = IngestReport()
    notes = _with_chart_date_orders(read_notes(options.notes, report, options.ingest), options)
    settings = ExtractionSettings(str(options.rules_dir) if options.rules_dir else None, options.dayfirst, options.prefilter,
                                  options.max_note_seconds)
    cache = (
        ExtractionCache(options.out / "cache.db", rules_digest=rules.digest, options=f"dayfirst={options.dayfirst}")
        if options.cache else None
    )
    setup_seconds = time.perf_counter() - started

    input_digest = hashlib.sha256()
    per_concept: Counter[str] = Counter()
    notes_with_mentions = 0
    characters = 0

    def digested(stream: Iterator[Note]) -> Iterator[Note]:
        nonlocal characters
        for note in stream:
            input_digest.update(note.note_id.encode() + b"\0" + hashlib.sha256(note.text.encode()).digest())
            characters += len(note.text)
            yield note

    patients: dict[str, PatientNotes] = defaultdict(PatientNotes)
    mention_count = 0
    store = ReviewStore(options.db or options.out / "review.db")
    try:
        if options.engine == "spark":
            from chartabstract.spark_engine import run_spark

            if cache is not None:
                cache.close()  # Spark recomputes; its partitions are the unit of retry
                cache = None
            reconciled, counts, spark_patients = run_spark(replace(options, out=stage), study, settings, report, store,
                                                           options.spark_master, None)
            patients.update(spark_patients)
            mention_count = counts.pop("mentions")
            notes_with_mentions = counts.pop("notes_with_mentions")
            per_concept.update(counts)
            extracted = time.perf_counter()
        else:
            try:
                with MentionWriter(stage) as writer, _progress(options, options.notes) as advance:
                    for note, mentions in extract_notes(digested(notes), settings, workers=workers, cache=cache):
                        if mentions is None:
                            report.give_up(note.source, f"extraction stopped after {note_budget(note, settings):.0f} s (a rule "
                                           "regex backtracks on this note: see `chartabstract rules check`)")
                            advance()
                            continue
                        patients[note.patient_id].add(note.note_date)
                        notes_with_mentions += bool(mentions)
                        for mention in mentions:
                            writer.write(mention)
                            per_concept[mention.concept] += 1
                        advance()
            finally:
                if cache is not None:
                    cache.close()  # what was extracted stays cached: an interrupted run resumes from here
            mention_count = writer.count
            extracted = time.perf_counter()
            reconciled = reconcile(stage, study, patients, store)
    finally:
        store.close()
    seconds = time.perf_counter() - started
    ingest = report.as_dict()
    write_json(
        stage / "run_manifest.json",
        {
            "tool": "chartabstract",
            "run_id": run_id,
            "version": __version__,
            "started_at": started_at.isoformat(timespec="seconds"),
            "input": {"path": str(Path(options.notes).resolve()), "digest": input_digest.hexdigest(), "characters": characters},
            "rules": {"source": _absolute(rules.source), "digest": rules.digest},
            "options": {"engine": options.engine, "dayfirst": options.dayfirst, "prefilter": options.prefilter, "workers": workers,
                        "cache": options.cache,
                        "max_note_bytes": options.ingest.max_note_bytes, "columns": options.ingest.columns},
            "counts": {
                "notes_read": ingest["read"],
                "notes_processed": ingest["processed"],
                "notes_skipped": ingest["skipped"],
                "notes_with_mentions": notes_with_mentions,
                "notes_from_cache": cache.hits if cache is not None else 0,
                "mentions": mention_count,
                "mentions_by_concept": dict(sorted(per_concept.items())),
                "patients": reconciled.patients,
                "events": reconciled.events,
                "review_items": reconciled.review_items,
                "flagged_fields": reconciled.flagged_fields,
            },
            "skipped_inputs": ingest["skipped_inputs"],
            "warnings": ingest["warnings"],
            "decisions_not_applied": list(reconciled.problems),
            "study": {"name": study.name, "date_conflict_tolerance_days": study.date_conflict_tolerance_days},
            "timings": {"setup_seconds": round(setup_seconds, 3),
                        "extraction_seconds": round(extracted - started - setup_seconds, 3),
                        "pipeline_build_seconds": _rounded(pipeline_build_seconds()) if options.engine == "local" else None,
                        "reconciliation_seconds": round(seconds - (extracted - started), 3),
                        "total_seconds": round(seconds, 3),
                        "characters_per_second": round(characters / max(extracted - started - setup_seconds, 1e-9))},
            "outputs": [name for name in OUTPUT_FILES if not name.startswith(".")],
            # the folder's own database is named relative to it, so a copied or moved folder uses its copy
            "review_db": str(Path(options.db).resolve()) if options.db else "review.db",
        },
    )
    return RunSummary(
        read=report.read, processed=report.processed, skipped=len(report.skipped),
        mentions=mention_count, seconds=seconds, out=options.out,
        skipped_inputs=tuple(report.skipped), warnings=len(report.warnings),
        patients=reconciled.patients, review_items=reconciled.review_items, flagged_fields=reconciled.flagged_fields,
        decision_problems=reconciled.problems,
    )




def _sync_review_items(options: RunOptions, run_id: str) -> None:
    """Give the review database the items of the set just switched in. A run stopped before this
    leaves the database a set behind, which the review commands notice and sync (run_id)."""
    try:
        store = ReviewStore(options.db or options.out / "review.db")
        try:
            store.sync_items(*load_items(options.out / ITEMS_FILE), run_id)
        finally:
            store.close()
    except (OSError, sqlite3.Error) as exc:
        raise OutputError(f"{options.db or options.out / 'review.db'}: cannot store the review items ({_reason(exc)}); "
                          "the review commands will store them from the outputs") from None


def _reason(exc: BaseException) -> str:
    """The operating system's words for a write error (never note text)."""
    if isinstance(exc, OSError):
        return exc.strerror or exc.__class__.__name__
    return str(exc).split("\n", 1)[0][:120]


def _absolute(source: str) -> str:
    """A rules folder as an absolute path (packaged rules keep their name), so review finds the
    study definition from any working directory."""
    path = Path(source)
    return str(path.resolve()) if path.exists() else source


class _progress:
    """A progress bar on stderr (rich), counting notes; a no-op when quiet."""

    def __init__(self, options: RunOptions, notes_path: Path) -> None:
        self.enabled = options.progress
        self.total = _count_note_files(notes_path) if self.enabled else None

    def __enter__(self):  # type: ignore[no-untyped-def]
        if not self.enabled:
            return lambda: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(
            TextColumn("notes"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True), transient=True,
        )
        self._bar.__enter__()
        task = self._bar.add_task("notes", total=self.total)
        return lambda: self._bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._bar.__exit__(None, None, None)


# Below this, starting worker processes saves nothing. Whole runs, 1 vs 2 workers, on this 2-core
# machine: 7 notes 1.5 s vs 1.5 s; 70 notes 1.9 s vs 1.9 s; 147 notes 2.7 s vs 2.2 s; 1,000 notes
# 2.6 s vs 2.2 s (the fork server imports the pipeline code while the rules are validated).
SMALL_INPUT_NOTES = 100


def _auto_workers(path: Path) -> int:
    """One worker per core, except for a folder or Parquet table small enough that one process is faster."""
    count = _count_note_files(path) if path.is_dir() else _count_parquet_rows(path)
    if count is not None and count < SMALL_INPUT_NOTES:
        return 1
    return default_workers()


def _count_parquet_rows(path: Path) -> int | None:
    """Rows of a Parquet table, from its footer; None for other inputs or an unreadable file."""
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return None
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except (OSError, ValueError):  # reported properly when the table is read
        return None


def _count_note_files(path: Path) -> int | None:
    """How many files a notes folder holds (a cheap directory walk), for the bar's total."""
    if not path.is_dir():
        return None
    total = 0
    for patient in path.iterdir():
        if patient.is_dir() and not patient.name.startswith("."):
            total += sum(1 for f in patient.iterdir() if f.is_file() and not f.name.startswith("."))
    return total
