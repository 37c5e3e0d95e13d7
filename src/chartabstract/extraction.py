"""Extraction over a stream of notes: in this process or in worker processes, with the cache.

Output order is input order whatever the number of workers, so `--workers N` writes the same
files as `--workers 1`. At most a few batches per worker are in flight: memory stays bounded
however long the input is.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from chartabstract.cache import ExtractionCache
from chartabstract.models import Mention, Note

BATCH_NOTES = 64
BATCHES_IN_FLIGHT_PER_WORKER = 4


@dataclass(frozen=True)
class ExtractionSettings:
    """What a worker needs to build the same pipeline as the main process."""

    rules_dir: str | None
    dayfirst: bool
    prefilter: bool
    max_note_seconds: float | None = None  # None: NOTE_SECONDS plus one second per NOTE_CHARS_PER_SECOND characters


# A note's extraction is stopped after this budget (a rule regex that backtracks on it beyond what
# `rules check` can see): the note is skipped and listed, the run goes on. The budget is far above
# the measured speed (about 70k characters/s on dense notes, bench/long_note_bench.py).
NOTE_SECONDS = 30.0
NOTE_CHARS_PER_SECOND = 10_000


class NoteTimeLimit(Exception):
    """Extraction of one note took longer than its budget."""


def note_budget(note: Note, settings: ExtractionSettings) -> float:
    if settings.max_note_seconds is not None:
        return settings.max_note_seconds
    return NOTE_SECONDS + len(note.text) / NOTE_CHARS_PER_SECOND


def default_workers() -> int:
    return os.cpu_count() or 1


def extract_notes(
    notes: Iterable[Note], settings: ExtractionSettings, *, workers: int, cache: ExtractionCache | None
) -> Iterator[tuple[Note, list[Mention] | None]]:
    """Each note with its mentions, in input order."""
    if workers <= 1:
        yield from _serial(notes, settings, cache)
    else:
        yield from _parallel(notes, settings, workers, cache)


def pipeline_build_seconds() -> float | None:
    """Seconds this process spent building its pipeline in the last serial extraction (None: in workers)."""
    return _BUILD["seconds"]


_BUILD: dict[str, float | None] = {"seconds": None}


def _serial(notes: Iterable[Note], settings: ExtractionSettings, cache: ExtractionCache | None) -> Iterator[tuple[Note, list[Mention] | None]]:
    _BUILD["seconds"] = 0.0
    for note in notes:
        found = cache.get(note) if cache is not None else None
        if found is None:
            if _WORKER.get("settings") != settings:
                started = time.perf_counter()
                _init_worker(settings)  # built on the first note the cache cannot answer
                _BUILD["seconds"] = time.perf_counter() - started
            found = _process(note)
            if cache is not None and found is not None:
                cache.put(note, found)
        yield note, found


def _parallel(
    notes: Iterable[Note], settings: ExtractionSettings, workers: int, cache: ExtractionCache | None
) -> Iterator[tuple[Note, list[Mention] | None]]:
    _BUILD["seconds"] = None  # each worker builds its own, overlapping the others' work
    context = _worker_context()
    pending: deque[tuple[list[Note], list[list[Mention] | None], Future[list[list[Mention] | None]] | None]] = deque()
    iterator = iter(notes)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_pool_worker, initargs=(settings, os.getpid())) as pool:
        while True:
            batch = list(islice(iterator, BATCH_NOTES))
            if batch:
                cached = [cache.get(note) if cache is not None else None for note in batch]
                todo = [note for note, found in zip(batch, cached) if found is None]
                pending.append((batch, cached, pool.submit(_work, todo) if todo else None))
            while pending and (not batch or len(pending) >= workers * BATCHES_IN_FLIGHT_PER_WORKER):
                done, cached, future = pending.popleft()
                fresh = iter(future.result() if future is not None else [])
                for note, found in zip(done, cached):
                    if found is None:
                        found = next(fresh)
                        if cache is not None and found is not None:
                            cache.put(note, found)
                    yield note, found
            if not batch:
                return


def start_worker_server(workers: int) -> None:
    """Start the fork server now, when workers will be needed: it imports spaCy and the pipeline
    code once (0.5 s) while the main process validates the rules, and every worker forked from it
    later starts without that import."""
    if workers > 1 and _FORKSERVER in multiprocessing.get_all_start_methods():
        from multiprocessing import forkserver

        _worker_context()
        forkserver.ensure_running()


_FORKSERVER = "forkserver"


def _worker_context() -> multiprocessing.context.BaseContext:
    """Fork server where the platform has one, else spawn; never a plain fork, since the parent may
    hold threads (the progress bar) and open SQLite handles. The fork server is a clean
    single-threaded process that has imported the pipeline code already."""
    if _FORKSERVER not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context(_FORKSERVER)
    context.set_forkserver_preload(["chartabstract.nlp.pipeline", "chartabstract.nlp.extract"])
    return context


_WORKER: dict[str, object] = {}


def _init_pool_worker(settings: ExtractionSettings, main_pid: int) -> None:
    """A pool worker: the pipeline, and an exit of its own should the main process be killed.

    Ctrl-C reaches every process of the terminal's group; the main process handles it (what is
    extracted stays cached) and stops the workers, which would otherwise each print a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_when_gone(main_pid)
    _init_worker(settings)


PARENT_CHECK_SECONDS = 1.0


def _exit_when_gone(main_pid: int) -> None:
    """Exit once the main process is gone. A main process killed with SIGKILL cannot stop its
    workers, and they would wait forever on a queue nobody writes to (and keep the fork server
    alive). POSIX only: on Windows a signal-0 probe would terminate the process it asks about."""
    if os.name != "posix":
        return

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            try:
                os.kill(main_pid, 0)
            except (ProcessLookupError, PermissionError):  # gone (or its number now another user's)
                os._exit(1)

    threading.Thread(target=watch, name="chartabstract-main-watch", daemon=True).start()


def _init_worker(settings: ExtractionSettings) -> None:
    """Build the pipeline once per process."""
    from loguru import logger

    from chartabstract.nlp.pipeline import build_nlp, has_token_targets
    from chartabstract.nlp.prefilter import Prefilter
    from chartabstract.nlp.rules import load_rules

    logger.disable("PyRuSH")
    _WORKER.clear()
    rules = load_rules(Path(settings.rules_dir) if settings.rules_dir else None)
    _WORKER["nlp"] = build_nlp(rules)
    _WORKER["prefilter"] = Prefilter(rules) if settings.prefilter and not has_token_targets(rules) else None
    _WORKER["dayfirst"] = settings.dayfirst
    _WORKER["settings"] = settings


def _process(note: Note) -> list[Mention] | None:
    """The note's mentions, or None when extraction ran past the note's time budget."""
    from chartabstract.nlp.extract import process_note

    settings: ExtractionSettings = _WORKER["settings"]  # type: ignore[assignment]
    try:
        with _time_limit(note_budget(note, settings)):
            return process_note(_WORKER["nlp"], note, dayfirst=bool(_WORKER["dayfirst"]), prefilter=_WORKER["prefilter"])  # type: ignore[arg-type]
    except NoteTimeLimit:
        return None


class _time_limit:
    """Raise NoteTimeLimit in this thread after `seconds` (SIGALRM: Python's regex engine checks
    signals while it backtracks). Where there is no SIGALRM or this is not the main thread, no limit."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()

    def __enter__(self) -> None:
        if self.armed:
            self.previous = signal.signal(signal.SIGALRM, self._expired)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)

    @staticmethod
    def _expired(signum: int, frame: object) -> None:
        raise NoteTimeLimit()


def _work(batch: list[Note]) -> list[list[Mention] | None]:
    return [_process(note) for note in batch]
