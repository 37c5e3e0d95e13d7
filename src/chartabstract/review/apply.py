"""Re-apply stored decisions on every run.

A decided date that other columns derive from (a drug start, a transplant, death) replaces the
event's date before the cohort row is derived again, so "days_mab1_to_mab2" and the drug order
follow a corrected start; every other decided column is set directly. Decided columns lose
their flags and are listed in the `reviewed` column.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from chartabstract.cohort import CohortRow, build_cohort_row
from chartabstract.models import Event, Flag, PatientTimeline
from chartabstract.review.items import digest
from chartabstract.review.store import Decision, effective_decision
from chartabstract.study import Study

EVENT_COLUMNS = {"prior_hsct_date", "hsct_after_mab2_date", "prior_cart_date", "death_date"}


def apply_decisions(
    timeline: PatientTimeline, row: CohortRow, evidence: dict[str, tuple[str, ...]],
    decisions: dict[str, list[Decision]], study: Study,
) -> tuple[CohortRow, dict[str, str]]:
    """The row with decisions applied, and each decided field's item status.

    Returns:
        (row, statuses) where statuses maps "patient|field" to decided, reopened or disagreement.
    """
    statuses: dict[str, str] = {}
    effective: dict[str, Decision] = {}
    for field, made in decisions.items():
        key = f"{timeline.patient_id}|{field}"
        current = digest(evidence.get(field, ()))
        chosen = effective_decision(made, current)
        if chosen is not None:
            effective[field] = chosen
            statuses[key] = "decided"
        elif all(d.evidence_digest != current for d in made):
            statuses[key] = "reopened"  # new evidence since the decision: shown again with it
        else:
            statuses[key] = "disagreement"
            row.flag(field, [Flag("conflict", "reviewers disagree; an adjudicator decides")])
    if not effective:
        return row, statuses
    overridden = _override_events(timeline, row, effective, study)
    if overridden is not timeline:
        original = row
        row = build_cohort_row(overridden, study)
        for key, status in statuses.items():  # undecided fields keep their flags
            field = key.split("|", 1)[1]
            if status != "decided" and field in original.flags:
                row.flags[field] = original.flags[field]
    for field, decision in effective.items():
        if field in row.values:
            row.values[field] = "" if decision.choice == "not_determinable" else decision.value
            row.flags.pop(field, None)
    row.values["reviewed"] = ";".join(name for name in study.column_names if name in effective)
    return row, statuses


def _override_events(timeline: PatientTimeline, row: CohortRow, effective: dict[str, Decision], study: Study) -> PatientTimeline:
    events = list(timeline.events)
    changed = False
    for field, decision in effective.items():
        kind = _event_kind(field, row, study)
        if kind is None and field not in EVENT_COLUMNS:
            continue
        new_date = date.fromisoformat(decision.value) if decision.choice != "not_determinable" and decision.value else None
        if kind is not None:
            index = next((i for i, e in enumerate(events) if e.kind == kind), None)
            if index is None:
                events.append(Event(f"{timeline.patient_id}:{kind}:reviewed", timeline.patient_id, kind, new_date, "day"))
            else:
                events[index] = replace(events[index], date=new_date, precision="day", flags=(), field_flags=())
            changed = True
        elif field in EVENT_COLUMNS:
            for event_id in row.sources.get(field, ()):
                index = next(i for i, e in enumerate(events) if e.event_id == event_id)
                events[index] = replace(events[index], date=new_date, precision="day", flags=())
                changed = True
    if not changed:
        return timeline
    events.sort(key=lambda e: (e.date or date.max, e.kind))
    return replace(timeline, events=tuple(events))


def _event_kind(field: str, row: CohortRow, study: Study) -> str | None:
    for drug in study.drugs:
        if field == f"{drug}_start":
            return f"{drug}_start"
    if field in ("mab1_start", "mab2_start"):
        drug = row.values.get(field.replace("_start", "_drug"), "")
        return f"{drug}_start" if drug else None
    return None
