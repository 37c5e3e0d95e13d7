"""Issue 16: classes the held-out Chinese grade-A hospital (EMR exported in translated English)
showed at first contact, fixed in general.

Every sentence here is a paraphrase written for these tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest

from chartabstract.models import Event


def _of(mentions, concept):
    return [m for m in mentions if m.concept == concept]


def _kind(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e.kind == kind]


@pytest.mark.parametrize(("text", "expected"), [
    ("Smear reviewed, 200 cells counted. Primitive + naive lymphocytes 41.5%.", "41.5"),
    ("Lymphoid series 22%, of which primitive+naive lymphocytes 3.5%.", "3.5"),
    ("Lymphocytes markedly hyperplastic; primitive and immature lymphocytes account for 67%.", "67"),
    ("Granulocytes 50%, erythroid 24% (primitive/naive lymphocytes 0%), monocytes 3%.", "0"),
])
def test_issue16_primitive_plus_naive_lymphocytes_is_the_marrow_blast_count(extract, text, expected):
    found = _of(extract(text, note_type="bm_morphology"), "marrow_blasts")
    assert [m.value for m in found] == [expected]


def test_issue16_primitive_plus_naive_in_blood_is_not_the_marrow(extract):
    text = "Peripheral blood film: primitive + naive lymphocytes 12%."
    assert not _of(extract(text, note_type="bm_morphology"), "marrow_blasts")


def test_issue16_the_parts_of_the_differential_are_not_the_blast_count(extract):
    text = "Differential: primitive lymphocytes 20.0%, naive lymphocytes 4.5%, mature lymphocytes 11%."
    assert not _of(extract(text, note_type="bm_morphology"), "marrow_blasts")


def test_issue16_a_response_state_does_not_negate_the_next_drug(timeline):
    events = timeline(("2021-09-30", "discharge",
                       "Course: salvage chemotherapy not in remission, blinatumomab 1 cycle from 2021-06-03 reached CR with MRD 0.02%."))
    assert [e.date for e in _kind(events, "blinatumomab_start")] == [date(2021, 6, 3)]


def test_issue16_an_infusion_with_its_clock_times_is_the_first_dose(timeline):
    events = timeline(
        ("2021-03-01", "mdt_discussion", "Plan inotuzumab one cycle once the drug is imported."),
        ("2021-03-09", "course_record",
         "Today inotuzumab ozogamicin d1 0.8mg/m2 = 0.6mg ivgtt over 1 hour, start 09:20, end 10:25, tolerated well."),
    )
    assert [e.date for e in _kind(events, "inotuzumab_start")] == [date(2021, 3, 9)]


def test_issue16_a_drug_imported_but_never_given_has_no_start(timeline):
    events = timeline(("2021-03-09", "course_record",
                       "Inotuzumab 2 vials bought by the family through the pilot zone pharmacy, arrived today. Not given: patient febrile, plan to reassess."))
    assert not _kind(events, "inotuzumab_start")


def test_issue16_death_time_field_dates_the_death(timeline):
    note = "DEATH RECORD\nAdmitted: 2022-03-02 18:40   Death time: 2022-03-19 06:10   Days in hospital: 17\nCause of death: invasive fungal pneumonia."
    deaths = _kind(timeline(("2022-03-19", "death", note)), "death")
    assert [str(e.date) for e in deaths] == ["2022-03-19"]


def test_issue16_the_death_diagnosis_list_is_not_the_written_cause(timeline):
    note = ("DEATH RECORD\nThe patient was declared dead on 2022-05-04.\n"
            "Cause of death: intracranial haemorrhage with brain herniation.\n"
            "Death diagnosis:\n1. Acute B lymphoblastic leukemia, relapsed, after allo-HSCT\n2. Intracranial haemorrhage\n3. Severe thrombocytopenia")
    deaths = _kind(timeline(("2022-05-04", "death", note)), "death")
    assert deaths and deaths[0].value("cause") == "non_relapse", deaths


def test_issue16_contributing_causes_stay_with_the_written_cause(timeline):
    note = ("The patient was pronounced dead on 2022-05-04.\nImmediate cause of death: septic shock.\n"
            "Contributing: relapsed B-ALL.")
    deaths = _kind(timeline(("2022-05-04", "death", note)), "death")
    assert deaths and deaths[0].value("cause") == "relapse", deaths


@pytest.mark.parametrize("text", [
    "Mother reported the child passed away at the local hospital on 2022.4.2.",
    "Telephone follow-up: father told us the child died at home on 2022.4.2.",
])
def test_issue16_the_child_told_of_by_a_parent_is_the_patient(extract, text):
    deaths = _of(extract(text, note_type="telephone", note_date=date(2022, 4, 9)), "death")
    assert deaths and not any(m.family for m in deaths), deaths


def test_issue16_a_relatives_own_death_stays_family(extract):
    deaths = _of(extract("Family history: his father died of a stroke."), "death")
    assert deaths and all(m.family for m in deaths)


def _row(*events: Event):
    from dataclasses import replace

    from chartabstract.cohort import build_cohort_row
    from chartabstract.models import PatientTimeline
    from chartabstract.study import load_study

    study = load_study()
    study = replace(study, doubt={**study.doubt, "fallback": True})
    return build_cohort_row(PatientTimeline("P1", tuple(events), date(2021, 12, 1), 3), study)


def _marrow(day: date, **values: str) -> Event:
    return Event(f"P1:marrow:{day}", "P1", "marrow", day, "day", tuple(values.items()), (f"P1/m{day}",))


def test_issue16_a_marrow_in_the_window_with_no_readable_blasts_is_flagged_not_silent():
    start = Event("P1:blinatumomab_start", "P1", "blinatumomab_start", date(2021, 4, 10), "day", (), ("P1/b",))
    row = _row(_marrow(date(2021, 4, 1), mrd="positive"), start, _marrow(date(2021, 5, 6), mrd="negative"))
    assert row.values["blasts_pre_mab1_pct"] == "" and row.values["mab1_response"] == "not_assessed"
    for column in ("blasts_pre_mab1_pct", "mab1_response"):
        assert any(f.kind == "missing" for f in row.flags.get(column, [])), (column, row.flags.get(column))


def test_issue16_no_marrow_in_the_window_is_no_unread_marrow():
    start = Event("P1:blinatumomab_start", "P1", "blinatumomab_start", date(2021, 4, 10), "day", (), ("P1/b",))
    row = _row(start)
    assert not any(f.kind == "missing" for f in row.flags.get("blasts_pre_mab1_pct", []))


def test_issue16_a_certificate_chain_under_the_written_cause_stays_with_it(timeline):
    note = ("The patient was pronounced dead on 2022-05-04.\nCause of death: 1a Subdural haemorrhage;\n"
            "1b Thrombocytopenia due to refractory relapsed B-ALL.")
    deaths = _kind(timeline(("2022-05-04", "death", note)), "death")
    assert deaths and deaths[0].value("cause") == "relapse", deaths
