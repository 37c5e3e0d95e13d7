"""End-to-end: the CLI on notes, every output, and every bad input with its message and exit code."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from chartabstract.cli import app
from chartabstract.errors import EXIT_INPUT, EXIT_OUTPUT, EXIT_RULES, EXIT_SKIPPED
from chartabstract.export import MENTION_COLUMNS, NOTE_NLP_COLUMNS

SPEC_MENTION_COLUMNS = [
    "mention_id", "patient_id", "note_id", "note_date", "note_type", "section", "start", "end", "text",
    "snippet", "concept", "rule_id", "negated", "hypothetical", "historical", "family", "uncertain",
    "date", "date_precision", "date_source", "value", "unit",
]
NOTE = "Started blinatumomab on 3/4/19. Marrow 4/2/19: 3% blasts, MRD negative (<0.01%).\n"


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def _folder(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    root = tmp_path / "notes"
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def _manifest(out: Path) -> dict:
    return json.loads((out / "run_manifest.json").read_text())


def _mentions(out: Path) -> list[dict[str, str]]:
    with open(out / "mentions.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_cli_run_writes_every_output(tmp_path):
    notes = _folder(tmp_path, {"P1/2019-04-03_progress.txt": NOTE})
    out = tmp_path / "out"
    result = invoke("run", str(notes), "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = _mentions(out)
    assert set(SPEC_MENTION_COLUMNS) <= set(rows[0]) and list(rows[0]) == MENTION_COLUMNS
    assert {(r["concept"], r["value"], r["date"]) for r in rows} == {
        ("blinatumomab", "start", "2019-03-04"), ("marrow_blasts", "3", "2019-04-02"), ("mrd", "negative", "2019-04-02"),
    }
    with open(out / "note_nlp.csv", encoding="utf-8", newline="") as handle:
        note_nlp = list(csv.DictReader(handle))
    assert list(note_nlp[0]) == NOTE_NLP_COLUMNS and len(note_nlp) == len(rows)
    blina = next(r for r in note_nlp if "concept=blinatumomab" in r["term_modifiers"])
    assert "date=2019-03-04" in blina["term_modifiers"] and "value=start" in blina["term_modifiers"]
    assert blina["term_exists"] == "Y" and blina["offset"] == str(NOTE.index("blinatumomab"))
    manifest = _manifest(out)
    assert manifest["counts"]["notes_read"] == manifest["counts"]["notes_processed"] == 1
    assert manifest["counts"]["mentions"] == 3 and len(manifest["rules"]["digest"]) == 64
    assert not list(out.glob(".*partial"))


def test_cli_run_offsets_point_at_the_evidence(tmp_path):
    text = "Plan:\r\n  -  blinatumomab   held\tfor CRS.\r\n"
    notes = _folder(tmp_path, {"P1/2019-04-03_progress.txt": text})
    out = tmp_path / "out"
    assert invoke("run", str(notes), "--out", str(out), "-q").exit_code == 0
    normalized = text.replace("\r\n", "\n")
    row = _mentions(out)[0]
    assert normalized[int(row["start"]) : int(row["end"])] == row["text"] == "blinatumomab"
    assert row["value"] == "hold"


def test_cli_run_table_with_column_map(tmp_path):
    table = tmp_path / "notes.parquet"
    pd.DataFrame({"mrn": ["7"], "doc": ["n1"], "when": ["2019-04-03"], "kind": ["progress"], "body": [NOTE]}).to_parquet(table)
    out = tmp_path / "out"
    result = invoke("run", str(table), "--out", str(out), "-q",
                    "--columns", "person_id=mrn,note_id=doc,note_date=when,note_type=kind,note_text=body")
    assert result.exit_code == 0, result.output
    assert {r["patient_id"] for r in _mentions(out)} == {"7"}


def test_cli_run_progress_is_quiet_with_flag(tmp_path):
    notes = _folder(tmp_path, {"P1/2019-04-03_progress.txt": NOTE})
    result = invoke("run", str(notes), "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 0 and result.output == ""


# --- bad input: (files, expected exit code, expected message fragment) ---
BIG = "blinatumomab started. " * 1_000_000  # 22 MB


@pytest.mark.parametrize(
    ("files", "code", "message"),
    [
        ({"P1/2019-04-03_progress.txt": "Bl\xe9 blinatumomab started.".encode("cp1252")}, 0, None),
        ({"P1/2019-04-03_progress.txt": NOTE, "P1/2019-04-04_progress.txt": ""}, EXIT_SKIPPED, "2019-04-04_progress.txt: empty note"),
        ({"P1/2019-04-03_progress.txt": NOTE, "P1/2019-04-04_progress.txt": b"\x00\x01PNG\x00"}, EXIT_SKIPPED, "2019-04-04_progress.txt: binary file"),
        ({"P1/2019-04-03_progress.txt": NOTE, "P1/2019-04-04_progress.txt": BIG}, EXIT_SKIPPED, "over the 5.0 MB limit"),
        ({"P1/2019-04-03_progress.txt": NOTE, "P1/progress note.txt": NOTE}, EXIT_SKIPPED, "progress note.txt: file name off the naming convention"),
        ({"P1/2019-04-03_progress.txt": NOTE, "P1/2019-02-30_progress.txt": NOTE}, EXIT_SKIPPED, "2019-02-30_progress.txt"),
    ],
    ids=["cp1252", "empty", "binary", "20MB", "off-convention", "impossible-date-name"],
)
def test_cli_bad_note_files_are_listed_not_dropped(tmp_path, files, code, message):
    notes = _folder(tmp_path, files)
    out = tmp_path / "out"
    result = invoke("run", str(notes), "--out", str(out))
    assert result.exit_code == code, result.output
    manifest = _manifest(out)
    counts = manifest["counts"]
    assert counts["notes_read"] == counts["notes_processed"] + counts["notes_skipped"] == len(files)
    if message:
        assert message in result.output
        assert any(message.split(": ")[-1] in item["reason"] or message in item["source"] for item in manifest["skipped_inputs"])
    else:
        assert manifest["warnings"][0]["warning"] == "not UTF-8; decoded as cp1252"
        assert _mentions(out)[0]["text"] == "blinatumomab"


def _csv(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / "notes.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_cli_table_duplicate_note_id_and_bad_date_are_skipped_with_line(tmp_path):
    row = {"person_id": "1", "note_id": "a", "note_date": "2019-04-03", "note_type": "progress", "note_text": NOTE.strip()}
    table = _csv(tmp_path, [row, {**row, "note_date": "2019-13-45", "note_id": "b"}, row])
    out = tmp_path / "out"
    result = invoke("run", str(table), "--out", str(out))
    assert result.exit_code == EXIT_SKIPPED
    assert "notes.csv: line 3:" in result.output and "note_date" in result.output
    assert "notes.csv: line 4:" in result.output and "duplicate note_id" in result.output
    assert _manifest(out)["counts"]["notes_processed"] == 1


def test_cli_table_missing_column_fails_naming_file_and_column(tmp_path):
    table = _csv(tmp_path, [{"person_id": "1", "note_id": "a", "note_date": "2019-04-03", "note_type": "x", "text": NOTE}])
    result = invoke("run", str(table), "--out", str(tmp_path / "out"))
    assert result.exit_code == EXIT_INPUT
    assert "notes.csv" in result.output and "'note_text'" in result.output and "--columns" in result.output


def test_cli_missing_input_path(tmp_path):
    result = invoke("run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.exit_code == EXIT_INPUT and "nowhere: no such file or folder" in result.output


def test_cli_run_on_the_folder_above_the_notes_names_the_notes_folder(tmp_path):
    """A chart set shipped as <set>/notes/<patient>/... beside its gold: the error says where the notes are."""
    chart_set = tmp_path / "chart_set"
    _folder(chart_set, {"P1/2019-04-03_progress.txt": NOTE})
    (chart_set / "gold_cohort.csv").write_text("patient_id\nP1\n")

    result = invoke("run", str(chart_set), "--out", str(tmp_path / "out"), "-q")

    assert result.exit_code == EXIT_INPUT, result.output
    assert f"the notes look one folder deeper: run on {chart_set / 'notes'}" in " ".join(result.output.split())


def test_cli_run_every_input_skipped_exits_3_and_keeps_the_previous_outputs(tmp_path):
    out = tmp_path / "out"
    good = _folder(tmp_path / "good", {"P1/2019-04-03_progress.txt": NOTE})
    assert invoke("run", str(good), "--out", str(out), "-q").exit_code == 0
    before = (out / "cohort.csv").read_text()
    bad = _folder(tmp_path / "bad", {"P1/2019-04-04_progress.txt": "", "P1/2019-04-05_progress.txt": b"\x00\x01PNG\x00"})

    result = invoke("run", str(bad), "--out", str(out), "-q")

    assert result.exit_code == EXIT_INPUT, result.output
    assert "2019-04-04_progress.txt: empty note" in result.output and "binary file" in result.output
    assert "no note could be read: all 2 input(s) were skipped" in result.output
    assert (out / "cohort.csv").read_text() == before


def test_cli_run_table_without_rows_exits_3(tmp_path):
    table = tmp_path / "notes.csv"
    table.write_text("person_id,note_id,note_date,note_type,note_text\n")

    result = invoke("run", str(table), "--out", str(tmp_path / "out"), "-q")

    assert result.exit_code == EXIT_INPUT, result.output
    assert "notes.csv: no notes found" in result.output


def test_cli_run_standard_omop_note_table(tmp_path):
    table = _csv(tmp_path, [{"note_id": 7, "person_id": 101, "note_date": "2019-04-03", "note_datetime": "",
                             "note_type_concept_id": 44814637, "note_class_concept_id": 706391, "note_title": "",
                             "note_text": NOTE, "encoding_concept_id": 32678, "language_concept_id": 4180186,
                             "provider_id": "", "visit_occurrence_id": "", "visit_detail_id": "",
                             "note_source_value": "", "note_event_id": "", "note_event_field_concept_id": 0}])
    out = tmp_path / "out"

    result = invoke("run", str(table), "--out", str(out), "-q")

    assert result.exit_code == 0, result.output
    assert {(r["patient_id"], r["note_id"], r["note_type"]) for r in _mentions(out)} == {("101", "7", "concept 44814637")}


def test_cli_output_not_writable(tmp_path):
    notes = _folder(tmp_path, {"P1/2019-04-03_progress.txt": NOTE})
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = invoke("run", str(notes), "--out", str(blocker / "out"))
    assert result.exit_code == EXIT_OUTPUT and "output folder is not writable" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"target_rules": [', "targets.json: line 1 column 19: invalid JSON"),
        ('{"target_rules": [{"literal": "x", "catgory": "DEATH"}]}', "targets.json: rule 0 ('x'): unknown key 'catgory'"),
    ],
)
def test_cli_bad_rules_file(tmp_path, content, message):
    import shutil

    from chartabstract.nlp.rules import default_rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (rules / "targets.json").write_text(content)
    notes = _folder(tmp_path, {"P1/2019-04-03_progress.txt": NOTE})
    result = invoke("run", str(notes), "--out", str(tmp_path / "out"), "--rules", str(rules))
    assert result.exit_code == EXIT_RULES and message in result.output


def test_cli_rules_check_reports_the_prefilter_scan(tmp_path):
    import json
    import shutil

    from chartabstract.nlp import scanner
    from chartabstract.nlp.rules import default_rules_dir

    result = invoke("rules", "check")
    assert result.exit_code == 0 and "rules OK" in result.output
    if scanner.hyperscan is None:
        assert "literal tests decide for every rule" in result.output
        return
    assert "one Hyperscan pass tests" in result.output and "left to literal tests" not in result.output

    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    targets = json.loads((rules / "targets.json").read_text())
    # "{,2}" is a repeat in Python and literal text in PCRE: the scan must not decide for it
    targets["target_rules"].append({"literal": "blinatumomab", "category": "BLINATUMOMAB", "pattern": r"\bblin(?:a){,2}\b",
                                    "metadata": {"rule_id": "blina_braces"}})
    (rules / "targets.json").write_text(json.dumps(targets))
    result = invoke("rules", "check", str(rules))
    assert result.exit_code == 0, result.output
    assert "left to literal tests (same output, slower): blina_braces" in result.output
