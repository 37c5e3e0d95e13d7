"""Outcome-concept case tables: acute/chronic GVHD, cause of death, relapse.

Pure data, no tests here. Each case is ``(text, concept, anchor, expected)`` in the format of
``tests/nlp/test_extract_cases.py``: ``anchor`` (a substring of ``text``) picks the mention when a
sentence has several of one concept or the concept phrase is only part of the sentence;
``expected`` None means the sentence holds no mention of that concept, otherwise it is a dict of
the attributes and value a human reader would give that mention (only keys we are sure of).

Source: sentences and short lines written for this table by hand, in the styles seen in
allogeneic transplant / leukemia notes at different institutions (terse fellow shorthand,
templated EHR fields, dictated prose, synoptic lists, European style with Roman numerals and
"II°"), annotated per docs/annotation_guide.md, section "Outcome concepts". They are not copied
from any patient record and were written without looking at the extraction rules.

Note date for every case: 2020-01-15 (progress note). A yearless date takes the note's year
(the nearest such date not after the note for past events); a sentence with no date of its own
takes the note date.

Values:
- agvhd: the overall grade as a string "0".."4" when written (``unit`` "grade"), else the MAGIC
  grade derived from the organ stages (``unit`` "staging"); None when ungraded. "GI stage N"
  without upper/lower is lower GI.
- cgvhd: "mild", "moderate", "severe" or None.
- death_cause: relapse, infection, gvhd, vod, organ_failure, other.
- relapse: morphologic (default), mrd, extramedullary.
"""

from __future__ import annotations

NEG = {"negated": True}
HYP = {"hypothetical": True}  # no "plan" value here: outcome concepts have no event-kind values
HIST = {"historical": True}
FAM = {"family": True}
UNC = {"uncertain": True}

GVHD_CASES = [
    # --- overall grade written (Roman and Arabic numerals) -> unit "grade" ---
    ("Grade II aGVHD of skin, improving on topical steroids.", "agvhd", None,
     {"value": "2", "unit": "grade", "negated": False}),
    ("Acute GVHD, overall grade 3, involving skin and lower GI tract.", "agvhd", None,
     {"value": "3", "unit": "grade"}),
    ("Gr 1 skin GVHD - cont triamcinolone 0.1% cream BID", "agvhd", None,
     {"value": "1", "unit": "grade"}),
    ("aGVHD: stage 3 skin / grade III, started prednisone 2 mg/kg.", "agvhd", None,
     {"value": "3", "unit": "grade"}),
    ("Grade IV gut GVHD, steroid-refractory, now on ruxolitinib.", "agvhd", None,
     {"value": "4", "unit": "grade"}),
    ("Overall grade I acute GVHD, skin only.", "agvhd", None,
     {"value": "1", "unit": "grade"}),
    ("Grade 2 acute GVHD (skin stage 3, GI stage 0).", "agvhd", None,
     {"value": "2", "unit": "grade"}),
    ("aGvHD grade III (skin 2, liver 0, gut 3) according to Glucksberg.", "agvhd", None,
     {"value": "3", "unit": "grade"}),
    ("Acute GvHD grade II° of the skin, treated with prednisolone 1 mg/kg.", "agvhd", None,
     {"value": "2", "unit": "grade"}),
    ("Steroid-refractory aGvHD III° of the gut, ruxolitinib since 03/2019.", "agvhd", None,
     {"value": "3", "unit": "grade"}),
    ("GVHD: Acute - Grade 2 (Skin)", "agvhd", None,
     {"value": "2", "unit": "grade"}),
    ("Acute GVHD Grade: 2 | Skin: 3 | Liver: 0 | Upper GI: 0 | Lower GI: 0", "agvhd", None,
     {"value": "2", "unit": "grade"}),
    ("aGVHD MAGIC grade II (skin 3, UGI 1), responding to budesonide.", "agvhd", None,
     {"value": "2", "unit": "grade"}),
    ("The patient's course was complicated by grade III acute graft-versus-host disease of the "
     "gastrointestinal tract, which responded to high-dose methylprednisolone.", "agvhd", None,
     {"value": "3", "unit": "grade"}),
    ("Passed away from complications of grade IV gut GVHD.", "agvhd", None,
     {"value": "4", "unit": "grade"}),
    ("Tacrolimus for GVHD ppx. Grade I skin GVHD on day +21.", "agvhd", "skin GVHD",
     {"value": "1", "unit": "grade"}),
    # --- organ stages only -> MAGIC grade derived, unit "staging" ---
    ("Acute GVHD: skin stage 2, GI stage 1.", "agvhd", None,
     {"value": "2", "unit": "staging"}),
    ("Acute GVHD with lower GI stage 3 (stool output 1.8 L/day).", "agvhd", None,
     {"value": "3", "unit": "staging"}),
    ("Acute GVHD: liver stage 2 (bilirubin 4.1).", "agvhd", None,
     {"value": "3", "unit": "staging"}),
    ("Upper GI GVHD stage 1 on EGD biopsy; anorexia and nausea.", "agvhd", None,
     {"value": "2", "unit": "staging"}),
    ("Acute GVHD of the skin, stage 1 (rash <25% BSA).", "agvhd", None,
     {"value": "1", "unit": "staging"}),
    ("Skin GVHD, stage 2 (~40% BSA maculopapular rash).", "agvhd", None,
     {"value": "1", "unit": "staging"}),
    ("aGVHD skin st 3 (>50% BSA), liver st 0, gut st 0", "agvhd", None,
     {"value": "2", "unit": "staging"}),
    ("Acute GVHD staging: skin 4, liver 0, lower GI 4.", "agvhd", None,
     {"value": "4", "unit": "staging"}),
    ("Acute GVHD, GI stage 2 (1200 mL diarrhea/day).", "agvhd", None,
     {"value": "3", "unit": "staging"}),
    ("Acute GVHD of the liver, stage 1 (bili 2.5).", "agvhd", None,
     {"value": "2", "unit": "staging"}),
    ("aGVHD: skin stage 1, upper GI stage 1.", "agvhd", None,
     {"value": "2", "unit": "staging"}),
    # --- ungraded acute GVHD ---
    ("Developed acute GVHD on day +24.", "agvhd", None, {"value": None}),
    ("Acute graft-versus-host disease of the skin, biopsy-proven.", "agvhd", None, {"value": None}),
    ("aGVHD - on pred 1 mg/kg, tapering by 10% weekly", "agvhd", None, {"value": None}),
    ("Skin GVHD improving, rash now limited to palms.", "agvhd", None, {"value": None}),
    # --- negated ---
    ("No acute GVHD.", "agvhd", None, NEG),
    ("No evidence of GVHD.", "agvhd", None, NEG),
    ("Denies rash or diarrhea to suggest GVHD.", "agvhd", None, NEG),
    ("Skin: warm, dry, no rash, no signs of GvHD.", "agvhd", None, NEG),
    ("Off GVHD prophylaxis since day +180; no acute GVHD.", "agvhd", "acute GVHD", NEG),
    # --- historical, uncertain, family ---
    ("History of grade 2 skin GVHD, resolved.", "agvhd", None,
     {"historical": True, "value": "2", "unit": "grade"}),
    ("s/p grade II skin aGVHD (2019), off steroids", "agvhd", None,
     {"historical": True, "value": "2", "unit": "grade"}),
    ("Possible early skin GVHD, biopsy pending.", "agvhd", None, UNC),
    ("Diarrhea x3 days, cannot rule out gut GVHD.", "agvhd", None, UNC),
    ("Her brother had GVHD after his transplant.", "agvhd", None, FAM),
    # --- risk statements: kept as hypothetical mentions ---
    ("At risk of GVHD given mismatched unrelated donor.", "agvhd", None, HYP),
    ("Discussed the risk of acute GVHD with a female-to-male graft.", "agvhd", None, HYP),
    # --- NOT agvhd mentions ---
    ("GVHD prophylaxis with tacrolimus and methotrexate.", "agvhd", None, None),
    ("Tacrolimus for GVHD ppx, level 8.2", "agvhd", None, None),
    ("PTCy-based GVHD prophylaxis (cyclophosphamide D+3, D+4), tacrolimus and MMF.", "agvhd", None, None),
    ("Methotrexate day +1, +3, +6, +11 for GVHD prevention.", "agvhd", None, None),
    ("ATG given as part of GVHD prophylaxis.", "agvhd", None, None),
    ("Follow up in GVHD clinic in 2 weeks.", "agvhd", None, None),
    ("Taper immunosuppression to promote a graft-versus-leukemia effect.", "agvhd", None, None),
    ("Chronic GVHD of the mouth, on dexamethasone swish.", "agvhd", None, None),
    ("cGVHD, moderate (NIH), skin sclerosis and oral lichenoid changes.", "agvhd", None, None),
    ("Severe chronic graft-versus-host disease with bronchiolitis obliterans.", "agvhd", None, None),
    ("Late GVHD of the eyes (sicca), on cyclosporine drops.", "agvhd", None, None),
    # --- chronic GVHD ---
    ("Chronic GVHD of the mouth, on dexamethasone swish.", "cgvhd", None, {"value": None}),
    ("Mild chronic GVHD of the eyes and mouth (NIH global severity: mild).", "cgvhd", None,
     {"value": "mild"}),
    ("cGVHD, moderate (NIH), skin sclerosis and oral lichenoid changes.", "cgvhd", None,
     {"value": "moderate"}),
    ("Severe chronic graft-versus-host disease with bronchiolitis obliterans.", "cgvhd", None,
     {"value": "severe"}),
    ("Late GVHD of the eyes (sicca), on cyclosporine drops.", "cgvhd", None, {"value": None}),
    ("No chronic GVHD.", "cgvhd", None, NEG),
    ("Grade II aGVHD of skin, improving on topical steroids.", "cgvhd", None, None),
]

DEATH_CAUSE_CASES = [
    # --- relapse ---
    ("Died of progressive leukemia.", "death_cause", None, {"value": "relapse"}),
    ("Cause of death: refractory B-ALL.", "death_cause", None, {"value": "relapse"}),
    ("Cause of death: relapsed ALL with CNS involvement.", "death_cause", None, {"value": "relapse"}),
    ("She passed away at home with hospice from disease progression.", "death_cause",
     "disease progression", {"value": "relapse"}),
    ("COD: refractory disease.", "death_cause", "refractory disease", {"value": "relapse"}),
    ("Died of progressive disease after CAR-T failure.", "death_cause", "progressive disease",
     {"value": "relapse"}),
    # --- infection ---
    ("Expired due to septic shock from Pseudomonas bacteremia.", "death_cause", "septic shock",
     {"value": "infection"}),
    # written without a death statement at first ("Respiratory failure from invasive aspergillosis."):
    # alone that sentence states no death, so nothing in it can be a cause of death
    ("Cause of death: respiratory failure from invasive aspergillosis.", "death_cause", "invasive aspergillosis",
     {"value": "infection"}),
    ("Expired from CMV pneumonitis on day +62.", "death_cause", "CMV pneumonitis",
     {"value": "infection"}),
    ("Died of disseminated adenovirus infection.", "death_cause", "adenovirus infection",
     {"value": "infection"}),
    ("Cause of death: Infection (bacterial sepsis)", "death_cause", "sepsis", {"value": "infection"}),
    ("Presumed cause of death: fungal pneumonia.", "death_cause", "fungal pneumonia",
     {"value": "infection", "uncertain": True}),
    # both a non-relapse cause and leukemia: annotate both
    ("Died of sepsis in the setting of relapsed leukemia.", "death_cause", "sepsis",
     {"value": "infection"}),
    ("Died of sepsis in the setting of relapsed leukemia.", "death_cause", "relapsed leukemia",
     {"value": "relapse"}),
    # --- GVHD ---
    ("Passed away from complications of grade IV gut GVHD.", "death_cause", "GVHD", {"value": "gvhd"}),
    ("Died from complications of chronic GVHD (bronchiolitis obliterans).", "death_cause",
     "chronic GVHD", {"value": "gvhd"}),
    # --- VOD / SOS ---
    ("Death attributed to hepatic VOD/SOS.", "death_cause", "VOD", {"value": "vod"}),
    ("Expired secondary to veno-occlusive disease.", "death_cause", "veno-occlusive disease",
     {"value": "vod"}),
    # --- organ failure ---
    ("Died of multiorgan failure.", "death_cause", "multiorgan failure", {"value": "organ_failure"}),
    ("Death due to ARDS.", "death_cause", "ARDS", {"value": "organ_failure"}),
    ("Cause of death: intracranial hemorrhage.", "death_cause", "intracranial hemorrhage",
     {"value": "organ_failure"}),
    ("Died of hepatic failure.", "death_cause", "hepatic failure", {"value": "organ_failure"}),
    ("Death from renal failure.", "death_cause", "renal failure", {"value": "organ_failure"}),
    # --- other ---
    ("Pt expired overnight, likely cardiac arrest.", "death_cause", "cardiac arrest",
     {"value": "other", "uncertain": True}),
    ("Died of transplant-associated thrombotic microangiopathy (TA-TMA).", "death_cause",
     "thrombotic microangiopathy", {"value": "other"}),
    ("Passed away from a massive stroke.", "death_cause", "stroke", {"value": "other"}),
    # --- family ---
    ("Mother died of breast cancer.", "death_cause", "breast cancer", {"family": True, "value": "other"}),
    ("Her father died of a heart attack.", "death_cause", "heart attack",
     {"family": True, "value": "other"}),
    # --- no cause of death ---
    ("Patient expired on 7/14/2020.", "death_cause", None, None),
    ("Pronounced dead at 03:42; family at bedside.", "death_cause", None, None),
    ("Discussed risk of death from infection.", "death_cause", None, None),
    ("Risk of death from severe VOD estimated at over 80%.", "death_cause", None, None),
    ("Discussed risk of transplant-related mortality of 20%.", "death_cause", None, None),
    ("Septic shock from E. coli bacteremia, now off pressors.", "death_cause", None, None),
]

RELAPSE_CASES = [
    # --- NOT relapse mentions: disease labels, survival endpoints ---
    ("Relapsed B-ALL, here for C2 of blinatumomab.", "relapse", None, None),
    ("Dx: R/R B-ALL", "relapse", None, None),
    ("Relapsed/refractory Ph-negative B-ALL.", "relapse", None, None),
    ("Relapse-free survival at 2 years is approximately 40%.", "relapse", None, None),
    # --- negated ---
    ("No evidence of relapse.", "relapse", None, NEG),
    ("Denies night sweats or bone pain; no signs of relapse.", "relapse", None, NEG),
    ("B-ALL in CR1, no relapse to date.", "relapse", None, NEG),
    # --- morphologic ---
    ("Marrow 12/2/19 consistent with relapse, 45% blasts.", "relapse", None,
     {"value": "morphologic", "date": "2019-12-02"}),
    ("Relapsed in March 2019 with 80% marrow blasts.", "relapse", None,
     {"value": "morphologic", "date": "2019-03-01", "date_precision": "month"}),
    ("First relapse 2/2018, treated with inotuzumab.", "relapse", None,
     {"value": "morphologic", "date": "2018-02-01", "date_precision": "month"}),
    ("Dx 2017, CR1, relapsed 10/2018 (marrow 70% blasts), received blinatumomab.", "relapse",
     "relapsed", {"value": "morphologic", "date": "2018-10-01"}),
    ("Unfortunately, a surveillance bone marrow biopsy performed on 12/2/2019 demonstrated "
     "relapse with 45% lymphoblasts.", "relapse", None,
     {"value": "morphologic", "date": "2019-12-02"}),
    ("Peripheral blood relapse with 30% circulating blasts on 1/3/2020.", "relapse", None,
     {"value": "morphologic", "date": "2020-01-03"}),
    ("Marrow 1/3 consistent with relapse (30% blasts).", "relapse", None,
     {"value": "morphologic", "date": "2020-01-03", "date_source": "year_inferred"}),
    ("Marrow today shows recurrence of B-ALL (25% blasts).", "relapse", "recurrence",
     {"value": "morphologic", "date": "2020-01-15"}),
    ("Relapsed 4 months post-transplant with CD19-negative disease.", "relapse", None,
     {"value": "morphologic"}),
    # --- MRD relapse ---
    ("MRD conversion on 11/4/2019 marrow.", "relapse", None, {"value": "mrd", "date": "2019-11-04"}),
    ("MRD recurrence at 0.05% by flow on 12/20, no morphologic relapse.", "relapse",
     "MRD recurrence", {"value": "mrd", "date": "2019-12-20", "date_source": "year_inferred"}),
    ("MRD-positive relapse (0.3%) detected on 9/10/19 marrow, no morphologic blasts.", "relapse",
     "relapse", {"value": "mrd", "date": "2019-09-10"}),
    # --- extramedullary ---
    ("CNS relapse 3/2019", "relapse", None,
     {"value": "extramedullary", "date": "2019-03-01", "date_precision": "month"}),
    ("Isolated testicular relapse 8/2019.", "relapse", None,
     {"value": "extramedullary", "date": "2019-08-01"}),
    ("Isolated extramedullary relapse in the skin (leukemia cutis) on 10/15/2019.", "relapse", None,
     {"value": "extramedullary", "date": "2019-10-15"}),
    ("CSF positive for blasts consistent with CNS relapse.", "relapse", None,
     {"value": "extramedullary", "date": "2020-01-15"}),
    # --- historical, hypothetical, uncertain, family ---
    ("History of relapse 6/2017 post-HSCT, now in CR2.", "relapse", None,
     {"historical": True, "date": "2017-06-01"}),
    # a conditional or a risk is no relapse statement (docs/annotation_guide.md: "relapse risk" is
    # not a mention; the sample gold keeps none of them; issue 16)
    ("If she relapses we would consider CAR-T.", "relapse", None, None),
    ("High risk of relapse given persistent MRD pre-transplant.", "relapse", None, None),
    ("Possible early relapse, marrow pending.", "relapse", None, UNC),
    ("Her brother relapsed after transplant.", "relapse", None, FAM),
]
