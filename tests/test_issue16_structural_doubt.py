"""Issue 16: doubt that does not depend on having seen an institution's layout.

At first contact with a new institution, what got through unflagged was mostly a first dose's day
written in a layout the ranking had not learned (the admission the evening before, a board's plan,
another drug's aside) and a death read from a word that was no death. These tests pin the
structural flags that show such cases to a reviewer whatever the layout: a same-week disagreement
about the first dose, a start dated only by the note that names it, and a death the chart goes on
after. Every sentence is a paraphrase written for these tests.
"""

from __future__ import annotations

from datetime import date


def _start(events, drug):
    found = [e for e in events if e.kind == f"{drug}_start"]
    assert len(found) == 1, found
    return found[0]


def _details(event):
    return [flag.detail for flag in event.flags]


def test_issue16_a_first_dose_the_week_disagrees_on_is_flagged(timeline):
    # whichever day the ranking picks, two records of the same week disagree on the first dose
    start = _start(timeline(
        ("2020-03-02", "nursing", "Admitted 03/02/2020 for blinatumomab cycle 1."),
        ("2020-03-10", "progress", "Blina C1D8, started 03/03/2020, tolerating well, no CRS."),
    ), "blinatumomab")
    assert any("same week" in d and "2020-03-02" in d and "2020-03-03" in d for d in _details(start)), _details(start)


def test_issue16_the_admission_the_evening_before_an_infusion_record_is_no_doubt(timeline):
    start = _start(timeline(
        ("2020-03-03", "mar", "03/03/2020\n09:10 BLINATUMOMAB 9 mcg/24 h continuous infusion started via PICC - given."),
        ("2020-03-20", "discharge", "She was admitted on 03/02/2020 for blinatumomab cycle 1."),
    ), "blinatumomab")
    assert start.date == date(2020, 3, 3)
    assert not any("same week" in d for d in _details(start)), _details(start)


def test_issue16_an_interruption_on_day_two_is_no_rival_first_dose(timeline):
    start = _start(timeline(
        ("2020-03-12", "discharge", "Blinatumomab C1D1 was started on 3/2/2020. It was held on 3/3/2020 for CRS grade 2 and resumed on 3/5/2020."),
    ), "blinatumomab")
    assert start.date == date(2020, 3, 2)
    assert not any("same week" in d for d in _details(start)), _details(start)


def test_issue16_a_start_dated_only_by_its_consult_is_low_support(timeline):
    start = _start(timeline(
        ("2020-03-10", "clinic", "Inotuzumab started as an outpatient, weekly dosing, tolerating well; transplant if CR."),
    ), "inotuzumab")
    assert any("dated only by the note" in d for d in _details(start)), _details(start)


def test_issue16_a_start_with_its_own_day_is_not_dated_only_by_its_note(timeline):
    start = _start(timeline(
        ("2020-03-08", "clinic", "Inotuzumab C1D1 given 03/02/2020 in the day unit without reaction."),
    ), "inotuzumab")
    assert not any("dated only by the note" in d for d in _details(start)), _details(start)


def _death(events):
    found = [e for e in events if e.kind == "death"]
    assert len(found) == 1, found
    return found[0]


def test_issue16_a_death_the_visits_go_on_after_is_flagged(timeline):
    death = _death(timeline(
        ("2020-01-10", "clinic", "Patient expired 01/05/2020."),
        ("2020-02-20", "clinic", "Seen in clinic today, well, ECOG 1. Bone marrow 02/18/2020: 2% blasts."),
    ))
    assert any("after this death" in d for d in _details(death)), _details(death)


def test_issue16_a_death_record_with_a_later_letter_is_no_doubt(timeline):
    death = _death(timeline(
        ("2020-01-06", "death_note", "Pronounced dead at 04:10 on 01/05/2020. Cause: relapsed B-ALL."),
        ("2020-02-20", "letter", "Dear Dr Obi, I am sorry to tell you that your patient died on 01/05/2020."),
    ))
    assert death.date == date(2020, 1, 5)
    assert not any("after this death" in d for d in _details(death)), _details(death)


def test_issue16_an_infusion_notes_own_first_dose_weeks_later_is_a_conflict(timeline):
    # a misread day puts the first dose three weeks early; the infusion note of the real day says C1D1
    start = _start(timeline(
        ("2020-03-25", "infusion_nursing", "03/04/2020\n09:05 Inotuzumab ozogamicin 1.4 mg IV given, no reaction."),
        ("2020-03-25", "infusion_nursing_2", "Visit: inotuzumab C1D1 today. Premeds given, infusion started 0905."),
    ), "inotuzumab")
    assert start.date == date(2020, 3, 4)
    assert any("2020-03-25" in d for d in _details(start)), _details(start)
