"""Issue 16: a French university hospital whose clinicians chart in English as a second language,
while its laboratory, pharmacy and nursing records stay in French.

The rules stay English-first; these are the French words such charts carry into every record (a
marrow count in "blastes", an "allogreffe", "décédé", cycle days labelled J1/J8, "C1J1", "reporté",
"prévu", antigen results "négatif" / "faible" / "partiel"). Every sentence here is written for these
tests (none is copied from a held-out chart).
"""

from __future__ import annotations

from datetime import date

import pytest


def _of(mentions, concept):
    return [m for m in mentions if m.concept == concept]


@pytest.mark.parametrize("text, value", [
    ("Myélogramme : 54% de blastes lymphoïdes.", "54"),
    ("Formule sur 500 cellules :\n  Blastes ............ 31 %\n  Lymphocytes ........ 12 %", "31"),
])
def test_issue16_french_marrow_blasts(extract, text, value):
    found = _of(extract(text, note_type="bm_pathology"), "marrow_blasts")
    assert [m.value for m in found] == [value]


@pytest.mark.parametrize("text", [
    "Allogreffe géno-identique (donneur : frère) le 23/01/2020.",
    "Allo-CSH phéno-identique, J0 = 23/01/2020.",
])
def test_issue16_french_allograft(extract, text):
    found = _of(extract(text), "hsct")
    assert found and all(not m.negated for m in found)
    assert date(2020, 1, 23) in {m.date for m in found}


def test_issue16_french_death_statement(extract):
    found = _of(extract("Patient décédé le 22/01/2020 à 04h30 dans le service.", note_type="death"), "death")
    assert [m.date for m in found] == [date(2020, 1, 22)]


def test_issue16_french_cause_of_death_names_the_leukaemia(timeline):
    events = timeline(("2020-01-13", "death", "Patiente décédée le 12/01/2020.\nCause du décès : LAL-B en rechute réfractaire."))
    death = next(e for e in events if e.kind == "death")
    assert dict(death.values).get("cause") == "relapse"


def test_issue16_leukaemia_named_outside_a_death_is_no_cause(extract):
    assert _of(extract("Conclusion : rechute de LAL-B, 40% de blastes.", note_type="bm_pathology"), "death_cause") == []


def test_issue16_french_first_cycle_day_starts_the_drug(timeline):
    events = timeline(("2020-01-16", "nursing", "16/01/2020\n17h20 Début blinatumomab C1J1 9 µg/24h sur PICC, pompe 24h."))
    assert [e.date for e in events if e.kind == "blinatumomab_start"] == [date(2020, 1, 16)]


def test_issue16_french_postponed_dose_is_no_start(extract):
    found = _of(extract("Inotuzumab C1J1 prévu ce jour : REPORTE pour fièvre."), "inotuzumab")
    assert found and all(m.negated or m.hypothetical for m in found)


@pytest.mark.parametrize("text, expression", [
    ("CMF : CD19 négatif sur la population blastique.", "negative"),
    ("CMF : CD22 faible (intensité réduite).", "dim"),
    ("CMF : CD22 partiel, 55% des blastes.", "partial"),
])
def test_issue16_french_antigen_results(extract, text, expression):
    found = [m for m in extract(text, note_type="flow_cytometry") if m.concept in ("cd19", "cd22")]
    assert [m.value for m in found] == [expression]


def test_issue16_french_acute_and_chronic_gvhd_are_told_apart(extract):
    mentions = extract("GVH aiguë cutanée grade II à J+24. GVH chronique légère de la bouche en 2021.")
    assert _of(mentions, "agvhd") and _of(mentions, "cgvhd")


def test_issue16_french_circulating_blasts_are_the_bloods(extract):
    mentions = extract("NFS ce jour : GB 18 G/L avec 35% de blastes circulants, plaquettes 22.")
    assert not _of(mentions, "marrow_blasts")
    assert [m.value for m in _of(mentions, "peripheral_blasts")] == ["35"]
