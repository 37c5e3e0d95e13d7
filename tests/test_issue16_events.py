"""Issue 16: transplant and CAR-T events, death, cause of death and family/donor assertion on
wording from other institutions. Sentences are written for these tests (no chart text).

Each case runs the shipped rules on small notes and builds the patient's timeline, so a
sentence is checked by the event it makes (or does not make), not by one attribute.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from chartabstract.models import Event

MTSAMPLES = Path(__file__).resolve().parent / "data" / "external" / "mtsamples" / "general_medicine"


def _kind(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e.kind == kind]


@pytest.mark.parametrize("text", [
    "Referral for allogeneic transplant sent today 3/2/21.",
    "After a long talk she now agrees to a transplant; HLA typing 3/2/21.",
    "pre-HCT marrow 3/2/21: M1, MRD 0.2%.",
    "Second relapse now about 14 months post-HSCT: marrow 3/2/21 shows 40% blasts.",
    "Consultation regarding a second allogeneic transplant 03/02/2021",
    "PRE-TRANSPLANT HISTORY AND PHYSICAL  Date: 03/02/2021",
    "Call 3/2/21 from the Riverside BMT coordinator about bed dates.",
    "Outside CAR-T records requested 3/2.",
    "CD19 CAR-T trial (ABC-19-001): screen failed 3/2/21, not enrolled.",
    "Relapsed B-ALL post allo, now on day 29 of blinatumomab.",
    "Kymriah 2/2020 elsewhere, CR/MRD negative at day 28 per outside notes.",
])
def test_issue16_weak_single_mention_is_no_procedure_event(timeline, text):
    events = timeline(("2021-03-20", "progress", text))
    assert not _kind(events, "hsct") and not _kind(events, "car_t"), [(e.kind, e.date) for e in events]


@pytest.mark.parametrize(("text", "kind", "when"), [
    ("s/p MUD alloHCT on 6/4/2019, in CR since.", "hsct", "2019-06-04"),
    ("She underwent haploidentical HCT 11/02/2018.", "hsct", "2018-11-02"),
    ("9/10 MMUD allo-SCT 15 January 2021.", "hsct", "2021-01-15"),
    ("Tisagenlecleucel infused 2/11/2020 without CRS.", "car_t", "2020-02-11"),
    ("Today is day +20 after his haploidentical stem cell transplant; counts recovering.", "hsct", "2021-02-28"),
])
def test_issue16_procedure_with_its_own_date_is_an_event(timeline, text, kind, when):
    events = _kind(timeline(("2021-03-20", "progress", text)), kind)
    assert [str(e.date) for e in events] == [when]


def test_issue16_weak_mention_counts_when_two_notes_give_the_date(timeline):
    text = "Allogeneic transplant at the outside center, records dated 3/2/2021 pending."
    assert not _kind(timeline(("2021-03-20", "progress", text)), "hsct")
    events = _kind(timeline(("2021-03-20", "progress", text), ("2021-04-20", "progress", text)), "hsct")
    assert [str(e.date) for e in events] == ["2021-03-02"]


@pytest.mark.parametrize("text", [
    "Cadaveric renal transplant in October 2006, on tacrolimus.",
    "s/p deceased-donor kidney transplant 3/4/2015; renal allograft function stable.",
    "History of liver Tx 2/2/2012 for hepatitis C cirrhosis.",
    "Living donor renal transplant 5/6/2010 from her sister.",
])
def test_issue16_solid_organ_transplant_is_never_hsct(timeline, text):
    assert not _kind(timeline(("2021-03-20", "progress", text)), "hsct")


def test_issue16_mtsamples_distractors_make_no_procedure_or_patient_death(timeline):
    for path in sorted(MTSAMPLES.glob("*.txt")):
        events = timeline(("2020-06-01", "discharge", path.read_text(errors="replace")))
        assert not [e for e in events if e.kind in ("hsct", "car_t")], path.name
        assert not _kind(events, "death") or path.name.endswith("-381.txt"), path.name  # "her mother, who is deceased"


@pytest.mark.parametrize(("text", "when"), [
    ("Donor: haplo (mom). Day 0 3/4/21, engrafted D+18.", "2021-03-04"),
    ("MSD alloHCT from her brother, Cy/TBI, Day 0 03/04/2021.", "2021-03-04"),
    ("Haploidentical (father) PBSC alloHCT, Day 0 3/4/2021.", "2021-03-04"),
])
def test_issue16_donor_relative_is_no_family_history(timeline, text, when):
    events = _kind(timeline(("2021-04-20", "progress", text)), "hsct")
    assert [str(e.date) for e in events] == [when]


@pytest.mark.parametrize("text", [
    "He passed away at home 3/4/21 around 0500, family present.",
    "Patient expired 3/4/21 with her husband and daughter at the bedside.",
    "Died peacefully 03/04/2021, surrounded by family.",
])
def test_issue16_bystander_family_at_a_death_keeps_the_death(timeline, text):
    deaths = _kind(timeline(("2021-03-05", "telephone", text)), "death")
    assert [str(e.date) for e in deaths] == ["2021-03-04"]


def test_issue16_relatives_own_transplant_stays_family(timeline):
    text = "Her son underwent a haploidentical BMT on 12/5/2019 at the children's hospital."
    assert not _kind(timeline(("2021-03-05", "progress", text)), "hsct")


def test_issue16_relative_as_subject_of_a_death_is_family(timeline):
    assert not _kind(timeline(("2021-03-05", "progress", "Her father died of leukemia in 2001.")), "death")


@pytest.mark.parametrize("note", [
    "NOTICE OF DEATH (hospice call) 03/08/2021\nPatient died at home 03/06/2021 early morning.",
    "Death/phone note 3/8/21\nWife called: pt died 3/6/21 in his sleep.",
    "Phone 3/8/21\nCOD: septic shock.\nPt passed away 3/6/21 per son.",
])
def test_issue16_death_date_from_the_death_verb_not_the_title(timeline, note):
    deaths = _kind(timeline(("2021-03-08", "death", note)), "death")
    assert [str(e.date) for e in deaths] == ["2021-03-06"]


@pytest.mark.parametrize(("note", "cause"), [
    ("Pt died 3/6/21 of E. coli sepsis; leukemia in complete remission.", "non_relapse"),
    ("Pt died 3/6/21. Cause of death: hepatic VOD. Leukemia not a contributing factor.", "non_relapse"),
    ("Pt died 3/6/21 of gut GVHD; no evidence of relapse on the D+60 marrow.", "non_relapse"),
    ("Expired 3/6/21 from CMV pneumonitis. Day +30 BM w/o evidence of leukemia.", "non_relapse"),
    ("Pt died 3/6/21 of progressive relapsed B-ALL.", "relapse"),
    ("Patient died 3/6/21 of his leukemia.", "relapse"),
])
def test_issue16_cause_of_death_ignores_leukemia_in_remission(timeline, note, cause):
    deaths = _kind(timeline(("2021-03-08", "death", note)), "death")
    assert deaths and deaths[0].value("cause") == cause, deaths


def test_issue16_history_under_a_dated_heading_is_no_start(timeline):
    """A verdict under a dated response heading ("refractory to <drug>") takes the heading's day,
    which is the marrow's, never the drug's start; the start written beside it wins."""
    text = (
        "Summary:\nBlinatumomab cycle 1 began on 4th March 2021 and ran 28 days.\n\n"
        "Restaging marrow 1st April 2021 (end of cycle 1):\nBlasts 40%. Verdict: refractory to blinatumomab.\n"
    )
    starts = _kind(timeline(("2021-04-03", "mdt", text)), "blinatumomab_start")
    assert [str(e.date) for e in starts] == ["2021-03-04"]
