"""The study's cohort row for one patient, by the SPEC section 4 definitions, with each column's flags."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from chartabstract import evidence
from chartabstract.models import Event, Flag, PatientTimeline
from chartabstract.normalize.plausible import add_days
from chartabstract.study import Study

STATUSES = ("positive", "dim", "partial", "negative")


@dataclass
class CohortRow:
    """One patient's values (strings, empty when not applicable) and the flags behind each column."""

    values: dict[str, str]
    flags: dict[str, list[Flag]] = field(default_factory=dict)
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column -> event ids

    def flag(self, column: str, flags: tuple[Flag, ...] | list[Flag], event: Event | None = None, attribute: str = "date") -> None:
        """Record that `column` derives from `event` and inherits `flags`.

        Flags of an event's date (attribute "date") or of one of its values ("blasts") name that
        fact, so a reviewer decides the fact once for every column derived from it; with
        attribute "" the flags are the column's own doubt.
        """
        if flags:
            fact = event.fact(attribute) if event is not None and attribute else ""
            self.flags.setdefault(column, []).extend(replace(f, fact=f.fact or fact) for f in flags)
        if event is not None:
            self.sources[column] = (*self.sources.get(column, ()), event.event_id)

    def flag_value(self, column: str, event: Event, name: str) -> None:
        """Inherit a marrow's doubt about one of its values, and about the marrow as a whole (a
        result known only from a progress note): the reviewer decides the value either way."""
        self.flag(column, event.flags_for(name), event, name)


def build_cohort_row(timeline: PatientTimeline, study: Study) -> CohortRow:
    """Derive every cohort column from a timeline."""
    row = CohortRow({name: "" for name in study.column_names})
    row.values["patient_id"] = timeline.patient_id
    events = timeline.events
    starts: dict[str, Event] = {}
    for drug in study.drugs:
        event = _first(events, f"{drug}_start")
        if event is None:
            continue
        row.flag(f"{drug}_start", event.flags, event)
        if event.date is not None:
            starts[drug] = event
            row.values[f"{drug}_start"] = event.date.isoformat()
    order = sorted(starts.values(), key=lambda e: e.date or date.max)
    undated = [f for drug in study.drugs for e in events if e.kind == f"{drug}_start" and e.date is None for f in e.flags]
    for index, event in enumerate(order[:2], start=1):
        drug = event.kind.removesuffix("_start")
        row.values[f"mab{index}_drug"] = drug
        row.values[f"mab{index}_start"] = _iso(event.date)
        row.flag(f"mab{index}_start", event.flags, event)
        row.flag(f"mab{index}_drug", [f for f in event.flags if f.kind in ("conflict", "missing")], event)
    if len(order) == 2:
        row.values["days_mab1_to_mab2"] = str((order[1].date - order[0].date).days)  # type: ignore[operator]
        for event in order[:2]:
            row.flag("days_mab1_to_mab2", event.flags, event)
    if order:
        _before_mab1(row, events, order[0])
    for index, event in enumerate(order[:2], start=1):
        _pre_start_marrow(row, events, event, f"mab{index}", study)
        _response(row, events, event, order, f"mab{index}", study)
    if len(order) == 2:
        _after_mab2(row, events, order[1], study)
    death = _first(events, "death")
    if death is not None:
        row.values["death_date"] = _iso(death.date)
        row.flag("death_date", death.flags, death)
    row.values["last_followup_date"] = _iso(timeline.last_note_date)
    _death_cause(row, death)
    if len(order) == 2:
        _outcomes(row, events, order[1], death, timeline, study)
    if undated:
        # A drug given on an unknown date can change which drug came first: every value
        # derived from the order is in doubt.
        for event in (e for e in events if e.kind.endswith("_start") and e.date is None):
            for column in DEPENDS_ON_ORDER:
                row.flag(column, event.flags, event)
    return row


DEPENDS_ON_ORDER = (
    "mab1_drug", "mab1_start", "mab2_drug", "mab2_start", "days_mab1_to_mab2", "prior_hsct_date",
    "prior_cart_date", "blasts_pre_mab1_pct", "blasts_pre_mab2_pct", "cd19_pre_mab1", "cd22_pre_mab1",
    "cd19_pre_mab2", "cd22_pre_mab2", "mab1_response", "mab2_response", "mrd_after_mab2",
    "hsct_after_mab2_date", "days_mab2_to_hsct",
)


def _before_mab1(row: CohortRow, events: tuple[Event, ...], mab1: Event) -> None:
    for kind, column in (("hsct", "prior_hsct_date"), ("car_t", "prior_cart_date")):
        prior = [e for e in events if e.kind == kind and e.date and mab1.date and e.date < mab1.date]
        if prior:
            latest = prior[-1]
            row.values[column] = _iso(latest.date)
            row.flag(column, latest.flags, latest)


def _pre_start_marrow(row: CohortRow, events: tuple[Event, ...], start: Event, prefix: str, study: Study) -> None:
    assert start.date is not None
    low = add_days(start.date, -study.marrow_before_start_days) or date.min
    window = [e for e in events if e.kind == "marrow" and e.date and low <= e.date <= start.date]
    with_blasts = [e for e in window if e.value("blasts")]
    if with_blasts:
        marrow = with_blasts[-1]
        row.values[f"blasts_pre_{prefix}_pct"] = marrow.value("blasts")
        row.flag_value(f"blasts_pre_{prefix}_pct", marrow, "blasts")
    for antigen in ("cd19", "cd22"):
        column = f"{antigen}_pre_{prefix}"
        reported = [e for e in window if e.value(antigen) in STATUSES]
        if reported:
            row.values[column] = reported[-1].value(antigen)
            row.flag_value(column, reported[-1], antigen)
        else:
            row.values[column] = "not_reported"


def _response_window(events: tuple[Event, ...], start: Event, order: list[Event], study: Study) -> tuple[date, date]:
    assert start.date is not None
    begin = add_days(start.date, study.response_starts_after_days) or date.max
    end = add_days(start.date, study.response_ends_after_days) or date.max
    later_therapy = [e.date for e in order if e.date and e.date > start.date]
    later_therapy += [e.date for e in events if e.kind in ("hsct", "car_t") and e.date and e.date > start.date]
    if later_therapy:
        end = min(end, min(later_therapy))
    return begin, end


def _response(row: CohortRow, events: tuple[Event, ...], start: Event, order: list[Event], prefix: str, study: Study) -> None:
    begin, end = _response_window(events, start, order, study)
    marrows = [e for e in events if e.kind == "marrow" and e.date and begin <= e.date <= end and e.value("blasts")]
    column = f"{prefix}_response"
    if not marrows:
        row.values[column] = "not_assessed"
        return
    remission = [e for e in marrows if evidence.below(e.value("blasts"), study.cr_blasts_below_pct)]
    row.values[column] = "CR" if remission else "no_CR"
    for marrow in remission or marrows:
        row.flag_value(column, marrow, "blasts")


def _after_mab2(row: CohortRow, events: tuple[Event, ...], mab2: Event, study: Study) -> None:
    assert mab2.date is not None
    begin, end = _response_window(events, mab2, [mab2], study)
    results = [e for e in events if e.kind == "marrow" and e.date and begin <= e.date <= end and e.value("mrd") in ("negative", "positive")]
    negative = [e for e in results if e.value("mrd") == "negative"]
    row.values["mrd_after_mab2"] = "negative" if negative else "positive" if results else "not_assessed"
    for marrow in negative or results:
        row.flag_value("mrd_after_mab2", marrow, "mrd")
    after = [e for e in events if e.kind == "hsct" and e.date and e.date >= mab2.date]
    if after:
        row.values["hsct_after_mab2_date"] = _iso(after[0].date)
        row.values["days_mab2_to_hsct"] = str((after[0].date - mab2.date).days)  # type: ignore[operator]
        row.flag("hsct_after_mab2_date", after[0].flags, after[0])
        row.flag("days_mab2_to_hsct", after[0].flags, after[0])
        row.flag("days_mab2_to_hsct", mab2.flags, mab2)


def _outcomes(row: CohortRow, events: tuple[Event, ...], mab2: Event, death: Event | None,
              timeline: PatientTimeline, study: Study) -> None:
    """Relapse after mab2, the worst acute GVHD and non-relapse death after its HSCT, overall survival."""
    assert mab2.date is not None
    relapse = _first_relapse(row, events, add_days(mab2.date, study.response_starts_after_days) or date.max, study)
    end = death.date if death is not None and death.date else timeline.last_note_date
    if end is not None:
        row.values["os_days_from_mab2"] = str((end - mab2.date).days)
        row.values["os_event"] = "1" if death is not None and death.date else "0"
        row.flag("os_days_from_mab2", mab2.flags, mab2)
        if death is not None:
            row.flag("os_days_from_mab2", death.flags, death)
    hsct_date = row.values.get("hsct_after_mab2_date")
    if not hsct_date:
        return
    transplant = date.fromisoformat(hsct_date)
    _agvhd_max_grade(row, events, transplant)
    if death is None or death.date is None:
        row.values["nonrelapse_death"] = "false"
        return
    relapsed = [e for e in events if e.kind == "relapse" and e.date and transplant < e.date <= death.date]
    relapsed_after = relapse is not None and transplant < relapse <= death.date
    died_of_relapse = death.value("cause") == "relapse"
    row.values["nonrelapse_death"] = "false" if relapsed or relapsed_after or died_of_relapse else "true"
    row.flag("nonrelapse_death", death.flags, death)
    if death.value("cause") == "non_relapse" and (relapsed or relapsed_after):
        row.flag("nonrelapse_death", [Flag("conflict", "cause written as non-relapse, but a relapse after the transplant is documented", death.mention_ids[:4])], death, "cause")
    if death.value("cause") == "unknown" and not (relapsed or relapsed_after):
        row.flag("nonrelapse_death", [Flag("low_support", "no relapse found and no cause of death written", death.mention_ids[:4])], death, "cause")


def _death_cause(row: CohortRow, death: Event | None) -> None:
    """The written cause of death, for every patient who died."""
    if death is None or death.date is None:
        return
    cause = death.value("cause") or "unknown"
    row.values["death_cause"] = cause
    row.flag("death_cause", [], death)
    if cause == "unknown":
        row.flag("death_cause", [Flag("missing", "no cause of death is written", death.mention_ids[:4])], death, "cause")
    if death.value("cause_conflict"):
        row.flag("death_cause", [Flag("conflict", f"causes written: {death.value('cause_detail')}", death.mention_ids)], death, "cause")


def _first_relapse(row: CohortRow, events: tuple[Event, ...], earliest: date, study: Study) -> date | None:
    """The first relapse after mab2: a stated relapse, or a marrow with blasts at or above the CR cut-off
    after one below it (flagged when no relapse statement supports it).

    A relapse follows a remission: a statement with no remission marrow (or negative MRD) before
    it since mab2 describes the disease mab2 did not clear, unless it is well supported (then flagged).
    """
    marrows = [e for e in events if e.kind == "marrow" and e.date and e.date >= earliest and e.value("blasts")]
    remissions = [e.date for e in events if e.kind == "marrow" and e.date and e.date >= earliest
                  and ((e.value("blasts") and evidence.below(e.value("blasts"), study.cr_blasts_below_pct)) or e.value("mrd") == "negative")]
    stated = []
    for event in (e for e in events if e.kind == "relapse" and e.date and e.date >= earliest):
        if any(d < event.date for d in remissions):  # type: ignore[operator]
            stated.append(event)
        elif len(event.mention_ids) >= 2 and event.precision == "day":
            stated.append(replace(event, flags=event.flags + (Flag("low_support", "no remission documented between mab2 and this relapse", event.mention_ids[:4]),)))
    derived = None
    remission = False
    for marrow in marrows:
        if evidence.below(marrow.value("blasts"), study.cr_blasts_below_pct):
            remission = True
        elif remission:
            derived = marrow
            break
    first = stated[0] if stated else None
    if first is not None and (derived is None or first.date <= (add_days(derived.date, study.relapse_statement_days) or date.max)):  # type: ignore[arg-type,operator]
        row.values["relapse_after_mab2_date"] = _iso(first.date)
        row.flag("relapse_after_mab2_date", first.flags, first)
        return first.date
    if derived is not None:
        row.values["relapse_after_mab2_date"] = _iso(derived.date)
        row.flag("relapse_after_mab2_date", [Flag("low_support", f"marrow blasts {derived.value('blasts')}% after a remission; no relapse statement near it", derived.mention_ids[:4])], derived, "")
        return derived.date
    return None


def _agvhd_max_grade(row: CohortRow, events: tuple[Event, ...], transplant: date) -> None:
    after = [e for e in events if e.kind == "agvhd" and e.date and e.date >= transplant]
    graded = [e for e in after if e.value("grade")]
    present = [e for e in after if e.value("grade_source") != "absent"]
    if graded and max(int(e.value("grade")) for e in graded) > 0:
        top = max(graded, key=lambda e: int(e.value("grade")))
        row.values["agvhd_max_grade"] = top.value("grade")
        row.flag("agvhd_max_grade", top.flags, top)
        if top.value("grade_source") == "staging":
            row.flag("agvhd_max_grade", [Flag("derived", "grade derived from organ stages by the MAGIC criteria", top.mention_ids)], top, "grade")
        ungraded_later = [e for e in present if not e.value("grade") and e.date and top.date and e.date > top.date]
        if ungraded_later:
            row.flag("agvhd_max_grade", [Flag("low_support", "acute GVHD also reported later without a grade", ungraded_later[0].mention_ids)], ungraded_later[0], "grade")
        return
    if present:
        row.flag("agvhd_max_grade", [Flag("missing", "acute GVHD after the transplant, but no grade or organ stage is written", present[0].mention_ids)], present[0], "grade")
        return
    row.values["agvhd_max_grade"] = "0"
    if not after:
        row.flag("agvhd_max_grade", [Flag("low_support", "no statement about acute GVHD after the transplant", ())])


def _first(events: tuple[Event, ...], kind: str) -> Event | None:
    return next((e for e in events if e.kind == kind), None)


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""
