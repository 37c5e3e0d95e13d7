"""The default worker count: one process for small inputs, one per core otherwise."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from chartabstract import run
from chartabstract.extraction import default_workers


def _folder(root, notes: int):
    patient = root / "P1"
    patient.mkdir(parents=True)
    for n in range(notes):
        (patient / f"2020-01-{n + 1:02d}_progress.txt").write_text("note")
    return root


def _parquet(path, rows: int):
    pq.write_table(pa.table({"note_text": ["note"] * rows}), path)
    return path


def test_auto_workers_small_inputs_run_in_one_process(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "SMALL_INPUT_NOTES", 5)
    assert run._auto_workers(_folder(tmp_path / "small", 4)) == 1
    assert run._auto_workers(_parquet(tmp_path / "small.parquet", 4)) == 1


def test_auto_workers_large_or_uncounted_inputs_use_every_core(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "SMALL_INPUT_NOTES", 5)
    assert run._auto_workers(_folder(tmp_path / "large", 6)) == default_workers()
    assert run._auto_workers(_parquet(tmp_path / "large.parquet", 6)) == default_workers()
    csv = tmp_path / "notes.csv"
    csv.write_text("person_id,note_id,note_date,note_text\n")
    assert run._auto_workers(csv) == default_workers()  # rows unknown without reading it
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    assert run._auto_workers(broken) == default_workers()  # the read reports it properly
