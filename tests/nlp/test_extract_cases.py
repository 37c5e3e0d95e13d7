"""Clinical case table: one sentence, one target, the attributes and value a reader would give it.

Each case is (text, concept, anchor, expected). ``anchor`` picks the mention when a sentence has
several of one concept; ``expected`` None means the sentence holds no mention of that concept.
Note date for every case: 2020-01-15 (progress note).
"""

from __future__ import annotations

import pytest

NEG = {"negated": True}
HYP = {"hypothetical": True, "value": "plan"}
HIST = {"historical": True}
FAM = {"family": True}
UNC = {"uncertain": True}

CASES = [
    # --- drug names and spellings ---
    ("Started blinatumomab on 3/4/19.", "blinatumomab", None, {"value": "start", "date": "2019-03-04", "negated": False}),
    ("Blinatumumab C1D1 today.", "blinatumomab", None, {"value": "start", "date": "2020-01-15"}),
    ("BLINCYTO 28 mcg/day continuous IV infusion", "blinatumomab", None, {"value": "dose"}),
    ("Pt tolerating blina well, day 10 of cycle 1.", "blinatumomab", None, {"value": "dose"}),
    ("BLIN C2 started 4/15/19.", "blinatumomab", None, {"value": "cycle", "cycle": 2, "date": "2019-04-15"}),
    ("Blinatumomob held for grade 2 CRS.", "blinatumomab", None, {"value": "hold"}),
    ("Blinatumomab was discontinued on 5/2/2019 due to neurotoxicity.", "blinatumomab", None, {"value": "stop", "date": "2019-05-02"}),
    ("Inotuzumab ozogamicin C1D1 given 6/3/2019.", "inotuzumab", None, {"value": "start", "date": "2019-06-03"}),
    ("Received InO 0.8 mg/m2 on D1.", "inotuzumab", None, {"value": "dose"}),
    ("Besponsa cycle 2 day 8 dose administered.", "inotuzumab", None, {"value": "cycle", "cycle": 2}),
    ("inotuzamab started 2 weeks ago", "inotuzumab", None, {"value": "start", "date": "2020-01-01", "date_source": "relative_to_note"}),
    ("Initiated INO on 12/28 without complications.", "inotuzumab", None, {"value": "start", "date": "2019-12-28", "date_source": "year_inferred"}),
    ("Inotuzumab held on day 15 for transaminitis.", "inotuzumab", None, {"value": "hold"}),
    ("Completed 2 cycles of inotuzumab in 6/2019.", "inotuzumab", None, {"value": "stop", "cycle": 2, "date": "2019-06-01", "date_precision": "month"}),
    # --- planning language (hypothetical) ---
    ("Plan to start inotuzumab 9/1.", "inotuzumab", None, HYP),
    ("Will start blinatumomab next week.", "blinatumomab", None, HYP),
    ("Consider inotuzumab if MRD persists.", "inotuzumab", None, HYP),
    ("She is a candidate for blinatumomab.", "blinatumomab", None, HYP),
    ("Discussed inotuzumab with the patient and family.", "inotuzumab", None, HYP),
    ("If she relapses, blinatumomab would be the next option.", "blinatumomab", None, HYP),
    ("Options include blinatumomab versus inotuzumab.", "blinatumomab", None, HYP),
    ("Options include blinatumomab versus inotuzumab.", "inotuzumab", None, HYP),
    ("Eligible for a trial of inotuzumab plus mini-hyperCVD.", "inotuzumab", None, HYP),
    ("Recommend blinatumomab as bridge to transplant.", "blinatumomab", None, HYP),
    ("Blincyto ordered; pending insurance authorization.", "blinatumomab", None, {"hypothetical": True}),
    ("Scheduled to begin Besponsa on 2/3/2020.", "inotuzumab", None, {"hypothetical": True, "date": "2020-02-03"}),
    ("We will proceed with inotuzumab once counts recover.", "inotuzumab", None, HYP),
    ("Referred for allogeneic transplant evaluation.", "hsct", None, {"hypothetical": True}),
    ("Plan for MUD alloHSCT in CR2.", "hsct", None, {"hypothetical": True, "donor_type": "MUD"}),
    ("Would consider CAR-T if CD19 retained.", "car_t", None, {"hypothetical": True}),
    # --- negation: not given ---
    ("Patient declined inotuzumab.", "inotuzumab", None, NEG),
    ("Inotuzumab was cancelled due to hepatotoxicity concerns.", "inotuzumab", None, NEG),
    ("Blincyto was ordered but cancelled by insurance.", "blinatumomab", None, NEG),
    ("Not a candidate for allogeneic transplant given comorbidities.", "hsct", None, NEG),
    ("No prior blinatumomab.", "blinatumomab", None, NEG),
    ("She never received inotuzumab.", "inotuzumab", None, NEG),
    ("Blinatumomab deferred until infection resolves.", "blinatumomab", None, NEG),
    ("Did not receive blinatumomab because of seizure history.", "blinatumomab", None, NEG),
    ("Denies prior exposure to blinatumomab.", "blinatumomab", None, NEG),
    ("Without prior CAR-T therapy.", "car_t", None, NEG),
    # --- history ---
    ("S/p blinatumomab x2 cycles with MRD-negative CR.", "blinatumomab", None, {"historical": True, "value": "history", "cycle": 2}),
    ("Status post MUD alloHSCT 6/2017.", "hsct", None, {"historical": True, "value": "history", "date": "2017-06-01", "date_precision": "month", "donor_type": "MUD"}),
    ("She previously received inotuzumab at an outside hospital.", "inotuzumab", None, {"historical": True}),
    ("History of CAR-T (tisagenlecleucel) in 2018.", "car_t", "tisagenlecleucel", {"historical": True, "date": "2018-01-01", "date_precision": "year"}),
    ("Relapsed after blinatumomab with CD19-negative disease.", "blinatumomab", None, {"historical": True, "value": "history"}),
    ("Refractory to inotuzumab.", "inotuzumab", None, {"historical": True}),
    ("h/o haplo transplant 2016", "hsct", None, {"historical": True, "donor_type": "haplo", "date": "2016-01-01"}),
    ("Prior allo-HCT (2017), relapsed 2019.", "hsct", None, {"historical": True, "date": "2017-01-01"}),
    # --- family and other persons ---
    ("Her brother received blinatumomab for ALL.", "blinatumomab", None, FAM),
    ("Daughter is currently on blinatumomab at the children's hospital.", "blinatumomab", None, FAM),
    ("Mother died of breast cancer.", "death", None, FAM),
    ("MSD alloHSCT with her brother as donor.", "hsct", None, {"family": False, "donor_type": "MSD"}),
    ("Matched sibling donor transplant planned.", "hsct", None, {"family": False, "hypothetical": True}),
    # --- uncertainty ---
    ("Possible blinatumomab-related neurotoxicity.", "blinatumomab", None, UNC),
    ("MRD pending.", "mrd", None, {"uncertain": True, "value": ""}),
    ("Questionable CD19 dim population, likely hematogones.", "cd19", None, {"uncertain": True}),
    # --- transplant forms ---
    ("Underwent MUD alloHSCT on 01/11/2020.", "hsct", None, {"value": "start", "date": "2020-01-11", "donor_type": "MUD"}),
    ("Will undergo MUD alloHSCT on 02/11/2020.", "hsct", None, {"value": "plan", "hypothetical": True, "date": "2020-02-11"}),
    ("Day 0 = 02/11/2019 (haplo PBSC).", "hsct", None, {"value": "start", "date": "2019-02-11", "donor_type": "haplo"}),
    ("Now Day +30 s/p allo-SCT; engrafted.", "hsct", None, {"historical": True}),
    ("Cord blood transplant 5/5/2018.", "hsct", None, {"donor_type": "cord", "date": "2018-05-05"}),
    ("Allogeneic hematopoietic cell transplantation from an unrelated donor on 1/2/2019.", "hsct", None, {"donor_type": "MUD", "date": "2019-01-02"}),
    ("History of autologous stem cell transplant for myeloma.", "hsct", None, None),
    ("S/p auto-SCT 2015 for Hodgkin lymphoma.", "hsct", None, None),
    ("Kidney transplant 2010 on tacrolimus.", "hsct", None, None),
    ("Seen in transplant clinic today.", "hsct", None, None),
    ("Discussed with the transplant coordinator.", "hsct", None, None),
    # --- CAR-T ---
    ("Tisagenlecleucel infused 8/8/2018.", "car_t", None, {"value": "start", "date": "2018-08-08"}),
    ("Received Kymriah 3/2019.", "car_t", None, {"date": "2019-03-01", "date_precision": "month"}),
    ("CD19 CAR T-cell therapy on 10/1/2019.", "car_t", None, {"date": "2019-10-01"}),
    ("brexucabtagene autoleucel planned after bridging.", "car_t", None, {"hypothetical": True}),
    # --- marrow blasts ---
    ("Bone marrow biopsy shows 85% blasts.", "marrow_blasts", None, {"value": "85", "specimen": "marrow"}),
    ("BMBx D29: 2% blasts.", "marrow_blasts", None, {"value": "2"}),
    ("Lymphoblasts comprise 63% of the aspirate differential.", "marrow_blasts", None, {"value": "63", "method": "morphology"}),
    ("Marrow with <5% blasts.", "marrow_blasts", None, {"value": "<5"}),
    ("Blasts: 40%", "marrow_blasts", None, {"value": "40"}),
    ("Blasts (aspirate differential): 12%", "marrow_blasts", None, {"value": "12", "method": "morphology"}),
    ("No morphologic evidence of leukemia.", "marrow_blasts", None, {"value": "<5", "negated": False}),
    ("Marrow aspirate: no increase in blasts.", "marrow_blasts", None, {"value": "<5"}),
    ("Marrow blast count of 3.5% by morphology.", "marrow_blasts", None, {"value": "3.5", "method": "morphology"}),
    ("Flow cytometry on the marrow detected 0.8% abnormal blasts.", "marrow_blasts", None, {"value": "0.8", "method": "flow"}),
    ("Marrow on 4/2/19 showed 3% blasts.", "marrow_blasts", None, {"value": "3", "date": "2019-04-02"}),
    ("Hypercellular marrow (90%) replaced by blasts comprising approximately 95% of cells.", "marrow_blasts", None, {"value": "95"}),
    ("Blasts 1-2% on aspirate.", "marrow_blasts", None, {"value": "2"}),
    # --- peripheral blasts are not marrow blasts ---
    ("Peripheral blood: 10% circulating blasts.", "peripheral_blasts", None, {"value": "10", "specimen": "peripheral_blood"}),
    ("WBC 12.3 with 45% blasts.", "peripheral_blasts", None, {"value": "45"}),
    ("CBC diff with 8% blasts.", "peripheral_blasts", None, {"value": "8"}),
    ("PB blasts 22%.", "peripheral_blasts", None, {"value": "22"}),
    ("Peripheral blood: 10% circulating blasts.", "marrow_blasts", None, None),
    ("WBC 12.3 with 45% blasts.", "marrow_blasts", None, None),
    # --- MRD ---
    ("MRD negative (<0.01%).", "mrd", None, {"value": "negative", "level_pct": "<0.01"}),
    ("MRD 0.02% by flow.", "mrd", None, {"value": "positive", "level_pct": "0.02"}),
    ("MRD-negative CR after cycle 1.", "mrd", None, {"value": "negative"}),
    ("MRD positive at 0.35%.", "mrd", None, {"value": "positive", "level_pct": "0.35"}),
    ("No MRD detected by 8-color flow.", "mrd", None, {"value": "negative", "negated": False}),
    ("Minimal residual disease: not detected.", "mrd", None, {"value": "negative"}),
    ("Measurable residual disease detected at 1.2% of CD45+ events.", "mrd", None, {"value": "positive", "level_pct": "1.2"}),
    ("No immunophenotypic evidence of residual B-lymphoblastic leukemia.", "mrd", None, {"value": "negative"}),
    ("MRD neg.", "mrd", None, {"value": "negative"}),
    ("Sent marrow for MRD.", "mrd", None, None),
    # --- CD19 / CD22 expression ---
    ("Blasts are CD19 negative.", "cd19", None, {"value": "negative", "negated": False}),
    ("CD19 dim, CD22 bright.", "cd19", None, {"value": "dim"}),
    ("CD19 dim, CD22 bright.", "cd22", None, {"value": "positive"}),
    ("CD22 bright (97%).", "cd22", None, {"value": "positive", "percent_positive": 97.0}),
    ("CD19 expressed on 8% of blasts.", "cd19", None, {"value": "negative", "percent_positive": 8.0}),
    ("CD19 partial (45%).", "cd19", None, {"value": "partial", "percent_positive": 45.0}),
    ("CD19 positive (25%).", "cd19", None, {"value": "partial", "percent_positive": 25.0}),
    ("Loss of CD19 expression.", "cd19", None, {"value": "negative"}),
    ("Negative for CD19 and CD20, positive for CD22.", "cd19", None, {"value": "negative"}),
    ("Negative for CD19 and CD20, positive for CD22.", "cd22", None, {"value": "positive"}),
    ("Positive for CD10, CD19, CD22, CD34 and TdT.", "cd22", None, {"value": "positive"}),
    ("CD19+ CD22- relapse.", "cd19", None, {"value": "positive"}),
    ("CD19+ CD22- relapse.", "cd22", None, {"value": "negative"}),
    ("CD19 | 12% | dim", "cd19", None, {"value": "negative", "percent_positive": 12.0}),
    ("CD22: 55%, dim", "cd22", None, {"value": "dim", "percent_positive": 55.0}),
    ("Blasts express CD19 (dim) and CD22.", "cd19", None, {"value": "dim"}),
    ("Blasts express CD19 (dim) and CD22.", "cd22", None, {"value": "positive"}),
    ("Risk of CD19-negative escape after blinatumomab.", "cd19", None, {"hypothetical": True}),
    ("Started CD19-directed CAR T-cells.", "cd19", None, None),
    ("Inotuzumab is an anti-CD22 antibody-drug conjugate.", "cd22", None, None),
    ("Blinatumomab is a CD3/CD19 bispecific T-cell engager.", "cd19", None, None),
    ("Flow panel included CD19 and CD22.", "cd19", None, None),
    # --- death ---
    ("Patient expired on 7/14/2020.", "death", None, {"date": "2020-07-14", "negated": False}),
    ("He passed away peacefully at home.", "death", None, {"date": "2020-01-15", "date_source": "note_date"}),
    ("Pronounced dead at 03:12 on 1/10/2020.", "death", None, {"date": "2020-01-10"}),
    ("Discussed risk of death with induction.", "death", None, None),
    # --- dates belong to their events ---
    ("Started blinatumomab on 3/4/19; marrow on 4/2/19 showed 3% blasts.", "blinatumomab", None, {"date": "2019-03-04"}),
    ("Started blinatumomab on 3/4/19; marrow on 4/2/19 showed 3% blasts.", "marrow_blasts", None, {"date": "2019-04-02"}),
    ("Blina started 3/4/19 and marrow 4/2/19 had 3% blasts", "blinatumomab", None, {"date": "2019-03-04"}),
    ("Blina started 3/4/19 and marrow 4/2/19 had 3% blasts", "marrow_blasts", None, {"date": "2019-04-02"}),
    ("Blinatumomab C2D8 today.", "blinatumomab", None, {"date": "2020-01-15", "date_source": "relative_to_note", "cycle": 2}),
    ("Blinatumomab C2D8 given without issue.", "blinatumomab", None, {"date_source": "note_date", "date": "2020-01-15", "cycle": 2}),  # issue 16: a cycle label is no date of the drug it labels
    ("Blinatumomab 2018 at OSH, then allo 2019.", "blinatumomab", None, {"date": "2018-01-01", "date_precision": "year"}),
    ("Blinatumomab 2018 at OSH, then allo 2019.", "hsct", None, {"date": "2019-01-01", "date_precision": "year"}),
    ("Inotuzumab started 02/30/2019.", "inotuzumab", None, {"date": None, "date_source": "none"}),
]


def _pick(mentions, concept, anchor):
    found = [m for m in mentions if m.concept == concept and (anchor is None or anchor in m.text)]
    return found


def check_case(extract, text, concept, anchor, expected):
    """The first mention of ``concept`` (holding ``anchor``) has every expected attribute;
    ``expected`` None: there is no such mention. An empty value or unit equals None."""
    found = _pick(extract(text), concept, anchor)
    if expected is None:
        assert not found, f"unexpected {concept} mention: {[(m.text, m.value) for m in found]}"
        return
    assert found, f"no {concept} mention found"
    mention = found[0]
    for key, want in expected.items():
        got = getattr(mention, key)
        if key == "date":
            got = got.isoformat() if got else None
        if key in ("value", "unit"):
            got, want = got or None, want or None
        assert got == want, f"{key}: got {got!r}, want {want!r} (text {mention.text!r}, modifiers {mention.modifiers})"


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), CASES)
def test_extract_case(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


def test_extract_case_table_size():
    assert len(CASES) >= 120
    assert {case[1] for case in CASES} >= {
        "blinatumomab", "inotuzumab", "hsct", "car_t", "marrow_blasts", "peripheral_blasts",
        "mrd", "cd19", "cd22", "death",
    }
