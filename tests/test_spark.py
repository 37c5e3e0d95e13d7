"""--engine spark in local mode (local[2]) writes the same files as the local engine."""

from __future__ import annotations

import os
import shutil

import pytest
from typer.testing import CliRunner

from chartabstract.cli import app
from tests.conftest import SAMPLE_NOTES

java = shutil.which("java")


@pytest.fixture(scope="module")
def spark_available():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("PySpark is not installed: `make test` installs the [spark] extra")
        pytest.skip("PySpark is not installed (pip install 'chartabstract[spark]')")
    if java is None:
        if os.environ.get("CI"):
            pytest.fail("Java is not installed: Spark needs a JVM")
        pytest.skip("no Java for Spark")


def test_spark_engine_matches_local_engine(spark_available, tmp_path):
    runner = CliRunner()
    local, spark = tmp_path / "local", tmp_path / "spark"
    assert runner.invoke(app, ["run", str(SAMPLE_NOTES), "--out", str(local), "-q", "--workers", "1", "--no-cache"]).exit_code == 0
    result = runner.invoke(app, ["run", str(SAMPLE_NOTES), "--out", str(spark), "-q", "--engine", "spark", "--spark-master", "local[2]"])
    assert result.exit_code == 0, result.output
    for name in ("mentions.csv", "note_nlp.csv", "cohort.csv", "events.csv", "review_queue.csv"):
        if name == "note_nlp.csv":  # nlp_date/nlp_datetime record when each run happened
            strip = lambda text: [line.rsplit(",chartabstract", 1)[0] for line in text.splitlines()]  # noqa: E731
            assert strip((spark / name).read_text()) == strip((local / name).read_text())
        else:
            assert (spark / name).read_bytes() == (local / name).read_bytes(), name


def test_spark_engine_rejects_unknown_engine(tmp_path):
    result = CliRunner().invoke(app, ["run", str(SAMPLE_NOTES), "--out", str(tmp_path), "--engine", "dask"])
    assert result.exit_code == 2 and "--engine must be local or spark" in result.output
