"""Bad inputs that used to end the whole run (exit 1, a traceback, no outputs): each one is now
a skipped input with its file, line or row and reason, or a refused date, never a crash."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from chartabstract.cli import app
from chartabstract.errors import EXIT_SKIPPED, EXIT_USAGE
from chartabstract.explain import render_timeline
from chartabstract.ingest.folder import MAX_FOLDER_DEPTH
from chartabstract.normalize.dates import find_dates, normalize_date
from chartabstract.normalize.plausible import add_days, latest_note_date
from tests.test_cohort import cohort, mention
from tests.test_ingest import HEADER, SECRET, drain, reasons, write_note

EXPECTED = "expected YYYY-MM-DD, M/D/YYYY, D/M/YYYY with --dayfirst, or 4 Mar 2019"


def skipped(report) -> list[tuple[int | None, str]]:  # noqa: ANN001 - IngestReport
    return [(s.line, s.reason) for s in report.skipped]


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


# --- folders --------------------------------------------------------------------------------


def test_folder_symlink_loop_is_skipped_with_its_reason(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    write_note(root, "P1/2019-03-04_progress.txt")
    (root / "P1" / "loop").symlink_to(root / "P1")  # back to its own patient folder
    (root / "P1" / "self").symlink_to("self")  # a link that loops on itself

    notes, report = drain(root)

    assert [n.note_id for n in notes] == ["P1/2019-03-04_progress"]
    assert reasons(report) == {
        "loop": "symbolic link to a folder already read (a link loop); not read again",
        "self": "symbolic link cannot be followed (Too many levels of symbolic links)",
    }


def test_folder_symlink_outside_the_input_folder_is_not_followed(tmp_path: Path) -> None:
    root, outside = tmp_path / "notes", tmp_path / "elsewhere"
    write_note(root, "P1/2019-03-04_progress.txt")
    write_note(outside, "2019-03-05_progress.txt", SECRET)
    write_note(outside, "P9/2019-03-06_progress.txt", SECRET)
    (root / "P1" / "2019-03-05_progress.txt").symlink_to(outside / "2019-03-05_progress.txt")
    (root / "P1" / "more").symlink_to(outside)
    (root / "P2").symlink_to(outside / "P9")  # a whole patient folder elsewhere
    (root / "P1" / "inside").symlink_to(root / "P3")  # links within the input are followed
    write_note(root, "P3/2019-03-07_progress.txt")

    notes, report = drain(root)

    assert [n.note_id for n in notes] == ["P1/2019-03-04_progress", "P3/2019-03-07_progress"]
    not_followed = "symbolic link to a path outside the input folder; not followed"
    assert {name: r for name, r in reasons(report).items() if "outside" in r} == {
        "2019-03-05_progress.txt": not_followed,
        "more": not_followed,
        "P2": not_followed,
    }
    assert reasons(report)["2019-03-07_progress.txt"].startswith("file is in a subfolder")


@pytest.fixture
def deep_folder(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """1,200 nested folders under P1, removed bottom-up (shutil.rmtree recurses)."""
    root = tmp_path / "notes"
    write_note(root, "P1/2019-03-04_progress.txt")
    folders = [root / "P1"]
    for _ in range(1200):
        folders.append(folders[-1] / "d")
        folders[-1].mkdir()
    (folders[-1] / "2019-03-05_progress.txt").write_text("deep\n")
    yield root, folders[MAX_FOLDER_DEPTH + 1]
    (folders[-1] / "2019-03-05_progress.txt").unlink()
    for folder in reversed(folders[1:]):
        folder.rmdir()


def test_folder_deep_nesting_is_skipped_below_the_depth_limit(
    deep_folder: tuple[Path, Path],
) -> None:
    root, first_unread = deep_folder

    notes, report = drain(root)

    assert [n.note_id for n in notes] == ["P1/2019-03-04_progress"]
    assert [(s.source, s.reason) for s in report.skipped] == [
        (
            str(first_unread),
            f"folder nested more than {MAX_FOLDER_DEPTH} levels deep in patient folder P1; "
            "not read",
        )
    ]


def test_folder_manifest_row_outside_the_input_folder_is_skipped(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    write_note(root, "P1/2019-03-04_progress.txt")
    write_note(tmp_path, "secret.txt", SECRET)
    (root / "manifest.csv").write_text(
        "file,patient_id,note_date,note_type\n"
        "../secret.txt,P1,2019-03-05,progress\n"
        "../../etc/hostname,P1,2019-03-06,progress\n"
        "/etc/passwd,P1,2019-03-07,progress\n",
        encoding="utf-8",
    )

    notes, report = drain(root)

    assert [n.note_id for n in notes] == ["P1/2019-03-04_progress"]
    assert {s.source for s in report.skipped} == {str(root / "manifest.csv")}
    assert skipped(report) == [
        (2, "file '../secret.txt' is outside the input folder"),
        (3, "file '../../etc/hostname' is outside the input folder"),
        (4, "file '/etc/passwd' is outside the input folder"),
    ]


def test_folder_file_name_date_outside_the_plausible_range_is_skipped(tmp_path: Path) -> None:
    root = tmp_path / "notes"
    write_note(root, "P1/2019-03-04_progress.txt")
    write_note(root, "P1/9999-12-31_progress.txt", "Return in 2 weeks.\n")

    notes, report = drain(root)

    assert [n.note_id for n in notes] == ["P1/2019-03-04_progress"]
    assert reasons(report)["9999-12-31_progress.txt"] == (
        f"note_date 9999-12-31 is outside the plausible range 1900-01-01 to "
        f"{latest_note_date().isoformat()} (today + 2 years) (date in file name)"
    )


# --- tables ---------------------------------------------------------------------------------


def test_note_dates_outside_the_plausible_range_are_skipped(tmp_path: Path) -> None:
    too_late = latest_note_date() + timedelta(days=1)
    table = write_csv(
        tmp_path / "notes.csv",
        [
            ["P1", "N1", "1900-01-01", "progress", "Seen."],
            ["P1", "N2", "1899-12-31", "progress", "Seen."],
            ["P1", "N3", "9999-12-31", "progress", "Return in 2 weeks."],
            ["P1", "N4", "0001-01-01", "progress", "Seen 2 weeks ago."],
            ["P1", "N5", too_late.isoformat(), "progress", "Seen."],
            ["P1", "N6", latest_note_date().isoformat(), "progress", "Seen."],
        ],
    )

    notes, report = drain(table)

    assert [n.note_id for n in notes] == ["N1", "N6"]
    latest = latest_note_date().isoformat()
    assert skipped(report) == [
        (line, f"note_date {value} is outside the plausible range 1900-01-01 to {latest} "
               "(today + 2 years)")
        for line, value in [(3, "1899-12-31"), (4, "9999-12-31"), (5, "0001-01-01"),
                            (6, too_late.isoformat())]
    ]


def test_note_dates_skip_reason_never_holds_the_cell_text(tmp_path: Path) -> None:
    text = f"{SECRET} on 3/4/2019, seen by Dr. Smith"  # note text shifted into note_date
    table = write_csv(tmp_path / "notes.csv", [["P1", "N1", text, "progress", "Seen."]])

    notes, report = drain(table)

    assert notes == []
    assert skipped(report) == [
        (2, f"note_date is not a date (text of {len(text)} characters; {EXPECTED})")
    ]


def test_tables_parquet_date_out_of_python_range_is_a_skipped_row(tmp_path: Path) -> None:
    days = [(date(2019, 3, 4) - date(1970, 1, 1)).days, 2**31 - 1, 10_230_000, -(2**31)]
    table = tmp_path / "notes.parquet"
    pq.write_table(
        pa.table({
            "person_id": ["P1"] * 4,
            "note_id": ["N1", "N2", "N3", "N4"],
            "note_date": pa.array(days, pa.date32()),  # N3 is in the year 29978
            "note_type": ["progress"] * 4,
            "note_text": ["Seen."] * 4,
        }),
        table,
    )

    notes, report = drain(table)

    assert [(n.note_id, n.note_date) for n in notes] == [("N1", date(2019, 3, 4))]
    out_of_range = "note_date is a date32[day] value out of range (Python dates end at year 9999)"
    assert skipped(report) == [(2, out_of_range), (3, out_of_range), (4, out_of_range)]


def test_tables_jsonl_lone_surrogate_and_deep_nesting_are_skipped_lines(tmp_path: Path) -> None:
    good = {"person_id": "P1", "note_id": "N1", "note_date": "2019-03-04",
            "note_type": "progress", "note_text": "Seen \ud83d\ude00."}  # a real pair is text
    table = tmp_path / "notes.jsonl"
    table.write_text(
        json.dumps(good) + "\n"
        + json.dumps({**good, "note_id": "N2", "note_text": "bad \ud800 half"}) + "\n"
        + json.dumps({**good, "note_id": "N3", "person_id": "\udfff"}) + "\n"
        + '{"person_id": "P1", "note_id": "N4", "note_text": ' + "[" * 100_000 + "]" * 100_000
        + "}\n"
        + json.dumps({**good, "note_id": "N5"}) + "\n",
        encoding="ascii",
    )

    notes, report = drain(table)

    assert [n.note_id for n in notes] == ["N1", "N5"]
    assert notes[0].text == "Seen \U0001f600."
    assert skipped(report) == [
        (2, "note_text holds an unpaired UTF-16 surrogate (\\ud800-\\udfff), not text"),
        (3, "person_id holds an unpaired UTF-16 surrogate (\\ud800-\\udfff), not text"),
        (4, "JSON nested too deeply to read"),
    ]


def test_tables_json_ids_are_text_or_whole_numbers(tmp_path: Path) -> None:
    base = {"note_date": "2019-03-04", "note_type": "progress", "note_text": "Seen."}
    rows = [
        {"person_id": 12, "note_id": 12.0},
        {"person_id": "P1", "note_id": " N2 "},
        {"person_id": True, "note_id": "N3"},
        {"person_id": ["x"], "note_id": "N4"},
        {"person_id": {"a": 1}, "note_id": "N5"},
        {"person_id": "P1", "note_id": 1.5},
        {"person_id": "P1", "note_id": "N7", "note_text": ["Seen."]},
        {"person_id": "P1", "note_id": "N8", "note_type": False},
    ]
    table = tmp_path / "notes.jsonl"
    table.write_text("".join(json.dumps({**base, **row}) + "\n" for row in rows))

    notes, report = drain(table)

    assert [(n.patient_id, n.note_id) for n in notes] == [("12", "12"), ("P1", "N2")]
    assert skipped(report) == [
        (3, "person_id is a true/false value, not text or a whole number"),
        (4, "person_id is a list, not text or a whole number"),
        (5, "person_id is a object, not text or a whole number"),
        (6, "note_id is a number that is not whole (IDs are text or whole numbers)"),
        (7, "note_text is a list, not text"),
        (8, "note_type is a true/false value, not text"),
    ]


# --- dates in note text and date arithmetic -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "note_date"),
    [
        ("Return in 2 weeks, next month, tomorrow, in 3 years; next June.", date(9999, 12, 31)),
        ("Planned for October of next year.", date(9999, 12, 31)),
        ("Seen 2 weeks ago, yesterday, last year, last June.", date(1, 1, 1)),
        ("Day +30 after transplant on 12/20/9999.", date(2020, 1, 2)),
    ],
)
def test_dates_at_the_calendar_edges_are_refused_not_raised(text: str, note_date: date) -> None:
    mentions = find_dates(text, note_date)

    assert mentions
    for m in mentions:
        assert m.resolved.value is None  # off the calendar, or outside the plausible range
        assert m.resolved.invalid or m.resolved.source == "relative_to_event"


@pytest.mark.parametrize(
    ("text", "note_date", "iso"),
    [
        ("on 1/1/1850", date(2019, 6, 15), None),  # before 1900
        ("3/4/69", date(2019, 6, 15), None),  # 2069: more than 5 years after the note
        ("2099", date(2020, 1, 1), None),
        ("3/4/24", date(2019, 6, 15), "2024-03-04"),  # within 5 years
        ("1/1/1900", date(2019, 6, 15), "1900-01-01"),
        ("in 5 years", date(2019, 6, 15), "2024-01-01"),
    ],
)
def test_dates_outside_the_plausible_range_are_not_dates(
    text: str, note_date: date, iso: str | None
) -> None:
    resolved = normalize_date(text, note_date)

    assert resolved is not None
    assert (resolved.value.isoformat() if resolved.value else None) == iso
    if iso is None:
        assert (resolved.source, resolved.invalid) == ("none", True)


def test_plausible_add_days_returns_none_off_the_calendar() -> None:
    assert add_days(date(9999, 12, 20), 30) is None
    assert add_days(date(1, 1, 1), -1) is None
    assert add_days(date(2019, 3, 4), 30) == date(2019, 4, 3)


def test_cohort_windows_and_day_offsets_near_year_9999_do_not_overflow() -> None:
    blina = mention("blinatumomab", "start", "9999-11-01")
    ino = mention("inotuzumab", "start", "9999-12-01")
    hsct = mention("hsct", "start", "9999-12-20")
    day30 = mention("marrow_blasts", "3", None, note="9999-12-31", method="morphology",
                    source="relative_to_event", date_anchor="day0", date_offset_days=30)
    day30 = day30.__class__(**{**day30.__dict__, "date_source": "relative_to_event",
                               "date_from": "mention", "date_text": "Day +30"})

    row = cohort(blina, ino, hsct, day30, last="9999-12-31")

    assert row.values["mab1_start"] == "9999-11-01"
    assert row.values["mab2_start"] == "9999-12-01"


# --- command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "1e-9", "1e300"])
def test_cli_max_note_mb_must_be_a_positive_finite_size(tmp_path: Path, value: str) -> None:
    result = CliRunner().invoke(
        app, ["run", str(tmp_path), "--out", str(tmp_path / "out"), f"--max-note-mb={value}"]
    )

    assert result.exit_code == EXIT_USAGE, result.output
    assert "--max-note-mb must be a number of megabytes from 0.000001 to 1000000" in result.output
    assert "Traceback" not in result.output


def test_explain_shows_terminal_controls_from_notes_as_escapes(tmp_path: Path) -> None:
    def write(name: str, row: dict[str, str]) -> None:
        with (tmp_path / name).open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)

    hostile = "blasts 3%\x1b[2J\x1b]0;pwned\x07\x9b31m\x00\u202e"
    write("cohort.csv", {"patient_id": "P1", "last_followup_date": "2020-01-01", "flags": "",
                         "reviewed": "", "death_cause": "\x1b[31mrelapse"})
    write("events.csv", {"patient_id": "P1", "kind": "marrow", "date": "2019-04-02",
                         "values": "blasts=3\x1b[0m", "support": "1", "precision": "day",
                         "flags": "", "mention_ids": "P1:1"})
    write("mentions.csv", {"mention_id": "P1:1", "patient_id": "P1", "note_id": "P1/n\x1b",
                           "note_type": "bm\x07", "date_source": "explicit", "snippet": hostile})

    shown = render_timeline(tmp_path, "P1")
    result = CliRunner().invoke(app, ["explain", str(tmp_path), "P1"])

    assert result.exit_code == 0, result.output
    assert result.output.rstrip("\n") == shown
    for control in ("\x1b", "\x07", "\x9b", "\x00", "\u202e"):
        assert control not in shown
    assert "blasts 3%\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\x00\\u202e" in shown
    assert "\\x1b[31mrelapse" in shown


def test_run_extreme_dates_and_text_in_note_date_end_with_exit_6(tmp_path: Path) -> None:
    shifted = f"{SECRET} seen in clinic today, plan as below"
    table = write_csv(
        tmp_path / "notes.csv",
        [
            ["P1", "N1", "2019-03-04", "progress", "Started blinatumomab on 3/4/19."],
            ["P1", "N2", "9999-12-31", "progress", "Blinatumomab C1D1 today. Return in 2 weeks."],
            ["P1", "N3", "0001-01-01", "progress", "Started blinatumomab 2 weeks ago."],
            ["P1", "N4", "9999-12-31", "progress",
             "s/p allo HSCT on 12/20/9999. Day +30 marrow: 3% blasts."],
            ["P1", "N5", shifted, "progress", "Seen."],
            ["P1", "N6", "2020-01-02", "progress",
             "s/p allo HSCT on 12/20/9999. Day +30 marrow: 3% blasts. Return in 2 weeks."],
        ],
    )
    out = tmp_path / "out"

    result = CliRunner().invoke(
        app, ["run", str(table), "--out", str(out), "--workers", "1", "--no-cache", "--quiet"]
    )

    assert result.exit_code == EXIT_SKIPPED, result.output
    manifest = json.loads((out / "run_manifest.json").read_text(encoding="utf-8"))
    lines = {s["line"]: s["reason"] for s in manifest["skipped_inputs"]}
    assert sorted(lines) == [3, 4, 5, 6]
    assert lines[6].startswith("note_date is not a date (text of ")
    assert SECRET not in result.output and SECRET not in json.dumps(manifest)
    with (out / "mentions.csv").open(encoding="utf-8", newline="") as f:
        n6 = [row for row in csv.DictReader(f) if row["note_id"] == "N6"]
    assert n6 and all(not row["date"].startswith("9999") for row in n6)
