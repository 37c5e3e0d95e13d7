"""The report page of tiny cohorts (0, 1, 3 patients) and of a run whose every note was skipped:
no Python None or nan reaches it, days print whole, and "final" needs patients and no open flag
(issue 17)."""

from __future__ import annotations

import csv
import json
import re

import pytest
from typer.testing import CliRunner

from chartabstract.cli import app
from chartabstract.report import build_report
from tests.report.test_summary import COLUMNS, ROWS

runner = CliRunner()
# ROWS[0..3] of test_summary receive both drugs; give them follow-up that ends before one year
THREE = [ROWS[0], ROWS[2], ROWS[3]]  # P1 died day 153, P3 died day 90, P4 alive at day 184


def _write(tmp_path, rows, *, flags: bool = True):
    path = tmp_path / "cohort.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(row if flags else row[:-1] + [""] for row in rows)
    return path


def _page_text(html: str) -> str:
    return re.sub(r'src="data:image/png;base64,[^"]*"', "", html)


def _assert_clean(out):
    html = _page_text((out / "report.html").read_text(encoding="utf-8"))
    assert not re.search(r"\b(None|nan|NaN|null|inf)\b", html), re.search(r".{80}\b(None|nan|NaN|null|inf)\b.{40}", html)
    cells = re.findall(r'<td class="num">(.*?)</td>', html, flags=re.S)
    assert cells
    for cell in cells:
        assert not re.search(r"\b\d+\.0\b(?!%)", cell), cell  # days print whole: "206", not "206.0" (21.0% stays)
    return html


@pytest.mark.parametrize("rows", [[], [ROWS[0]], THREE, ROWS], ids=["0 patients", "1 patient", "3 patients", "5 rows"])
def test_pages_tiny_cohorts_print_no_none_or_nan(tmp_path, rows):
    paths = build_report(_write(tmp_path, rows), tmp_path / "report")
    html = _assert_clean(tmp_path / "report")
    assert len(paths.figures) == 6 and all(p.stat().st_size > 1000 for p in paths.figures)
    if len(rows) == 0:
        assert 'id="empty"' in html and 'id="final"' not in html


def test_pages_three_patients_say_why_not_estimable(tmp_path):
    build_report(_write(tmp_path, THREE, flags=False), tmp_path / "report")
    html = _assert_clean(tmp_path / "report")
    s = json.loads((tmp_path / "report" / "summary.json").read_text())
    # longest follow-up 184 days: no 1-year OS; the median is 153 (S falls to 1/3 there)
    assert s["one_year_os"]["pct"] is None
    assert "not estimable: the longest follow-up in this group is 184 days" in html
    assert s["median_os_days"]["median"] == 153 and ">153 (95% CI" in html
    assert s["status"] == "final" and 'id="final"' in html


@pytest.mark.parametrize("rows, flags, status", [
    ([], False, "empty"),
    ([ROWS[4]], True, "empty"),  # a patient with one drug only and an open flag: still nobody to report
    ([ROWS[0]], False, "final"),
    (THREE, True, "preliminary"),  # P3 has open flags
])
def test_pages_final_only_with_patients_and_no_open_flags(tmp_path, rows, flags, status):
    result = runner.invoke(app, ["report", str(_write(tmp_path, rows, flags=flags)), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    s = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert s["status"] == status
    assert ("final: no open flags" in result.output) == (status == "final")
    html = (tmp_path / "r" / "report.html").read_text()
    assert ('id="final"' in html) == (status == "final")


def test_pages_run_with_every_note_skipped(tmp_path):
    """A run that could read no note exits 3 and writes no outputs, so no report claims anything
    about it (the empty-cohort page is tested above)."""
    notes = tmp_path / "notes" / "P1"
    notes.mkdir(parents=True)
    (notes / "2020-01-01_progress.txt").write_text("", encoding="utf-8")
    (notes / "2020-02-01_progress.txt").write_text("  \n", encoding="utf-8")
    out = tmp_path / "out"
    run = runner.invoke(app, ["run", str(tmp_path / "notes"), "--out", str(out), "-q", "--workers", "1"])
    assert run.exit_code == 3, run.output
    assert not (out / "run_manifest.json").exists() and not (out / "cohort.csv").exists()
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code != 0 and "no cohort table here" in result.output
    assert "final" not in result.output