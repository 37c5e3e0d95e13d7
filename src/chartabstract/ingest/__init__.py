"""Input stage: read a notes folder or a notes table into ``Note`` records, lazily.

This is the only place that parses input formats. Every input attempt ends up either as a
yielded ``Note`` or as a ``SkippedInput`` in the ``IngestReport`` with a reason, so that once the
iterator is exhausted ``report.read == report.processed + len(report.skipped)``.

Decisions (the contract other stages and users can rely on):

Which files are inputs (folder mode)
    * Every non-hidden top-level folder is a patient folder named by its patient_id, except
      ``gold``, ``gold_*`` and ``gold-*`` (reference annotations kept beside the notes, like a
      top-level gold_*.csv), which are not read and not counted. Every
      non-hidden file anywhere under a patient folder is one input attempt, counted in
      ``read``: a ``<YYYY-MM-DD>_<note_type>[_<n>].txt`` file directly in the folder is a note;
      anything else (a .pdf, a misnamed .txt, a file in a subfolder) is skipped with a reason
      stating the expected pattern, unless manifest.csv lists it. (So a stray .pdf is counted
      and reported, never silently dropped.)
    * Top-level files are not notes and are not counted (manifest.csv, gold_*.csv, README*,
      *.md, tables...), except top-level ``*.txt`` files other than README*, which look like
      misplaced notes and are skipped with a reason (or read, if manifest.csv lists them).
    * Hidden files and folders (names starting with ".") are ignored everywhere and not counted,
      unless manifest.csv names them.
    * A folder that cannot be listed is one skipped input. Symbolic links inside the input
      folder are followed; each of these is one skipped input with its reason, never followed:
      a link to a folder already walked (a loop), a link that cannot be followed (dangling, or
      looping on itself), and a link to a path outside the input folder. Folders more than
      ``MAX_FOLDER_DEPTH`` (32) levels below a patient folder are one skipped input each, not
      walked (the walk is iterative: no depth ends the run).
    * Order: patient folders, then their files, in sorted name order per directory (listing one
      directory at a time); then manifest rows not met on the walk (files outside patient
      folders, missing files, bad rows), in manifest line order.

Naming convention and manifest
    * ``note_id = <patient_id>/<file stem>``; ``note_type`` is everything between the date and
      an optional trailing ``_<digits>`` sequence number (``2019-03-04_bm_pathology_2.txt`` ->
      ``bm_pathology``); ``.TXT`` is accepted; an impossible date in the name is a skip reason.
    * manifest.csv columns: file (relative to the folder), patient_id, note_date, note_type,
      optional note_id (default ``<patient_id>/<file stem>``). Header names are case-insensitive.
      A row overrides the naming convention for its file. A bad row (unparseable date, empty
      patient_id, wrong number of fields) or a row naming a missing file, or a file outside the
      input folder ("../../etc/passwd", "/etc/passwd"), is skipped with the manifest's path and
      line. A file listed twice, or a missing required column, is an
      ``InputError``. The manifest itself is held in memory (it is metadata, not notes).

Tables
    * Formats by suffix: .csv; .tsv/.tab (tab-separated, same quoting as CSV); .parquet/.pq;
      .jsonl/.ndjson/.json (JSON Lines; a JSON array is an ``InputError``). A single .txt is not
      a table.
    * Columns are matched by --columns mapping first, then exact name, then case-insensitively
      (warehouse exports often upper-case OMOP names). note_date falls back to note_datetime
      (per row, when note_date is empty or absent). A standard OMOP NOTE table is read as is:
      the type of a note is, per row, the first non-empty of note_type (a deliberate addition
      to OMOP's NOTE, so preferred), note_title (free text), note_type_concept_id and
      note_class_concept_id (as "concept 44814637"; concept 0, OMOP's "no matching concept",
      names nothing); all empty gives note_type "". One of these columns must exist.
    * ``line`` in a skipped row is what a user sees in the file: for CSV/TSV the 1-based
      physical line the record starts on, header = line 1, counting line breaks inside quoted
      cells (the csv module tracks them; pandas' row index would not); for JSON Lines the
      physical line; for Parquet the 1-based row number. ``Note.source`` is ``"<file>:line N"``
      or ``"<file>:row N"``. Blank lines are not rows and are not counted.
    * CSV is read with the csv module in strict mode (streaming, C speed, exact lines; a
      malformed record such as an unclosed quote is a skipped row with its line, not a silently
      merged note), Parquet in record batches of the needed columns, JSON Lines line by line
      (its columns are the keys seen in the first 1000 objects, as exporters drop null keys).
      The csv module's cell size limit (128 KiB) is raised process-wide so big notes reach the
      size check. pandas is not used: it would give row indexes, not lines.
    * Row checks, first failure wins: field count / CSV or JSON syntax (a JSON line nested too
      deeply, or a value holding an unpaired surrogate escape "\\ud800"), a Parquet value Python
      cannot hold (a date past year 9999, a string that is not UTF-8), person_id, note_id,
      note_date, note_text (size, binary, empty), duplicate note_id. Only notes that are yielded
      register their id, so a duplicate is named against the first *processed* note with that
      id. IDs are text: strings, and Parquet/JSON integers become "123" (and 123.0 too); a
      true/false, list, object or fractional number is a skip reason, never "True" or "['x']".
      note_text and note_type must be text likewise.

Text (files and cells alike)
    * Decoded as UTF-8 (BOM stripped); else UTF-16 if it starts with a UTF-16 BOM; else UTF-8 with
      each byte that is not UTF-8 read as cp1252 (latin-1 for the five cp1252 leaves undefined,
      with the latin-1 warning). A fallback adds a warning to ``Note.warnings`` ("not UTF-8; decoded as
      cp1252") and to ``report.warnings`` with the line of the first bad byte (files) or one
      entry per table file and warning with the first line and a count (tables). CSV cells are
      decoded per cell, so only rows with non-UTF-8 bytes are marked.
    * Normalized: CRLF and lone CR become LF; form feed, vertical tab, U+2028/U+2029 become LF.
      ``Note.text`` is the normalized text and every later offset refers to it (an offset in the
      original file is larger by one per removed CR of a CRLF before it).
    * Skipped: over ``max_note_bytes`` (encoded size; files are not even read), NUL bytes, more
      than 10% control characters in the first 8192 characters ("binary"), empty or
      whitespace-only ("empty note"), unreadable files (the OS reason).
    * note_date is parsed strictly (see ``note_dates``): ISO date/datetime, M/D/YYYY (D/M/YYYY
      with ``dayfirst``), "4 Mar 2019", "Mar 4, 2019"; impossible dates, two-digit years and
      dates outside 1900-01-01 to today + 2 years (``normalize.plausible``) are skip reasons,
      never adjusted.
    * Messages carry file names, lines, IDs, parsed dates and what is wrong, never note text or
      a cell's text (a shifted column puts note text in note_date: "note_date is not a date
      (text of 57 characters)").

Memory: one directory listing, one CSV record / JSON line / Parquet batch of 1024 rows at a
time, the manifest, and the note IDs seen (with where each was first seen, for the duplicate
message). ``IngestReport.as_dict()`` gives ``read``, ``processed``, ``skipped`` (counts),
``skipped_inputs`` (source, line, reason) and ``warnings``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from chartabstract.errors import InputError
from chartabstract.ingest.folder import read_folder
from chartabstract.ingest.options import FIELDS, IngestOptions, IngestReport, parse_column_map
from chartabstract.ingest.tables import read_table
from chartabstract.models import Note

__all__ = ["FIELDS", "IngestOptions", "IngestReport", "parse_column_map", "read_notes"]


def read_notes(
    path: Path,
    report: IngestReport,
    options: IngestOptions = IngestOptions(),  # noqa: B008 - frozen, so sharing it is safe
) -> Iterator[Note]:
    """Read every note under a folder or in a table, one at a time.

    Checks that can fail the whole input run now, at call time; everything per note happens
    while iterating and is recorded in ``report``.

    Args:
        path: a notes folder (``<patient_id>/<YYYY-MM-DD>_<note_type>[_<n>].txt``, optional
            manifest.csv) or a .csv/.tsv/.parquet/.jsonl table.
        report: receives counts, skipped inputs and warnings as the iterator advances.
        options: column mapping, day-first dates and the note size limit.

    Returns:
        A lazy iterator of Notes; memory does not grow with the number of notes except for the
        set of note IDs seen (for duplicate detection).

    Raises:
        InputError: the path does not exist, is not a folder or a known table type, the folder
            has no patient folders and no manifest.csv, or a table lacks a required column.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return read_folder(path, report, options)
    return read_table(path, report, options)
