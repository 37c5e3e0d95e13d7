"""Read a notes table (CSV, TSV, Parquet, JSON Lines) row by row into Notes.

Each reader checks the header eagerly (so a missing column fails before any note is yielded)
and then streams rows as ``Row`` records; ``_notes_from_rows`` turns rows into Notes the same
way for every format.
"""

from __future__ import annotations

import codecs
import csv
import json
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from chartabstract.errors import InputError
from chartabstract.ingest.note_dates import parse_note_date
from chartabstract.ingest.options import TYPE_FIELDS, IngestOptions, IngestReport, resolve_columns
from chartabstract.ingest.text import NoteText, decode_bytes, text_from_bytes, text_from_str
from chartabstract.models import Note

TABLE_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
_BATCH_ROWS = 1024
_JSONL_SCAN = 1000
# JSON may escape half of a UTF-16 pair ("\ud800"); Python keeps it as a lone surrogate,
# which no file can be written in. Lines holding such an escape have their values checked.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_JSON_KINDS = {bool: "true/false value", list: "list", dict: "object", type(None): "null"}


@dataclass(frozen=True)
class Row:
    """One table row: its line (or row number), values by our field name, or its problem."""

    line: int
    values: dict[str, object] | None = None
    problem: str | None = None
    warning: str | None = None  # e.g. the row's bytes were cp1252


def read_table(path: Path, report: IngestReport, options: IngestOptions) -> Iterator[Note]:
    """Check the table's header now; then yield its notes lazily.

    Raises:
        InputError: unknown file type, unreadable file, or a required column missing.
    """
    kind = TABLE_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            f"{path}: not a notes folder or a table (expected a folder <patient_id>/"
            f"<YYYY-MM-DD>_<note_type>.txt, or a .csv, .tsv, .parquet or .jsonl file)"
        )
    try:
        if kind == "parquet":
            unit, rows = "row", _parquet_rows(path, options)
        elif kind == "jsonl":
            unit, rows = "line", _jsonl_rows(path, options)
        else:
            unit, rows = "line", _csv_rows(path, "\t" if kind == "tsv" else ",", options)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return _notes_from_rows(str(path), unit, rows, report, options)


def _csv_rows(path: Path, delimiter: str, options: IngestOptions) -> Iterator[Row]:
    """CSV/TSV with the csv module, which knows the physical line each record ends on.

    pandas reports row indexes, which stop matching file lines at the first note with a line
    break inside its quoted cell; clinical notes nearly always have one.
    """
    _raise_csv_field_limit()
    with _open_csv(path) as f:
        try:
            first = next(csv.reader(f, delimiter=delimiter, strict=True), [])
        except csv.Error as exc:
            raise InputError(f"{path} line 1: header is {_csv_problem(exc)}") from None
    header = [_cell(h)[0].strip() for h in first]
    if not header:
        raise InputError(f"{path}: empty table (no header line)")
    cols = resolve_columns(str(path), header, options)
    index = {ours: header.index(theirs) for ours, theirs in cols.items()}
    return _csv_records(path, delimiter, index, len(header))


def _open_csv(path: Path) -> TextIO:
    """Undecodable bytes stay as surrogates and are re-decoded per cell (``_cell``), so one
    cp1252 row neither stops the file nor is blamed on the other rows. The BOM is dropped."""
    return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _csv_records(path: Path, delimiter: str, index: dict[str, int], width: int) -> Iterator[Row]:
    with _open_csv(path) as f:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        next(reader, None)
        last = reader.line_num
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # strict mode: the reader resumes on the next line
                line, last = last + 1, reader.line_num
                yield Row(line, problem=_csv_problem(exc))
                continue
            line, last = last + 1, reader.line_num  # a record starts after the previous one ends
            if not fields:
                continue  # a blank line is not a row
            if len(fields) != width:
                yield Row(
                    line,
                    problem=f"row has {len(fields)} fields, the header has {width} "
                    f"(an unquoted delimiter in a cell?)",
                )
                continue
            values: dict[str, object] = {}
            warning = None
            for ours, i in index.items():
                if ours == "note_text":
                    values[ours] = fields[i]  # decoded with the note, after the size check
                    continue
                values[ours], w = _cell(fields[i])
                warning = warning or w
            yield Row(line, values, warning=warning)


def _csv_problem(exc: csv.Error) -> str:
    """Say what a strict-mode csv error means for the user's file."""
    if "unexpected end of data" in str(exc):
        return (
            "not valid CSV: a quoted cell starting on this line is never closed "
            "(the rest of the file was read as that cell)"
        )
    return f"not valid CSV ({exc})"


def _cell(value: str) -> tuple[str, str | None]:
    """Re-decode a CSV cell that held non-UTF-8 bytes (kept as surrogates)."""
    if value.isascii():
        return value, None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        text, warning, _ = decode_bytes(value.encode("utf-8", "surrogateescape"))
        return text, warning
    return value, None


def _raise_csv_field_limit() -> None:
    """The csv module refuses cells over 128 KiB; notes are bigger. The limit is process-wide."""
    limit = sys.maxsize
    while limit > csv.field_size_limit():
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # C long is 32-bit on Windows
            limit //= 2


def _jsonl_rows(path: Path, options: IngestOptions) -> Iterator[Row]:
    """JSON Lines, one object per line; its columns are the keys seen in the first objects.

    Exporters such as Spark drop null keys, so one object's keys are not the table's columns:
    the union over the first ``_JSONL_SCAN`` objects is.
    """
    keys: dict[str, None] = {}  # ordered set
    objects = 0
    with open(path, "rb") as f:
        for raw in f:
            stripped = raw.strip().removeprefix(codecs.BOM_UTF8)
            if not stripped:
                continue
            if objects == 0 and stripped.startswith(b"["):
                raise InputError(
                    f"{path}: a JSON array, not JSON Lines (write one JSON object per line)"
                )
            try:
                obj = json.loads(decode_bytes(stripped)[0])
            except (json.JSONDecodeError, RecursionError):
                continue  # reported as that row's problem while reading
            if isinstance(obj, dict):
                keys.update(dict.fromkeys(obj))
                objects += 1
                if objects >= _JSONL_SCAN:
                    break
    if not objects:
        raise InputError(f"{path}: no JSON object on any line (expected JSON Lines)")
    cols = resolve_columns(str(path), list(keys), options)
    return _jsonl_records(path, cols)


def _jsonl_records(path: Path, cols: dict[str, str]) -> Iterator[Row]:
    with open(path, "rb") as f:
        for line, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            text, warning, _ = decode_bytes(raw)
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Row(line, problem=f"not valid JSON ({exc.msg} at column {exc.colno})")
                continue
            except RecursionError:  # e.g. 100,000 nested arrays
                yield Row(line, problem="JSON nested too deeply to read")
                continue
            if not isinstance(obj, dict):
                yield Row(line, problem=f"a JSON {type(obj).__name__}, not an object")
                continue
            values: dict[str, object] = {ours: obj.get(theirs) for ours, theirs in cols.items()}
            problem = _SURROGATE_ESCAPE.search(text) and _lone_surrogate(values)
            yield Row(line, problem=problem) if problem else Row(line, values, warning=warning)


def _lone_surrogate(values: dict[str, object]) -> str | None:
    """Name the first value holding half of a UTF-16 pair: it is not text any file can hold."""
    for ours, value in values.items():
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return f"{ours} holds an unpaired UTF-16 surrogate (\\ud800-\\udfff), not text"
    return None


def _parquet_rows(path: Path, options: IngestOptions) -> Iterator[Row]:
    """Parquet in record batches of the needed columns only; rows are numbered from 1."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except pa.ArrowException as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    cols = resolve_columns(str(path), schema.names, options)
    return _parquet_records(path, cols)


def _parquet_records(path: Path, cols: dict[str, str]) -> Iterator[Row]:
    import pyarrow.parquet as pq

    needed = sorted(set(cols.values()))
    row = 0
    with pq.ParquetFile(path) as pf:
        for batch in pf.iter_batches(batch_size=_BATCH_ROWS, columns=needed):
            data = {name: _column_values(batch.column(name)) for name in needed}
            for i in range(batch.num_rows):
                row += 1
                values = {ours: data[theirs][i] for ours, theirs in cols.items()}
                bad = next(((k, v) for k, v in values.items() if isinstance(v, Unreadable)), None)
                yield Row(row, problem=f"{bad[0]} {bad[1].reason}") if bad else Row(row, values)


@dataclass(frozen=True)
class Unreadable:
    """A Parquet value Python cannot hold: a date past year 9999, a string that is not UTF-8."""

    reason: str


def _column_values(column: Any) -> list[object]:
    """A batch column as Python values; only a column that fails is converted value by value."""
    try:
        return column.to_pylist()
    except (OverflowError, ValueError):  # UnicodeDecodeError is a ValueError
        return [_value(column, i) for i in range(len(column))]


def _value(column: Any, i: int) -> object:
    try:
        return column[i].as_py()
    except UnicodeDecodeError:
        return Unreadable("is not valid UTF-8 text")
    except (OverflowError, ValueError):
        return Unreadable(f"is a {column.type} value out of range (Python dates end at year 9999)")


def _notes_from_rows(
    source: str, unit: str, rows: Iterator[Row], report: IngestReport, options: IngestOptions
) -> Iterator[Note]:
    """Validate each row; yield a Note or record the row as skipped with its line."""
    seen: dict[str, int] = {}  # note_id -> line it was first yielded from (only growing state)
    warned: dict[str, dict[str, object]] = {}
    counts: dict[str, int] = {}
    for row in rows:
        if row.problem is not None or row.values is None:
            report.skip(source, row.problem or "unreadable row", row.line)
            continue
        note, problem = _row_note(row, source, unit, options, seen)
        if note is None:
            report.skip(source, problem or "unusable row", row.line)
            continue
        for warning in note.warnings:
            if warning not in warned:  # one report entry per file and warning, with a count
                warned[warning] = {"source": source, "line": row.line, "warning": warning}
                report.warnings.append(warned[warning])
            counts[warning] = counts.get(warning, 0) + 1
            warned[warning]["count"] = counts[warning]
        seen[note.note_id] = row.line
        report.accept()
        yield note


def _row_note(
    row: Row, source: str, unit: str, options: IngestOptions, seen: dict[str, int]
) -> tuple[Note | None, str | None]:
    values = row.values or {}
    person_id, problem = _id("person_id", values.get("person_id"))
    if problem is not None:
        return None, problem
    note_id, problem = _id("note_id", values.get("note_id"))
    if problem is not None:
        return None, problem
    raw_date = values.get("note_date")
    if _blank(raw_date):
        raw_date = values.get("note_datetime")
    try:
        note_date = parse_note_date(raw_date, dayfirst=options.dayfirst)
    except ValueError as exc:
        return None, str(exc)
    result = _note_text(values.get("note_text"), options.max_note_bytes)
    if result.skip is not None:
        return None, result.skip
    if note_id in seen:
        return None, f"duplicate note_id '{note_id}' (first seen on {unit} {seen[note_id]})"
    note_type, problem = _note_type(values)
    if problem is not None:
        return None, problem
    warnings = tuple(dict.fromkeys(w for w in (row.warning, result.warning) if w))
    where = f"{source}:{unit} {row.line}"
    return Note(person_id, note_id, note_date, note_type, result.text, where, warnings), None


def _note_type(values: dict[str, object]) -> tuple[str, str | None]:
    """The note's type: note_type, else note_title, else an OMOP concept id as "concept 44814637".

    A standard OMOP NOTE table has no note_type and may leave note_title empty; its
    note_type_concept_id (then note_class_concept_id) names the type. Concept 0 is OMOP's "no
    matching concept", so it names nothing. All empty gives "".
    """
    for name in TYPE_FIELDS:
        value = values.get(name)
        if _blank(value):
            continue
        if name in ("note_type", "note_title"):
            if not isinstance(value, str | int | bytes) or isinstance(value, bool):
                return "", f"{name} is a {_kind(value)}, not text"
            return _as_text(value), None
        concept, problem = _id(name, value)
        if problem is not None:
            return "", problem
        if concept != "0":
            return f"concept {concept}", None
    return "", None


def _note_text(value: object, limit: int) -> NoteText:
    if _blank(value):
        return NoteText(skip="empty note")
    if isinstance(value, bytes):
        return text_from_bytes(value, limit)
    if not isinstance(value, str):
        return NoteText(skip=f"note_text is a {_kind(value)}, not text")
    return text_from_str(value, limit)


def _blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    )


def _id(field: str, value: object) -> tuple[str, str | None]:
    """An ID as text, or why the row has none.

    Strings; integers as their decimal text, whole floats too (Parquet/JSON 123 and 123.0 are
    "123"). Anything else (true, ["x"], {"a": 1}, 1.5) is refused: written out it would be
    "True" or "['x']", an ID no other system has.
    """
    if _blank(value):
        return "", f"empty {field}"
    if isinstance(value, float | Decimal):
        if not math.isfinite(value) or value != int(value):
            return "", f"{field} is a number that is not whole (IDs are text or whole numbers)"
        return str(int(value)), None
    if not isinstance(value, str | int | bytes) or isinstance(value, bool):
        return "", f"{field} is a {_kind(value)}, not text or a whole number"
    text = _as_text(value)
    return text, None if text else f"empty {field}"


def _as_text(value: str | int | bytes) -> str:
    if isinstance(value, bytes):
        return decode_bytes(value)[0].strip()
    return str(value).strip()


def _kind(value: object) -> str:
    """What a cell holds, in JSON's words where it has them (never the value: it may be PHI)."""
    return _JSON_KINDS.get(type(value), type(value).__name__)
