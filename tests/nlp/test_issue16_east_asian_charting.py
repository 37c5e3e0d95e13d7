"""Issue 16: constructions of terse English charting at East Asian university hospitals.

Every sentence is written for this test (paraphrases of the constructions, never note text).
One behaviour per case. Note date for every case: 2020-01-15 (progress note).
"""

from __future__ import annotations

import pytest

from tests.nlp.test_extract_cases import check_case

DRUG_NAME_CASES = [
    # 'Blin' in title case is the same clipped name as 'BLIN'; lower-case 'blin' stays unmatched (a word stem)
    ("Blin C2 from 1/6 as consolidation.", "blinatumomab", None, {"cycle": 2}),
    ("Started Blin as bridging, day 3 today.", "blinatumomab", None, {"negated": False}),
    ("CD19-negative escape after Blin.", "blinatumomab", None, {"historical": True}),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), DRUG_NAME_CASES)
def test_issue16_clipped_drug_names(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


COURSE_LABEL_CASES = [
    # "course" names a cycle: its first day is the drug's start, in either order of the label
    ("Inotuzumab 1st course day 1 given this morning.", "inotuzumab", None, {"value": "start", "date": "2020-01-15"}),
    ("Besponsa first course, D1 today.", "inotuzumab", None, {"value": "start"}),
    ("Today is day 1 of Blin cycle 1, 9 ug/day.", "blinatumomab", None, {"value": "start", "cycle": 1}),
    ("Day 1 of the first course of blinatumomab started today.", "blinatumomab", None, {"value": "start"}),
    # a later day of the first course, or a later course, is not the start
    ("InO first course day 8 given.", "inotuzumab", None, {"value": "dose"}),
    ("Day 15 of blina cycle 1, tolerating well.", "blinatumomab", None, {"value": "dose"}),
    ("InO 2nd course on 1/6.", "inotuzumab", None, {"cycle": 2}),
    # a count of courses is a count, and a clinical course is no cycle
    ("In CR after 2 courses of InO.", "inotuzumab", None, {"value": "history", "cycle": 2}),
    ("Hospital course was complicated by CRS on blinatumomab.", "blinatumomab", None, {"cycle": None}),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), COURSE_LABEL_CASES)
def test_issue16_course_day_labels(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


ONE_LINE_RESULT_CASES = [
    # a blast percent beside an MRD result that carries its own level is the marrow's blast count
    ("Marrow 1/10: Blasts 0.4%, MRD (flow) <0.01%.", "marrow_blasts", None, {"value": "0.4"}),
    ("BM 1/10 - blast 0.9%; MRD by FCM 0.02%", "marrow_blasts", None, {"value": "0.9"}),
    ("Marrow 1/10: Blasts 0.4%, MRD (flow) <0.01%.", "mrd", None, {"value": "negative"}),
    ("BM 1/10: cellularity 30%, blasts 0.6%, MRD (flow, CD19/CD10/CD34/CD58 panel) <0.01%", "marrow_blasts", None, {"value": "0.6"}),
    # without its own level, a fraction of a percent on the MRD line is still the MRD's level
    ("MRD detected: 0.07% abnormal B-lymphoblasts.", "marrow_blasts", None, None),
    ("MRD 0.3%: 0.3% residual blasts by flow.", "marrow_blasts", None, None),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), ONE_LINE_RESULT_CASES)
def test_issue16_blast_count_beside_mrd_level(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


DEATH_CAUSE_CASES = [
    # a bare "Cause:" line right under the death statement names the cause, past the line break
    ("Died on 2019/12/30 at 08:40.\nCause: progressive relapsed ALL.", "death_cause", None, {"value": "relapse"}),
    ("Expired 2019.12.30, 02:15, family at bedside.\nCause: Klebsiella sepsis.", "death_cause", None, {"value": "infection"}),
    # a history or status field under the cause is no cause: the chronology before a death in it, and
    # "status at death" (a time, not a death statement)
    ("Died on 2019/12/30.\nCause of death: hepatic VOD.\nHx: ALL 2015 -> second relapse -> cord transplant.",
     "death_cause", "ALL", None),
    ("Died on 2019/12/30.\nCause of death: hepatic VOD.\nTimeline: Ph+ ALL -> InO -> haplo transplant -> death.",
     "death_cause", "ALL", None),
    ("Leukaemia status at death: not assessed.", "death_cause", None, None),
    # a death in a history line still names what it is said to come from
    ("Course: relapsed after transplant and died of septic shock.", "death_cause", None, {"value": "infection"}),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), DEATH_CAUSE_CASES)
def test_issue16_death_summary_fields(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


TRANSPLANT_NAME_CASES = [
    # a transplant named by its graft source alone: cord blood (CBT, UCBT) or peripheral blood (PBSCT)
    ("Underwent CBT on 2019/11/05, single cord unit.", "hsct", "CBT", {"date": "2019-11-05", "donor_type": "cord"}),
    ("History: UCBT 03/2018, relapsed a year later.", "hsct", "UCBT", {"donor_type": "cord"}),
    ("Status post U-PBSCT 2018.04.09 from an unrelated donor.", "hsct", "U-PBSCT", {"date": "2018-04-09"}),
    ("Early relapse post CBT, now on inotuzumab.", "hsct", None, {"historical": True, "value": "history"}),
    # CBT as a psychological therapy is no transplant
    ("Mother referred for CBT for anxiety.", "hsct", None, None),
    ("Insomnia: started CBT-I with psychology.", "hsct", None, None),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), TRANSPLANT_NAME_CASES)
def test_issue16_transplant_source_abbreviations(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


FLOW_LINE_CASES = [
    # "CD19+ 12.0%": the percent after the sign is the share of blasts carrying it (study 20%/80% rule)
    ("Flow: CD19+ 96.0%, CD22+ 41.5%", "cd19", None, {"value": "positive", "percent_positive": 96.0}),
    ("Flow: CD19+ 96.0%, CD22+ 41.5%", "cd22", None, {"value": "partial", "percent_positive": 41.5}),
    ("Flow: CD19+ 9.0%, CD22+ 90.0%", "cd19", None, {"value": "negative"}),
    ("CD22+ (55%), CD19 dim", "cd22", None, {"value": "partial"}),
    # a percent of a population named after the sign is not the antigen's share
    ("CD19+ CD10+ blasts 7%", "cd19", None, {"value": "positive", "percent_positive": None}),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), FLOW_LINE_CASES)
def test_issue16_flow_sign_then_percent(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)
