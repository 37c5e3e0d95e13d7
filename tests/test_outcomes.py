"""Outcome columns at their edges: relapse after mab2, worst acute GVHD and non-relapse death after
the mab2 transplant, cause of death, overall survival; built from hand-made mentions."""

from __future__ import annotations

from chartabstract.nlp.values import magic_grade
from tests.test_cohort import BLINA, INO, cohort, marrow, mention

HSCT = mention("hsct", "start", "2019-08-01")
DEATH = mention("death", "", "2020-02-01", note_type="death")


def _flags(row, column):
    return [f.kind for f in row.flags.get(column, [])]


def test_outcomes_survival_from_mab2():
    alive = cohort(BLINA, INO, last="2020-06-10")
    assert (alive.values["os_days_from_mab2"], alive.values["os_event"]) == ("366", "0")
    dead = cohort(BLINA, INO, DEATH)
    assert (dead.values["os_days_from_mab2"], dead.values["os_event"]) == ("236", "1")
    assert cohort(BLINA).values["os_days_from_mab2"] == ""  # no mab2: no survival from it


def test_outcomes_relapse_after_mab2_cr_stated_and_from_marrows():
    stated = cohort(BLINA, INO, marrow("2019-07-15", "2"), mention("relapse", "morphologic", "2019-11-04"))
    assert stated.values["relapse_after_mab2_date"] == "2019-11-04"
    # no statement: a marrow >= 5% after a remission marrow is a relapse, flagged for review
    derived = cohort(BLINA, INO, marrow("2019-07-15", "2"), marrow("2019-12-02", "40"))
    assert derived.values["relapse_after_mab2_date"] == "2019-12-02"
    assert "low_support" in _flags(derived, "relapse_after_mab2_date")
    # the relapse before mab2 is not after it; refractory disease without a remission is no relapse
    before = cohort(BLINA, mention("relapse", "morphologic", "2019-06-01"), INO, marrow("2019-07-15", "30"), marrow("2019-09-01", "50"))
    assert before.values["relapse_after_mab2_date"] == ""


def test_outcomes_relapse_statements_that_do_not_count():
    negated = mention("relapse", "", "2019-11-04", negated=True)
    planned = mention("relapse", "morphologic", "2019-11-04", hypothetical=True)
    copied = mention("relapse", "morphologic", "2019-11-04", historical=True, source="note_date")
    relative = mention("relapse", "morphologic", "2019-11-04", family=True)
    row = cohort(BLINA, INO, negated, planned, copied, relative)
    assert row.values["relapse_after_mab2_date"] == ""
    # "known relapse" in the report of a marrow in remission refers to an earlier relapse
    clear = cohort(BLINA, INO, marrow("2019-10-01", "1", mrd="negative"),
                   mention("relapse", "morphologic", "2019-10-01", note_type="flow_cytometry", source="note_date"))
    assert clear.values["relapse_after_mab2_date"] == ""


def test_outcomes_agvhd_max_grade_after_the_mab2_transplant():
    grades = [mention("agvhd", "1", "2019-08-20", unit="grade"), mention("agvhd", "3", "2019-09-10", unit="grade"),
              mention("agvhd", "4", "2018-01-01", unit="grade")]  # an earlier transplant's GVHD
    row = cohort(BLINA, INO, HSCT, *grades)
    assert row.values["agvhd_max_grade"] == "3"
    chronic = mention("cgvhd", "severe", "2020-01-10")
    assert cohort(BLINA, INO, HSCT, chronic, mention("agvhd", "", "2019-09-01", negated=True)).values["agvhd_max_grade"] == "0"
    assert cohort(BLINA, INO, grades[0]).values["agvhd_max_grade"] == ""  # no HSCT after mab2


def test_outcomes_agvhd_grade_from_staging_is_flagged_derived():
    row = cohort(BLINA, INO, HSCT, mention("agvhd", "3", "2019-09-01", unit="staging"))
    assert row.values["agvhd_max_grade"] == "3" and "derived" in _flags(row, "agvhd_max_grade")


def test_outcomes_agvhd_without_grade_or_statement_is_flagged():
    ungraded = cohort(BLINA, INO, HSCT, mention("agvhd", "", "2019-09-01"))
    assert ungraded.values["agvhd_max_grade"] == "" and "missing" in _flags(ungraded, "agvhd_max_grade")
    silent = cohort(BLINA, INO, HSCT)
    assert silent.values["agvhd_max_grade"] == "0" and "low_support" in _flags(silent, "agvhd_max_grade")


def test_outcomes_death_cause_and_nonrelapse_death():
    infection = mention("death_cause", "infection", "2020-02-01", note_type="death")
    nrm = cohort(BLINA, INO, HSCT, DEATH, infection)
    assert (nrm.values["death_cause"], nrm.values["nonrelapse_death"]) == ("non_relapse", "true")
    relapse = mention("relapse", "morphologic", "2019-12-01")
    after_relapse = cohort(BLINA, INO, HSCT, DEATH, relapse, mention("death_cause", "relapse", "2020-02-01", note_type="death"))
    assert (after_relapse.values["death_cause"], after_relapse.values["nonrelapse_death"]) == ("relapse", "false")
    # written as non-relapse although a relapse after the transplant is documented: flagged
    conflict = cohort(BLINA, INO, HSCT, DEATH, relapse, infection)
    assert conflict.values["nonrelapse_death"] == "false" and "conflict" in _flags(conflict, "nonrelapse_death")
    unknown = cohort(BLINA, INO, HSCT, DEATH)
    assert unknown.values["death_cause"] == "unknown" and "missing" in _flags(unknown, "death_cause")
    alive = cohort(BLINA, INO, HSCT)
    assert (alive.values["death_cause"], alive.values["nonrelapse_death"]) == ("", "false")
    assert cohort(BLINA, INO, DEATH, infection).values["nonrelapse_death"] == ""  # no transplant after mab2


def test_outcomes_death_cause_leukemia_beside_infection_is_relapse():
    same_sentence = [mention("death_cause", value, "2020-02-01", note_type="death") for value in ("infection", "relapse")]
    same_sentence = [m.__class__(**{**m.__dict__, "snippet": "died of sepsis in the setting of relapsed leukemia"}) for m in same_sentence]
    row = cohort(BLINA, INO, DEATH, *same_sentence)
    assert row.values["death_cause"] == "relapse" and "conflict" not in _flags(row, "death_cause")
    apart = [mention("death_cause", value, "2020-02-01", note_type="death") for value in ("infection", "relapse")]
    row = cohort(BLINA, INO, DEATH, *apart)
    assert row.values["death_cause"] == "relapse" and "conflict" in _flags(row, "death_cause")


def test_outcomes_magic_grade_table():
    assert magic_grade({}) == 0
    assert magic_grade({"skin": 2}) == 1
    assert magic_grade({"skin": 3}) == 2
    assert magic_grade({"upper_gi": 1}) == 2
    assert magic_grade({"liver": 1}) == 2
    assert magic_grade({"lower_gi": 2}) == 3
    assert magic_grade({"liver": 3, "skin": 1}) == 3
    assert magic_grade({"skin": 4}) == 4
    assert magic_grade({"lower_gi": 4, "skin": 1}) == 4
