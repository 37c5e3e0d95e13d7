"""One writer per output folder, and an output set that is replaced as a whole.

A run holds an exclusive lock on ``OUT/.chartabstract.lock`` (``flock``: the kernel releases it
when the process dies, however it dies, so a killed run's lock is taken over at once), writes every
output into a staging folder ``OUT/.runs/<run id>/``, and switches the set in one step: the
``OUT/current`` link is replaced by a rename, and every ``OUT/<file>`` is a link to
``current/<file>``. At any instant a reader sees the whole old set or the whole new set; a run that
fails or is killed leaves the old set as it was and its staging folder is removed by the next run.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import IO

from chartabstract.errors import OutputError

OUTPUT_FILES = ("mentions.csv", "note_nlp.csv", "events.csv", "cohort.csv", "cohort.parquet", "review_queue.csv",
                "data_dictionary.csv", "run_manifest.json", ".review_items.jsonl")
RUNS = ".runs"
CURRENT = "current"
LOCK = ".chartabstract.lock"


class OutputLock:
    """Exclusive use of an output folder for the length of a run."""

    def __init__(self, out: Path, command: str = "chartabstract run") -> None:
        self.path = out / LOCK
        self.command = command
        self.handle: IO[str] | None = None

    def __enter__(self) -> OutputLock:
        try:
            self.handle = open(self.path, "a+", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"{self.path.parent}: output folder is not writable ({exc.strerror or exc})") from None
        if not _try_lock(self.handle):
            holder = self._holder()
            self.handle.close()
            raise OutputError(f"{self.path.parent}: another chartabstract run is writing this folder ({holder}); "
                              "wait for it to finish, or use another --out")
        self.handle.seek(0)
        self.handle.truncate()
        self.handle.write(f"pid {os.getpid()} on {socket.gethostname()}, started "
                          f"{datetime.now(timezone.utc).isoformat(timespec='seconds')}: {self.command}\n")
        self.handle.flush()
        return self

    def _holder(self) -> str:
        """Who holds the lock, as it wrote itself in: it writes just after taking the lock, so
        wait a moment for that line."""
        assert self.handle is not None
        for _ in range(20):
            self.handle.seek(0)
            holder = self.handle.read().strip()
            if holder:
                return holder
            time.sleep(0.05)
        return "another process"

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.handle is not None:
            self.handle.seek(0)
            self.handle.truncate()
            self.handle.close()  # closing releases the lock


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class OutputSet:
    """The staging folder of one run's outputs, switched in as a whole by `commit`."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.run_id = f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        self.stage = out / RUNS / self.run_id

    def open(self) -> Path:
        """Create the staging folder, after removing what killed runs left (the folder was already
        proved writable by prepare_output_dir)."""
        try:
            _remove_stale_stages(self.out)
            self.stage.mkdir(parents=True)
        except OSError as exc:
            raise OutputError(f"{self.out}: output folder is not writable ({exc.strerror or exc})") from None
        return self.stage

    def commit(self) -> None:
        """Make the staged set the folder's outputs in one step, then drop the set it replaced."""
        try:
            _fsync_folder(self.stage)
            previous = _current_target(self.out)
            if previous is None:
                _adopt_legacy_files(self.out)
                previous = _current_target(self.out)
            _replace_link(self.out / CURRENT, Path(RUNS) / self.run_id)
            for name in OUTPUT_FILES:
                link = self.out / name
                if not (link.is_symlink() and os.readlink(link) == str(Path(CURRENT) / name)):
                    _replace_link(link, Path(CURRENT) / name)
            _fsync(self.out)
        except OSError as exc:
            raise OutputError(f"{self.out}: cannot switch in the new outputs ({exc.strerror or exc})") from None
        if previous is not None and previous.name != self.run_id:
            shutil.rmtree(previous, ignore_errors=True)  # readers that opened its files keep reading them

    def abort(self) -> None:
        """Forget the staged set: the folder keeps the outputs it had."""
        shutil.rmtree(self.stage, ignore_errors=True)


def _current_target(out: Path) -> Path | None:
    link = out / CURRENT
    if not link.is_symlink():
        return None
    return out / os.readlink(link)


def _replace_link(link: Path, target: Path) -> None:
    """Point `link` at `target` by renaming a new link over it (atomic on POSIX)."""
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex[:8]}.link")
    os.symlink(target, temporary)
    try:
        os.replace(temporary, link)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise


def _adopt_legacy_files(out: Path) -> None:
    """Outputs written by an earlier version (plain files in OUT) become a set of their own first,
    so readers keep seeing them whole while the links are put in place."""
    plain = [name for name in OUTPUT_FILES if (out / name).is_file() and not (out / name).is_symlink()]
    if not plain:
        return
    legacy = out / RUNS / f"legacy-{int(time.time())}"
    legacy.mkdir(parents=True, exist_ok=True)
    for name in plain:
        try:
            os.link(out / name, legacy / name)
        except OSError:
            shutil.copy2(out / name, legacy / name)
    _replace_link(out / CURRENT, Path(RUNS) / legacy.name)
    for name in plain:
        _replace_link(out / name, Path(CURRENT) / name)


def _remove_stale_stages(out: Path) -> None:
    """Staging folders of runs that were killed (the caller holds the folder's lock)."""
    runs = out / RUNS
    if not runs.is_dir():
        return
    keep = _current_target(out)
    for folder in runs.iterdir():
        if keep is None or folder.resolve() != keep.resolve():
            shutil.rmtree(folder, ignore_errors=True)


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's files and its entries, so a power cut cannot switch in a half-written set."""
    for path in folder.iterdir():
        if path.is_file() and not path.is_symlink():
            _fsync(path)
    _fsync(folder)


def _fsync(path: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - folders cannot be opened for fsync there
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
