"""Issue 16, mention detection: constructions the tool missed or over-read on sample_notes.

Every sentence is written for this test (paraphrases, never note text). One behaviour per case;
see docs/annotation_guide.md for what a mention is.
"""

from __future__ import annotations

import pytest

from tests.nlp.test_extract_cases import check_case

CASES = [
    # relapse: an ordinal relapse before the disease name is a relapse statement
    ("54M with 2nd relapse Ph-negative B-ALL, admitted for salvage.", "relapse", "2nd relapse", {"value": "morphologic"}),
    # a disease label with modifiers is no relapse statement
    ("Relapsed, previously untreated B-ALL.", "relapse", None, None),
    ("History: relapsed CD22-positive, CD19-dim B-ALL after two lines.", "relapse", None, None),
    # risks, conditions and plans about a relapse are no relapse
    ("We talked about the risk of relapse after transplant.", "relapse", None, None),
    ("Should she relapse again, a CAR-T referral is next; if it relapses we will call.", "relapse", "relapses", None),
    ("She voiced anxiety about relapse at this visit.", "relapse", None, None),
    ("Inotuzumab is approved for adults in relapse.", "relapse", None, None),
    # a negated relapse keeps its kind
    ("The day 100 marrow shows no evidence of relapse.", "relapse", None, {"negated": True, "value": "morphologic"}),
    # a not-given cue after "but" / "however" stays in its own clause
    ("Blinatumomab began on 3/1/2019 but inotuzumab was never given.", "blinatumomab", "Blinatumomab", {"negated": False, "value": "start"}),
    ("Blinatumomab began on 3/1/2019 but inotuzumab was never given.", "inotuzumab", "inotuzumab", {"negated": True}),
    ("InO C1 went in on 5/4/2019; however, blina was not started.", "inotuzumab", "InO", {"negated": False}),
    ("Blincyto was never given, but InO was started on 6/2/2019.", "inotuzumab", "InO", {"negated": False, "value": "start"}),
    ("Blincyto was never given, but InO was started on 6/2/2019.", "blinatumomab", "Blincyto", {"negated": True}),
    # blasts: flow populations, trends and parenthesised counts
    ("An atypical B-lymphoblast population comprises 27% of total events.", "marrow_blasts", "27%", {"value": "27"}),
    ("Abnormal lymphoblasts were identified (44% of viable CD45+ events) in the aspirate.", "marrow_blasts", "44%", {"value": "44"}),
    ("Aspirate: 52% blasts by morphology (flow 47%), hypercellular.", "marrow_blasts", "47%", {"value": "47"}),
    ("Marrow blasts went down from 64% to 9% after one cycle.", "marrow_blasts", "9%", {"value": "9"}),
    ("Marrow blasts went down from 64% to 9% after one cycle.", "marrow_blasts", "64%", {"value": "64", "historical": True}),
    ("Marrow blasts went down from 64% to 9% after one cycle.", "marrow_blasts", "9%", {"historical": False}),
    ("Today 12% blasts (previously 40% on the prior marrow).", "marrow_blasts", "40%", {"value": "40", "historical": True}),
    ("CBC today: rare circulating blasts (3%), ANC 0.9.", "peripheral_blasts", "3%", {"value": "3"}),
    ("Peripheral blasts climbed to 58% over the week.", "peripheral_blasts", "58%", {"value": "58"}),
    # a fraction of a percent beside MRD is the MRD level, not a blast count
    ("Marrow MRD detected: 0.21% abnormal B-lymphoblasts by flow.", "marrow_blasts", None, None),
    # MRD: a sign, a hyphenated result, a remission "with" residual disease
    ("Past history: induction then consolidation -> CR1, MRD+.", "mrd", "MRD", {"value": "positive"}),
    ("She reached an MRD-positive remission after two cycles.", "mrd", "MRD", {"value": "positive"}),
    ("Second remission with low-level measurable residual disease.", "mrd", None, {"value": "positive"}),
    ("CR2 with MRD negativity by NGS.", "mrd", "MRD", {"value": "negative"}),
    ("Repeat marrow with MRD planned in 4 weeks.", "mrd", "MRD", None),
    # HSCT: a post-transplant relation names the transplant as history, without dating it
    ("Seen for post-allo relapse (10/2021).", "hsct", "post-allo", {"value": "history", "historical": True, "date": "2020-01-15"}),
    ("Relapse 9 months post-transplant, now on salvage.", "hsct", None, {"value": "history", "historical": True}),
    ("Plan: pre-transplant evaluation once in CR.", "hsct", None, {"value": "plan", "hypothetical": True}),
    ("GVHD prophylaxis with post-transplant cyclophosphamide.", "hsct", None, None),
    ("Risk score HCT-CI 3 reviewed.", "hsct", None, None),
    ("We will compare a second allograft with non-transplant consolidation.", "hsct", "transplant consolidation", None),
    ("Renal allograft in RLQ, nontender.", "hsct", None, None),
    # CAR-T: the same relation
    ("CD19 may be dim after relapse post CAR-T.", "car_t", None, {"value": "history", "historical": True}),
    # an antigen lost on part of the blasts is partial, not negative
    ("Refractory to inotuzumab with partial CD22 loss.", "cd22", None, {"value": "partial"}),
    ("Part of the blasts have lost CD22 on this marrow; part of the clone has lost CD22.", "cd22", None, {"value": "partial"}),
    ("CD19 loss and partial CD22 loss after both antibodies.", "cd19", None, {"value": "negative"}),
    # drugs: a lower-case abbreviation
    ("- if refractory: plan inO, then reassess.", "inotuzumab", "inO", {"hypothetical": True}),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), CASES)
def test_issue16_mention_detection(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


def test_issue16_brand_beside_generic_is_one_mention(extract):
    mentions = [m for m in extract("Started Blincyto (blinatumomab) 9 mcg/day today, C1D1.") if m.concept == "blinatumomab"]
    assert len(mentions) == 1
    assert mentions[0].text == "Blincyto (blinatumomab"
    assert mentions[0].value == "start"


def test_issue16_day_zero_beside_transplant_stays_apart(extract):
    mentions = [m for m in extract("Day +14 after MUD alloHSCT (Day 0: 2 January 2020).") if m.concept == "hsct"]
    assert len(mentions) == 2


def test_issue16_relapsed_leukemia_is_a_finding_in_a_report_only(extract):
    report = "FINAL DIAGNOSIS:\nBone marrow: relapsed B-lymphoblastic leukemia, 40% blasts."
    assert [m.value for m in extract(report, "bm_pathology") if m.concept == "relapse"] == ["morphologic"]
    assert not [m for m in extract(report, "progress") if m.concept == "relapse"]


def test_issue16_death_cause_holds_a_slashed_disease_label(extract):
    text = "Cause of death: refractory relapsed/refractory B-ALL."
    causes = [m for m in extract(text, "death") if m.concept == "death_cause"]
    assert [m.value for m in causes] == ["relapse"]


def test_issue16_merged_names_keep_their_place_in_the_note(extract):
    """A merged brand-and-generic pair stays where it was written among the note's mentions (it
    moved to the end, so a long note and its parts listed the same mentions in different orders)."""
    mentions = extract("Blincyto (blinatumomab) started 3/2/2019.\nMarrow 4/1/2019: 3% blasts.")
    assert [m.concept for m in mentions] == ["blinatumomab", "marrow_blasts"]
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)
