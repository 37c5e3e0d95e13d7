"""Scale: worker processes and the cache change speed, never output; interrupted runs resume."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from chartabstract.cli import app
from tests.conftest import SAMPLE_NOTES


def _run(notes: Path, out: Path, *extra: str) -> dict:
    result = CliRunner().invoke(app, ["run", str(notes), "--out", str(out), "-q", *extra])
    assert result.exit_code == 0, result.output
    return json.loads((out / "run_manifest.json").read_text())


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("mentions.csv", "events.csv", "cohort.csv", "review_queue.csv")}


def test_scale_two_workers_write_the_same_files(tmp_path):
    one = _run(SAMPLE_NOTES, tmp_path / "one", "--workers", "1", "--no-cache")
    two = _run(SAMPLE_NOTES, tmp_path / "two", "--workers", "2", "--no-cache")
    assert one["options"]["workers"] == 1 and two["options"]["workers"] == 2
    assert _outputs(tmp_path / "one") == _outputs(tmp_path / "two")


def test_scale_cache_reprocesses_only_new_or_changed_notes(tmp_path):
    notes = tmp_path / "notes"
    shutil.copytree(SAMPLE_NOTES, notes)
    out = tmp_path / "out"
    first = _run(notes, out, "--workers", "1")
    assert first["counts"]["notes_from_cache"] == 0
    (notes / "A01" / "2019-03-01_telephone.txt").write_text("Pt called: blinatumomab tolerated, no fever.\n")
    changed = notes / "B01" / "2019-05-06_progress.txt"
    changed.write_text(changed.read_text() + "\nAddendum: MRD negative.\n")
    second = _run(notes, out, "--workers", "1")
    assert second["counts"]["notes_read"] == first["counts"]["notes_read"] + 1
    assert second["counts"]["notes_from_cache"] == first["counts"]["notes_read"] - 1  # all but the new and the changed
    fresh = _run(notes, tmp_path / "fresh", "--workers", "1", "--no-cache")
    assert _outputs(out) == _outputs(tmp_path / "fresh")
    assert fresh["counts"]["notes_from_cache"] == 0


def test_scale_sigkill_then_resume_loses_nothing(tmp_path):
    notes = tmp_path / "notes"
    for copy in range(6):  # enough notes that the run is still going when it is killed
        for patient in SAMPLE_NOTES.iterdir():
            if patient.is_dir():
                shutil.copytree(patient, notes / f"{patient.name}_{copy}")
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "chartabstract", "run", str(notes), "--out", str(out), "-q",
                                "--workers", "1"], env={**os.environ})
    cache = out / "cache.db"
    deadline = time.time() + 120
    import sqlite3

    while time.time() < deadline:
        if cache.exists():
            try:
                count = sqlite3.connect(cache).execute("SELECT count(*) FROM notes").fetchone()[0]
            except sqlite3.Error:
                count = 0
            if count >= 200:
                break
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (out / "cohort.csv").exists()  # outputs only appear when a run completes
    resumed = _run(notes, out, "--workers", "1")
    assert resumed["counts"]["notes_from_cache"] >= 200
    assert resumed["counts"]["notes_read"] == resumed["counts"]["notes_processed"] == 6 * len(list(SAMPLE_NOTES.glob("*/*.txt")))
    _run(notes, tmp_path / "fresh", "--workers", "1", "--no-cache")
    assert _outputs(out) == _outputs(tmp_path / "fresh")


def _copied_notes(tmp_path: Path, copies: int) -> Path:
    notes = tmp_path / "notes"
    for copy in range(copies):
        for patient in SAMPLE_NOTES.iterdir():
            if patient.is_dir():
                shutil.copytree(patient, notes / f"{patient.name}_{copy}")
    return notes


def _start_with_workers(notes: Path, out: Path) -> subprocess.Popen:
    """A 2-worker run in a process group of its own, returned once it has cached 100 notes."""
    import sqlite3

    process = subprocess.Popen([sys.executable, "-m", "chartabstract", "run", str(notes), "--out", str(out), "-q",
                                "--workers", "2"], stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and process.poll() is None:
        try:
            if sqlite3.connect(out / "cache.db").execute("SELECT count(*) FROM notes").fetchone()[0] >= 100:
                break
        except sqlite3.Error:
            pass
        time.sleep(0.2)
    assert process.poll() is None, "the run ended before it could be interrupted"
    return process


def _group_gone(group: int, seconds: float = 15) -> bool:
    """Every process of the group has exited (workers, fork server, resource tracker)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def test_scale_sigkill_leaves_no_worker_behind(tmp_path):
    notes = _copied_notes(tmp_path, 6)
    process = _start_with_workers(notes, tmp_path / "out")
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert _group_gone(process.pid)  # the workers notice their main process is gone and exit


def test_scale_ctrl_c_stops_cleanly_and_resumes(tmp_path):
    notes = _copied_notes(tmp_path, 6)
    out = tmp_path / "out"
    process = _start_with_workers(notes, out)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the whole group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in stderr and "interrupted: what was extracted is kept in" in stderr
    assert _group_gone(process.pid)
    resumed = _run(notes, out, "--workers", "2")
    assert resumed["counts"]["notes_from_cache"] >= 100


def test_scale_cache_is_not_served_to_changed_extraction_code(tmp_path, monkeypatch):
    notes = tmp_path / "notes"
    shutil.copytree(SAMPLE_NOTES / "A01", notes / "A01")
    out = tmp_path / "out"
    assert _run(notes, out, "--workers", "1")["counts"]["notes_from_cache"] == 0
    assert _run(notes, out, "--workers", "1")["counts"]["notes_from_cache"] > 0
    monkeypatch.setattr("chartabstract.cache.code_digest", lambda: "another extractor")
    assert _run(notes, out, "--workers", "1")["counts"]["notes_from_cache"] == 0
