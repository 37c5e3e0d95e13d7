"""Re-apply stored decisions on every run, fact by fact.

A decided fact replaces the event's date or value in the timeline, and the cohort row is derived
again, so every column built on it follows (the drug order, day counts, the pre-start marrow,
survival). A correction can bring new facts into play (a later start date selects another
marrow): those are decided in the next round, until nothing changes. Every stored decision is
validated against its item's type again before it is applied; one that no longer fits is
reported and left out, never written into the cohort.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from chartabstract.cohort import CohortRow, build_cohort_row, order_dependents
from chartabstract.models import Event, Mention, PatientTimeline
from chartabstract.review.items import build_items, flagged_facts
from chartabstract.review.store import Decision, Item, effective_decision
from chartabstract.review.validate import InvalidValue, validate_value
from chartabstract.study import Study

MAX_ROUNDS = 20


@dataclass
class Reviewed:
    """A patient's row and timeline with decisions applied, and every item with its status."""

    row: CohortRow
    timeline: PatientTimeline
    items: list[Item]
    statuses: dict[str, str]  # item key -> decided, reopened, disagreement, invalid (absent: open)
    problems: list[str] = field(default_factory=list)  # stored decisions that could not be applied


def review_patient(
    timeline: PatientTimeline, mentions: dict[str, Mention], decisions: dict[str, list[Decision]], study: Study,
) -> Reviewed:
    """Derive the row, apply the decisions on its facts round by round, and list the items."""
    row = derive_row(timeline, study)
    effective: dict[str, Decision] = {}
    decided: dict[str, Item] = {}
    statuses: dict[str, str] = {}
    problems: list[str] = []
    handled: set[str] = set()
    for _ in range(MAX_ROUNDS):
        pending = [key for key in flagged_facts(row) if key not in handled]
        handled.update(pending)
        newly = {}
        for item in build_items(row, timeline, mentions, study, pending):
            chosen = _chosen(item, decisions.get(item.field, []), study, statuses, problems)
            if chosen is not None:
                newly[item.field] = chosen
                decided[item.field] = item
                statuses[item.key] = "decided"
        if not newly:
            break
        effective |= newly
        facts = {key: d for key, d in newly.items() if "." in key}
        if facts:
            timeline = _override(timeline, facts)
            row = derive_row(timeline, study)
    return Reviewed(_finish(row, effective, decided, study), timeline,
                    [*decided.values(), *(i for i in build_items(row, timeline, mentions, study) if i.field not in decided)],
                    statuses, problems)


def derive_row(timeline: PatientTimeline, study: Study) -> CohortRow:
    """The cohort row, with chart-level problems on the column they affect."""
    row = build_cohort_row(timeline, study)
    for flag in timeline.unresolved:
        if flag.kind == "missing":
            drug = flag.detail.split(" ", 1)[0]
            if f"{drug}_start" in row.values and not any(f.kind == "missing" for f in row.flags.get(f"{drug}_start", [])):
                row.flag(f"{drug}_start", [replace(flag, fact=f"{drug}_start.date")])
    return row


def _chosen(item: Item, made: list[Decision], study: Study, statuses: dict[str, str], problems: list[str]) -> Decision | None:
    """The decision that sets this item now, validated again; None leaves it open (with why)."""
    if not made:
        return None
    chosen = effective_decision(made, item.evidence_digest)
    if chosen is None:
        statuses[item.key] = "reopened" if all(d.evidence_digest != item.evidence_digest for d in made) else "disagreement"
        return None
    if chosen.choice == "not_determinable" or (chosen.choice == "accept" and chosen.value == ""):
        return replace(chosen, value="")  # not determinable, or an empty value accepted: nothing applies
    try:
        return replace(chosen, value=validate_value(study, item.field, chosen.value))
    except InvalidValue as exc:
        statuses[item.key] = "invalid"
        problems.append(f"{item.patient_id} {item.field}: decision by {chosen.reviewer} ({chosen.value[:24]!r}) not applied: {exc}")
        return None


def _override(timeline: PatientTimeline, decisions: dict[str, Decision]) -> PatientTimeline:
    """The timeline with decided dates and values in place of the tool's, their doubt resolved."""
    events = list(timeline.events)
    for key, decision in decisions.items():
        prefix, _, attribute = key.rpartition(".")
        index = next((i for i, e in enumerate(events) if e.event_id.split(":", 1)[-1] == prefix), None)
        if index is not None:
            events[index] = _decide(events[index], attribute, decision.value)
    events.sort(key=lambda e: (e.date or date.max, e.kind))
    unresolved = tuple(f for f in timeline.unresolved if f"{f.detail.split(' ', 1)[0]}_start.date" not in decisions)
    return replace(timeline, events=tuple(events), unresolved=unresolved)


def _decide(event: Event, attribute: str, value: str) -> Event:
    if attribute == "date":
        return replace(event, date=date.fromisoformat(value) if value else None, precision="day" if value else "", flags=())
    values = tuple((name, v) for name, v in event.values if name != attribute) + (((attribute, value),) if value else ())
    return replace(event, values=values, field_flags=tuple((n, f) for n, f in event.field_flags if n != attribute))


def _finish(row: CohortRow, effective: dict[str, Decision], decided: dict[str, Item], study: Study) -> CohortRow:
    """Clear the doubt decisions resolved, set column decisions, and mark what reviewers set."""
    for column in list(row.flags):
        kept = [f for f in row.flags[column] if (f.fact or column) not in effective]
        if kept:
            row.flags[column] = kept
        else:
            del row.flags[column]
    reviewed: set[str] = set()
    unknown: set[str] = set()
    for key, decision in effective.items():
        columns = set(decided[key].decides)
        if decision.choice == "not_determinable" and key.endswith("_start.date"):
            # a drug start that cannot be determined leaves the drug order unknown: every column built on it
            columns |= {c for c in (*order_dependents(study), key.removesuffix(".date")) if c in row.values}
        if key in row.values:  # a column's own item: the decision is its value
            row.values[key] = decision.value
        if decision.choice == "not_determinable":
            unknown |= columns
        reviewed |= columns
    for column in unknown:
        row.values[column] = ""
    row.values["reviewed"] = ";".join(c for c in study.column_names if c in reviewed and c not in row.flags)
    row.values["not_determinable"] = ";".join(c for c in study.column_names if c in unknown)
    return row

