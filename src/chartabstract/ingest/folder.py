"""Read a notes folder: ``<patient_id>/<YYYY-MM-DD>_<note_type>[_<n>].txt`` plus manifest.csv."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from chartabstract.errors import InputError
from chartabstract.ingest.note_dates import parse_note_date
from chartabstract.ingest.options import IngestOptions, IngestReport, columns_found
from chartabstract.ingest.tables import TABLE_SUFFIXES
from chartabstract.ingest.text import NoteText, decode_bytes, size_reason, text_from_bytes
from chartabstract.models import Note
from chartabstract.normalize.plausible import note_date_problem

NAME_PATTERN = "<patient_id>/<YYYY-MM-DD>_<note_type>[_<n>].txt"
MANIFEST = "manifest.csv"
# The type is free text and may contain underscores; a trailing _<digits> is the sequence.
_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})_(.+?)(?:_(\d+))?\.txt", re.IGNORECASE)
_MANIFEST_REQUIRED = ("file", "patient_id", "note_date", "note_type")
_MANIFEST_MAX_BYTES = 200_000_000  # a manifest is metadata; anything bigger is a mistake
# Folders below a patient folder are walked this deep, no deeper (their files are skipped
# anyway unless manifest.csv names them, and manifest rows are read whatever their depth).
MAX_FOLDER_DEPTH = 32
OUTSIDE = "outside the input folder"


@dataclass(frozen=True)
class ManifestRow:
    """Metadata for one file from manifest.csv, or the reason that row cannot be used."""

    line: int
    file: str  # as written, for messages
    patient_id: str = ""
    note_date: date | None = None
    note_type: str = ""
    note_id: str = ""
    problem: str | None = None


def read_folder(root: Path, report: IngestReport, options: IngestOptions) -> Iterator[Note]:
    """Check the folder and load its manifest now; then yield its notes lazily.

    Raises:
        InputError: the folder cannot be listed, has no patient folders and no manifest.csv,
            or the manifest cannot be used at all (missing column, a file listed twice).
    """
    try:
        with os.scandir(root) as it:
            top = [(e.name, _is_dir(e)) for e in it if not e.name.startswith(".")]
    except OSError as exc:
        raise InputError(f"{root}: cannot list folder ({exc.strerror or exc})") from None
    manifest_path = root / MANIFEST
    manifest = load_manifest(manifest_path, report, options) if manifest_path.is_file() else {}
    if not manifest_path.is_file() and not any(d and _is_patient(n) for n, d in top):
        tables = sorted(n for n, is_dir in top if Path(n).suffix.lower() in TABLE_SUFFIXES)
        hint = f"; to read the table {tables[0]}, pass that file itself" if tables else ""
        if any(_NAME.fullmatch(n) for n, _ in top):
            hint = "; this looks like one patient's folder: pass the folder that holds it"
        raise InputError(
            f"{root}: no patient folders and no {MANIFEST} (expected {root}/{NAME_PATTERN}{hint})"
        )
    return _folder_notes(root, manifest, report, options)


def deeper_notes_folder(root: Path) -> Path | None:
    """The one subfolder of `root` laid out as a notes folder, when `root` itself is not.

    A chart set is often shipped as `<set>/notes/<patient>/...` beside a gold table; a user who
    points the run at `<set>` should be told which folder to give instead.
    """
    if not root.is_dir():
        return None
    found = []
    try:
        for child in sorted(p for p in root.iterdir() if p.is_dir()):
            patients = (p for p in child.iterdir() if p.is_dir())
            if any(_NAME.fullmatch(f.name) for patient in patients for f in patient.iterdir() if f.is_file()):
                found.append(child)
    except OSError:  # only a hint: an unreadable folder gives none
        return None
    return found[0] if len(found) == 1 else None


def load_manifest(
    path: Path, report: IngestReport, options: IngestOptions
) -> dict[str, ManifestRow]:
    """Read manifest.csv into {normalized relative path: row}; row problems are kept per row."""
    source = str(path)
    try:
        if path.stat().st_size > _MANIFEST_MAX_BYTES:
            raise InputError(f"{source}: {size_reason(path.stat().st_size, _MANIFEST_MAX_BYTES)}")
        text, warning, bad = decode_bytes(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{source}: cannot read ({exc.strerror or exc})") from None
    if warning:
        report.warn(source, warning, line=None if bad is None else text[:bad].count("\n") + 1)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        for name in _MANIFEST_REQUIRED:
            if name not in header:
                raise InputError(
                    f"{source}: missing required column '{name}' (columns found: "
                    f"{columns_found(header)}; a manifest has file, patient_id, note_date, "
                    f"note_type and optionally note_id)"
                )
        col = {n: header.index(n) for n in (*_MANIFEST_REQUIRED, "note_id") if n in header}
        rows: dict[str, ManifestRow] = {}
        last = reader.line_num
        for fields in reader:
            line, last = last + 1, reader.line_num
            if not fields:
                continue  # a blank line is not a row
            row = _manifest_row(fields, line, len(header), col, options)
            key = _rel_key(row.file) if row.file else f"<line {line}>"
            if key in rows:
                raise InputError(
                    f"{source} line {line}: file '{row.file}' is already listed on line "
                    f"{rows[key].line}"
                )
            rows[key] = row
    except csv.Error as exc:  # a manifest is metadata: a broken one stops the run
        raise InputError(f"{source} line {reader.line_num}: not valid CSV ({exc})") from None
    return rows


def _manifest_row(
    fields: list[str], line: int, width: int, col: dict[str, int], options: IngestOptions
) -> ManifestRow:
    if len(fields) != width:
        file = fields[col["file"]].strip() if col["file"] < len(fields) else ""
        return ManifestRow(line, file, problem=f"row has {len(fields)} fields, header has {width}")
    get = {name: fields[i].strip() for name, i in col.items()}
    file = get["file"]
    if not file:
        return ManifestRow(line, file, problem="row names no file")
    if not get["patient_id"]:
        return ManifestRow(line, file, problem=f"empty patient_id for '{file}'")
    try:
        note_date = parse_note_date(get["note_date"], dayfirst=options.dayfirst)
    except ValueError as exc:
        return ManifestRow(line, file, problem=f"{exc} for '{file}'")
    note_id = get.get("note_id") or f"{get['patient_id']}/{PurePosixPath(_rel_key(file)).stem}"
    return ManifestRow(line, file, get["patient_id"], note_date, get["note_type"], note_id)


def _rel_key(file: str) -> str:
    """Compare manifest paths and walked paths the same way (Windows slashes, ./ prefixes)."""
    return str(PurePosixPath(file.replace("\\", "/")))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether an entry is a folder; a symbolic link loop is not (reading it names the loop)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _outside(path: Path, real_root: str) -> bool:
    """Whether path, its symbolic links followed, lies outside the input folder."""
    real = os.path.realpath(path)
    try:
        return os.path.commonpath([real, real_root]) != real_root
    except ValueError:  # on another drive (Windows)
        return True


def _link_problem(path: Path, real_root: str) -> str | None:
    """Why a symbolic link is not followed: it loops, dangles, or leads out of the input folder."""
    try:
        os.stat(path)
    except OSError as exc:
        return f"symbolic link cannot be followed ({exc.strerror or exc})"
    if _outside(path, real_root):
        return f"symbolic link to a path {OUTSIDE}; not followed"
    return None


def _sorted_entries(folder: Path) -> list[os.DirEntry[str]]:
    """One directory's non-hidden entries in name order (memory bounded by that directory)."""
    with os.scandir(folder) as it:
        return sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)


def _folder_notes(
    root: Path, manifest: dict[str, ManifestRow], report: IngestReport, options: IngestOptions
) -> Iterator[Note]:
    seen: dict[str, str] = {}
    used: set[str] = set()
    real_root = os.path.realpath(root)

    def attempt(
        path: Path, rel: str, patient_id: str | None, nested: bool, problem: str | None = None
    ) -> Iterator[Note]:
        row = manifest.get(rel)
        if problem is not None:
            report.skip(str(path), problem)
        elif row is not None:
            used.add(rel)
            yield from _manifest_note(root, real_root, row, report, options, seen)
        elif patient_id is None:
            report.skip(str(path), f"note files belong in a patient folder: {NAME_PATTERN}")
        else:
            yield from _convention_note(path, patient_id, nested, report, options, seen)

    for entry in _sorted_entries(root):
        path = root / entry.name
        if _is_dir(entry):
            if not _is_patient(entry.name):
                continue  # gold/ beside the notes holds answers, not notes
            for sub, rel, nested, problem in _walk(path, entry.name, real_root):
                yield from attempt(sub, rel, entry.name, nested, problem)
        elif entry.name in manifest or _is_top_level_note(entry.name):
            yield from attempt(path, entry.name, None, False)
    # Manifest rows for files outside the patient folders, missing files, and bad rows.
    for key, row in sorted(manifest.items(), key=lambda kv: kv[1].line):
        if key not in used:
            yield from _manifest_note(root, real_root, row, report, options, seen)


def _is_patient(folder_name: str) -> bool:
    """Top-level folders are patients, except gold/ and gold_*/ (reference annotations)."""
    name = folder_name.lower()
    return name != "gold" and not name.startswith(("gold_", "gold-"))


def _is_top_level_note(name: str) -> bool:
    """Top-level .txt files look like misplaced notes; README, gold tables, docs do not."""
    return name.lower().endswith(".txt") and not name.lower().startswith("readme")


Walked = tuple[Path, str, bool, str | None]  # path, rel path, nested, problem


def _walk(folder: Path, rel: str, real_root: str) -> Iterator[Walked]:
    """Every non-hidden file under a patient folder, depth first in name order.

    Iterative, so no folder depth reaches Python's recursion limit; a folder deeper than
    ``MAX_FOLDER_DEPTH``, a folder that cannot be listed, a symbolic link out of the input
    folder and a link to a folder already walked (a loop) each come out as one item with
    its problem, so they are reported as skipped instead of vanishing or ending the run.
    """
    visited: set[tuple[int, int]] = set()
    first = _open_folder(folder, rel, False, real_root, visited)
    if isinstance(first, tuple):
        yield first
        return
    stack = [(iter(first), folder, rel, 0)]
    while stack:
        entries, parent, parent_rel, depth = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        sub, sub_rel, nested = parent / entry.name, f"{parent_rel}/{entry.name}", depth > 0
        link_problem = _link_problem(sub, real_root) if entry.is_symlink() else None
        if link_problem is not None:
            yield sub, sub_rel, nested, link_problem
        elif not _is_dir(entry):
            yield sub, sub_rel, nested, None
        elif depth + 1 > MAX_FOLDER_DEPTH:
            yield sub, sub_rel, True, (
                f"folder nested more than {MAX_FOLDER_DEPTH} levels deep in patient folder "
                f"{rel}; not read"
            )
        else:
            opened = _open_folder(sub, sub_rel, True, real_root, visited)
            if isinstance(opened, tuple):
                yield opened
            else:
                stack.append((iter(opened), sub, sub_rel, depth + 1))


def _open_folder(
    folder: Path, rel: str, nested: bool, real_root: str, visited: set[tuple[int, int]]
) -> list[os.DirEntry[str]] | Walked:
    """A folder's sorted entries, or the one skipped item saying why it is not walked."""
    if _outside(folder, real_root):
        return folder, rel, nested, f"symbolic link to a path {OUTSIDE}; not followed"
    try:
        st = folder.stat()
        if (st.st_dev, st.st_ino) in visited:
            return folder, rel, nested, (
                "symbolic link to a folder already read (a link loop); not read again"
            )
        visited.add((st.st_dev, st.st_ino))
        return _sorted_entries(folder)
    except OSError as exc:
        return folder, rel, nested, f"cannot list folder ({exc.strerror or exc})"


def _convention_note(
    path: Path,
    patient_id: str,
    nested: bool,
    report: IngestReport,
    options: IngestOptions,
    seen: dict[str, str],
) -> Iterator[Note]:
    source = str(path)
    expected = f"expected {NAME_PATTERN}, or list the file in {MANIFEST}"
    if nested:
        report.skip(source, f"file is in a subfolder of patient folder {patient_id} ({expected})")
        return
    m = _NAME.fullmatch(path.name)
    if m is None:
        is_txt = path.suffix.lower() == ".txt"
        what = "file name off the naming convention" if is_txt else "not a .txt note"
        report.skip(source, f"{what} ({expected})")
        return
    try:
        note_date = date.fromisoformat(m[1])
    except ValueError as exc:
        report.skip(source, f"impossible date {m[1]} in file name ({exc})")
        return
    if problem := note_date_problem(note_date):
        report.skip(source, f"{problem} (date in file name)")
        return
    note_id = f"{patient_id}/{path.stem}"
    yield from _note(path, patient_id, note_id, note_date, m[2], report, options, seen)


def _manifest_note(
    root: Path,
    real_root: str,
    row: ManifestRow,
    report: IngestReport,
    options: IngestOptions,
    seen: dict[str, str],
) -> Iterator[Note]:
    manifest = str(root / MANIFEST)
    if row.problem is not None or row.note_date is None:
        report.skip(manifest, row.problem or "no note_date", line=row.line)
        return
    path = root / _rel_key(row.file)
    if _outside(path, real_root):  # "../../etc/passwd", "/etc/passwd", or a link out
        report.skip(manifest, f"file '{row.file}' is {OUTSIDE}", line=row.line)
        return
    if not path.exists():
        report.skip(manifest, f"file '{row.file}' does not exist", line=row.line)
        return
    if path.is_dir():
        report.skip(manifest, f"'{row.file}' is a folder, not a note file", line=row.line)
        return
    yield from _note(
        path, row.patient_id, row.note_id, row.note_date, row.note_type, report, options, seen
    )


def _note(
    path: Path,
    patient_id: str,
    note_id: str,
    note_date: date,
    note_type: str,
    report: IngestReport,
    options: IngestOptions,
    seen: dict[str, str],
) -> Iterator[Note]:
    source = str(path)
    result = _read_file(path, options.max_note_bytes)
    if result.skip is not None:
        report.skip(source, result.skip)
        return
    if note_id in seen:
        report.skip(source, f"duplicate note_id '{note_id}' (first seen in {seen[note_id]})")
        return
    seen[note_id] = source
    warnings: tuple[str, ...] = ()
    if result.warning is not None:
        warnings = (result.warning,)
        report.warn(source, result.warning, line=result.bad_line)
    report.accept()
    yield Note(patient_id, note_id, note_date, note_type, result.text, source, warnings)


def _read_file(path: Path, limit: int) -> NoteText:
    """Read one note file without ever reading more than the size limit allows."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return NoteText(skip="not a regular file")
        if st.st_size > limit:
            return NoteText(skip=size_reason(st.st_size, limit))
        with open(path, "rb") as f:
            raw = f.read(limit + 1)
    except OSError as exc:
        return NoteText(skip=f"cannot read file ({exc.strerror or exc})")
    return text_from_bytes(raw, limit)
