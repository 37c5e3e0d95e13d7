"""The spreadsheet round trip: export open items to .xlsx/.csv, import decisions all or nothing."""

from __future__ import annotations

import codecs
import csv
import io
import os
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from chartabstract.errors import InputError, OutputError
from chartabstract.review.store import OPEN_STATUSES, Item, ReviewStore
from chartabstract.review.validate import InvalidValue, validate_value
from chartabstract.study import Study

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell

COLUMNS = ["item_id", "patient_id", "field", "label", "decides", "flag", "current_value", "candidates", "evidence",
           "decision_value", "reason"]
EXPORTED = frozenset(COLUMNS[:-2])  # written by export; decision_value and reason are the reviewer's
NOT_DETERMINABLE = "ND"
# A cell starting with one of these runs as a formula in Excel or LibreOffice (OWASP CSV injection);
# a leading quote is escaped too, so that import can drop exactly the quote export added.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTED_START = (*FORMULA_START, "'")
DELIMITERS = (",", "\t", ";")


def export_items(store: ReviewStore, mentions: dict[str, dict[str, str]], path: Path) -> int:
    """Write one row per open item; decision_value and reason are left for the reviewer."""
    rows = []
    for item in store.items():
        if item.status not in OPEN_STATUSES:
            continue
        evidence = [mentions[i] for i in item.evidence if i in mentions]
        rows.append([_neutralize(cell) for cell in (
            item.key, item.patient_id, item.field, item.label, ";".join(item.decides), item.flags, store.current_value(item),
            " | ".join(f"{value} ({source})" if source else value
                       for value, source in zip(item.candidates, item.candidate_sources + ("",) * len(item.candidates))),
            " || ".join(f"[{m['note_id']}] {m['snippet']}" for m in evidence[:4]), "", "",
        )])
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InputError(f"{path}: export to .xlsx or .csv")
    partial = path.with_name(f".{path.name}.partial")
    try:  # written beside the target and renamed: a failed export leaves no half sheet
        if suffix == ".xlsx":
            _write_xlsx(partial, rows)
        else:
            with open(partial, "w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(COLUMNS)
                writer.writerows(rows)
        os.replace(partial, path)
    except OSError as exc:
        if partial.parent.is_dir():
            partial.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write the export ({exc.strerror or exc.__class__.__name__})") from None
    return len(rows)


def _write_xlsx(path: Path, rows: list[list[str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    sheet.title = "review"
    sheet.append(COLUMNS)
    for row in rows:  # control characters (a form feed in a note) are not allowed in the XML
        sheet.append([ILLEGAL_CHARACTERS_RE.sub(" ", cell) for cell in row])
    book.save(path)


def import_decisions(store: ReviewStore, study: Study, path: Path, *, reviewer: str, role: str = "reviewer") -> int:
    """The number of decisions stored; see import_decisions_report."""
    return import_decisions_report(store, study, path, reviewer=reviewer, role=role)[0]


def import_decisions_report(
    store: ReviewStore, study: Study, path: Path, *, reviewer: str, role: str = "reviewer",
) -> tuple[int, int]:
    """Validate every row, then store all new decisions in one transaction; nothing on any error.

    A row that repeats this reviewer's latest decision on the item (same evidence, choice and
    value) is not stored again, so importing a sheet twice is harmless.

    Returns:
        (decisions stored, rows skipped as unchanged)

    Raises:
        InputError: listing every bad row by its spreadsheet row number (the header is row 1).
    """
    rows = _read_rows(path)
    if not rows or [c.strip() for c in rows[0]][: len(COLUMNS)] != COLUMNS:
        raise InputError(f"{path}: row 1: expected the columns {', '.join(COLUMNS)}")
    items = {item.key: item for item in store.items(include_cleared=True)}
    errors: list[str] = []
    decisions: list[tuple[Item, str, str, str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(rows[1:], start=2):
        cells = {column: _restore(c) if column in EXPORTED else c.strip() for column, c in zip(COLUMNS, raw)}
        if not any(cells.values()):
            continue
        decision = cells.get("decision_value", "")
        if not decision:
            continue  # no decision on this row
        item = items.get(cells.get("item_id", ""))
        if item is None:
            errors.append(f"row {number}: unknown item_id {cells.get('item_id', '')!r}")
            continue
        if (cells.get("patient_id"), cells.get("field")) != (item.patient_id, item.field):
            errors.append(f"row {number}: patient_id/field do not match item_id {item.key!r}")
            continue
        if item.key in seen:
            errors.append(f"row {number}: {item.key!r} appears twice")
            continue
        seen.add(item.key)
        if decision.upper() == NOT_DETERMINABLE:
            decisions.append((item, "not_determinable", "", cells.get("reason", "")))
            continue
        try:
            value = validate_value(study, item.field, decision)
        except InvalidValue as exc:
            errors.append(f"row {number}: {exc}")
            continue
        choice = "accept" if value in (item.tool_value, *item.candidates) else "correct"
        decisions.append((item, choice, value, cells.get("reason", "")))
    if errors:
        raise InputError(f"{path}: {len(errors)} bad row(s), nothing imported:\n  " + "\n  ".join(errors))
    new = [d for d in decisions if not _unchanged(store, *d[:3], reviewer=reviewer, role=role)]
    stored = store.record_decisions(new, reviewer=reviewer, role=role, source="spreadsheet")
    return stored, len(decisions) - len(new)


def _unchanged(store: ReviewStore, item: Item, choice: str, value: str, *, reviewer: str, role: str) -> bool:
    """Whether this reviewer's latest decision on the item, on the same evidence, already says this."""
    mine = [d for d in store.decisions(item.patient_id, item.field) if (d.reviewer, d.role) == (reviewer, role)]
    if not mine:
        return False
    return (mine[-1].evidence_digest, mine[-1].choice, mine[-1].value) == (item.evidence_digest, choice, value)


def _neutralize(text: str) -> str:
    """Quote a cell a spreadsheet would run as a formula; openpyxl then stores it as text too."""
    return "'" + text if text.startswith(QUOTED_START) else text


def _restore(text: str) -> str:
    """Undo _neutralize exactly (item_id must match its item); other cells are trimmed as typed."""
    return text[1:] if text.startswith("'") and text[1:].startswith(QUOTED_START) else text.strip()


def _read_rows(path: Path) -> list[list[str]]:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:  # not read-only: the number format tells a typed 5% from 0.05
            sheet = load_workbook(path, data_only=True).active
        except Exception as exc:  # openpyxl raises several unrelated types for a damaged file
            raise InputError(f"{path}: not a readable .xlsx file ({exc.__class__.__name__})") from None
        return [[_excel_text(cell) for cell in row] for row in sheet.iter_rows()]
    if path.suffix.lower() == ".csv":
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        return _csv_rows(path, _decode(path, data))
    raise InputError(f"{path}: import a .xlsx or .csv file")


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (BOM or not), else UTF-16 by its BOM (Excel's Unicode Text), else Windows-1252 (Excel's CSV)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    encoding = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "cp1252"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        raise InputError(f"{path}: line {line}: not UTF-8, UTF-16 or Windows-1252 text") from None


def _csv_rows(path: Path, text: str) -> list[list[str]]:
    """Rows split by the delimiter the header line uses most: comma, tab or semicolon.

    Strict: a stray quote is an error, not the rest of the file read as one cell.
    """
    header = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=max(DELIMITERS, key=header.count), strict=True)
    try:
        return list(reader)
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: not a readable CSV row ({exc})") from None


def _excel_text(cell: Cell | MergedCell) -> str:
    """A cell as the reviewer typed it: 5% is 5 (not 0.05), a date cell an ISO date, 140.0 is 140."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = round(value * 100, 10) if "%" in (cell.number_format or "") else value
        return str(int(number)) if isinstance(number, float) and number.is_integer() else str(number)
    return str(value)
