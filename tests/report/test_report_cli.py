"""`chartabstract report` end to end: the seed study's figures from its hand-written cohort table,
the report on a real run, and report.html rendered in headless Chromium with its images present."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from chartabstract.cli import app
from chartabstract.errors import EXIT_INPUT
from tests.conftest import ARTIFACTS, REPO, SAMPLE_NOTES

SEED_COHORT = REPO / "tests" / "data" / "seed_cohort" / "cohort.csv"
runner = CliRunner()


def _report(*args: str) -> dict:
    result = runner.invoke(app, ["report", *args])
    assert result.exit_code == 0, result.output
    return result


def test_report_reproduces_the_seed_study(tmp_path):
    result = _report(str(SEED_COHORT), "--out", str(tmp_path))
    assert "final: no open flags" in result.output
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["patients_both_mabs"] == 29
    assert s["blinatumomab_first"]["n"] == 25 and s["inotuzumab_first"]["n"] == 4
    assert s["median_days_mab1_to_mab2"]["median"] == 99
    assert s["hsct_after_mab2"] == {"n": 12, "of": 19, "pct": 63.2}
    assert s["median_days_mab2_to_hsct"]["median"] == 37.5
    assert s["deaths"] == {"n": 21, "of": 29, "pct": 72.4}
    assert s["median_followup_months"]["median"] == 16.8
    no_hsct = s["os_by_hsct_after_mab2"]["no_hsct"]
    assert no_hsct["median_os_days"]["median"] == 203
    assert no_hsct["one_year_os"] == {"pct": 26.5, "ci_pct": [11.2, 62.4]}  # the paper's CI, to the decimal
    assert s["os_by_hsct_after_mab2"]["logrank_p"] > 0.05  # "not different between alloHSCT and non-alloHSCT"
    # the outcomes of issue 8: aGVHD 58.3% (grade >= 3: 25%) and NRM 41.7% of the 12 transplanted,
    # 19 of 29 relapsed, 21 of 29 died
    assert s["agvhd_any"] == {"n": 7, "of": 12, "pct": 58.3}
    assert s["agvhd_grade3_plus"] == {"n": 3, "of": 12, "pct": 25.0}
    assert s["nonrelapse_deaths"] == {"n": 5, "of": 12, "pct": 41.7}
    assert s["relapses_after_mab2"] == {"n": 19, "of": 29, "pct": 65.5}
    for key in ("patients_both_mabs", "blinatumomab_first", "inotuzumab_first", "median_days_mab1_to_mab2",
                "cr_after_mab1", "cr_after_mab2", "cd19_neg_or_dim_after_blinatumomab",
                "cr_after_inotuzumab_post_blinatumomab", "hsct_after_mab2", "median_days_mab2_to_hsct", "deaths",
                "median_followup_months", "median_os_days", "one_year_os"):
        assert key in s, key
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == [
        f"{name}.{ext}" for name in ("os_by_hsct", "os_from_mab2", "swimmer") for ext in ("png", "svg")]


def test_report_landmark_adds_a_figure_and_groups(tmp_path):
    _report(str(SEED_COHORT), "--out", str(tmp_path), "--landmark", "60")
    s = json.loads((tmp_path / "summary.json").read_text())
    landmark = s["os_landmark"]
    assert landmark["day"] == 60
    assert landmark["hsct"]["n"] + landmark["no_hsct"]["n"] < 29  # patients dead before day 60 drop out
    assert (tmp_path / "figures" / "os_landmark_day60.png").stat().st_size > 10_000
    assert "immortal-time bias" in (tmp_path / "report.html").read_text()


def test_report_on_a_run_is_preliminary_while_flags_are_open(tmp_path):
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(SAMPLE_NOTES), "--out", str(out), "-q", "--workers", "1"]).exit_code == 0
    result = _report(str(out))
    assert "PRELIMINARY" in result.output
    html = (out / "report" / "report.html").read_text()
    assert 'id="preliminary"' in html
    s = json.loads((out / "report" / "summary.json").read_text())
    assert s["preliminary"] is True and s["open_flags"]["total"] > 0
    assert all(isinstance(v, int) for v in s["open_flags"].values())


def test_report_errors_are_named(tmp_path):
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == EXIT_INPUT and "no cohort table" in result.output
    bad = tmp_path / "cohort.csv"
    shutil.copy(SEED_COHORT, bad)
    bad.write_text(bad.read_text().replace("2019-05-26", "26/05/2019", 1))
    result = runner.invoke(app, ["report", str(bad)])
    assert result.exit_code == EXIT_INPUT and "line 2: column inotuzumab_start" in result.output


def test_report_html_renders_offline_with_its_images(browser, tmp_path):
    _report(str(SEED_COHORT), "--out", str(tmp_path), "--landmark", "60")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.route("**/*", lambda route: route.abort() if not route.request.url.startswith(("file:", "data:")) else route.continue_())
    page.goto((tmp_path / "report.html").as_uri())
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert len(widths) == 4 and all(w > 300 for w in widths), widths
    assert "Treatment sequence" in page.inner_text("body")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report_seed.png"), full_page=True)
    page.close()
