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


def _sample_day(mention):
    """The day a report's result was sampled: its note's date moved by the header's offset."""
    if mention.date_anchor == "sample":
        return date.fromordinal(mention.note_date.toordinal() + mention.date_offset_days)
    return mention.date


def test_issue16_marrow_report_results_take_the_puncture_date(extract):
    """A result keeps its note's date as a mention (annotation guide) and carries the puncture day."""
    mentions = extract(REPORT, note_type="bm_pathology")
    for concept in ("marrow_blasts", "cd19", "relapse"):
        found = _of(mentions, concept)[0]
        assert (found.date, found.date_source, _sample_day(found)) == (date(2020, 1, 15), "note_date", date(2020, 1, 13)), concept


def test_issue16_marrow_event_on_the_puncture_day(timeline):
    events = timeline(("2020-01-15", "bm_pathology", REPORT))
    marrow = [e for e in events if e.kind == "marrow"]
    relapse = [e for e in events if e.kind == "relapse"]
    assert [e.date for e in marrow] == [date(2020, 1, 13)] and [e.date for e in relapse] == [date(2020, 1, 13)]


def test_issue16_extramedullary_relapse_in_a_marrow_report_keeps_its_own_date(extract):
    report = REPORT.replace("Assessment: relapse of B-ALL.", "Assessment: marrow free; isolated CNS relapse (see CSF 11.01.).")
    relapse = _of(extract(report, note_type="bm_pathology"), "relapse")
    assert _sample_day(relapse[0]) == date(2020, 1, 11)


def test_issue16_report_without_collection_label_keeps_its_note_date(extract):
    report = REPORT.replace("Date of puncture: 13.01.2020      Report: 15.01.2020", "Signed out: 15.01.2020")
    assert _sample_day(_of(extract(report, note_type="bm_pathology"), "marrow_blasts")[0]) == date(2020, 1, 15)


@pytest.mark.parametrize("header", [
    "Procedure date: 01/13/2020    Signed: 01/15/2020",
    "Sample taken: 13.01.2020 10:05     Authorised: 15.01.2020 12:00",
    "Punktion 13.01.2020 (restaging)      Befund 15.01.2020",
])
def test_issue16_collection_labels(extract, header):
    report = REPORT.replace("Date of puncture: 13.01.2020      Report: 15.01.2020", header)
    assert _sample_day(_of(extract(report, note_type="bm_pathology"), "marrow_blasts")[0]) == date(2020, 1, 13)


def test_issue16_history_line_of_a_report_keeps_no_collection_date(extract):
    """The clinical history of a report recalls an older relapse: it is not this sample's."""
    report = REPORT.replace("\nCytology", "\nClinical history: second relapse of B-ALL, now on therapy.\n\nCytology")
    relapse = [m for m in _of(extract(report, note_type="bm_pathology"), "relapse") if m.historical]
    assert relapse and all(m.date_anchor != "sample" for m in relapse)


def test_issue16_collection_date_after_the_report_dates_nothing(extract):
    report = REPORT.replace("Date of puncture: 13.01.2020", "Date of puncture: 13.01.2021 [corrected]")
    assert _sample_day(_of(extract(report, note_type="bm_pathology"), "marrow_blasts")[0]) == date(2020, 1, 15)


@pytest.mark.parametrize("text, concept", [
    # a European white count ("Leuco") and the spinal fluid are no marrow
    ("Lab: Leuco 18,2/nl (47 % blasts), Hb 8,1 g/dl, platelets 22/nl.", "peripheral_blasts"),
    ("Spinal fluid: CSF 2 cells/µl, no blasts.", "peripheral_blasts"),
    ("Aspirate: blasts 45 %, CSF clear.", "marrow_blasts"),
])
def test_issue16_blast_specimen(extract, text, concept):
    found = [m for m in extract(text) if m.concept in ("marrow_blasts", "peripheral_blasts")]
    assert found and found[0].concept == concept, text


@pytest.mark.parametrize("text, status, level", [
    # a hyphenated method before the result word, and decimal commas in the level
    ("MRD-PCR: negative (<0,01 %).", "negative", "<0.01"),
    ("Flow MRD: 0,12 % of leukocytes.", "positive", "0.12"),
])
def test_issue16_mrd_day_first_writing(extract, text, status, level):
    mrd = _of(extract(text, note_type="bm_pathology"), "mrd")
    assert (mrd[0].value, mrd[0].level_pct) == (status, level)


@pytest.mark.parametrize("text, status", [
    ("- CD22 variably expressed – 60 % of the blasts positive, the rest negative", "partial"),
    ("Partial CD22 loss after two cycles.", "partial"),
    ("Partial loss of CD22 on the residual cells.", "partial"),
    ("Complete CD22 loss.", "negative"),
    ("CD22 loss after InO, partial response only.", "negative"),
])
def test_issue16_partial_antigen_wording(extract, text, status):
    assert _of(extract(text, note_type="bm_pathology"), "cd22")[0].value == status


def test_issue16_gvhd_stages_written_before_the_diagnosis(extract):
    text = (
        "Visit day +30\n"
        "Rash on about 50 % of the body surface -> skin stage 3.\n"
        "Stool volume 600 ml/day -> lower GI stage 1.\n"
        "Skin biopsy: consistent with acute GvHD.\n"
    )
    assert _of(extract(text), "agvhd")[0].value == "2"


def test_issue16_gvhd_stages_of_an_earlier_episode_stay_with_it(extract):
    text = (
        "Acute GvHD of the skin in 2019, skin stage 3.\n"
        "Now new diarrhoea; biopsy consistent with acute GvHD.\n"
    )
    assert _of(extract(text), "agvhd")[-1].value != "2"


def test_issue16_first_cycle_dose_list_is_the_start(extract):
    found = _of(extract("Clinical: relapsed B-ALL; inotuzumab cycle 1 (12/30, 1/6, 1/13).", note_type="bm_pathology"), "inotuzumab")
    assert (found[0].value, found[0].date) == ("start", date(2019, 12, 30))


def test_issue16_procedure_date_after_a_short_gloss(timeline):
    """A history line "CD19 CAR-T (trial) 09.12.2019" dates the infusion even with the gloss between."""
    events = timeline(("2020-01-15", "letter", "Letter 15.01.2020.\nPrior therapies:\n   - CD19-CAR-T (trial) 09.12.2019\n"))
    assert [e.date for e in events if e.kind == "car_t"] == [date(2019, 12, 9)]


def test_issue16_not_indicated_reaches_over_a_listed_aside(extract):
    text = "- All CD19-directed options (2nd CAR-T infusion, CD19 CAR re-treatment) are not indicated due to CD19 loss."
    found = _of(extract(text), "car_t")
    assert found and all(m.negated for m in found)
