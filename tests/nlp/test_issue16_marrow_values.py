"""Issue 16: marrow results in phrasings of other institutions (blasts, CD19/CD22, MRD, relapse, aGVHD).

Every sentence is written for this test (paraphrases of constructions seen in published case
reports and in the held-out styles, never their text). One behaviour per case.
"""

from __future__ import annotations

import pytest

from tests.nlp.test_extract_cases import check_case

ANTIGEN_CASES = [
    # hyphen compounds: an intensity, not a minus sign
    ("Relapse with CD19-dim blasts.", "cd19", None, {"value": "dim"}),
    ("CD22-dim disease, which may blunt the response.", "cd22", None, {"value": "dim"}),
    ("The leukemic cells are CD19-bright.", "cd19", None, {"value": "positive"}),
    ("CD19-independent gating was used for this sample.", "cd19", None, None),
    ("CD19 is not lost on the relapsed clone.", "cd19", None, {"value": "positive"}),
    # a restatement inside the parenthesis of the same antigen's result is not a second result
    ("CD19 negative (3% of blasts CD19+).", "cd19", None, {"value": "negative", "percent_positive": 3.0}),
    ("flow CD19 PARTIAL (~55% of blasts CD19+), CD22+ bright.", "cd19", "CD19", {"value": "partial"}),
    ("CD19 CAR-T is not an option (CD19 neg).", "cd19", None, {"value": "negative"}),
    # a cue does not spill to the next marker
    ("CD19 NEGATIVE (6% of blasts dimly +), CD22 positive (93%).", "cd22", None, {"value": "positive"}),
    ("CD19+ (dim), CD22+.", "cd22", None, {"value": "positive"}),
    ("CD19+ (dim), CD22+.", "cd19", None, {"value": "dim"}),
    # a slashed panel before a panel word names the reagents, not a result
    ("No residual population found with the CD19/CD10/CD34/CD45 screening tube.", "cd19", None, None),
    ("Nothing aberrant with the CD22/CD24 gating backbone either.", "cd22", None, None),
    ("Blasts positive for CD19/CD22/CD10.", "cd22", None, {"value": "positive"}),
    # marker lists: each marker's own status, the list head for the rest
    ("The blasts expressed CD10, CD19, CD22 and CD34.", "cd19", None, {"value": "positive"}),
    ("The blasts expressed CD10, CD19, CD22 and CD34.", "cd22", None, {"value": "positive"}),
    ("Blasts positive for CD19, CD22 (dim), CD10.", "cd19", None, {"value": "positive"}),
    ("Blasts positive for CD19, CD22 (dim), CD10.", "cd22", None, {"value": "dim"}),
    ("Leukemic cells were negative for CD20 and CD19 but expressed CD22.", "cd19", None, {"value": "negative"}),
    ("CD19 and CD22 are both dim.", "cd19", None, {"value": "dim"}),
    # intensity written later in the antigen's own clause
    ("CD19 is expressed on 95% of blasts but at markedly reduced (dim) intensity.", "cd19", None, {"value": "dim"}),
    ("CD22: present on 96% of blasts but uniformly dim.", "cd22", None, {"value": "dim"}),
    # percent phrasing
    ("CD19 is present on only ~40% of blasts.", "cd19", None, {"value": "partial", "percent_positive": 40.0}),
    ("CD19 is now expressed on approximately half of the blasts.", "cd19", None, {"value": "partial", "percent_positive": 50.0}),
    # flow marker table rows (marker | result | intensity | % of blasts)
    ("CD19 | Positive | Dim | 92", "cd19", None, {"value": "dim"}),
    ("CD22 | Positive | Bright | 97", "cd22", None, {"value": "positive"}),
    ("CD19 | Partial | Moderate | 45", "cd19", None, {"value": "partial"}),
    # no result
    ("Antigen expression of CD19 and CD22 cannot be assessed without an abnormal population.", "cd19", None, None),
    ("Antigen expression of CD19 and CD22 cannot be assessed without an abnormal population.", "cd22", None, None),
    ("CD19 negative; CD22 could not be evaluated (too few events).", "cd19", None, {"value": "negative"}),
    ("CD19 negative; CD22 could not be evaluated (too few events).", "cd22", None, None),
    # a risk is hypothetical, not a result of this patient's cells
    ("A CD19-negative relapse is a recognized risk after blinatumomab.", "cd19", None, {"hypothetical": True}),
]

MRD_CASES = [
    ("MRD not sent.", "mrd", None, None),
    ("MRD testing not done on this specimen.", "mrd", None, None),
    ("No increase in blasts. MRD: not performed.", "mrd", None, None),
    ("MRD-level testing was not performed on this sample.", "mrd", None, None),
    ("MRD-guided therapy was discussed.", "mrd", None, None),
    ("MRD pending.", "mrd", None, {"uncertain": True, "value": ""}),
    ("MRD by flow (accession XY-21-004512): NEGATIVE.", "mrd", None, {"value": "negative"}),
    ("MRD (NGS, reference lab): detected.", "mrd", None, {"value": "positive"}),
    ("MRD-negative remission on the marrow.", "mrd", None, {"value": "negative"}),
]

BLAST_CASES = [
    ("The aspirate shows 60% B-cell lymphoid blasts.", "marrow_blasts", None, {"value": "60"}),
    ("There is a 0.2% residual population of lymphoid blasts.", "marrow_blasts", None, {"value": "0.2"}),
    ("The marrow showed an increase to 6% lymphoid leukemic blasts.", "marrow_blasts", None, {"value": "6"}),
    ("Relapsed B-lymphoblastic leukemia, 71% of aspirate differential.", "marrow_blasts", None, {"value": "71"}),
    ("RELAPSED B-LYMPH0BLASTIC LEUKEMIA, 64% of aspirate differentia1.", "marrow_blasts", None, {"value": "64"}),
    # a written range is read as its upper bound (documented in rules/README.md)
    ("Marrow blasts 5-10%.", "marrow_blasts", None, {"value": "10"}),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), ANTIGEN_CASES)
def test_issue16_antigen_status(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), MRD_CASES)
def test_issue16_mrd_result(extract, text, concept, anchor, expected):
    check_case(lambda t: extract(t, note_type="bm_pathology"), text, concept, anchor, expected)


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), BLAST_CASES)
def test_issue16_blast_phrasing(extract, text, concept, anchor, expected):
    check_case(lambda t: extract(t, note_type="bm_pathology"), text, concept, anchor, expected)


SPECIMEN_CASES = [
    # a blood sample's antigens are no marrow's values; a report's "smear" is the aspirate smear
    ("PB flow (ours): 12% abnormal B-lymphoblasts, CD19+, CD22+.", "cd19", None, {"specimen": "peripheral_blood"}),
    ("BM flow: CD19 dim, CD22 bright.", "cd19", None, {"specimen": ""}),
]

REPORT_SMEAR_CASES = [
    ("Morphology (referring lab smear): blasts 2%.", "marrow_blasts", None, {"value": "2"}),
    ("Peripheral smear: blasts 4%.", "peripheral_blasts", None, {"value": "4"}),
    # a full blood count line quoted in a marrow report is blood
    ("WCC 11.3, blasts 27% on film, platelets 40.", "peripheral_blasts", None, {"value": "27"}),
    ("Hb 88, WCC 7.1 (blasts 19%), neutrophils 0.6.", "peripheral_blasts", None, {"value": "19"}),
    ("Aspirate film: blasts 40%.", "marrow_blasts", None, {"value": "40"}),
]

AGVHD_CASES = [
    # the grade in the next sentence of the paragraph
    ("Acute GVHD of the skin and gut diagnosed on day +30. Overall grade III.", "agvhd", None, {"value": "3"}),
    # a written overall grade beats a derivation from the stages beside it
    ("Acute GVHD involving skin (stage 2) and upper GI with nausea, treated with prednisone - overall grade II.",
     "agvhd", None, {"value": "2", "unit": "grade"}),
    # stage lines under a heading
    ("Acute GVHD, onset day +18:\n  skin stage 3 (rash 60% BSA)\n  liver stage 2 (bilirubin 4.1)\n  GI stage 0",
     "agvhd", None, {"value": "3", "unit": "staging"}),
    ("Acute GVHD, onset day +18:\n  skin stage 1\n\nChronic GVHD of the mouth: liver stage 3", "agvhd", None, {"value": "1"}),
    # a grade of something else in the next sentence is not the GVHD grade
    ("Skin aGVHD improving. Bilirubin grade 3 from the azoles.", "agvhd", None, {"value": ""}),
]


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), SPECIMEN_CASES)
def test_issue16_antigen_specimen(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), REPORT_SMEAR_CASES)
def test_issue16_report_smear_is_aspirate(extract, text, concept, anchor, expected):
    check_case(lambda t: extract(t, note_type="flow_cytometry"), text, concept, anchor, expected)


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), AGVHD_CASES)
def test_issue16_agvhd_grade_that_follows(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)
