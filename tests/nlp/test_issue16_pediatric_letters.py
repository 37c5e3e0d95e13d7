"""Issue 16: constructions of a pediatric cooperative-group chart style and of UK clinic letters.

Every sentence is written for this test (paraphrases of the constructions, never note text).
One behaviour per case.
"""

from __future__ import annotations

import pytest

from tests.nlp.test_extract_cases import check_case

RESULT_CASES = [
    # a result glued to MRD by a hyphen is the result, whatever negation sits elsewhere in the sentence
    ("Given blina first (no response), then InO, reaching an MRD-positive CR in May.", "mrd", None, {"value": "positive"}),
    ("After two blocks she was in MRD-neg remission with no toxicity.", "mrd", None, {"value": "negative"}),
    # a spaced dash after an antigen before prose is a clause dash, not a minus sign
    ("The relapse shows weak CD19 - so a CD19 drug may do less.", "cd19", None, {"value": "dim"}),
    ("Flow: CD19 -, CD22 +.", "cd19", None, {"value": "negative"}),
    # a subpopulation that lacks the marker: its share is the complement of the positive share
    ("There is a minor CD19-negative subpopulation (6% of blasts).", "cd19", None, {"value": "positive"}),
    ("A CD22-negative subset making up 70% of blasts was seen.", "cd22", None, {"value": "partial"}),
    ("A small CD19-negative subpopulation is present.", "cd19", None, {"value": "partial"}),
    ("Refractory, with an emerging CD19-negative escape subclone.", "cd19", None, {"value": "partial"}),
    ("The blasts form one CD19-negative population.", "cd19", None, {"value": "negative"}),
    ("No CD22-negative subpopulation was identified.", "cd22", None, {"value": "positive"}),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), RESULT_CASES)
def test_issue16_results_glued_and_subsets(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


TREATMENT_DATE_CASES = [
    # a regimen line over its indented dose rows: the given first-day row dates the first dose
    ("Chemo check\nRegimen: Blinatumomab (BLINCYTO) - cycle 1\n   D1 01/08/2020: 15 mcg/m2/day, bag hung 14:05, administered per RN\n"
     "   D8 01/15/2020: bag change (pending)", "blinatumomab", "Blinatumomab", {"value": "start", "date": "2020-01-08"}),
    ("Chemo check\nRegimen: Inotuzumab - cycle 1\n   D1 01/20/2020: 0.8 mg/m2 (pending)\n", "inotuzumab", "Inotuzumab", {"date": "2020-01-15"}),
    # the drug an outcome came after: the date beside it is the outcome's
    ("History: refractory to blina, MRD-negative remission after InO (12/02/2019).", "inotuzumab", None, {"date": "2020-01-15"}),
    ("Relapse following blinatumomab (11/2019), now on InO.", "blinatumomab", None, {"date": "2020-01-15"}),
    ("Blinatumomab (started 10/01/2019) with CR after it.", "blinatumomab", None, {"date": "2019-10-01"}),
    ("MRD-negative CR2 after blinatumomab (C1 01.10.-28.10.2019, C2 from 11.11.2019).", "blinatumomab", None,
     {"date": "2019-10-01"}),
    # a parenthesis opening after a date is an aside: the date is what precedes it
    ("Blina first (no CR), then inotuzumab from 11/04/2019 (MRD-positive remission 12/09/2019).", "inotuzumab", None,
     {"date": "2019-11-04"}),
    ("Blina first (no CR), then inotuzumab from 11/04/2019 (MRD-positive remission 12/09/2019).", "mrd", None,
     {"date": "2019-12-09", "value": "positive"}),
    # a meeting's date is when the drug was decided, not given
    ("Following review at the leukaemia MDT on 2nd January 2020 we began blinatumomab.", "blinatumomab", None,
     {"value": "start", "date": None}),
    ("Blinatumomab was started on 9th January 2020 after the MDT.", "blinatumomab", None, {"value": "start", "date": "2020-01-09"}),
    # a letter wrapped at a fixed width: the start's date opens the next line
    ("Clinical summary:\nRelapse found on 3rd December 2019. Blinatumomab cycle 1 was commenced\n"
     "9th December 2019 and ran for 28 days.", "blinatumomab", None, {"value": "start", "date": "2019-12-09"}),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), TREATMENT_DATE_CASES)
def test_issue16_treatment_dates_of_rows_outcomes_and_wraps(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


DEATH_CASES = [
    # a cause naming the disease with slashed labels is the leukemia, though the label alone is no relapse
    ("Date of death: 03/02/2021\nCause of death: relapsed/refractory pre-B ALL.", "death_cause", None, {"value": "relapse"}),
    ("Died 03/02/2021. Cause of death: refractory / relapsed leukemia.", "death_cause", None, {"value": "relapse"}),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), DEATH_CASES)
def test_issue16_death_cause_with_slashed_labels(extract, text, concept, anchor, expected):
    check_case(lambda t: extract(t, note_type="death"), text, concept, anchor, expected)


DATE_REFINEMENT_CASES = [
    # a month with its day written in the parenthesis after it is that day
    ("Isolated testicular relapse November 2019 (orchidectomy 14th November 2019), now on InO.", "relapse", None,
     {"date": "2019-11-14"}),
    ("Relapse November 2019 (blina from 2nd December 2019).", "relapse", None, {"date": "2019-11-01"}),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), DATE_REFINEMENT_CASES)
def test_issue16_month_refined_by_its_day(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


def test_issue16_stage_lines_each_their_own_organ(extract):
    """A stage list with one organ a line: each stage is its own line's organ, never the next's."""
    text = "Assessment - acute GVHD:\n  Skin: stage 3\n  Liver: stage 0\n  Lower GI: stage 0\nPlan: steroids."
    found = [m for m in extract(text) if m.concept == "agvhd"]
    assert found and (found[0].value, found[0].unit) == ("2", "staging")


ASIDE_CASES = [
    # a result in the parenthesis after a dated treatment tells that past course: no date of today
    ("Past therapy: blinatumomab 02/03/2019 (no response, 40% marrow blasts).", "marrow_blasts", None, {"date": None}),
    ("Hx: relapse 1/2019 -> InO (C1 started 01/20/2019, MRD-neg CR) -> MUD HCT 04/02/2019.", "mrd", None, {"date": None}),
    # a result of its own sentence keeps the note's date; an undated course keeps the old reading
    ("Marrow today: 3% blasts after blinatumomab (started 12/01/2019).", "marrow_blasts", None, {"date": "2020-01-15"}),
    ("Blinatumomab x1 cycle (MRD negative).", "mrd", None, {"date": "2020-01-15"}),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), ASIDE_CASES)
def test_issue16_result_in_a_past_course_aside(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


def test_issue16_option_possible_later_is_a_plan(extract):
    """An option kept for later ("second CAR-T infusion - screening possible later") is no infusion."""
    found = [m for m in extract("3. Repeat CAR-T infusion / trial product - referral possible later; not now.") if m.concept == "car_t"]
    assert found and found[0].hypothetical


def test_issue16_undated_parenthesis_keeps_the_date_before_it(extract):
    """"the marrow of 2 May 2019 (41% blasts)": the parenthesis describes the dated marrow."""
    text = "Relapse after the allograft on the marrow of 2nd January 2020 (41% blasts, CD22 positive)."
    found = {m.concept: m for m in extract(text)}
    assert found["relapse"].date.isoformat() == "2020-01-02"
    assert found["marrow_blasts"].date.isoformat() == "2020-01-02"
