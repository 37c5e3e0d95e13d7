"""The review page in a real browser (Debian's Chromium driven by Playwright): keyboard review,
a correction, then `chartabstract run` applies it. Screenshots go to tests/artifacts/.

Fails, not skips, when CI is set and the browser is missing (.ci/run installs it).
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.conftest import ARTIFACTS, REPO, SAMPLE_NOTES
from tests.review.conftest import run
from tests.review.serve import start_server


def _cohort(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "cohort.csv", encoding="utf-8", newline="") as handle:
        return {row["patient_id"]: row for row in csv.DictReader(handle)}


def test_browser_keyboard_review_then_run_applies_it(browser, tmp_path):
    out = tmp_path / "out"
    run(SAMPLE_NOTES, out)
    ARTIFACTS.mkdir(exist_ok=True)
    process, url = start_server(out, reviewer="browser")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.screenshot(path=str(ARTIFACTS / "review_index.png"), full_page=True)
        page.click("#next")
        accepted = []
        for _ in range(3):
            page.wait_for_selector("body[data-ready='1'] form#decide")
            accepted.append(page.url)
            page.keyboard.press("a")
            page.wait_for_url(lambda u, before=page.url: u != before)
        page.wait_for_selector("body[data-ready='1'] form#decide")
        page.screenshot(path=str(ARTIFACTS / "review_item.png"), full_page=True)
        corrected_url = page.url
        query = parse_qs(urlparse(corrected_url).query)
        patient, field = query["patient"][0], query["field"][0]
        decides = page.locator("#decides .column").all_inner_texts()
        value = "2019-01-01" if field.endswith(".date") else page.locator("input[type=radio]").first.get_attribute("value")
        page.keyboard.press("c")
        page.keyboard.type(value)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda u: u != corrected_url)
        page.goto(url)
        assert "4 of" in page.inner_text("#progress")
        page.screenshot(path=str(ARTIFACTS / "review_progress.png"), full_page=True)
        page.select_option("#filter-patient", patient)
        page.click("#filters button")
        page.wait_for_selector("#filters")
        assert {patient} == {h.split("patient=")[1].split("&")[0] for h in
                             page.locator("td a[href^='/item']").evaluate_all("links => links.map(a => a.getAttribute('href'))")}
        page.screenshot(path=str(ARTIFACTS / "review_filtered.png"), full_page=True)
    finally:
        process.terminate()
        process.wait(timeout=10)
    run(SAMPLE_NOTES, out)
    row = _cohort(out)[patient]
    assert decides and set(decides) <= set(row["reviewed"].split(";"))  # every column the fact decides follows
    assert not set(decides) & set(row["flags"].split(";"))
    reviewed = sum(len([c for c in r["reviewed"].split(";") if c]) for r in _cohort(out).values())
    assert reviewed >= 4


def test_browser_twenty_items_by_keyboard(browser, tmp_path):
    """Times 20 adjudications by keyboard (reported in the closing note of issue 5)."""
    out = tmp_path / "out"
    run(SAMPLE_NOTES, out)
    process, url = start_server(out, reviewer="timer")
    try:
        page = browser.new_page()
        page.goto(url)
        page.click("#next")
        started = time.perf_counter()
        for _ in range(20):
            page.wait_for_selector("body[data-ready='1'] form#decide")
            before = page.url
            page.keyboard.press("a")
            page.wait_for_url(lambda u, before=before: u != before)
        seconds = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)
    (REPO / "tests" / "artifacts").mkdir(exist_ok=True)
    (REPO / "tests" / "artifacts" / "keyboard_20_items.txt").write_text(f"{seconds:.2f} s for 20 items\n")
    print(f"\n20 items adjudicated by keyboard in {seconds:.2f} s")
    assert seconds < 60
