"""Issue 16: classes the integrated health-system set (portal messages, specialty pharmacy and home
infusion, infusion-centre treatment notes) showed at first contact, fixed in general.

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest


def _of(mentions, concept):
    return [m for m in mentions if m.concept == concept]


def test_issue16_an_infusion_notes_header_day_is_read_from_the_note_as_written(tmp_path):
    """The prefilter folds the header paragraph away (it names no target); the dose row keeps the
    header's day, not a prose line's ("tapered off 1/20") or a parenthesis's ("(BM 1/14/20: ...)")."""
    from typer.testing import CliRunner

    from chartabstract.cli import app

    notes = tmp_path / "notes" / "P1"
    notes.mkdir(parents=True)
    (notes / "2020-02-11_infusion.txt").write_text(
        "PEDS INFUSION - TREATMENT ENCOUNTER\n2/11/2020    Attending: Dr A   RN: B\n\n"
        "Indication: relapse of B-ALL (BM 1/14/20: 38% blasts, CD22 bright).\n"
        "Immunosuppression tapered off 1/20.\n"
        "Inotuzumab 1.36 mg (0.8 mg/m2) IV over 1 hr - completed 1420, no reaction. Cycle 1 Day 1.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["run", str(tmp_path / "notes"), "--out", str(out), "-q"]).exit_code == 0
    cohort = (out / "cohort.csv").read_text(encoding="utf-8")
    assert "2020-02-11" in cohort.splitlines()[1].split(",")[2]  # inotuzumab_start


@pytest.mark.parametrize("text", [
    "Order received: inotuzumab ozogamicin C1 - 0.8 mg/m2 D1, 0.5 mg/m2 D8 and D15.",
    "Specialty pharmacy referral for home blinatumomab (Acme Home Infusion) sent.",
    "Blinatumomab bag shipped by courier to the home today.",
])
def test_issue16_pharmacy_and_referral_steps_are_no_start(timeline, text):
    events = timeline(("2020-01-10", "specialty_pharmacy", text))
    assert not [e.date for e in events if e.kind.endswith("_start") and e.date is not None]


@pytest.mark.parametrize("text", [
    "Per the attending: blinatumomab start today at the infusion center is POSTPONED.",
    "The inotuzumab C1D1 planned for this morning was cancelled.",
])
def test_issue16_a_start_postponed_in_its_own_clause_is_no_start(extract, text):
    found = [m for m in extract(text) if m.concept in ("blinatumomab", "inotuzumab")]
    assert found and all(m.negated or m.hypothetical for m in found)
