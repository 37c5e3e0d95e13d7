"""Issue 16: day-first (continental European) charts: orders for today, labelled day.month. dates,
refused plans, causes of death on their own line, and marrow reports dated by their puncture.

Sentences are paraphrases written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest


def _of(mentions, concept):
    return [m for m in mentions if m.concept == concept]


@pytest.mark.parametrize("text", [
    "Begin inotuzumab today at 09:30 via the peripheral line.",
    "Start blinatumomab 9 µg/d today 15.1. at 11:00, continuous infusion via port.",
])
def test_issue16_start_order_for_today_is_the_start(extract, text):
    """An order to start the drug today, written in that day's note, is the start itself."""
    found = _of(extract(text), "inotuzumab") or _of(extract(text), "blinatumomab")
    assert (found[0].value, found[0].date, found[0].hypothetical) == ("start", date(2020, 1, 15), False)


def test_issue16_resume_order_for_today_is_no_start(extract):
    found = _of(extract("Resume blinatumomab today after the CRS has settled."), "blinatumomab")
    assert found[0].value != "start"


@pytest.mark.parametrize("text, value", [
    # a day.month. label before a colon dates the results after it, even inside parentheses
    ("Ward round 14.01.2020. Not responding to InO (KMP 02.01.: 40 % blasts, CD22 weak).", 40),
    ("Letter 14.01.2020.\n- InO since 11/2019: refractory (marrow 02.01.: 40 % blasts);", 40),
    ("Ward round 14.01.2020. Refractory to blinatumomab (BM 02.01.2020: 40 % blasts).", 40),
])
def test_issue16_labelled_day_month_dates_the_marrow(extract, text, value):
    blasts = _of(extract(text, note_type="letter"), "marrow_blasts")
    assert (blasts[0].value, blasts[0].date) == (str(value), date(2020, 1, 2))


@pytest.mark.parametrize("text", [
    "A second transplant was not recommended by the board.",
    "Consolidating allo-SCT is not advised given the comorbidities.",
])
def test_issue16_not_recommended_is_a_refusal(extract, text):
    found = _of(extract(text), "hsct")
    assert found and all(m.negated and m.hypothetical for m in found)


def test_issue16_comorbidity_index_is_no_transplant(extract):
    assert not _of(extract("Frail, HCT-CI 4, ECOG 2."), "hsct")


def test_issue16_transplant_in_an_aside_keeps_no_date_of_the_sentence(extract):
    """A transplant recalled in parentheses is not done on the date that opens the sentence."""
    text = "On 10.01.2020 the board weighed the risks (age, renal failure, earlier SCT) of more therapy."
    found = _of(extract(text, note_type="letter"), "hsct")
    assert found and all(m.date != date(2020, 1, 10) for m in found)


def test_issue16_cause_line_after_a_death(extract):
    text = "The hospice called: she died on 12.01.2020 in the night. Cause: progression of the relapsed ALL."
    causes = _of(extract(text, note_type="telephone"), "death_cause")
    assert [m.value for m in causes] == ["relapse"]


def test_issue16_cause_line_needs_a_death_before_it(extract):
    text = "Fever since yesterday. Cause: progression of the relapsed ALL is possible."
    assert not _of(extract(text), "death_cause")


REPORT = (
    "Haematology laboratory - bone marrow\n"
    "Doe, Jane   *01.02.1980\n"
    "Date of puncture: 13.01.2020      Report: 15.01.2020\n"
    "\n"
    "Cytology: blasts 22 %.\n"
    "Flow: CD19 positive (97 %).\n"
    "Assessment: relapse of B-ALL.\n"
)


def test_issue16_marrow_report_results_take_the_puncture_date(extract):
    mentions = extract(REPORT, note_type="bm_pathology")
    for concept in ("marrow_blasts", "cd19", "relapse"):
        assert _of(mentions, concept)[0].date == date(2020, 1, 13), concept


def test_issue16_extramedullary_relapse_in_a_marrow_report_keeps_its_own_date(extract):
    report = REPORT.replace("Assessment: relapse of B-ALL.", "Assessment: marrow free; isolated CNS relapse (see CSF 11.01.).")
    relapse = _of(extract(report, note_type="bm_pathology"), "relapse")
    assert relapse[0].date == date(2020, 1, 11)


def test_issue16_report_without_collection_label_keeps_its_note_date(extract):
    report = REPORT.replace("Date of puncture: 13.01.2020      Report: 15.01.2020", "Signed out: 15.01.2020")
    assert _of(extract(report, note_type="bm_pathology"), "marrow_blasts")[0].date == date(2020, 1, 15)
