"""Golden run: `chartabstract run sample_notes/` against the hand-written gold mentions.

The floors sit just under the figures measured when the rules were frozen (README, "Accuracy"),
so a rule change that loses accuracy fails here; raise them when accuracy improves.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from chartabstract.cli import app

DETECTION_FLOOR = {"precision": 0.95, "recall": 0.94}
STRICT_FLOOR = {"strict_precision": 0.62, "strict_recall": 0.62}
CONCEPT_DETECTION_FLOOR = 0.85


@pytest.fixture(scope="module")
def golden(tmp_path_factory, request):
    from tests.conftest import SAMPLE_NOTES

    out = tmp_path_factory.mktemp("golden")
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(SAMPLE_NOTES), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    scored = runner.invoke(app, ["evaluate-mentions", str(out), "--gold", str(SAMPLE_NOTES / "gold_mentions.csv"),
                                 "--notes", str(SAMPLE_NOTES), "--json"])
    assert scored.exit_code == 0, scored.output
    return out, json.loads(scored.output)


def test_golden_run_reads_every_sample_note(golden):
    out, _ = golden
    counts = json.loads((out / "run_manifest.json").read_text())["counts"]
    assert counts["notes_read"] == counts["notes_processed"] >= 100
    assert counts["notes_skipped"] == 0


def test_golden_mentions_detection(golden):
    _, score = golden
    total = score["total"]
    assert total["gold"] >= 1200
    for key, floor in DETECTION_FLOOR.items():
        assert total[key] >= floor, (key, total[key])
    for name, concept in score["concepts"].items():
        assert min(concept["precision"], concept["recall"]) >= CONCEPT_DETECTION_FLOOR, (name, concept)


def test_golden_mentions_attributes_values_dates(golden):
    _, score = golden
    for key, floor in STRICT_FLOOR.items():
        assert score["total"][key] >= floor, (key, score["total"][key])
