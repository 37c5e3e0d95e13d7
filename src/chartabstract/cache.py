"""The extraction cache: a note's mentions, keyed by its content and everything that shapes them.

Keyed by the note's text digest and metadata, the rules digest, the options that change
extraction and the tool version, so a re-run on a grown export only processes new or changed
notes, and an interrupted run (Ctrl-C, SIGKILL) resumes where it stopped: every note whose
mentions were committed is not read twice. Commits happen in small batches.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import time
from pathlib import Path

from chartabstract import __version__
from chartabstract.errors import OutputError
from chartabstract.export import mention_from_row, mention_row
from chartabstract.models import Mention, Note

COMMIT_EVERY_NOTES = 200
COMMIT_EVERY_SECONDS = 2.0


class ExtractionCache:
    """SQLite file of note key -> mentions (as mentions.csv rows)."""

    def __init__(self, path: Path, *, rules_digest: str, options: str) -> None:
        self.salt = f"{__version__}\0{code_digest()}\0{rules_digest}\0{options}\0".encode()
        try:
            self.db = sqlite3.connect(path, timeout=30)
        except sqlite3.Error as exc:
            raise OutputError(f"{path}: cannot open extraction cache ({exc})") from None
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS notes (key TEXT PRIMARY KEY, mentions TEXT NOT NULL)")
        self.hits = 0
        self.misses = 0
        self._pending = 0
        self._last_commit = time.monotonic()

    def key(self, note: Note) -> str:
        digest = hashlib.sha256(self.salt)
        for part in (note.note_id, note.patient_id, note.note_date.isoformat(), note.note_type, note.text, note.chart_date_order or "", "Y" if note.chart_year_first else ""):
            digest.update(part.encode() + b"\0")
        return digest.hexdigest()

    def get(self, note: Note) -> list[Mention] | None:
        row = self.db.execute("SELECT mentions FROM notes WHERE key = ?", (self.key(note),)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return [mention_from_row(item) for item in json.loads(row[0])]

    def put(self, note: Note, mentions: list[Mention]) -> None:
        rows = [mention_row(m) for m in mentions]
        self.db.execute("INSERT OR REPLACE INTO notes VALUES (?, ?)", (self.key(note), json.dumps(rows, default=str)))
        self._pending += 1
        if self._pending >= COMMIT_EVERY_NOTES or time.monotonic() - self._last_commit > COMMIT_EVERY_SECONDS:
            self.commit()

    def commit(self) -> None:
        self.db.commit()
        self._pending = 0
        self._last_commit = time.monotonic()

    def close(self) -> None:
        self.commit()
        self.db.close()


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the code that turns a note into mentions, so a changed extractor never serves
    mentions cached by the previous one (the version number alone does not change between commits)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*package.glob("nlp/*.py"), *package.glob("normalize/*.py"), package / "models.py"]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
