"""Ingest options, the run report's ingest counts, and how table columns are found."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

from chartabstract.errors import InputError
from chartabstract.models import SkippedInput

# Our names for the note fields (OMOP CDM NOTE names); --columns maps these to a table's names.
# note_type is not an OMOP column (OMOP has the two concept ids) but is read when a table has it.
FIELDS = (
    "person_id", "note_id", "note_date", "note_title", "note_type", "note_text",
    "note_type_concept_id", "note_class_concept_id",
)
# Any one of these gives a note its type (tables.py takes the first non-empty, in this order).
TYPE_FIELDS = ("note_type", "note_title", "note_type_concept_id", "note_class_concept_id")
_LOOKED_UP = (*FIELDS, "note_datetime")  # note_datetime stands in for a missing note_date


@dataclass
class IngestReport:
    """What happened to every input, so the run manifest can account for each one.

    Invariant once ``read_notes`` is exhausted: ``read == processed + len(skipped)``.
    """

    read: int = 0  # every input note attempt: a file under a patient folder, a table row
    processed: int = 0  # yielded as a Note
    skipped: list[SkippedInput] = field(default_factory=list)
    # {"source": str, "line": int | None, "warning": str[, "count": int]}; tables keep one
    # entry per file and warning with the first line and a count, so a cp1252 export of a
    # million rows does not put a million lines in run_manifest.json.
    warnings: list[dict[str, object]] = field(default_factory=list)

    def skip(self, source: str, reason: str, line: int | None = None) -> None:
        """Record one input attempt that was not turned into a Note."""
        self.read += 1
        self.skipped.append(SkippedInput(source=source, reason=reason, line=line))

    def accept(self) -> None:
        """Record one input attempt that was turned into a Note."""
        self.read += 1
        self.processed += 1

    def give_up(self, source: str, reason: str) -> None:
        """A note that was read but could not be processed after all (extraction stopped)."""
        self.processed -= 1
        self.skipped.append(SkippedInput(source=source, reason=reason))

    def warn(self, source: str, warning: str, line: int | None = None) -> None:
        """Record a warning about one input (never note text)."""
        self.warnings.append({"source": source, "line": line, "warning": warning})

    def as_dict(self) -> dict[str, object]:
        """The ingest part of run_manifest.json: counts, every skipped input, every warning."""
        return {
            "read": self.read,
            "processed": self.processed,
            "skipped": len(self.skipped),
            "skipped_inputs": [
                {"source": s.source, "line": s.line, "reason": s.reason} for s in self.skipped
            ],
            "warnings": [dict(w) for w in self.warnings],
        }


@dataclass(frozen=True)
class IngestOptions:
    """How to read the input; defaults suit an OMOP NOTE table or the folder convention."""

    # our name (see FIELDS) -> the table's column name
    columns: dict[str, str] | None = None
    # how ambiguous numeric note_date strings (03/04/2019) are read in tables and manifest.csv
    dayfirst: bool = False
    # larger notes are skipped with a reason naming the size and --max-note-mb
    max_note_bytes: int = 5_000_000

    def __post_init__(self) -> None:
        if self.columns is not None:
            for ours, theirs in self.columns.items():
                _check_field(ours, f"{ours}={theirs}")
                if not theirs:
                    raise InputError(f"--columns: '{ours}=' names no table column")
        if self.max_note_bytes <= 0:
            raise InputError(f"max note size must be positive, got {self.max_note_bytes} bytes")


def parse_column_map(spec: str) -> dict[str, str]:
    """Parse the CLI's ``--columns "person_id=patient,note_text=body"``.

    Args:
        spec: comma-separated ``our_name=table_column`` pairs; spaces around parts are ignored.

    Returns:
        Our field name -> the table's column name.

    Raises:
        InputError: naming the bad part, e.g. an unknown field or a part without ``=``.
    """
    mapping: dict[str, str] = {}
    parts = [p.strip() for p in spec.split(",")]
    if not any(parts):
        raise InputError(
            "--columns is empty (expected our_name=table_column pairs, e.g. person_id=patient)"
        )
    for part in parts:
        if not part:
            raise InputError(f"--columns {spec!r}: empty part between commas")
        ours, eq, theirs = (s.strip() for s in part.partition("="))
        if not eq:
            raise InputError(
                f"--columns: {part!r} has no '=' (expected our_name=table_column, "
                f"e.g. person_id=patient)"
            )
        if not ours:
            raise InputError(f"--columns: {part!r} names no field before '='")
        _check_field(ours, part)
        if not theirs:
            raise InputError(f"--columns: {part!r} names no table column after '='")
        if ours in mapping:
            raise InputError(f"--columns: {ours} is mapped twice ({ours}={mapping[ours]}, {part})")
        mapping[ours] = theirs
    return mapping


def _check_field(ours: str, part: str) -> None:
    """Reject a field name we do not know, suggesting the closest one (typos are common)."""
    if ours in FIELDS:
        return
    close = difflib.get_close_matches(ours, FIELDS, n=1)
    hint = f"did you mean {close[0]}? " if close else ""
    raise InputError(
        f"--columns: unknown field {ours!r} in {part!r} ({hint}fields: {', '.join(FIELDS)})"
    )


def columns_found(found: Sequence[str]) -> str:
    """The table's columns for an error message, cut short for very wide tables.

    A name over 40 characters is shown by its length only: a file without a header line has
    its first row, possibly note text, where the names should be.
    """
    names = [n if len(n) <= 40 else f"<{len(n)} characters>" for n in found[:30]]
    shown = ", ".join(names) or "none"
    return shown + (f", ... ({len(found) - 30} more)" if len(found) > 30 else "")


def resolve_columns(source: str, found: Sequence[str], options: IngestOptions) -> dict[str, str]:
    """Map our field names to the table's columns: --columns first, then exact, then any case.

    Raises:
        InputError: a required field has no column, or a mapped column does not exist.
    """
    exact = {name.strip(): name for name in found}
    folded = {name.strip().lower(): name for name in reversed(found)}
    mapping = options.columns or {}
    resolved: dict[str, str] = {}
    for ours in _LOOKED_UP:
        wanted = mapping.get(ours, ours)
        column = exact.get(wanted) or folded.get(wanted.lower())
        if column is not None:
            resolved[ours] = column
        elif ours in mapping:
            raise InputError(
                f"{source}: column '{wanted}' (mapped to {ours} by --columns) is not in the "
                f"table (columns found: {columns_found(found)})"
            )
    for ours, alternatives in (
        ("person_id", ()),
        ("note_id", ()),
        ("note_date", ("note_datetime",)),
        ("note_type", TYPE_FIELDS[1:]),
        ("note_text", ()),
    ):
        if ours in resolved or any(a in resolved for a in alternatives):
            continue
        alt = f" (or {', '.join(repr(a) for a in alternatives)})" if alternatives else ""
        raise InputError(
            f"{source}: missing required column '{ours}'{alt} (columns found: "
            f"{columns_found(found)}; map with --columns {ours}=<name>)"
        )
    return resolved
