"""One writer per output folder and an output set replaced as a whole (issue 14)."""

from __future__ import annotations

import csv
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from chartabstract.cli import app
from chartabstract.errors import EXIT_OUTPUT
from chartabstract.outputs import OUTPUT_FILES, OutputLock
from tests.conftest import REPO, SAMPLE_NOTES
from tests.review.conftest import write_notes

SMALL = {
    "P1/2019-03-04_progress.txt": "Started blinatumomab on 3/4/19.\n",
    "P1/2019-06-01_progress.txt": "Started inotuzumab 6/1/19. Marrow 5/20/19: 40% blasts.\n",
    "P2/2020-01-02_progress.txt": "Blinatumomab 6/2018 at outside hospital, 2 cycles.\n",
}


def _cli(*args: str, **kwargs) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen([sys.executable, "-m", "chartabstract", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, **kwargs)


def _ids(path: Path) -> set[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["patient_id"] for row in csv.DictReader(handle)}


def assert_whole_set(out: Path, patients_of: dict[str, set[str]]) -> str:
    """Every output of the folder comes from one run; returns that run's input path."""
    manifest = json.loads((out / "run_manifest.json").read_text())
    assert (out / "current").resolve().name == manifest["run_id"]
    expected = patients_of[manifest["input"]["path"]]
    assert _ids(out / "cohort.csv") == expected
    assert set(pd.read_parquet(out / "cohort.parquet")["patient_id"]) == expected
    for name in ("mentions.csv", "events.csv", "review_queue.csv"):
        assert _ids(out / name) <= expected, name
    with open(out / "mentions.csv", encoding="utf-8", newline="") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == manifest["counts"]["mentions"]
    items = [json.loads(line) for line in (out / ".review_items.jsonl").read_text().splitlines()]
    assert {item["patient_id"] for item in items} <= expected
    assert not list((out / "current").resolve().glob("*.partial"))
    return manifest["input"]["path"]


@pytest.fixture()
def two_inputs(tmp_path):
    small = write_notes(tmp_path / "small", SMALL)
    return small, {str(small.resolve()): {"P1", "P2"}, str(SAMPLE_NOTES.resolve()): _ids(SAMPLE_NOTES / "gold_cohort.csv")}


def test_outputs_second_run_refused_while_one_writes(tmp_path, two_inputs):
    small, patients_of = two_inputs
    out = tmp_path / "out"
    out.mkdir()
    with OutputLock(out, "chartabstract run (the first)"):
        result = CliRunner().invoke(app, ["run", str(small), "--out", str(out), "-q"])
    assert result.exit_code == EXIT_OUTPUT
    assert "another chartabstract run is writing this folder" in result.output and "(the first)" in result.output
    assert f"pid {os.getpid()}" in result.output
    assert not (out / "cohort.csv").exists()
    assert CliRunner().invoke(app, ["run", str(small), "--out", str(out), "-q"]).exit_code == 0  # released


def test_outputs_two_runs_at_once_never_mix(tmp_path, two_inputs):
    small, patients_of = two_inputs
    out = tmp_path / "out"
    first = _cli("run", str(SAMPLE_NOTES), "--out", str(out), "-q")
    time.sleep(0.3)
    second = _cli("run", str(small), "--out", str(out), "-q")
    codes = sorted([first.wait(timeout=300), second.wait(timeout=300)])
    errors = first.stderr.read() + second.stderr.read()
    assert codes in ([0, EXIT_OUTPUT], [0, 0]), errors  # the second waits for nobody: refused, or ran after
    if codes == [0, EXIT_OUTPUT]:
        assert "another chartabstract run is writing this folder (pid" in errors
    assert_whole_set(out, patients_of)


def test_outputs_lock_of_a_killed_run_is_taken_over(tmp_path, two_inputs):
    small, _ = two_inputs
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path;"
                               "from chartabstract.outputs import OutputLock;"
                               "lock = OutputLock(Path(sys.argv[1])).__enter__(); print('locked', flush=True); time.sleep(60)",
                               str(out)], stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert holder.stdout.readline().strip() == "locked"
    refused = CliRunner().invoke(app, ["run", str(small), "--out", str(out), "-q"])
    assert refused.exit_code == EXIT_OUTPUT and f"pid {holder.pid}" in refused.output
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert "pid" in (out / ".chartabstract.lock").read_text()  # the dead holder's note is still there
    assert CliRunner().invoke(app, ["run", str(small), "--out", str(out), "-q"]).exit_code == 0


def test_outputs_killed_at_any_point_leave_one_whole_set(tmp_path, two_inputs):
    small, patients_of = two_inputs
    out = tmp_path / "out"
    assert _cli("run", str(small), "--out", str(out), "-q", "--no-cache").wait(timeout=120) == 0
    seen = set()
    for delay in (0.2, 0.8, 1.4, 1.9, 2.3, 2.7, 3.1, 3.6, 4.2, 5.0, 6.5):
        source = SAMPLE_NOTES if len(seen) % 2 == 0 else small
        process = _cli("run", str(source), "--out", str(out), "-q", "--no-cache")
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        seen.add(assert_whole_set(out, patients_of))
        store_items = CliRunner().invoke(app, ["review", "export", str(out), "--to", str(tmp_path / "open.csv")])
        assert store_items.exit_code == 0, store_items.output
        with open(tmp_path / "open.csv", encoding="utf-8", newline="") as handle:
            exported = {row["item_id"] for row in csv.DictReader(handle)}
        with open(out / "review_queue.csv", encoding="utf-8", newline="") as handle:
            assert exported == {row["item_id"] for row in csv.DictReader(handle)}  # the database caught up
    assert _cli("run", str(small), "--out", str(out), "-q", "--no-cache").wait(timeout=120) == 0
    assert len(list((out / ".runs").iterdir())) == 1  # what killed runs staged is gone


def test_outputs_failure_in_reconciliation_keeps_the_previous_set(tmp_path, two_inputs, monkeypatch):
    small, patients_of = two_inputs
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["run", str(small), "--out", str(out), "-q"]).exit_code == 0
    before = {name: (out / name).read_bytes() for name in OUTPUT_FILES}

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in reconciliation")

    monkeypatch.setattr("chartabstract.run.reconcile", broken)
    result = CliRunner().invoke(app, ["run", str(SAMPLE_NOTES), "--out", str(out), "-q"])
    assert result.exit_code != 0
    assert {name: (out / name).read_bytes() for name in OUTPUT_FILES} == before
    assert len(list((out / ".runs").iterdir())) == 1


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))  # Python ignores SIGXFSZ: writes fail with EFBIG


def test_outputs_write_error_exits_5_and_keeps_the_previous_set(tmp_path, two_inputs):
    small, patients_of = two_inputs
    out = tmp_path / "out"
    assert _cli("run", str(small), "--out", str(out), "-q", "--no-cache").wait(timeout=120) == 0
    before = (out / "cohort.csv").read_bytes()
    process = _cli("run", str(SAMPLE_NOTES), "--out", str(out), "-q", "--no-cache", preexec_fn=_limit_file_size)
    code = process.wait(timeout=300)
    message = process.stderr.read()
    assert code == EXIT_OUTPUT, message
    assert f"error: {out}: writing the outputs failed (File too large); the folder keeps its previous outputs" in message
    assert "Traceback" not in message
    assert (out / "cohort.csv").read_bytes() == before
    assert_whole_set(out, patients_of)
    assert len(list((out / ".runs").iterdir())) == 1 and not list(out.rglob("*.partial"))


def test_outputs_folder_of_an_earlier_version_is_adopted(tmp_path, two_inputs):
    small, patients_of = two_inputs
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["run", str(small), "--out", str(out), "-q"]).exit_code == 0
    for name in OUTPUT_FILES:  # as an earlier version left it: plain files, no current link
        data = (out / name).read_bytes()
        (out / name).unlink()
        (out / name).write_bytes(data)
    (out / "current").unlink()
    shutil.rmtree(out / ".runs")
    assert CliRunner().invoke(app, ["run", str(SAMPLE_NOTES), "--out", str(out), "-q"]).exit_code == 0
    assert all((out / name).is_symlink() for name in OUTPUT_FILES)
    assert assert_whole_set(out, patients_of) == str(SAMPLE_NOTES.resolve())


def test_outputs_review_export_to_an_unwritable_place_exits_5(tmp_path, two_inputs):
    small, _ = two_inputs
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["run", str(small), "--out", str(out), "-q"]).exit_code == 0
    (tmp_path / "a-file").write_text("x")
    for target in (tmp_path / "missing" / "x.csv", tmp_path / "a-file" / "x.xlsx"):
        result = CliRunner().invoke(app, ["review", "export", str(out), "--to", str(target)])
        assert result.exit_code == EXIT_OUTPUT and f"{target}: cannot write the export" in result.output
        assert "Traceback" not in result.output
