"""Issue 16: a Korean EMR's English notes and a Dutch centre's notes, after their first contact.

KR charts in English with Korean words mid-sentence (예정 planned, 연기 postponed, 심평원 승인 the
payer's approval, 없음 none); NL's writer charted mostly in Dutch (overleden, Doodsoorzaak, allogene
stamceltransplantatie, dag 0, blasten, perifeer bloed, geen, graad, chronische GVHD). Every
sentence is written for these tests, not copied from the charts.
"""

from __future__ import annotations

from datetime import date

from tests.issue16_helpers import details, of, one


def test_issue16_dutch_death_words_and_cause_heading(extract):
    mentions = extract("Pt. om 04:40 overleden in bijzijn van partner.\nDoodsoorzaak: sepsis bij neutropenie.", "overlijden")
    assert [m for m in of(mentions, "death") if not m.family]
    assert of(mentions, "death_cause")


def test_issue16_a_relatives_death_in_dutch_is_family(extract):
    deaths = of(extract("Familieanamnese: vader overleden aan hartinfarct.", "decursus"), "death")
    assert deaths and all(m.family for m in deaths)


def test_issue16_dutch_transplant_and_day_zero(extract):
    hsct = of(extract("2e allogene stamceltransplantatie, haplo-identiek (opname 30-05-2023).\nDag 0: 08-06-2023.", "brief", date(2023, 7, 14)), "hsct")
    assert any(m.value == "start" and m.date == date(2023, 6, 8) for m in hsct), hsct


def test_issue16_dutch_blasts_in_marrow_and_blood_sections(extract):
    text = ("PERIFEER BLOED (20-01-2022)\nDifferentiatie (200 cellen): blasten 28%, neutrofielen 13%.\n\n"
            "CYTOMORFOLOGIE (beenmergaspiraat)\nDifferentiatie (500 cellen):\n  blasten ...................... 74,0%\n")
    mentions = extract(text, "bmp", date(2022, 1, 21))
    assert [m.value for m in of(mentions, "marrow_blasts")] == ["74"]
    assert [m.value for m in of(mentions, "peripheral_blasts")] == ["28"]


def test_issue16_dutch_gvhd_grade_none_and_chronic(extract):
    assert [m.value for m in of(extract("Overall acute GVHD graad IV (MAGIC).", "decursus"), "agvhd")] == ["4"]
    assert all(m.negated for m in of(extract("Geen acute GVHD.", "polibrief"), "agvhd"))
    mentions = extract("Chronische GVHD (mond, ogen), matig.", "polibrief")
    assert of(mentions, "cgvhd") and not of(mentions, "agvhd")


def test_issue16_korean_plan_postponement_and_none(extract):
    assert all(m.hypothetical for m in of(extract("C/C) Adm. for blinatumomab C1D1 (예정)", "progress"), "blinatumomab"))
    postponed = of(extract("- Blinatumomab C1D1 today → 연기 (postponed), fever.", "progress"), "blinatumomab")
    assert postponed and all(m.negated for m in postponed)
    assert all(m.negated for m in of(extract("4. GVHD: 입원 기간 중 acute GVHD 소견 없음", "discharge"), "agvhd"))


def test_issue16_a_payers_approval_day_is_no_start(timeline):
    start = one(timeline(
        ("2022-05-30", "mar", "Regimen : Inotuzumab ozogamicin (Besponsa) C1D1 0.8 mg/m2  사전승인 : 심평원 22.05.26 승인\n"
                              "Besponsa 1.4 mg IV 10:15-11:16 given"),
    ), "inotuzumab_start")
    assert start.date == date(2022, 5, 30), details(start)


def test_issue16_an_admission_day_in_a_header_is_not_day_zero(extract):
    hsct = of(extract("Adm. 2021-01-04 (HD #9) Transplant Day 0\nStem cell infusion (Day 0 = 2021-01-12)", "bmt", date(2021, 1, 12)), "hsct")
    assert {m.date for m in hsct if m.value == "start"} == {date(2021, 1, 12)}


def test_issue16_an_earlier_marrows_day_in_a_treatments_parenthesis(extract):
    blina = of(extract("MRD-negative CR after blinatumomab C1 (previous 2022-09-06: flow 12.4%).", "bm_pathology", date(2022, 10, 25)), "blinatumomab")
    assert all(m.date != date(2022, 9, 6) for m in blina), [(m.value, m.date) for m in blina]


def test_issue16_dutch_month_names_and_a_day_count_before_a_month():
    from chartabstract.normalize.dates import find_dates

    found = [(d.text, d.resolved.value) for d in find_dates("gezien 12 mrt 2022; MUD alloSCT dag 0 mei 2019", date(2023, 1, 17))]
    assert found == [("12 mrt 2022", date(2022, 3, 12)), ("mei 2019", date(2019, 5, 1))]


def test_issue16_dutch_marker_words(extract):
    mentions = extract("CD19 partieel (55% van de blasten), CD22 positief (95%).", "bmp")
    assert [m.value for m in of(mentions, "cd19")] == ["partial"]
    assert [m.value for m in of(mentions, "cd22")] == ["positive"]
