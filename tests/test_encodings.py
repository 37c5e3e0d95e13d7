"""A cp1252 export with en dashes and CRLF line ends gives the same outputs as the UTF-8 export (issue 16).

Hospitals export notes from Windows systems: cp1252 bytes (0x96 is an en dash), CRLF. The notes read
from such an export must be the same notes, so every output of ``run`` must be the same, apart from
the manifest's record of the decoding.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from chartabstract.cli import app
from tests.conftest import REPO

# Our own small charts: en dashes in date ranges and prose, accented names, a degree sign.
CHARTS = {
    "E01/2021-03-02_admission.txt": (
        "Admission \u2013 Heme/Onc\n"
        "Dx B-ALL 4/2020 (Dr. Ren\u00e9e M\u00fcller). Relapse 02/2021, marrow blasts 64%.\n"
        "Adm for blinatumomab C1 03/02/2021 \u2013 03/29/2021. Temp 38.1\u00b0C.\n"
        "Blinatumomab 9 mcg/day started today.\n"
    ),
    "E01/2021-04-12_bm_pathology.txt": (
        "BONE MARROW \u2013 aspirate and biopsy\n"
        "Clinical: B-ALL on blinatumomab (C1 3/2 \u2013 3/29).\n"
        "Blasts 2% by aspirate differential. MRD by flow: negative (<0.01%).\n"
    ),
    "E02/2020-06-10_progress.txt": (
        "Progress note\n"
        "B-ALL dx 2018; InO x2 cycles (5/2019 \u2013 7/2019), then MUD alloHCT, Day 0 08/20/2019.\n"
        "Relapse 5/2020 \u2013 CD19 positive, CD22 dim. Plan CAR-T.\n"
    ),
    "E02/2020-08-01_death.txt": "Patient died 07/30/2020 \u2013 cause: relapsed B-ALL.\n",
}
# What may differ between the runs: the record of how each note was decoded, and timings.
RUN_STAMPS = {"nlp_date", "nlp_datetime"}  # when the run happened
# The manifest also records the run's id, time, input path and digest, timings and decoding warnings.
MANIFEST_KEYS_COMPARED = ("counts", "skipped_inputs", "rules", "study", "outputs", "decisions_not_applied")


def write_export(folder: Path, charts: dict[str, str], encoding: str, newline: str) -> Path:
    for name, text in charts.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.replace("\n", newline).encode(encoding))
    return folder


def run(notes: Path, out: Path) -> Path:
    result = CliRunner().invoke(app, ["run", str(notes), "--out", str(out), "-q", "--workers", "1"])
    assert result.exit_code == 0, result.output
    return out


def _table(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [{k: v for k, v in row.items() if k not in RUN_STAMPS} for row in csv.DictReader(handle)]


def _json_lines(path: Path) -> list[object]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def assert_same_outputs(left: Path, right: Path) -> None:
    """Every output file of two runs holds the same content (the manifest: apart from run records)."""
    left, right = left / "current", right / "current"
    names = sorted(p.name for p in left.iterdir())
    assert names == sorted(p.name for p in right.iterdir())
    for name in names:
        a, b = left / name, right / name
        if name.endswith(".csv"):
            assert _table(a) == _table(b), name
        elif name.endswith(".parquet"):
            assert pq.read_table(a).to_pylist() == pq.read_table(b).to_pylist(), name
        elif name.endswith(".jsonl"):
            assert _json_lines(a) == _json_lines(b), name
        elif name == "run_manifest.json":
            ma, mb = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
            for key in MANIFEST_KEYS_COMPARED:
                assert ma.get(key) == mb.get(key), key
        else:
            assert a.read_bytes() == b.read_bytes(), name


def test_issue16_cp1252_crlf_export_gives_the_utf8_outputs(tmp_path: Path) -> None:
    utf8 = write_export(tmp_path / "utf8", CHARTS, "utf-8", "\n")
    windows = write_export(tmp_path / "cp1252", CHARTS, "cp1252", "\r\n")
    assert b"\x96" in (windows / "E01/2021-03-02_admission.txt").read_bytes()
    assert_same_outputs(run(utf8, tmp_path / "out_utf8"), run(windows, tmp_path / "out_cp1252"))


def test_issue16_utf8_text_with_one_cp1252_byte_keeps_its_utf8_characters() -> None:
    from chartabstract.ingest.text import CP1252_WARNING, decode_bytes

    raw = "Ren\u00e9e, blina 3/2".encode() + b" \x96 " + "3/29 caf\u00e9".encode()
    text, warning, _bad = decode_bytes(raw)
    assert text == "Ren\u00e9e, blina 3/2 \u2013 3/29 caf\u00e9"
    assert warning == CP1252_WARNING


def _recoded_copy(source: Path, target: Path, encoding: str, newline: str) -> Path:
    """A copy of a chart folder with every note re-encoded (cp1252 readings of non-UTF-8 notes kept)."""
    from chartabstract.ingest.text import decode_bytes

    for path in sorted(source.rglob("*.txt")):
        text, _warning, _bad = decode_bytes(path.read_bytes())
        # both copies hold only what cp1252 can write ("≤" becomes "?"), so they say the same
        text = text.replace("\r\n", "\n").encode("cp1252", errors="replace").decode("cp1252")
        copy = target / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(text.replace("\n", newline).encode(encoding, errors="strict"))
    return target


@pytest.mark.parametrize("chart_set", ["heldout_oc", "heldout"])
def test_issue16_heldout_sets_read_alike_in_cp1252_and_utf8(tmp_path: Path, chart_set: str) -> None:
    source = REPO / "tests" / "data" / chart_set
    utf8 = _recoded_copy(source, tmp_path / "utf8", "utf-8", "\n")
    windows = _recoded_copy(source, tmp_path / "cp1252", "cp1252", "\r\n")
    assert_same_outputs(run(utf8, tmp_path / "out_utf8"), run(windows, tmp_path / "out_cp1252"))
