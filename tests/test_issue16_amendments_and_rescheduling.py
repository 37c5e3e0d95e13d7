"""Issue 16: an academic service's fellow notes, amended reports and rescheduled first doses.

After the AC style's first contact: a first dose postponed from the admission day, a report whose
addendum corrects its blast count, a synoptic row per counting method, a course told as an arrow
chain, a remission reported after the relapse it followed, a problem line denying GVHD, a marker
status only a fellow's note gives, and a relapse written with two days. Every sentence is a
paraphrase written for these tests.
"""

from __future__ import annotations

from datetime import date

from tests.issue16_helpers import details, of, one


def test_issue16_the_day_a_first_dose_was_postponed_from_is_no_start(timeline):
    start = one(timeline(
        ("2020-06-02", "hp", "Admitted today to start blinatumomab C1. Febrile on arrival; hold C1D1 today."),
        ("2020-06-04", "progress", "Blinatumomab C1D1 POSTPONED (was planned 6/2) for fever; now planned 6/5."),
        ("2020-06-05", "pharmacy", "Blinatumomab 9 mcg/day CIV C1D1: infusion started 06/05/2020 15:10 per RN."),
    ), "blinatumomab_start")
    assert start.date == date(2020, 6, 5), details(start)


def test_issue16_a_start_followed_by_a_hold_keeps_its_day(timeline):
    start = one(timeline(
        ("2022-01-20", "course_record", "Blinatumomab from 2022-01-05 (9ug/d), held 01-16 for ICANS, restarted 01-18."),
        ("2022-01-05", "medication_orders", "2022-01-05 11:00 Blinatumomab 9ug/24h start executed 11:25"),
    ), "blinatumomab_start")
    assert start.date == date(2022, 1, 5)


def test_issue16_an_addendum_replaces_the_value_it_corrects_on_the_marrows_day(timeline):
    report = (
        "HEMATOPATHOLOGY REPORT  ** AMENDED **\n"
        "Collected: 03/02/2021 09:00    Signed out: 03/04/2021\n"
        "Addendum signed: 03/08/2021\n\n"
        "FINAL DIAGNOSIS:\n"
        "   - PERSISTENT B-LYMPHOBLASTIC LEUKEMIA, 24% BLASTS (ASPIRATE DIFFERENTIAL)  [corrected - see addendum]\n\n"
        "SYNOPTIC REPORT\n"
        "  Cellularity:                  60%\n"
        "  Blasts, aspirate (500-cell):  24%   [corrected - see addendum]\n"
        "  Blasts, flow:                 13%\n\n"
        "ADDENDUM (03/08/2021):\n"
        "The differential was miscounted in the original report. The correct 500-cell differential blast count is 14%.\n"
    )
    marrow = one(timeline(("2021-03-04", "hemepath", report)), "marrow")
    assert marrow.date == date(2021, 3, 2)
    assert marrow.value("blasts") == "14", marrow.values


def test_issue16_a_percent_on_the_line_above_a_blast_row_is_not_its_count(extract):
    text = "SYNOPTIC REPORT\n  Cellularity:  45%\n  Blasts, core (CD34):  ~10% of cellularity\n"
    values = sorted(m.value for m in of(extract(text, "hemepath"), "marrow_blasts"))
    assert values == ["10"], values


def test_issue16_an_undated_step_of_an_arrow_chain_is_history(extract):
    mrd = of(extract("60F w/ R/R B-ALL: relapse 03/2019 -> MRD+ CR w/ blinatumomab x2 -> CD22-negative relapse 09/2019.",
                     "clinic", date(2019, 10, 30)), "mrd")
    assert mrd and all(m.historical for m in mrd), mrd


def test_issue16_a_relapse_a_reported_remission_came_after_is_history(extract):
    for sentence in ("Referred for second HCT in CR2 after post-transplant relapse.",
                     "B-ALL relapsed after MUD HCT, now in MRD-negative CR2 after inotuzumab."):
        relapses = of(extract(sentence, "consult"), "relapse")
        assert relapses and all(m.historical for m in relapses), sentence


def test_issue16_a_relapse_in_remission_is_a_new_relapse(extract):
    relapses = of(extract("Now with a second relapse in CR2, marrow 40% blasts.", "clinic"), "relapse")
    assert relapses and not any(m.historical for m in relapses)


def test_issue16_a_relapse_dated_by_the_marrow_after_its_colon(extract):
    relapse = of(extract("He relapsed about a year after transplant: BM 01/12/2020 (flow 9% blasts).", "consult", date(2020, 3, 1)), "relapse")
    assert [m.date for m in relapse] == [date(2020, 1, 12)]


def test_issue16_a_problem_line_denying_gvhd(extract):
    gvhd = of(extract("# GVHD - none; off tacrolimus.", "clinic"), "agvhd")
    assert gvhd and all(m.negated for m in gvhd)


def test_issue16_a_marker_status_only_notes_give_is_flagged_against_its_report(timeline):
    events = timeline(
        ("2018-05-03", "hemepath", "Collected: 05/01/2018\nDiagnosis: relapsed B-ALL, 30% blasts.\nCD19: positive (98%)\nCD22: not reported - tube failed QC."),
        ("2018-05-04", "progress", "# Relapsed B-ALL - BM 5/1/18 30% blasts, CD19+, CD22 neg"),
    )
    marrow = one(events, "marrow")
    assert marrow.value("cd22") == "negative"
    assert any(name == "cd22" and flag.kind == "low_support" for name, flag in marrow.field_flags), marrow.field_flags


def test_issue16_a_relapse_written_with_two_days_is_flagged(timeline):
    relapse = [e for e in timeline(
        ("2023-02-09", "csf_report", "CONCLUSION: CSF positive for B-lymphoblastic leukaemia.\n\n"
                                     "Addendum (bone marrow, procedure 02/08/2023, reported 02/10/2023):\n"
                                     "  BM aspirate blasts 1%, flow MRD NEGATIVE. -> isolated CNS relapse.\n"),
        ("2023-03-20", "progress", "- ISOLATED CNS RELAPSE 02/06/2023 (CSF blasts); IT chemotherapy given."),
    ) if e.kind == "relapse"]
    assert relapse and any(f.kind == "conflict" for f in relapse[-1].flags), [details(e) for e in relapse]


def test_issue16_a_date_the_marker_intensity_is_compared_with_is_not_the_results(extract):
    cd22 = of(extract("CD22   dim   92%, median fluorescence 1 log below the pre-treatment sample of 13.01.2020", "flow_cytometry",
                      date(2020, 2, 19)), "cd22")
    assert [(m.value, m.date) for m in cd22] == [("dim", date(2020, 2, 19))]


def test_issue16_retained_marker_before_another_markers_reduced_intensity(extract):
    mentions = extract("The residual cells retain CD19 and show reduced-intensity CD22.", "flow_cytometry")
    assert [m.value for m in of(mentions, "cd19")] == ["positive"]
