"""Write the run's outputs: mentions.csv, note_nlp.csv (OMOP CDM v5.4) and run_manifest.json.

Rows are written as they arrive (memory stays flat however many notes there are), into
temporary files that are renamed into place only when the run completes, so a crashed run
never leaves a half-written table that looks finished.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import fields
from datetime import date, datetime, timezone
from pathlib import Path
from types import TracebackType
from collections.abc import Iterable
from typing import IO, Any

from chartabstract import __version__
from chartabstract.errors import OutputError
from chartabstract.models import Mention

MENTION_COLUMNS = [
    "mention_id", "patient_id", "note_id", "note_date", "note_type", "section", "start", "end",
    "text", "snippet", "concept", "rule_id", "negated", "hypothetical", "historical", "family",
    "uncertain", "date", "date_precision", "date_source", "value", "unit", "level_pct",
    "cycle", "method", "specimen", "donor_type", "percent_positive", "date_text", "date_from",
    "date_anchor", "date_offset_days", "modifiers",
]
NOTE_NLP_COLUMNS = [
    "note_nlp_id", "note_id", "section_concept_id", "snippet", "offset", "lexical_variant",
    "note_nlp_concept_id", "note_nlp_source_concept_id", "nlp_system", "nlp_date", "nlp_datetime",
    "term_exists", "term_temporal", "term_modifiers",
]
NLP_SYSTEM = f"chartabstract {__version__}"


def prepare_output_dir(out: Path) -> None:
    """Create the output folder and prove it is writable before any note is read."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise OutputError(f"{out}: output folder is not writable ({exc.strerror or exc})") from None


class AtomicFile:
    """A text file written to a temporary name and renamed into place on success."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tmp = path.with_name(f".{path.name}.partial")
        self.handle: IO[str]

    def __enter__(self) -> IO[str]:
        try:
            self.handle = open(self._tmp, "w", encoding="utf-8", newline="")
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write ({exc.strerror})") from None
        return self.handle

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.handle.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)


class MentionWriter:
    """Streams mentions into mentions.csv and note_nlp.csv side by side."""

    def __init__(self, out: Path) -> None:
        self._files = [AtomicFile(out / "mentions.csv"), AtomicFile(out / "note_nlp.csv")]
        self.count = 0
        self._now = datetime.now(timezone.utc)

    def __enter__(self) -> "MentionWriter":
        mentions_handle, nlp_handle = (f.__enter__() for f in self._files)
        self._mentions = csv.DictWriter(mentions_handle, MENTION_COLUMNS)
        self._note_nlp = csv.DictWriter(nlp_handle, NOTE_NLP_COLUMNS)
        self._mentions.writeheader()
        self._note_nlp.writeheader()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        for f in self._files:
            f.__exit__(exc_type, exc, tb)

    def write(self, mention: Mention) -> None:
        self.count += 1
        self._mentions.writerow(mention_row(mention))
        self._note_nlp.writerow(note_nlp_row(mention, self.count, self._now))


_MENTION_FIELDS = tuple(f.name for f in fields(Mention))


def mention_row(mention: Mention) -> dict[str, Any]:
    """A mention as a mentions.csv row: ISO dates, lower-case booleans, empty for None."""
    row = {name: getattr(mention, name) for name in _MENTION_FIELDS}  # asdict() deep-copies: slow
    for key, value in row.items():
        if isinstance(value, bool):
            row[key] = "true" if value else "false"
        elif isinstance(value, date):
            row[key] = value.isoformat()
        elif value is None:
            row[key] = ""
        elif isinstance(value, float):
            row[key] = f"{value:g}"
    row["modifiers"] = ";".join(mention.modifiers)
    return {column: row.get(column, "") for column in MENTION_COLUMNS}


_BOOLEAN = {"negated", "hypothetical", "historical", "family", "uncertain"}


def mention_from_row(row: dict[str, str]) -> Mention:
    """Read a mentions.csv row back into a Mention (the inverse of mention_row)."""
    values: dict[str, Any] = {}
    for name, kind in Mention.__annotations__.items():
        raw = row.get(name, "")
        if name in _BOOLEAN:
            values[name] = raw == "true"
        elif name in ("date", "note_date"):
            values[name] = date.fromisoformat(raw) if raw else None
        elif name in ("start", "end"):
            values[name] = int(raw)
        elif name in ("level_pct", "value", "unit") or isinstance(raw, (int, float)):
            values[name] = "" if raw is None else str(raw)
        elif name in ("cycle", "date_offset_days"):
            values[name] = None if raw in ("", None) else int(raw)
        elif name == "percent_positive":
            values[name] = None if raw in ("", None) else float(raw)
        elif name == "modifiers":
            values[name] = tuple(raw.split(";")) if raw else ()
        elif name in ("date_precision",):
            values[name] = raw or None
        else:
            values[name] = raw
    return Mention(**values)


def write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write rows atomically; returns how many."""
    count = 0
    with AtomicFile(path) as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def note_nlp_row(mention: Mention, note_nlp_id: int, now: datetime) -> dict[str, Any]:
    """A mention in OMOP CDM v5.4 NOTE_NLP layout; value and date go in term_modifiers.

    Concept ids are 0 (no standard concept mapped): the concept name is in term_modifiers,
    which a warehouse can map with its own vocabulary tables.
    """
    asserted = not (mention.negated or mention.hypothetical or mention.family)
    modifiers = {
        "concept": mention.concept,
        "value": mention.value,
        "date": mention.date.isoformat() if mention.date else "",
        "date_precision": mention.date_precision or "",
        "date_source": mention.date_source,
        "negated": str(mention.negated).lower(),
        "hypothetical": str(mention.hypothetical).lower(),
        "historical": str(mention.historical).lower(),
        "family": str(mention.family).lower(),
        "uncertain": str(mention.uncertain).lower(),
        "rule_id": mention.rule_id,
    }
    if mention.level_pct:
        modifiers["level_pct"] = mention.level_pct
    return {
        "note_nlp_id": note_nlp_id,
        "note_id": mention.note_id,
        "section_concept_id": 0,
        "snippet": mention.snippet[:250],
        "offset": str(mention.start),
        "lexical_variant": mention.text[:250],
        "note_nlp_concept_id": 0,
        "note_nlp_source_concept_id": 0,
        "nlp_system": NLP_SYSTEM,
        "nlp_date": now.date().isoformat(),
        "nlp_datetime": now.isoformat(timespec="seconds"),
        "term_exists": "Y" if asserted else "N",
        "term_temporal": "past" if mention.historical else "future" if mention.hypothetical else "present",
        "term_modifiers": ";".join(f"{k}={v}" for k, v in modifiers.items()),
    }


def write_json(path: Path, payload: dict[str, Any]) -> None:
    """Write JSON atomically."""
    with AtomicFile(path) as handle:
        json.dump(payload, handle, indent=2, default=str)
        handle.write("\n")
