"""Issue 16: signals a new institution's chart gives whatever its phrasing.

Two first-contact misses recurred across styles: a death told in a relative's words that the death
rules did not attribute to the patient (the telephone note that offers condolences), and a first
dose chosen from a misread header while another note names the first cycle with its own day. The
note that offers condolences records a death in any layout; the first cycle named with its day is
a rival first dose whoever wrote it. Every sentence is a paraphrase written for these tests.
"""

from __future__ import annotations

from datetime import date

from tests.issue16_helpers import details, one


def test_issue16_a_note_offering_condolences_records_a_flagged_death(timeline):
    # the death sentence is the caller's, in words the rules do not read as the patient's death
    death = one(timeline(
        ("2021-03-01", "clinic", "Blinatumomab C1D1 given 03/01/2021."),
        ("2021-09-14", "telephone", "Daughter rang the unit this morning with the news about her mother. Condolences offered on behalf of the team. Clinic slot released."),
    ), "death")
    assert death.date == date(2021, 9, 14)
    assert any(flag.kind == "low_support" for flag in death.flags), details(death)


def test_issue16_a_condolence_card_sent_records_a_death(timeline):
    death = one(timeline(
        ("2021-09-20", "telephone", "Husband informed us she is gone. Sympathy card sent from clinic."),
    ), "death")
    assert death.date == date(2021, 9, 20)


def test_issue16_a_written_death_day_outranks_the_condolence_note(timeline):
    death = one(timeline(
        ("2021-09-14", "telephone", "Patient died at home on 09/11/2021. Condolences were offered to the family."),
    ), "death")
    assert death.date == date(2021, 9, 11)


def test_issue16_no_condolences_no_death(timeline):
    events = timeline(
        ("2021-09-14", "clinic", "Discussed goals of care; family aware of prognosis. Blinatumomab C1D1 given 09/01/2021."),
    )
    assert not [e for e in events if e.kind == "death"]


def test_issue16_a_first_cycle_named_with_its_own_day_disputes_an_earlier_start(timeline):
    # the record's header day was misread (or is an order's); the marrow report names C1 with its day
    start = one(timeline(
        ("2021-05-11", "infusion", "05/11/2021\nInotuzumab 0.8 mg/m2 IV over 1 h - given."),
        ("2021-07-01", "bm_pathology", "Clinical: relapsed B-ALL s/p InO C1 (5/25/21). Marrow aspirate: 2% blasts."),
    ), "inotuzumab_start")
    assert start.date == date(2021, 5, 11)
    assert any("2021-05-25" in d for d in details(start) if "sources give" in d), details(start)


def test_issue16_a_later_cycle_named_with_its_day_is_no_rival(timeline):
    start = one(timeline(
        ("2021-05-11", "infusion", "05/11/2021\nInotuzumab 0.8 mg/m2 IV over 1 h - given."),
        ("2021-07-01", "bm_pathology", "Clinical: relapsed B-ALL s/p InO C2 (6/8/21). Marrow aspirate: 2% blasts."),
    ), "inotuzumab_start")
    assert not any("sources give" in d for d in details(start)), details(start)
