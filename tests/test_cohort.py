"""Study definitions at their edges: timelines and cohort rows built from hand-made mentions."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

import pytest

from chartabstract.cohort import build_cohort_row
from chartabstract.models import Mention
from chartabstract.study import load_study
from chartabstract.timeline import build_timeline

STUDY = load_study()
D = date.fromisoformat
_ids = count()


def mention(concept: str, value: str, when: str | None, *, note: str | None = None, note_type: str = "progress",
            precision: str = "day", source: str = "explicit", **attrs: object) -> Mention:
    """A mention as the extractor would write it; the note is written the day of the event by default."""
    event_date = D(when) if when else None
    note_date = D(note) if note else (event_date or D("2020-01-01"))
    n = next(_ids)
    return Mention(
        mention_id=f"P:{n}", patient_id="P", note_id=f"P/{note_date}_{note_type}_{n}", note_date=note_date,
        note_type=note_type, section="", start=0, end=1, text="x", snippet=f"snippet {n}", concept=concept,
        rule_id="test", date=event_date, date_precision=precision if event_date else None,
        date_source=source if event_date else "none", date_from="mention" if source != "note_date" else "note",
        value=value, **attrs,  # type: ignore[arg-type]
    )


def marrow(when: str, blasts: str | None = None, *, cd19: str | None = None, cd22: str | None = None,
           mrd: str | None = None) -> list[Mention]:
    found = []
    if blasts is not None:
        found.append(mention("marrow_blasts", blasts, when, note_type="bm_pathology", method="morphology"))
    for concept, value in (("cd19", cd19), ("cd22", cd22), ("mrd", mrd)):
        if value is not None:
            found.append(mention(concept, value, when, note_type="flow_cytometry"))
    return found


def cohort(*groups: Mention | list[Mention], last: str = "2021-01-01"):
    mentions = [m for g in groups for m in (g if isinstance(g, list) else [g])]
    timeline = build_timeline("P", mentions, STUDY, last_note_date=D(last), notes=len(mentions))
    return build_cohort_row(timeline, STUDY)


BLINA = mention("blinatumomab", "start", "2019-03-04")
INO = mention("inotuzumab", "start", "2019-06-10")


def test_cohort_both_drugs_in_order():
    row = cohort(BLINA, INO)
    assert (row.values["mab1_drug"], row.values["mab1_start"]) == ("blinatumomab", "2019-03-04")
    assert (row.values["mab2_drug"], row.values["mab2_start"]) == ("inotuzumab", "2019-06-10")
    assert row.values["days_mab1_to_mab2"] == "98"
    assert not row.flags


def test_cohort_only_one_drug_leaves_mab2_empty():
    row = cohort(INO)
    assert row.values["mab1_drug"] == "inotuzumab" and row.values["blinatumomab_start"] == ""
    assert row.values["mab2_drug"] == row.values["mab2_start"] == row.values["days_mab1_to_mab2"] == ""
    assert row.values["mab2_response"] == row.values["mrd_after_mab2"] == ""


@pytest.mark.parametrize("attrs", [{"hypothetical": True}, {"negated": True}, {"family": True}])
def test_cohort_planned_declined_or_family_drug_is_not_given(attrs):
    row = cohort(BLINA, mention("inotuzumab", "start", "2019-06-10", **attrs))
    assert row.values["inotuzumab_start"] == "" and row.values["mab2_drug"] == ""


def test_cohort_prior_hsct_vs_hsct_after_mab2():
    row = cohort(BLINA, INO, mention("hsct", "start", "2017-08-22", donor_type="MSD"),
                 mention("hsct", "start", "2019-08-01", donor_type="MUD"))
    assert row.values["prior_hsct_date"] == "2017-08-22"
    assert row.values["hsct_after_mab2_date"] == "2019-08-01" and row.values["days_mab2_to_hsct"] == "52"


def test_cohort_two_prior_hscts_take_the_latest():
    row = cohort(BLINA, INO, mention("hsct", "start", "2015-01-10"), mention("hsct", "history", "2018-02-02"))
    assert row.values["prior_hsct_date"] == "2018-02-02"


def test_cohort_hsct_on_mab2_start_day_counts_as_after():
    row = cohort(BLINA, INO, mention("hsct", "start", "2019-06-10"))
    assert row.values["hsct_after_mab2_date"] == "2019-06-10" and row.values["days_mab2_to_hsct"] == "0"


@pytest.mark.parametrize(("days_before", "expected"), [(0, "85"), (60, "85"), (61, "")])
def test_cohort_marrow_window_edges(days_before, expected):
    when = (D("2019-03-04") - timedelta(days=days_before)).isoformat()
    row = cohort(BLINA, marrow(when, "85", cd19="positive"))
    assert row.values["blasts_pre_mab1_pct"] == expected
    assert row.values["cd19_pre_mab1"] == ("positive" if expected else "not_reported")


def test_cohort_latest_marrow_in_window_wins():
    row = cohort(BLINA, marrow("2019-01-20", "90"), marrow("2019-02-25", "40", cd22="dim"))
    assert row.values["blasts_pre_mab1_pct"] == "40" and row.values["cd22_pre_mab1"] == "dim"


def test_cohort_peripheral_blood_blasts_are_not_marrow_blasts():
    row = cohort(BLINA, mention("peripheral_blasts", "30", "2019-03-01"))
    assert row.values["blasts_pre_mab1_pct"] == ""


def test_cohort_morphology_outranks_flow_in_one_marrow():
    flow = mention("marrow_blasts", "58", "2019-03-01", note_type="flow_cytometry", method="flow")
    row = cohort(BLINA, marrow("2019-03-01", "62"), flow)
    assert row.values["blasts_pre_mab1_pct"] == "62"


@pytest.mark.parametrize(("text", "status"), [("CD19 dim (85%).", "dim"), ("CD19 dim (12%).", "negative"),
                                              ("CD19 positive (45%).", "partial"), ("CD19 negative.", "negative")])
def test_cohort_cd19_dim_vs_negative_by_percentage(extract, text, status):
    found = [m for m in extract(text, note_type="flow_cytometry") if m.concept == "cd19"]
    assert found[0].value == status
    row = cohort(BLINA, marrow("2019-03-01", "50"), found[0].__class__(**{**found[0].__dict__, "date": D("2019-03-01"), "patient_id": "P"}))
    assert row.values["cd19_pre_mab1"] == status


@pytest.mark.parametrize(("day", "blasts", "response"), [(10, "2", "not_assessed"), (20, "2", "CR"), (20, "<5", "CR"),
                                                          (20, "12", "no_CR"), (95, "2", "not_assessed")])
def test_cohort_response_window(day, blasts, response):
    when = (D("2019-03-04") + timedelta(days=day)).isoformat()
    row = cohort(BLINA, marrow(when, blasts))
    assert row.values["mab1_response"] == response


def test_cohort_response_window_ends_at_next_therapy():
    row = cohort(BLINA, mention("hsct", "start", "2019-03-25"), marrow("2019-04-01", "1"))
    assert row.values["mab1_response"] == "not_assessed"


def test_cohort_mrd_after_mab2():
    row = cohort(BLINA, INO, marrow("2019-07-05", "1", mrd="positive"), marrow("2019-08-01", "0", mrd="negative"))
    assert row.values["mrd_after_mab2"] == "negative" and row.values["mab2_response"] == "CR"


def test_cohort_month_only_start_is_first_of_month_and_flagged():
    row = cohort(mention("blinatumomab", "history", "2018-06-01", note="2019-02-20", precision="month"), INO)
    assert row.values["blinatumomab_start"] == "2018-06-01"
    assert "low_precision" in {f.kind for f in row.flags["blinatumomab_start"]}


def test_cohort_day_precision_beats_month_only_history():
    row = cohort(mention("blinatumomab", "history", "2019-03-01", note="2020-01-01", precision="month"), BLINA)
    assert row.values["blinatumomab_start"] == "2019-03-04"


def test_cohort_later_cycle_is_not_a_start():
    c3 = mention("blinatumomab", "cycle", "2019-07-01", cycle=3)
    row = cohort(BLINA, c3)
    assert row.values["blinatumomab_start"] == "2019-03-04"
    only_cycle = cohort(c3)
    assert only_cycle.values["blinatumomab_start"] == ""
    assert {f.kind for f in only_cycle.flags["blinatumomab_start"]} == {"missing"}
    assert "missing" in {f.kind for f in only_cycle.flags["mab1_drug"]}


def test_cohort_administration_note_beats_later_summary_within_tolerance():
    summary = mention("inotuzumab", "start", "2019-03-04", note="2019-03-12", note_type="discharge")
    admin = mention("inotuzumab", "start", "2019-03-06", note="2019-03-06", source="note_date")
    admin2 = mention("inotuzumab", "dose", "2019-03-06", note="2019-03-06")
    assert cohort(summary, admin, admin2).values["inotuzumab_start"] == "2019-03-06"


def test_cohort_conflicting_start_dates_are_flagged():
    a = mention("blinatumomab", "start", "2019-03-02")
    b = mention("blinatumomab", "start", "2019-03-08", note="2019-03-20", note_type="discharge")
    row = cohort(a, b)
    assert "conflict" in {f.kind for f in row.flags["blinatumomab_start"]}


def test_cohort_death_note_without_a_date_uses_its_note_date():
    death = mention("death", "", "2020-07-29", note_type="death", source="note_date")
    row = cohort(BLINA, death)
    assert row.values["death_date"] == "2020-07-29" and "death_date" not in row.flags
    hearsay = mention("death", "", "2020-08-02", note_type="telephone", source="note_date")
    assert "low_support" in {f.kind for f in cohort(BLINA, hearsay).flags["death_date"]}


def test_cohort_treatment_after_death_is_implausible():
    row = cohort(mention("death", "", "2019-01-01", note_type="death"), BLINA)
    assert "implausible" in {f.kind for f in row.flags["death_date"]}


def test_cohort_relative_marrow_dates_resolve_from_anchor():
    day28 = mention("marrow_blasts", "1", None, note="2019-04-05", method="morphology", source="relative_to_event",
                    date_anchor="cycle:1", date_offset_days=28)
    day28 = day28.__class__(**{**day28.__dict__, "date_source": "relative_to_event", "date_from": "mention"})
    row = cohort(BLINA, day28)
    assert row.values["mab1_response"] == "CR"


def test_cohort_last_followup_is_latest_note():
    assert cohort(BLINA, last="2022-02-02").values["last_followup_date"] == "2022-02-02"


def test_cohort_study_windows_come_from_study_file(tmp_path):
    import json
    import shutil

    from chartabstract.nlp.rules import default_rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    data = json.loads((rules / "study.json").read_text())
    data["study"]["windows"]["marrow_before_start_days"] = 30
    (rules / "study.json").write_text(json.dumps(data))
    study = load_study(rules)
    mentions = [BLINA, *marrow("2019-02-01", "85")]
    timeline = build_timeline("P", mentions, study, last_note_date=D("2020-01-01"), notes=2)
    assert build_cohort_row(timeline, study).values["blasts_pre_mab1_pct"] == ""
    assert cohort(*mentions).values["blasts_pre_mab1_pct"] == "85"


def test_issue16_day_precise_stop_is_no_start():
    stop = mention("blinatumomab", "stop", "2019-05-20", note="2019-05-20")
    start = mention("blinatumomab", "start", "2019-04-22", note="2019-04-22", note_type="admission", source="note_date")
    assert cohort(stop, start).values["blinatumomab_start"] == "2019-04-22"

