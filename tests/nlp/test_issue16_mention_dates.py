"""Issue 16: the date of a mention inside a dated list item, a dated label, a first-dose line, a plan.

Sentences are paraphrases written for these tests (none is copied from a chart); notes are dated
2020-01-15 unless a case says otherwise.
"""

from __future__ import annotations

from datetime import date

import pytest


def _first(mentions, concept, text=None):
    found = [m for m in mentions if m.concept == concept and (text is None or m.text == text)]
    assert found, f"no {concept} in {[m.concept for m in mentions]}"
    return found[0]


@pytest.mark.parametrize("text, concept, expected", [
    # results in the later sentences of a dated history item are that item's, not the note's
    ("Oncologic history:\n- 9/2019 second relapse, KMT2A; 44% blasts, CD19+, CD22 dim\n", "marrow_blasts", date(2019, 9, 1)),
    ("Oncologic history:\n- 9/2019 second relapse, KMT2A; 44% blasts, CD19+, CD22 dim\n", "cd19", date(2019, 9, 1)),
    ("History:\n3. 11/04/2019 aspirate: persistent disease, 22% blasts; CD22 85%, CD19 40%.\n", "cd22", date(2019, 11, 4)),
    ("Course:\n11/04/2019 marrow: refractory. MRD positive 2.1% by flow.\n", "mrd", date(2019, 11, 4)),
    # a treatment named in a later sentence of the item is dated by it too
    ("- 12/02/2019: Day 28 marrow 40% blasts. Thus primary refractory to blinatumomab.\n", "blinatumomab", date(2019, 12, 2)),
    # a label whose parenthesis holds the date: the results of the line are that marrow's
    ("Day +28 aspirate (12/30/19): no morphologic evidence of leukemia. Flow MRD negative.\n", "mrd", date(2019, 12, 30)),
])
def test_issue16_dated_list_item_dates_its_sentences(extract, text, concept, expected):
    assert _first(extract(text), concept).date == expected


@pytest.mark.parametrize("text, concept", [
    # a refusal after the item is no event of the item's date
    ("- 03/2019-07/2019: blinatumomab C2-C4, finished 7/2019. Declined alloHSCT.\n", "hsct"),
    # an outcome written after a transplant item is not dated by the transplant
    ("- 05/14/2018 haplo alloHSCT, Flu/Mel. Chronic oral GVHD (resolved).\n", "cgvhd"),
    # a date in the middle of a wrapped line is the sentence's own, not a list item's
    ("The marrow was repeated and reviewed\n"
     "11/20/2019 with our hematopathologist. MRD negative by flow.\n", "mrd"),
    # an arrow leads to a later step: the item's date is the step before it
    ("- 6/2018 relapse. Salvage -> MRD negative CR2.\n", "mrd"),
])
def test_issue16_list_item_date_stays_with_its_event(extract, text, concept):
    found = _first(extract(text), concept)
    assert found.date == date(2020, 1, 15) and found.date_source == "note_date", (found.date, found.date_source)


def test_issue16_label_parenthesis_must_be_the_dates_own(extract):
    """ "(report received yesterday):" ends a label, but the marrow's date is the one before it."""
    text = "Marrow done on 1/10 (report came yesterday): 2% blasts; MRD by flow pending.\n"
    assert _first(extract(text), "mrd").date != date(2020, 1, 14)


@pytest.mark.parametrize("text", [
    "4. 12/03/2019: Besponsa C1D1 (0.8 mg/m2), D8 12/10, D15 12/17.\n",
    "- 12/03/2019: Besponsa C1D1 (0.8 mg/m2), D8 12/10, D15 12/17.\n",
])
def test_issue16_first_dose_line_is_dated_by_its_opening_date(extract, text):
    """The course starts on its first administration: a numbered line's opening date, not the D8 date."""
    assert _first(extract(text), "inotuzumab").date == date(2019, 12, 3)


@pytest.mark.parametrize("text, concept, note_date, expected", [
    # a plan's yearless date just before the note is this year's, not next year's
    ("Blinatumomab prior authorization was denied on 11/2, so the blina order was cancelled.", "blinatumomab",
     date(2020, 11, 6), date(2020, 11, 2)),
    ("InO had been scheduled for 3/9 but was cancelled (bilirubin 3.1).", "inotuzumab", date(2020, 3, 12), date(2020, 3, 9)),
    # a plan dated weeks ahead stays ahead, across the new year
    ("Plan: start blinatumomab C1 on 1/6.", "blinatumomab", date(2020, 12, 20), date(2021, 1, 6)),
])
def test_issue16_plan_year_is_the_nearer_reading(extract, text, concept, note_date, expected):
    assert _first(extract(text, note_date=note_date), concept).date == expected


@pytest.mark.parametrize("text, expected", [
    # a relapse dated by its month takes the day of the marrow its sentence ties to it
    ("- 10/2019 relapse: BMBx 10/22: 54% blasts, CD19+.\n", date(2019, 10, 22)),
    ("Second relapse in November 2019: marrow of 3 December 2019 with 30% blasts.", date(2019, 12, 3)),
    # a marrow in another sentence, or after an arrow, is not the relapse's
    ("- 10/2019: Second relapse. Outside BM bx 10/29/19: 38% blasts.\n", date(2019, 10, 1)),
    ("- 10/2019 relapse -> blina C1; marrow 12/2/19 MRD negative.\n", date(2019, 10, 1)),
])
def test_issue16_relapse_takes_its_marrow_day(extract, text, expected):
    assert _first(extract(text), "relapse").date == expected


def test_issue16_plan_told_in_the_past_is_past(extract):
    """ "had been planned for ... but the marrow 1/10 showed relapse": the marrow is this year's."""
    text = "Transplant had been planned for 1/2020 but the pre-transplant marrow 1/10 showed relapse."
    assert _first(extract(text), "relapse").date == date(2020, 1, 10)



def test_issue16_undated_relapse_seeks_no_marrow():
    """Only a relapse dated by month or year is moved to its marrow's day: an undated one ("relapsed
    B-ALL in MRD-negative CR (last marrow 12/20/19)") names a remission marrow."""
    from chartabstract.nlp.relapse_dates import relapse_marrow_date
    from chartabstract.normalize.dates import find_dates
    from chartabstract.nlp.mention_dates import NoteDates

    text = "Relapse, now in MRD-negative CR2 (last marrow 12/20/19)."
    dates = NoteDates(find_dates(text, date(2020, 1, 15)))
    assert relapse_marrow_date(None, text, len("Relapse"), len(text), dates) is None


@pytest.mark.parametrize("text, concept, expected", [
    # the marrow's day is its results', though the drug is named nearer to it
    ("Her bone marrow of 8 January 2020, after two cycles of inotuzumab, shows 3% blasts and MRD at 0.2%.",
     "marrow_blasts", date(2020, 1, 8)),
    ("Her bone marrow of 8 January 2020, after two cycles of inotuzumab, shows 3% blasts and MRD at 0.2%.",
     "mrd", date(2020, 1, 8)),
    # ... and not the drug's
    ("Her bone marrow of 8 January 2020, after two cycles of inotuzumab, shows 3% blasts and MRD at 0.2%.",
     "inotuzumab", date(2020, 1, 15)),
    # the next clause of the statement holds the same marrow's results
    ("Seen for restaging. Outside BM bx 1/9 showed 60% blasts; by flow the blasts are CD22 dim.", "cd22", date(2020, 1, 9)),
    ("Restaging marrow 1/6/20 after C2: no morphologic leukemia; MRD negative by flow.", "mrd", date(2020, 1, 6)),
])
def test_issue16_marrow_day_dates_its_results(extract, text, concept, expected):
    assert _first(extract(text), concept).date == expected


def test_issue16_marrow_day_stops_at_the_full_stop(extract):
    text = "Marrow 1/9 showed 60% blasts. MRD by flow pending."
    assert _first(extract(text), "mrd").date == date(2020, 1, 15)


@pytest.mark.parametrize("text, expected", [
    # a completed course ended on its last dose, not its first
    ("She completed C1 of inotuzumab with doses on 11/20, 11/27 and 12/4.", date(2019, 12, 4)),
    ("Completed C1 of Besponsa (D1 11/20, D8 11/27, D15 12/4), no infusion reactions.", date(2019, 12, 4)),
])
def test_issue16_completed_course_ends_on_its_last_dose(extract, text, expected):
    found = _first(extract(text), "inotuzumab")
    assert found.value == "stop" and found.date == expected, (found.value, found.date)


def test_issue16_last_dose_is_not_the_cycle_start(extract):
    text = "- 11/20/2019: Besponsa C2D1 (last dose 12/4/2019).\n"
    assert _first(extract(text), "inotuzumab").date == date(2019, 11, 20)


@pytest.mark.parametrize("text", [
    "Mr D05's marrow was reviewed; the transplant went well.",
    "Re: D01, 52F - one year after her transplant.",
])
def test_issue16_a_code_like_d05_is_no_day_count(extract, text):
    """Only "D0" counts Day 0 without a sign: "D05", "D01" are names or codes, not Day +5 or +1."""
    found = _first(extract(text), "hsct")
    assert found.date_anchor != "day0", found


@pytest.mark.parametrize("text, expected", [
    # a numbered remission's MRD status is not dated by the diagnosis or relapse it followed
    ("Pre-B ALL diagnosed March 2017 (GRAALL), CR1, MRD negative after induction.", date(2020, 1, 15)),
    # ... and inside the parenthesis after a past course it is that course's result: no date at all
    # (mention_dates._in_dated_treatment_aside; the note's date would make it a result of today)
    ("Second relapse June 2019 treated with InO x2 (CR3, MRD negative).", None),
    # its own date still counts
    ("Diagnosed March 2017; CR1 with MRD negative on 5/2/2017.", date(2017, 5, 2)),
])
def test_issue16_remission_status_is_not_dated_by_the_diagnosis(extract, text, expected):
    assert _first(extract(text), "mrd").date == expected


def test_issue16_date_led_line_after_a_wrapped_word(extract):
    """A date-led line after a line that ends in a word (no full stop) is its own dated item."""
    text = "Course:\nInduction with hyper-CVAD\n12/02/2019 marrow: MRD negative.\n"
    assert _first(extract(text), "mrd").date == date(2019, 12, 2)
