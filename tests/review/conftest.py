"""A small run with flagged fields (and a note holding markup) for the review tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chartabstract.cli import app

NOTES = {
    "P1/2019-03-04_progress.txt": "Started blinatumomab on 3/4/19. <script>alert('pwned')</script> tolerating well.\n",
    "P1/2019-03-20_discharge.txt": "Discharge summary: started blinatumomab on 3/10/19 after admission.\n",
    "P1/2019-06-01_progress.txt": "Started inotuzumab 6/1/19. Marrow 5/20/19: 40% blasts.\n",
    "P2/2020-01-02_progress.txt": "Blinatumomab 6/2018 at outside hospital, 2 cycles.\n",
    "P3/2019-05-01_bm_pathology.txt": "BONE MARROW: 35% blasts. FLOW CYTOMETRY: the blasts are CD19 negative.\n"
                                      "Immunohistochemistry: CD19 positive in blasts.\n"
                                      "Aspirate differential: 60% blasts.\n",
    "P3/2019-05-10_progress.txt": "Started blinatumomab on 5/10/19.\n",
}


def write_notes(root: Path, notes: dict[str, str]) -> Path:
    for name, text in notes.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run(notes: Path, out: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(notes), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output


@pytest.fixture()
def review_run(tmp_path):
    notes = write_notes(tmp_path / "notes", NOTES)
    out = tmp_path / "out"
    run(notes, out)
    return notes, out
