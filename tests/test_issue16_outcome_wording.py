"""Issue 16, held-out LA/IP/CT wording: how a death, its cause, a relapse and a transplant are
written at other institutions. Sentences are written for these tests (no chart text); each case
builds the patient's timeline from the shipped rules and checks the event it makes."""

from __future__ import annotations

import pytest

from chartabstract.models import Event


def _kind(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e.kind == kind]


@pytest.mark.parametrize("note", [
    "Death note\nThe patient was declared dead at 23:10 on 3/6/21 after comfort care.",
    "ICU event 3/8/21\nAsystole; resuscitation stopped and pt declared deceased 3/6/21 at 02:15.",
    "Late entry 3/8/21: patient confirmed dead by the night resident on 3/6/21.",
])
def test_issue16_declared_dead_is_a_death_with_its_own_date(timeline, note):
    deaths = _kind(timeline(("2021-03-08", "death", note)), "death")
    assert [str(e.date) for e in deaths] == ["2021-03-06"]


@pytest.mark.parametrize(("note", "cause"), [
    ("Pt declared dead 3/6/21.\nCauses on certificate:\n  a) Neutropenic sepsis\n  b) Pneumonia\n", "non_relapse"),
    ("Pt died 3/6/21. Causes reported: steroid-refractory acute GVHD; multiorgan failure.", "non_relapse"),
    ("Pt died 3/6/21.\nCauses listed:\n1. Refractory B-ALL\n2. Pneumonia\n", "relapse"),
    ("Pt expired 3/6/21. Cause as stated on the death certificate: hepatic VOD.", "non_relapse"),
])
def test_issue16_cause_list_headings_name_the_causes(timeline, note, cause):
    deaths = _kind(timeline(("2021-03-08", "death", note)), "death")
    assert deaths and deaths[0].value("cause") == cause, deaths


@pytest.mark.parametrize("note", [
    "Diagnoses at death: 1) gut GVHD grade 4, 2) CMV pneumonitis, 3) Ph+ B-ALL in MRD-negative CR2.\nPt expired 3/6/21.",
    "Final diagnoses at death: invasive aspergillosis; B-ALL in continued remission after haplo HCT.\nPt died 3/6/21.",
    "Pt died 3/6/21 of E. coli sepsis. Problem list at death: pre-B ALL (in CR1), neutropenia.",
    "Diagnoses at death: 1) TA-TMA, 2) respiratory failure, 3) B-ALL status post MUD allo-HSCT.\n"
    "Pt expired 3/6/21.\nLast marrow without relapse; no relapse of leukemia.",
])
def test_issue16_leukemia_in_remission_among_death_diagnoses_is_no_cause(timeline, note):
    deaths = _kind(timeline(("2021-03-08", "death", note)), "death")
    assert deaths and deaths[0].value("cause") == "non_relapse", deaths


def test_issue16_denied_relapse_keeps_a_leukemia_cause_when_nothing_else_is_named(timeline):
    note = "Pt died 3/6/21 of refractory B-ALL. No relapse after the transplant: the disease never remitted."
    deaths = _kind(timeline(("2021-03-08", "death", note)), "death")
    assert deaths and deaths[0].value("cause") == "relapse", deaths


LETTER = ("2021-03-02", "letter", "Dear colleague, I saw him in clinic today. His blood count today shows 22% circulating "
                                  "blasts and new thrombocytopenia. This is consistent with a second relapse of his leukemia.")
MARROW = ("2021-03-05", "bm_pathology", "Bone marrow aspirate collected 03/04/2021.\nDIAGNOSIS: Relapsed B-lymphoblastic "
                                        "leukemia, 60% blasts by 500-cell differential.")


def test_issue16_relapse_seen_in_the_blood_keeps_its_day_when_the_marrow_confirms_it(timeline):
    relapses = _kind(timeline(LETTER, MARROW), "relapse")
    assert [str(e.date) for e in relapses] == ["2021-03-02"]


@pytest.mark.parametrize("text", [
    LETTER[2],
    "HPI: fatigue and bone pain. CBC today: WBC 31, peripheral blasts 40%. Impression: early post-transplant relapse of B-ALL; "
    "family declines a marrow.",
])
def test_issue16_relapse_seen_in_the_blood_without_a_marrow_is_a_relapse(timeline, text):
    relapses = _kind(timeline(("2021-03-02", "admission", text)), "relapse")
    assert [str(e.date) for e in relapses] == ["2021-03-02"]


def test_issue16_relapse_summary_without_a_blood_count_waits_for_the_marrow(timeline):
    summary = ("2021-03-02", "letter", "He is being treated for a second relapse of his leukemia.")
    assert not _kind(timeline(summary), "relapse")


@pytest.mark.parametrize("text", [
    "ID recommendations after the transplant: letermovir 480 mg daily from D+0 to D+100; acyclovir D0-D+365.",
    "Antifungal plan: posaconazole from day 0 through day +75 after the haplo transplant.",
    "Donor identified (10/10 MUD). Transplant intake visit 2/22, target Day 0 mid-April.",
    "Projected day 0 is 4/20 if the donor clears.",
    "AlloHCT - 10/10 MUD cleared. Day 0 target early June.",
    "BMT: sibling donor identified; D0 projected 6/10, admission TBD.",
])
def test_issue16_day_counts_of_a_planned_transplant_make_no_transplant(timeline, text):
    assert not _kind(timeline(("2022-01-31", "consult", text)), "hsct")


@pytest.mark.parametrize("text", [
    "PMH: Hodgkin lymphoma 2010, relapsed 2011, ICE then AUTOLOGOUS\nstem cell transplant (BEAM) on 03/22/2012, in remission since.",
    "Past history: myeloma treated with VRd and autologous\nperipheral blood stem cell transplantation 03/22/2012.",
    "Prior auto-SCT for NHL (3/22/2012); no allogeneic transplant so far.",
])
def test_issue16_autologous_transplant_is_no_allogeneic_hsct(timeline, text):
    assert not _kind(timeline(("2022-01-04", "admission", text)), "hsct")


@pytest.mark.parametrize("order", [
    "A/P: B-ALL in CR2 with MRD+ - start blinatumomab for MRD (28 mcg/day, no step-up) C1D1 5/1/23. Admit for the first dose.",
    "Plan: begin inotuzumab 0.8 mg/m2, cycle 1 day 1 on 05/01/2023 pending insurance.",
    "Will start blina at 9 mcg/day; D1 = 5/1/23, step-up on D8.",
])
def test_issue16_start_order_with_a_later_first_day_is_a_plan(timeline, order):
    clinic = ("2023-04-24", "progress", "CLINIC NOTE\n4/24/2023\n" + order)
    events = timeline(clinic)
    assert not [e for e in events if e.kind.endswith("_start")], events


@pytest.mark.parametrize("comparison", ["decrease from 12/2021", "vs. 12/2021", "dimmer than in 12/2021", "a drop in intensity from 12/2021"])
def test_issue16_a_comparison_date_is_the_earlier_samples_not_the_results(timeline, comparison):
    report = ("2022-01-06", "bm_pathology", "BONE MARROW REPORT\nCollected 01/04/2022.\n"
                                            f"Flow: abnormal B lymphoblasts 20% - MRD positive. CD19 dim, CD22 dim ({comparison}).")
    marrows = _kind(timeline(report), "marrow")
    assert [str(e.date) for e in marrows] == ["2022-01-04"], marrows


@pytest.mark.parametrize("text", [
    "A/P\n- Consolidate with alloHCT in CR - start donor search now.",
    "A/P\n- Plan to consolidate with a MUD allo-HSCT once in CR2; begin HLA typing today.",
])
def test_issue16_a_transplant_to_consolidate_a_remission_is_a_plan(timeline, text):
    assert not _kind(timeline(("2021-06-14", "progress", text)), "hsct")


@pytest.mark.parametrize(("text", "when"), [
    ("Oncologic history:\n* AlloHSCT haploidentical from her daughter (31 y) on 11/14/2019 (RIC, PTCy).", "2019-11-14"),
    ("Oncologic history:\n* allo-SCT, 10/10 MUD from a registry donor, on 3/4/2019 (MAC).", "2019-03-04"),
])
def test_issue16_prior_transplant_dated_across_a_donor_clause(timeline, text, when):
    assert [str(e.date) for e in _kind(timeline(("2020-06-15", "consult", text)), "hsct")] == [when]


def test_issue16_hla_match_after_a_donor_is_no_transplant_date(timeline):
    assert not _kind(timeline(("2020-06-15", "consult", "Plan: alloHCT from brother (10/10) once in CR.")), "hsct")


def test_issue16_a_death_note_without_a_readable_death_statement_still_dates_a_death(timeline):
    note = "NOTA DE DEFUNCION / DEATH CERTIFICATE NOTE\nFamily at bedside. Course complicated by E. coli sepsis after blinatumomab."
    deaths = _kind(timeline(("2021-03-08", "death", note)), "death")
    assert [str(e.date) for e in deaths] == ["2021-03-08"] and [f.kind for f in deaths[0].flags] == ["low_support"]
    assert not _kind(timeline(("2021-03-08", "progress", note)), "death")


def test_issue16_blood_count_after_a_relapsing_marrow_is_the_same_relapse(timeline):
    marrow = ("2021-03-03", "bm_pathology", "Bone marrow aspirate collected 03/02/2021.\nDIAGNOSIS: Relapsed B-lymphoblastic "
                                            "leukemia, 60% blasts by 500-cell differential.")
    admission = ("2021-03-12", "admission", "Admitted for salvage. CBC today: peripheral blasts 35%. Known relapse of B-ALL, "
                                            "starting inotuzumab tomorrow.")
    relapses = _kind(timeline(marrow, admission), "relapse")
    assert [str(e.date) for e in relapses] == ["2021-03-02"]


@pytest.mark.parametrize("text", [
    "HEMATOPATHOLOGY\nClinical: B-ALL, blinatumomab C1 end (D1 7/16; held 7/25-7/28).\nAspirate: blasts 0.8%.",
    "Clinical history: relapsed B-ALL on blinatumomab cycle 1, D1 = 7/16, day 28 marrow.",
])
def test_issue16_a_first_cycle_day_one_with_its_date_starts_the_course(timeline, text):
    starts = [e for e in timeline(("2018-08-13", "bm_pathology", text)) if e.kind == "blinatumomab_start"]
    assert [str(e.date) for e in starts] == ["2018-07-16"], starts


def test_issue16_a_planned_day_one_is_no_start(timeline):
    events = timeline(("2018-08-13", "progress", "Plan: blinatumomab C2, D1 8/27 if counts recover."))
    assert not [e for e in events if e.kind == "blinatumomab_start" and e.date]
