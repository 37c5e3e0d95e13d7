"""Tests for the input stage: folders, manifests, tables, bad inputs, and bounded memory."""

from __future__ import annotations

import csv
import json
import os
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from chartabstract.errors import EXIT_INPUT, InputError
from chartabstract.ingest import IngestOptions, IngestReport, parse_column_map, read_notes
from chartabstract.ingest import folder as folder_module
from chartabstract.ingest.note_dates import parse_note_date
from chartabstract.models import Note, SkippedInput

HEADER = ["person_id", "note_id", "note_date", "note_type", "note_text"]
PATTERN = "<patient_id>/<YYYY-MM-DD>_<note_type>[_<n>].txt"
SECRET = "SECRET-NOTE-TEXT Patient reports blasts"


def drain(path: Path, options: IngestOptions | None = None) -> tuple[list[Note], IngestReport]:
    """Read everything and check the accounting invariant every test relies on."""
    report = IngestReport()
    notes = list(read_notes(path, report, options or IngestOptions()))
    assert report.read == report.processed + len(report.skipped), report.as_dict()
    assert report.processed == len(notes)
    for skipped in report.skipped:  # note text never leaks into the report
        assert SECRET not in skipped.reason
    for warning in report.warnings:
        assert SECRET not in str(warning)
    return notes, report


def reasons(report: IngestReport) -> dict[str, str]:
    """Skipped inputs by file name (folder tests name every file differently)."""
    return {Path(s.source).name: s.reason for s in report.skipped}


def write_note(root: Path, rel: str, content: str | bytes = "Seen in clinic.\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def write_table(path: Path, rows: list[dict[str, object]]) -> Path:
    """Write rows as CSV, TSV, Parquet or JSON Lines according to the suffix."""
    if path.suffix in (".csv", ".tsv"):
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(
                f, fieldnames=list(rows[0]), delimiter="\t" if path.suffix == ".tsv" else ","
            )
            writer.writeheader()
            writer.writerows(rows)
    elif path.suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def omop_rows() -> list[dict[str, object]]:
    return [
        {
            "person_id": "P1",
            "note_id": "N1",
            "note_date": "2019-03-04",
            "note_type": "progress",
            "note_text": "Started blinatumomab.\nTolerating well.",
        },
        {
            "person_id": "P1",
            "note_id": "N2",
            "note_date": "2019-04-01",
            "note_type": "bm_pathology",
            "note_text": "Marrow: 3% blasts.",
        },
        {
            "person_id": "P2",
            "note_id": "N3",
            "note_date": "2020-01-15",
            "note_type": "death",
            "note_text": "Patient expired.",
        },
    ]


# --- folder input ---------------------------------------------------------------------------


def test_ingest_folder_convention_with_sequence_and_multiword_types(tmp_path: Path) -> None:
    write_note(tmp_path, "A01/2019-03-04_progress.txt")
    write_note(tmp_path, "A01/2019-03-04_progress_2.txt")
    write_note(tmp_path, "A01/2019-05-01_bm_pathology.txt")
    write_note(tmp_path, "A01/2019-05-02_flow_cytometry_3.txt")
    write_note(tmp_path, "B02/2020-01-01_death.txt")

    notes, report = drain(tmp_path)

    assert [(n.patient_id, n.note_id, n.note_type, n.note_date) for n in notes] == [
        ("A01", "A01/2019-03-04_progress", "progress", date(2019, 3, 4)),
        ("A01", "A01/2019-03-04_progress_2", "progress", date(2019, 3, 4)),
        ("A01", "A01/2019-05-01_bm_pathology", "bm_pathology", date(2019, 5, 1)),
        ("A01", "A01/2019-05-02_flow_cytometry_3", "flow_cytometry", date(2019, 5, 2)),
        ("B02", "B02/2020-01-01_death", "death", date(2020, 1, 1)),
    ]
    assert notes[0].source == str(tmp_path / "A01" / "2019-03-04_progress.txt")
    assert notes[0].text == "Seen in clinic.\n"
    assert notes[0].warnings == ()
    assert (report.read, report.processed, report.skipped) == (5, 5, [])


def test_ingest_folder_top_level_and_hidden_files_are_not_inputs(tmp_path: Path) -> None:
    write_note(tmp_path, "A01/2019-03-04_progress.txt")
    write_note(tmp_path, "A01/.DS_Store", b"\x00\x01")
    write_note(tmp_path, ".cache/2019-03-04_progress.txt")
    write_note(tmp_path, "gold_cohort.csv", "patient_id\nA01\n")
    write_note(tmp_path, "gold/mentions_A.csv", "note_id,start,end\n")
    write_note(tmp_path, "gold_2024/2019-03-04_progress.txt")
    write_note(tmp_path, "README.md", "# notes")
    write_note(tmp_path, "README.txt", "about these notes")
    write_note(tmp_path, "notes.md", "docs")

    notes, report = drain(tmp_path)

    assert [n.note_id for n in notes] == ["A01/2019-03-04_progress"]
    assert report.read == 1 and report.skipped == []


def test_ingest_folder_top_level_txt_is_skipped_as_misplaced(tmp_path: Path) -> None:
    write_note(tmp_path, "A01/2019-03-04_progress.txt")
    write_note(tmp_path, "2019-03-05_consult.txt")

    notes, report = drain(tmp_path)

    assert len(notes) == 1
    assert reasons(report) == {
        "2019-03-05_consult.txt": f"note files belong in a patient folder: {PATTERN}"
    }


@pytest.mark.parametrize(
    ("rel", "reason"),
    [
        (
            "A01/progress.txt",
            f"file name off the naming convention (expected {PATTERN}, or list the file in "
            "manifest.csv)",
        ),
        (
            "A01/2019-3-4_progress.txt",
            f"file name off the naming convention (expected {PATTERN}, or list the file in "
            "manifest.csv)",
        ),
        (
            "A01/2019-03-04.txt",
            f"file name off the naming convention (expected {PATTERN}, or list the file in "
            "manifest.csv)",
        ),
        (
            "A01/2019-03-04_scan.pdf",
            f"not a .txt note (expected {PATTERN}, or list the file in manifest.csv)",
        ),
        (
            "A01/2019-02-30_progress.txt",
            "impossible date 2019-02-30 in file name (day is out of range for month)",
        ),
        (
            "A01/old/2019-03-04_progress.txt",
            f"file is in a subfolder of patient folder A01 (expected {PATTERN}, or list the "
            "file in manifest.csv)",
        ),
    ],
)
def test_ingest_folder_off_convention_names_are_skipped(
    tmp_path: Path, rel: str, reason: str
) -> None:
    write_note(tmp_path, "A01/2019-01-01_consult.txt")
    write_note(tmp_path, rel)

    notes, report = drain(tmp_path)

    assert [n.note_id for n in notes] == ["A01/2019-01-01_consult"]
    assert report.skipped == [SkippedInput(source=str(tmp_path / rel), reason=reason)]


def test_ingest_manifest_overrides_the_naming_convention(tmp_path: Path) -> None:
    write_note(tmp_path, "A01/scan_0304.txt", "Flow: CD19 positive.")
    write_note(tmp_path, "A01/2019-03-04_progress.txt")  # convention says progress
    write_note(tmp_path, "A01/2019-05-01_consult.txt")  # not in the manifest
    write_note(tmp_path, "extra/outside.txt", "Outside report.")
    write_note(
        tmp_path,
        "manifest.csv",
        "file,patient_id,note_date,note_type,note_id\n"
        "A01/scan_0304.txt,A01,04/03/2019,flow_cytometry,\n"
        "A01/2019-03-04_progress.txt,A01,2019-03-06,discharge,A01-discharge\n"
        ".\\extra\\outside.txt,B02,4 Mar 2019,outside_records,\n",
    )

    notes, report = drain(tmp_path, IngestOptions(dayfirst=True))

    by_id = {n.note_id: n for n in notes}
    assert [n.note_id for n in notes] == [
        "A01-discharge",
        "A01/2019-05-01_consult",
        "A01/scan_0304",
        "B02/outside",
    ]
    assert by_id["A01/scan_0304"].note_date == date(2019, 3, 4)  # dayfirst applies
    assert by_id["A01/scan_0304"].note_type == "flow_cytometry"
    assert by_id["A01-discharge"].note_type == "discharge"
    assert by_id["A01-discharge"].note_date == date(2019, 3, 6)
    assert by_id["B02/outside"].patient_id == "B02"
    assert by_id["B02/outside"].text == "Outside report."
    assert report.skipped == []


def test_ingest_manifest_row_for_missing_file_is_skipped_with_its_line(tmp_path: Path) -> None:
    write_note(tmp_path, "A01/2019-03-04_progress.txt")
    write_note(
        tmp_path,
        "manifest.csv",
        "file,patient_id,note_date,note_type\n"
        "A01/2019-03-04_progress.txt,A01,2019-03-04,progress\n"
        "A01/lost.txt,A01,2019-03-05,consult\n",
    )

    notes, report = drain(tmp_path)

    assert len(notes) == 1
    assert report.skipped == [
        SkippedInput(
            source=str(tmp_path / "manifest.csv"),
            reason="file 'A01/lost.txt' does not exist",
            line=3,
        )
    ]


def test_ingest_manifest_bad_row_skips_its_file_instead_of_guessing(tmp_path: Path) -> None:
    write_note(tmp_path, "A01/2019-03-04_progress.txt")
    write_note(tmp_path, "A01/scan.txt")
    write_note(
        tmp_path,
        "manifest.csv",
        "file,patient_id,note_date,note_type\n"
        "A01/2019-03-04_progress.txt,A01,13/04/2019,progress\n"
        "A01/scan.txt,,2019-03-04,scan\n",
    )

    notes, report = drain(tmp_path)

    assert notes == []
    manifest = str(tmp_path / "manifest.csv")
    assert report.skipped == [
        SkippedInput(
            manifest,
            "impossible note_date (month must be in 1..12; read as M/D/YYYY; "
            "use --dayfirst for D/M/YYYY) for 'A01/2019-03-04_progress.txt'",
            line=2,
        ),
        SkippedInput(manifest, "empty patient_id for 'A01/scan.txt'", line=3),
    ]


def test_ingest_manifest_missing_column_raises(tmp_path: Path) -> None:
    write_note(tmp_path, "A01/2019-03-04_progress.txt")
    write_note(tmp_path, "manifest.csv", "file,patient,note_date,note_type\n")

    with pytest.raises(InputError) as exc_info:
        read_notes(tmp_path, IngestReport())

    assert str(exc_info.value) == (
        f"{tmp_path / 'manifest.csv'}: missing required column 'patient_id' (columns found: "
        "file, patient, note_date, note_type; a manifest has file, patient_id, note_date, "
        "note_type and optionally note_id)"
    )
    assert exc_info.value.exit_code == EXIT_INPUT


def test_ingest_manifest_file_listed_twice_raises(tmp_path: Path) -> None:
    write_note(tmp_path, "A01/x.txt")
    write_note(
        tmp_path,
        "manifest.csv",
        "file,patient_id,note_date,note_type\nA01/x.txt,A01,2019-03-04,a\n"
        "A01/x.txt,A01,2019-03-05,b\n",
    )

    with pytest.raises(InputError, match=r"line 3: file 'A01/x.txt' is already listed on line 2"):
        read_notes(tmp_path, IngestReport())


def test_ingest_duplicate_note_id_across_folder_and_manifest(tmp_path: Path) -> None:
    first = write_note(tmp_path, "A01/2019-03-04_progress.txt")
    second = write_note(tmp_path, "A01/typed_copy.txt")
    write_note(
        tmp_path,
        "manifest.csv",
        "file,patient_id,note_date,note_type,note_id\n"
        "A01/typed_copy.txt,A01,2019-03-04,progress,A01/2019-03-04_progress\n",
    )

    notes, report = drain(tmp_path)

    assert [n.source for n in notes] == [str(first)]
    assert report.skipped == [
        SkippedInput(
            str(second),
            f"duplicate note_id 'A01/2019-03-04_progress' (first seen in {first})",
        )
    ]


# --- text handling --------------------------------------------------------------------------


def test_ingest_cp1252_note_is_decoded_with_a_warning(tmp_path: Path) -> None:
    path = write_note(
        tmp_path,
        "A01/2019-03-04_progress.txt",
        "Line one\nCD19 \u2013 dim, caf\u00e9\n".encode("cp1252"),
    )

    notes, report = drain(tmp_path)

    assert notes[0].text == "Line one\nCD19 \u2013 dim, caf\u00e9\n"
    assert notes[0].warnings == ("not UTF-8; decoded as cp1252",)
    assert report.warnings == [
        {"source": str(path), "line": 2, "warning": "not UTF-8; decoded as cp1252"}
    ]


def test_ingest_utf16_with_bom_is_decoded_not_called_binary(tmp_path: Path) -> None:
    write_note(tmp_path, "A01/2019-03-04_progress.txt", "Blasts 3%\r\n".encode("utf-16"))

    notes, _ = drain(tmp_path)

    assert notes[0].text == "Blasts 3%\n"
    assert notes[0].warnings == ("not UTF-8; decoded as UTF-16 (byte order mark)",)


def test_ingest_crlf_bom_and_form_feed_are_normalized(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbfHPI:\r\nFever.\rPlan:\x0cPage two\r\n"
    write_note(tmp_path, "A01/2019-03-04_progress.txt", raw)

    notes, _ = drain(tmp_path)

    # Offsets downstream index this normalized text.
    assert notes[0].text == "HPI:\nFever.\nPlan:\nPage two\n"
    assert notes[0].text.index("Page") == 18


@pytest.mark.parametrize("content", [b"", b"   \r\n\t\n", b"\xef\xbb\xbf\n"])
def test_ingest_empty_note_is_skipped(tmp_path: Path, content: bytes) -> None:
    path = write_note(tmp_path, "A01/2019-03-04_progress.txt", content)

    notes, report = drain(tmp_path)

    assert notes == []
    assert report.skipped == [SkippedInput(str(path), "empty note")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"%PDF-1.4\n\x00\x00\x01binary", "binary file (contains NUL bytes), not a text note"),
        (bytes(range(1, 32)) * 20 + b"abc", "binary file (mostly non-text bytes), not a text note"),
    ],
)
def test_ingest_binary_file_is_skipped(tmp_path: Path, content: bytes, reason: str) -> None:
    path = write_note(tmp_path, "A01/2019-03-04_progress.txt", content)

    notes, report = drain(tmp_path)

    assert notes == []
    assert report.skipped == [SkippedInput(str(path), reason)]


def test_ingest_20mb_note_is_skipped_with_size_and_option(tmp_path: Path) -> None:
    write_note(tmp_path, "A01/2019-03-04_progress.txt")
    big = write_note(tmp_path, "A01/2019-03-05_progress.txt", b"x" * 20_300_000)

    notes, report = drain(tmp_path)

    assert len(notes) == 1
    assert report.skipped == [
        SkippedInput(
            str(big), "note is 20.3 MB, over the 5.0 MB limit (raise it with --max-note-mb)"
        )
    ]


def test_ingest_max_note_bytes_applies_to_table_cells(tmp_path: Path) -> None:
    rows = omop_rows()
    rows[1]["note_text"] = "y" * 1_200_000
    table = write_table(tmp_path / "notes.csv", rows)

    notes, report = drain(table, IngestOptions(max_note_bytes=1_000_000))

    assert [n.note_id for n in notes] == ["N1", "N3"]
    assert report.skipped == [
        SkippedInput(
            str(table),
            "note is 1.2 MB, over the 1.0 MB limit (raise it with --max-note-mb)",
            line=4,
        )
    ]


def test_ingest_unreadable_file_is_skipped_with_os_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = write_note(tmp_path, "A01/2019-03-04_progress.txt")
    write_note(tmp_path, "A01/2019-03-05_progress.txt")
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make open() fail as it would for a user
        real_open = open

        def failing_open(file: object, *args: object, **kwargs: object) -> object:
            if Path(str(file)) == locked:
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

        monkeypatch.setattr(folder_module, "open", failing_open, raising=False)

    try:
        notes, report = drain(tmp_path)
    finally:
        locked.chmod(0o644)

    assert [n.note_id for n in notes] == ["A01/2019-03-05_progress"]
    assert report.skipped == [SkippedInput(str(locked), "cannot read file (Permission denied)")]


# --- tables ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".jsonl"])
def test_ingest_table_with_omop_names(tmp_path: Path, suffix: str) -> None:
    table = write_table(tmp_path / f"notes{suffix}", omop_rows())

    notes, report = drain(table)

    unit = "row" if suffix == ".parquet" else "line"
    assert [(n.patient_id, n.note_id, n.note_date, n.note_type) for n in notes] == [
        ("P1", "N1", date(2019, 3, 4), "progress"),
        ("P1", "N2", date(2019, 4, 1), "bm_pathology"),
        ("P2", "N3", date(2020, 1, 15), "death"),
    ]
    assert notes[0].text == "Started blinatumomab.\nTolerating well."
    assert notes[1].source == f"{table}:{unit} " + (
        "2" if suffix in (".parquet", ".jsonl") else "4"
    )
    assert report.read == 3 and report.skipped == []


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".parquet", ".jsonl"])
def test_ingest_table_with_column_map(tmp_path: Path, suffix: str) -> None:
    renamed = {
        "person_id": "patient",
        "note_id": "doc_id",
        "note_date": "signed",
        "note_type": "kind",
        "note_text": "body",
    }
    rows = [{renamed[k]: v for k, v in row.items()} for row in omop_rows()]
    table = write_table(tmp_path / f"export{suffix}", rows)
    options = IngestOptions(
        columns=parse_column_map(
            "person_id=patient, note_id=doc_id,note_date=signed,note_type=kind,note_text=body"
        )
    )

    notes, report = drain(table, options)

    assert [(n.patient_id, n.note_id, n.note_type) for n in notes] == [
        ("P1", "N1", "progress"),
        ("P1", "N2", "bm_pathology"),
        ("P2", "N3", "death"),
    ]
    assert report.skipped == []


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_ingest_table_missing_required_column_names_file_and_column(
    tmp_path: Path, suffix: str
) -> None:
    rows = [{k: v for k, v in row.items() if k != "note_text"} for row in omop_rows()]
    table = write_table(tmp_path / f"notes{suffix}", rows)
    report = IngestReport()

    with pytest.raises(InputError) as exc_info:
        read_notes(table, report)  # at call time, before any note is yielded

    assert str(exc_info.value) == (
        f"{table}: missing required column 'note_text' (columns found: person_id, note_id, "
        "note_date, note_type; map with --columns note_text=<name>)"
    )
    assert report.read == 0


def test_ingest_table_missing_date_and_type_columns_name_the_alternatives(tmp_path: Path) -> None:
    no_type = [{k: v for k, v in r.items() if k != "note_type"} for r in omop_rows()]
    no_date = [{k: v for k, v in r.items() if k != "note_date"} for r in omop_rows()]

    with pytest.raises(
        InputError,
        match=r"missing required column 'note_type' \(or 'note_title', 'note_type_concept_id', "
        r"'note_class_concept_id'\)",
    ):
        read_notes(write_table(tmp_path / "a.csv", no_type), IngestReport())
    with pytest.raises(
        InputError, match=r"missing required column 'note_date' \(or 'note_datetime'\)"
    ):
        read_notes(write_table(tmp_path / "b.csv", no_date), IngestReport())


def test_ingest_table_mapped_column_absent_raises(tmp_path: Path) -> None:
    table = write_table(tmp_path / "notes.csv", omop_rows())

    with pytest.raises(InputError) as exc_info:
        read_notes(table, IngestReport(), IngestOptions(columns={"note_text": "body"}))

    assert str(exc_info.value) == (
        f"{table}: column 'body' (mapped to note_text by --columns) is not in the table "
        "(columns found: person_id, note_id, note_date, note_type, note_text)"
    )


def test_ingest_table_unparseable_date_is_skipped_with_physical_line(tmp_path: Path) -> None:
    table = tmp_path / "notes.csv"
    table.write_text(
        "person_id,note_id,note_date,note_type,note_text\n"
        'P1,N1,2019-03-04,progress,"line one\nline two\nline three"\n'
        "P1,N2,last Tuesday,progress,Text.\n"
        "\n"
        "P1,N3,02/30/2019,progress,Text.\n"
        "P1,N4,03/04/19,progress,Text.\n",
        encoding="utf-8",
    )

    notes, report = drain(table)

    assert [n.note_id for n in notes] == ["N1"]
    assert report.skipped == [
        SkippedInput(
            str(table),
            "note_date is not a date (text of 12 characters; expected YYYY-MM-DD, M/D/YYYY, "
            "D/M/YYYY with --dayfirst, or 4 Mar 2019)",
            line=5,
        ),
        SkippedInput(
            str(table),
            "impossible note_date (day is out of range for month; read as "
            "M/D/YYYY; use --dayfirst for D/M/YYYY)",
            line=7,
        ),
        SkippedInput(
            str(table),
            "note_date has a two-digit year; write the year in full",
            line=8,
        ),
    ]


def test_ingest_table_row_problems_are_skipped_with_lines(tmp_path: Path) -> None:
    table = tmp_path / "notes.csv"
    table.write_text(
        "person_id,note_id,note_date,note_type,note_text\n"
        "P1,N1,2019-03-04,progress,Fine.\n"
        ",N2,2019-03-04,progress,Text.\n"
        "P1,,2019-03-04,progress,Text.\n"
        "P1,N4,,progress,Text.\n"
        "P1,N5,2019-03-04,progress,   \n"
        "P1,N6,2019-03-04,progress,Text,with,commas\n"
        f"P1,N1,2019-03-05,progress,{SECRET}\n",
        encoding="utf-8",
    )

    notes, report = drain(table)

    assert [n.note_id for n in notes] == ["N1"]
    assert [(s.line, s.reason) for s in report.skipped] == [
        (3, "empty person_id"),
        (4, "empty note_id"),
        (5, "empty note_date"),
        (6, "empty note"),
        (7, "row has 7 fields, the header has 5 (an unquoted delimiter in a cell?)"),
        (8, "duplicate note_id 'N1' (first seen on line 2)"),
    ]
    assert {s.source for s in report.skipped} == {str(table)}


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_ingest_table_duplicate_note_id_names_first_row(tmp_path: Path, suffix: str) -> None:
    rows = omop_rows()
    rows[2]["note_id"] = "N1"
    table = write_table(tmp_path / f"notes{suffix}", rows)

    notes, report = drain(table)

    unit = "row" if suffix == ".parquet" else "line"
    assert [n.note_id for n in notes] == ["N1", "N2"]
    assert report.skipped == [
        SkippedInput(str(table), f"duplicate note_id 'N1' (first seen on {unit} 1)", line=3)
    ]


def test_ingest_table_uppercase_columns_datetime_and_title_fallbacks(tmp_path: Path) -> None:
    table = tmp_path / "NOTE.csv"
    table.write_text(
        "\ufeffPERSON_ID,NOTE_ID,NOTE_DATETIME,NOTE_TITLE,NOTE_TEXT\n"
        "P1,N1,2019-03-04T22:15:00Z,Progress Note,Text.\n"
        "P1,N2,03/05/2019 08:00 AM,,Text.\n",
        encoding="utf-8",
    )

    notes, report = drain(table)

    assert [(n.note_id, n.note_date, n.note_type) for n in notes] == [
        ("N1", date(2019, 3, 4), "Progress Note"),
        ("N2", date(2019, 3, 5), ""),
    ]
    assert report.skipped == []


def test_ingest_table_note_type_preferred_over_note_title(tmp_path: Path) -> None:
    rows = [dict(omop_rows()[0], note_title="Progress Note"), dict(omop_rows()[1], note_type="")]
    rows[1]["note_title"] = "Bone marrow report"
    table = write_table(tmp_path / "notes.jsonl", rows)

    notes, _ = drain(table)

    assert [n.note_type for n in notes] == ["progress", "Bone marrow report"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_ingest_table_standard_omop_note_with_concept_ids_and_no_title(tmp_path: Path, suffix: str) -> None:
    # OMOP CDM v5.4 NOTE as exported, extra columns and all: no note_type, note_title optional
    rows = [
        {"note_id": 1, "person_id": 101, "note_date": "2019-03-04", "note_datetime": None,
         "note_type_concept_id": 44814637, "note_class_concept_id": 706391, "note_title": "",
         "note_text": "Started blinatumomab.", "encoding_concept_id": 32678, "language_concept_id": 4180186,
         "provider_id": None, "visit_occurrence_id": 9, "visit_detail_id": None,
         "note_source_value": "progress", "note_event_id": None, "note_event_field_concept_id": 0},
        {"note_id": 2, "person_id": 101, "note_date": "2019-04-01", "note_datetime": None,
         "note_type_concept_id": 0, "note_class_concept_id": 706391, "note_title": "",
         "note_text": "Marrow: 3% blasts.", "encoding_concept_id": 32678, "language_concept_id": 4180186,
         "provider_id": None, "visit_occurrence_id": 9, "visit_detail_id": None,
         "note_source_value": "path", "note_event_id": None, "note_event_field_concept_id": 0},
        {"note_id": 3, "person_id": 101, "note_date": "2019-05-01", "note_datetime": None,
         "note_type_concept_id": 44814637, "note_class_concept_id": 706391, "note_title": "Bone marrow report",
         "note_text": "Marrow: 2% blasts.", "encoding_concept_id": 32678, "language_concept_id": 4180186,
         "provider_id": None, "visit_occurrence_id": 9, "visit_detail_id": None,
         "note_source_value": "path", "note_event_id": None, "note_event_field_concept_id": 0},
    ]
    table = write_table(tmp_path / f"note{suffix}", rows)

    notes, report = drain(table)

    assert [(n.patient_id, n.note_id, n.note_type) for n in notes] == [
        ("101", "1", "concept 44814637"),
        ("101", "2", "concept 706391"),  # type concept 0 is OMOP's "no matching concept"
        ("101", "3", "Bone marrow report"),
    ]
    assert report.skipped == []


def test_ingest_table_concept_id_that_is_not_an_id_skips_its_row(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "note_type"} for r in omop_rows()]
    rows[0]["note_type_concept_id"], rows[1]["note_type_concept_id"] = 44814637, 1.5
    table = write_table(tmp_path / "notes.jsonl", rows)

    notes, report = drain(table)

    assert [n.note_type for n in notes] == ["concept 44814637", ""]  # no type at all is ""
    assert [(s.line, s.reason) for s in report.skipped] == [
        (2, "note_type_concept_id is a number that is not whole (IDs are text or whole numbers)")
    ]


def test_ingest_table_dayfirst_reads_day_month(tmp_path: Path) -> None:
    rows = omop_rows()
    rows[0]["note_date"] = "04/03/2019"
    rows[1]["note_date"] = "25/12/2019"
    table = write_table(tmp_path / "notes.csv", rows)

    notes, _ = drain(table, IngestOptions(dayfirst=True))
    us_notes, us_report = drain(table)

    assert [n.note_date for n in notes][:2] == [date(2019, 3, 4), date(2019, 12, 25)]
    assert us_notes[0].note_date == date(2019, 4, 3)
    assert [(s.line, s.reason[:36]) for s in us_report.skipped] == [
        (4, "impossible note_date (month must be ")  # row 1 spans lines 2-3
    ]


def test_ingest_csv_cp1252_row_is_decoded_with_a_counted_warning(tmp_path: Path) -> None:
    table = tmp_path / "notes.csv"
    table.write_bytes(
        b"person_id,note_id,note_date,note_type,note_text\r\n"
        b"P1,N1,2019-03-04,progress,Plain ASCII.\r\n"
        + 'P1,N2,2019-03-05,progress,"Fi\u00e8vre \u2013 39\u00b0C\r\nsuite"\r\n'.encode("cp1252")
        + "P2,N3,2019-03-06,consult,Caf\u00e9.\r\n".encode("cp1252")
    )

    notes, report = drain(table)

    assert [n.text for n in notes] == [
        "Plain ASCII.",
        "Fi\u00e8vre \u2013 39\u00b0C\nsuite",
        "Caf\u00e9.",
    ]
    assert [n.warnings for n in notes] == [
        (),
        ("not UTF-8; decoded as cp1252",),
        ("not UTF-8; decoded as cp1252",),
    ]
    assert report.warnings == [
        {"source": str(table), "line": 3, "warning": "not UTF-8; decoded as cp1252", "count": 2}
    ]


def test_ingest_parquet_native_types(tmp_path: Path) -> None:
    table = tmp_path / "notes.parquet"
    pq.write_table(
        pa.table(
            {
                "person_id": pa.array([101, 102, None], pa.int64()),
                "note_id": pa.array([1, 2, 3], pa.int64()),
                "note_date": pa.array([date(2019, 3, 4), None, date(2019, 3, 6)], pa.date32()),
                "note_datetime": pa.array(
                    [None, datetime(2019, 3, 5, 23, 0), None], pa.timestamp("us")
                ),
                "note_title": ["Progress", "Consult", "Consult"],
                "note_text": pa.array([b"Text.", "caf\u00e9".encode("cp1252"), b"x"], pa.binary()),
            }
        ),
        table,
    )

    notes, report = drain(table)

    assert [(n.patient_id, n.note_id, n.note_date, n.text) for n in notes] == [
        ("101", "1", date(2019, 3, 4), "Text."),
        ("102", "2", date(2019, 3, 5), "caf\u00e9"),
    ]
    assert notes[1].warnings == ("not UTF-8; decoded as cp1252",)
    assert report.skipped == [SkippedInput(str(table), "empty person_id", line=3)]


def test_ingest_jsonl_bad_lines_are_skipped_and_arrays_rejected(tmp_path: Path) -> None:
    table = tmp_path / "notes.jsonl"
    good = json.dumps(omop_rows()[0])
    table.write_text(f"{good}\n\n{{not json\n[1, 2]\n", encoding="utf-8")

    notes, report = drain(table)

    assert len(notes) == 1
    assert [(s.line, s.reason) for s in report.skipped] == [
        (3, "not valid JSON (Expecting property name enclosed in double quotes at column 2)"),
        (4, "a JSON list, not an object"),
    ]
    array = tmp_path / "notes.json"
    array.write_text(json.dumps(omop_rows()), encoding="utf-8")
    with pytest.raises(InputError, match="a JSON array, not JSON Lines"):
        read_notes(array, IngestReport())


def test_ingest_csv_broken_quoting_is_a_skipped_row_not_a_merged_note(tmp_path: Path) -> None:
    table = tmp_path / "notes.csv"
    table.write_text(
        "person_id,note_id,note_date,note_type,note_text\n"
        'P1,N1,2019-03-04,progress,"Quoted" then more\n'
        "P1,N2,2019-03-05,progress,Fine.\n"
        'P1,N3,2019-03-06,progress,"never closed\n'
        "P1,N4,2019-03-07,progress,Swallowed.\n",
        encoding="utf-8",
    )

    notes, report = drain(table)

    assert [n.note_id for n in notes] == ["N2"]
    assert [(s.line, s.reason) for s in report.skipped] == [
        (2, "not valid CSV (',' expected after '\"')"),
        (
            4,
            "not valid CSV: a quoted cell starting on this line is never closed (the rest of "
            "the file was read as that cell)",
        ),
    ]


def test_ingest_jsonl_columns_come_from_keys_of_the_first_objects(tmp_path: Path) -> None:
    rows = omop_rows()
    del rows[0]["note_type"]  # exporters drop null keys
    table = write_table(tmp_path / "notes.ndjson", rows)

    notes, report = drain(table)

    assert [(n.note_id, n.note_type) for n in notes] == [
        ("N1", ""),
        ("N2", "bm_pathology"),
        ("N3", "death"),
    ]
    assert report.skipped == []


def test_ingest_unreadable_parquet_raises(tmp_path: Path) -> None:
    table = tmp_path / "notes.parquet"
    table.write_text("person_id,note_id\n", encoding="utf-8")

    with pytest.raises(InputError, match=r"notes.parquet: not a readable Parquet file \("):
        read_notes(table, IngestReport())


# --- paths, options -------------------------------------------------------------------------


def test_ingest_bad_paths_raise_input_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "tables").mkdir()
    write_table(tmp_path / "tables" / "notes.csv", omop_rows())
    single = write_note(tmp_path, "2019-03-04_progress.txt")
    patient = write_note(tmp_path, "A01/2019-03-04_progress.txt").parent

    cases = {
        tmp_path / "nope": f"{tmp_path / 'nope'}: no such file or folder",
        tmp_path / "empty": f"{tmp_path / 'empty'}: no patient folders and no manifest.csv "
        f"(expected {tmp_path / 'empty'}/{PATTERN})",
        tmp_path / "tables": f"{tmp_path / 'tables'}: no patient folders and no manifest.csv "
        f"(expected {tmp_path / 'tables'}/{PATTERN}; to read the table notes.csv, pass that "
        "file itself)",
        patient: f"{patient}: no patient folders and no manifest.csv (expected "
        f"{patient}/{PATTERN}; this looks like one patient's folder: pass the folder that "
        "holds it)",
        single: f"{single}: not a notes folder or a table (expected a folder <patient_id>/"
        "<YYYY-MM-DD>_<note_type>.txt, or a .csv, .tsv, .parquet or .jsonl file)",
    }
    for path, message in cases.items():
        with pytest.raises(InputError) as exc_info:
            read_notes(path, IngestReport())
        assert str(exc_info.value) == message


def test_ingest_is_lazy_and_counts_as_it_goes(tmp_path: Path) -> None:
    table = write_table(tmp_path / "notes.csv", omop_rows())
    report = IngestReport()

    notes = read_notes(table, report)
    assert report.read == 0
    first = next(notes)
    assert (first.note_id, report.read, report.processed) == ("N1", 1, 1)
    assert len(list(notes)) == 2
    assert report.read == report.processed + len(report.skipped) == 3


def test_ingest_report_as_dict_for_run_manifest(tmp_path: Path) -> None:
    write_note(tmp_path, "A01/2019-03-04_progress.txt", "caf\u00e9".encode("cp1252"))
    empty = write_note(tmp_path, "A01/2019-03-05_progress.txt", b"")

    _, report = drain(tmp_path)

    assert report.as_dict() == {
        "read": 2,
        "processed": 1,
        "skipped": 1,
        "skipped_inputs": [{"source": str(empty), "line": None, "reason": "empty note"}],
        "warnings": [
            {
                "source": str(tmp_path / "A01" / "2019-03-04_progress.txt"),
                "line": 1,
                "warning": "not UTF-8; decoded as cp1252",
            }
        ],
    }
    json.dumps(report.as_dict())  # serializable as is


def test_ingest_parse_column_map_accepts_pairs() -> None:
    assert parse_column_map(" person_id = patient ,note_text=body text") == {
        "person_id": "patient",
        "note_text": "body text",
    }


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "--columns is empty (expected our_name=table_column pairs, e.g. person_id=patient)"),
        (
            "person_id",
            "--columns: 'person_id' has no '=' (expected our_name=table_column, "
            "e.g. person_id=patient)",
        ),
        (
            "person_id=patient,,note_text=body",
            "--columns 'person_id=patient,,note_text=body': empty part between commas",
        ),
        ("=patient", "--columns: '=patient' names no field before '='"),
        ("note_text=", "--columns: 'note_text=' names no table column after '='"),
        (
            "patient_id=pid",
            "--columns: unknown field 'patient_id' in 'patient_id=pid' (did you "
            "mean person_id? fields: person_id, note_id, note_date, note_title, note_type, "
            "note_text, note_type_concept_id, note_class_concept_id)",
        ),
        ("note_id=a,note_id=b", "--columns: note_id is mapped twice (note_id=a, note_id=b)"),
    ],
)
def test_ingest_parse_column_map_errors_name_the_bad_part(spec: str, message: str) -> None:
    with pytest.raises(InputError) as exc_info:
        parse_column_map(spec)
    assert str(exc_info.value) == message


def test_ingest_options_reject_unknown_column_field() -> None:
    with pytest.raises(InputError, match="unknown field 'body'"):
        IngestOptions(columns={"body": "note_text"})


@pytest.mark.parametrize(
    ("value", "dayfirst", "expected"),
    [
        ("2019-03-04", False, date(2019, 3, 4)),
        ("2019-03-04T23:59:00+05:00", False, date(2019, 3, 4)),
        ("2019-03-04 10:22:00.000", False, date(2019, 3, 4)),
        ("20190304", False, date(2019, 3, 4)),
        ("3/4/2019", False, date(2019, 3, 4)),
        ("3/4/2019", True, date(2019, 4, 3)),
        ("03/04/2019 10:00 PM", False, date(2019, 3, 4)),
        ("04-MAR-2019", False, date(2019, 3, 4)),
        ("March 4, 2019", False, date(2019, 3, 4)),
        (datetime(2019, 3, 4, 12, 0), False, date(2019, 3, 4)),
    ],
)
def test_ingest_parse_note_date_formats(value: object, dayfirst: bool, expected: date) -> None:
    assert parse_note_date(value, dayfirst=dayfirst) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "2019-02-29",
            "impossible note_date (day is out of range for month; read as YYYY-MM-DD)",
        ),
        (
            "13/04/2019",
            "impossible note_date (month must be in 1..12; read as "
            "M/D/YYYY; use --dayfirst for D/M/YYYY)",
        ),
        ("04-MAR-19", "note_date has a two-digit year; write the year in full"),
        (
            20190304,
            "note_date is a number, not a date (expected YYYY-MM-DD, M/D/YYYY, "
            "D/M/YYYY with --dayfirst, or 4 Mar 2019)",
        ),
        ("  ", "empty note_date"),
    ],
)
def test_ingest_parse_note_date_never_adjusts(value: object, message: str) -> None:
    with pytest.raises(ValueError) as exc_info:
        parse_note_date(value)
    assert str(exc_info.value) == message


# --- streaming ------------------------------------------------------------------------------


def _big_csv(path: Path, n_rows: int) -> Path:
    text = ("Marrow aspirate shows 3% blasts; CD19 dim.\n" * 48)[:2000]  # ~2 kB per note
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        for i in range(n_rows):
            writer.writerow([f"P{i % 500}", f"N{i}", "2019-03-04", "progress", text])
    return path


def _peak_while_iterating(notes: Iterator[Note]) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(1 for _ in notes)
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_ingest_streams_large_csv_in_bounded_memory(tmp_path: Path) -> None:
    small = _big_csv(tmp_path / "small.csv", 3_000)
    large = _big_csv(tmp_path / "large.csv", 30_000)
    small_report, large_report = IngestReport(), IngestReport()

    n_small, peak_small = _peak_while_iterating(read_notes(small, small_report))
    n_large, peak_large = _peak_while_iterating(read_notes(large, large_report))

    assert (n_small, n_large) == (3_000, 30_000)
    assert large_report.read == large_report.processed == 30_000
    assert large.stat().st_size > 60_000_000
    # Holding the notes would take > 60 MB. Only the note-ID set may grow: well under 200
    # bytes per extra note, and far below one note's text per row.
    assert peak_large < 12_000_000, peak_large
    assert peak_large - peak_small < 27_000 * 200, (peak_small, peak_large)
