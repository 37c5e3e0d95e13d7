"""Shared fixtures: one pipeline per session, built from the shipped rules with no model download."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from chartabstract.models import Event, Mention, Note

REPO = Path(__file__).resolve().parents[1]
SAMPLE_NOTES = REPO / "sample_notes"
EXTERNAL = REPO / "tests" / "data" / "external"  # test material nobody here wrote (its README names sources and licenses)
ARTIFACTS = REPO / "tests" / "artifacts"  # screenshots and timings the tests leave for people to look at
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run must install the Debian package 'chromium'")
        pytest.skip("Chromium is not installed (apt-get install chromium); CI runs this test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def rules():
    from chartabstract.nlp.rules import load_rules

    return load_rules(REPO / "rules")


@pytest.fixture(scope="session")
def nlp(rules):
    from loguru import logger

    from chartabstract.nlp.pipeline import build_nlp

    logger.disable("PyRuSH")
    return build_nlp(rules)


@pytest.fixture(scope="session")
def extract(nlp):
    """Mentions of one text, as if it were a progress note written on 2020-01-15."""
    from chartabstract.nlp.extract import process_note

    def run(text: str, note_type: str = "progress", note_date: date = date(2020, 1, 15)) -> list[Mention]:
        note = Note("P1", "P1/note", note_date, note_type, text, "test")
        return process_note(nlp, note)

    return run


@pytest.fixture(scope="session")
def timeline(nlp):
    """Events of one patient from notes given as (date, type, text), with the shipped study."""
    from chartabstract.nlp.extract import process_note
    from chartabstract.study import load_study
    from chartabstract.timeline import build_timeline

    study = load_study()

    def run(*notes: tuple[str, str, str]) -> list[Event]:
        mentions = []
        for number, (written, note_type, text) in enumerate(notes):
            note = Note("P1", f"P1/{number}_{note_type}", date.fromisoformat(written), note_type, text, "test")
            mentions += process_note(nlp, note)
        last = max(date.fromisoformat(written) for written, _, _ in notes)
        return list(build_timeline("P1", mentions, study, last_note_date=last, notes=len(notes)).events)

    return run
