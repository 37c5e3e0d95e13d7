"""Cohort column derivations as data: each column of rules/study.json names a pattern and its parameters.

A pattern is one of the ways the study turns a timeline into a value ("first X after Y", "latest
marrow value within N days before Z", "days between two columns"); a new column that follows an
existing pattern is a few lines of JSON. A column's parameters name the columns it hangs on, so the
dependency graph is known: the doubt of a drug order that an undated start leaves open reaches
every column built on that order, and a reviewer's "not determinable" empties the same set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from chartabstract import evidence
from chartabstract.models import Event, Flag, PatientTimeline
from chartabstract.normalize.plausible import add_days

# pattern -> (required parameters, optional parameters); parameters ending in the names below
# refer to other columns (validated: they must come earlier in the column list)
PATTERNS: dict[str, tuple[set[str], set[str]]] = {
    "input": (set(), set()),
    "review": (set(), set()),
    "last_note_date": (set(), set()),
    "first_event": ({"event"}, set()),
    "sequence": ({"of", "position", "value"}, set()),
    "days_between": ({"from", "to"}, set()),
    "latest_event_before": ({"event", "before"}, set()),
    "first_event_after": ({"event", "after"}, {"within_days"}),
    "marrow_value_before": ({"value", "before", "within_days"}, {"otherwise"}),
    "marrow_value_after": ({"value", "after", "from_days", "to_days"}, {"otherwise"}),
    "response": ({"start", "value", "below", "from_days", "to_days"}, {"until_columns", "until_events"}),
    "window_result": ({"start", "value", "prefer", "otherwise", "from_days", "to_days"}, {"until_columns", "until_events"}),
    "first_relapse": ({"after", "from_days", "below"}, set()),
    "max_grade": ({"event", "after"}, {"within_days", "subject", "since", "staged"}),
    "death_cause": ({"event"}, set()),
    "nonrelapse_death": ({"transplant", "relapse", "death"}, set()),
    "survival_days": ({"from", "death"}, set()),
    "survival_event": ({"from", "death"}, set()),
}
COLUMN_PARAMETERS = {"before", "after", "start", "from", "to", "transplant", "relapse", "death"}
LIST_COLUMN_PARAMETERS = {"of", "until_columns"}
NUMBER_PARAMETERS = {"within_days", "below", "from_days", "to_days"}  # a number, or the name of a study window


def references(spec: dict[str, Any]) -> list[str]:
    """The columns a derivation reads."""
    found = [spec[key] for key in COLUMN_PARAMETERS if isinstance(spec.get(key), str)]
    for key in LIST_COLUMN_PARAMETERS:
        found += [c for c in spec.get(key) or [] if isinstance(c, str)]
    return found


def dependents(columns: tuple[dict[str, Any], ...], roots: set[str]) -> list[str]:
    """Every column built, directly or through others, on one of ``roots`` (in column order)."""
    reached = set(roots)
    for column in columns:
        if set(references(column.get("derive") or {})) & reached:
            reached.add(column["name"])
    return [c["name"] for c in columns if c["name"] in reached - roots]


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


@dataclass
class Context:
    """What a derivation reads: the timeline, the study's windows, the row so far and, for each
    date column, the event its date came from (so a later column inherits that event's doubt)."""

    timeline: PatientTimeline
    windows: dict[str, float]
    row: CohortRow
    anchors: dict[str, Event] = field(default_factory=dict)
    statuses: dict[str, tuple[str, ...]] = field(default_factory=dict)  # value name -> the values that count
    flag_fallbacks: bool = False  # flag a value taken from a farther event than the nearest in its window

    @property
    def events(self) -> tuple[Event, ...]:
        return self.timeline.events

    def number(self, value: Any) -> float:
        return float(self.windows[value]) if isinstance(value, str) else float(value)

    def anchor(self, column: str) -> Event | None:
        event = self.anchors.get(column)
        return event if event is not None and event.date is not None and self.row.values.get(column) else None


Derivation = Callable[[Context, str, dict[str, Any]], None]


def _input(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    ctx.row.values[column] = ctx.timeline.patient_id


def _nothing(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    """Filled after review (flags, reviewed, not_determinable)."""


def _last_note_date(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    ctx.row.values[column] = _iso(ctx.timeline.last_note_date)


def _first_event(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    event = next((e for e in ctx.events if e.kind == spec["event"]), None)
    if event is None:
        return
    ctx.row.flag(column, event.flags, event)
    ctx.anchors[column] = event
    if event.date is not None:
        ctx.row.values[column] = event.date.isoformat()


def _sequence(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    """The Nth of several dated columns by date: its date, or which one it was (a drug name)."""
    dated = [ctx.anchor(c) for c in spec["of"]]
    order = sorted((e for e in dated if e is not None), key=lambda e: e.date or date.max)
    position = int(spec["position"])
    if len(order) < position:
        return
    event = order[position - 1]
    ctx.anchors[column] = event
    if spec["value"] == "date":
        ctx.row.values[column] = _iso(event.date)
        ctx.row.flag(column, event.flags, event)
    else:  # the drug: only doubt about whether and when it was given can change which one it was
        ctx.row.values[column] = event.kind.removesuffix("_start")
        ctx.row.flag(column, [f for f in event.flags if f.kind in ("conflict", "missing")], event)


def _days_between(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    first, second = ctx.anchor(spec["from"]), ctx.anchor(spec["to"])
    if first is None or second is None:
        return
    ctx.row.values[column] = str((second.date - first.date).days)  # type: ignore[operator]
    for event in (first, second):
        ctx.row.flag(column, event.flags, event)


def _latest_event_before(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    start = ctx.anchor(spec["before"])
    if start is None:
        return
    prior = [e for e in ctx.events if e.kind == spec["event"] and e.date and e.date < start.date]  # type: ignore[operator]
    if prior:
        ctx.row.values[column] = _iso(prior[-1].date)
        ctx.row.flag(column, prior[-1].flags, prior[-1])
        ctx.anchors[column] = prior[-1]


def _events_after(ctx: Context, spec: dict[str, Any]) -> list[Event] | None:
    """Events of ``event`` kind on or after the ``after`` column's date (within ``within_days`` when
    given); None when that column is empty."""
    start = ctx.anchor(spec["after"])
    if start is None or start.date is None:
        return None
    last = add_days(start.date, int(ctx.number(spec["within_days"]))) if "within_days" in spec else None
    return [e for e in ctx.events if e.kind == spec["event"] and e.date and e.date >= start.date and (last is None or e.date <= last)]


def _first_event_after(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    after = _events_after(ctx, spec)
    if after:
        ctx.row.values[column] = _iso(after[0].date)
        ctx.row.flag(column, after[0].flags, after[0])
        ctx.anchors[column] = after[0]


def _marrow_value_before(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    """The value of the latest marrow reporting it within N days before (or on) a start."""
    start = ctx.anchor(spec["before"])
    if start is None:
        return
    assert start.date is not None
    low = add_days(start.date, -int(ctx.number(spec["within_days"]))) or date.min
    name = spec["value"]
    counted = ctx.statuses.get(name)
    window = [e for e in ctx.events if e.kind == "marrow" and e.date and low <= e.date <= start.date]
    reported = [e for e in window if e.value(name) and (counted is None or e.value(name) in counted)]
    # a restatement with no date of its own ("KMP d26: 35 %" in a board note) took place on or
    # before its note's day: it is the latest marrow only when no dated marrow reports the value
    dated = [e for e in reported if not evidence.is_undated_restatement(e)]
    if dated and dated[-1] is not reported[-1]:
        if reported[-1].value(name) != dated[-1].value(name):
            ctx.row.flag(column, [Flag("conflict", f"{name}: {dated[-1].value(name)} on {dated[-1].date}; {reported[-1].value(name)} "
                                       f"restated without a date by {reported[-1].date}", reported[-1].mention_ids[:4])])
        reported = dated
    if reported:
        ctx.row.values[column] = reported[-1].value(name)
        ctx.row.flag_value(column, reported[-1], name)
        if ctx.flag_fallbacks and counted is None and window[-1] is not reported[-1]:
            # the nearest marrow gives no blast count (written only as a flow % of another
            # population, say): an older marrow's count may be stale. Antigen statuses are defined
            # as those of the latest marrow reporting them, so reaching back is the rule, not a fallback.
            ctx.row.flag(column, [Flag("fallback", f"{name} from the marrow of {reported[-1].date}; the nearer marrow of "
                                       f"{window[-1].date} does not report it", window[-1].mention_ids[:4])], reported[-1], name)
        elif ctx.flag_fallbacks and counted is not None:
            # reaching back is the rule for antigens, but a nearer marrow whose flow reported other
            # markers and not this one ("CD19 +ve. (CD22 could not be assessed on MRD tube.)") may
            # have found it not assessable, or changed: a reviewer decides
            tested = [e for e in window if e.date > reported[-1].date and e is not reported[-1]
                      and any(e.value(other) for other, kinds in ctx.statuses.items() if other != name and kinds == counted)]
            if tested:
                ctx.row.flag(column, [Flag("fallback", f"{name} from the marrow of {reported[-1].date}; the nearer marrow of "
                                           f"{tested[-1].date} reports other markers but not {name}", tested[-1].mention_ids[:4])],
                             reported[-1], name)
    else:
        if "otherwise" in spec:
            ctx.row.values[column] = spec["otherwise"]
        if counted is None:  # a number (blasts); an antigen reaching back to an older marrow is the rule
            _flag_unread_marrow(ctx, column, window, name)


def _flag_unread_marrow(ctx: Context, column: str, window: list[Event], name: str) -> None:
    """A column left empty (or not_assessed) although a marrow of its window is in the chart: the
    marrow was read for something (MRD, a marker) but not for this value, which a new
    institution's wording for it ("primitive + naive lymphocytes 35.5%") explains far more often
    than a report that truly lacks it. A reviewer looks, rather than the gap passing silently."""
    if ctx.flag_fallbacks and window:
        ctx.row.flag(column, [Flag("missing", f"no {name} read from the marrow of {window[-1].date} in the window",
                                   window[-1].mention_ids[:4])], window[-1], "")


def _marrow_value_after(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    """The value of the first marrow reporting it from ``from_days`` to ``to_days`` after a date
    ("day-28 marrow": days 21 to 35 after the infusion)."""
    start = ctx.anchor(spec["after"])
    if start is None or start.date is None:
        return
    begin = add_days(start.date, int(ctx.number(spec["from_days"]))) or date.max
    end = add_days(start.date, int(ctx.number(spec["to_days"]))) or date.max
    name = spec["value"]
    counted = ctx.statuses.get(name)
    reported = [e for e in ctx.events if e.kind == "marrow" and e.date and begin <= e.date <= end
                and e.value(name) and (counted is None or e.value(name) in counted)]
    if reported:
        ctx.row.values[column] = reported[0].value(name)
        ctx.row.flag_value(column, reported[0], name)
    elif "otherwise" in spec:
        ctx.row.values[column] = spec["otherwise"]


def _window(ctx: Context, start: Event, spec: dict[str, Any]) -> tuple[date, date]:
    """From ``from_days`` after the start to ``to_days`` after it or the next therapy, whichever is first."""
    assert start.date is not None
    begin = add_days(start.date, int(ctx.number(spec["from_days"]))) or date.max
    end = add_days(start.date, int(ctx.number(spec["to_days"]))) or date.max
    later = [e.date for e in (ctx.anchor(c) for c in spec.get("until_columns") or []) if e is not None and e.date and e.date > start.date]
    later += [e.date for e in ctx.events if e.kind in (spec.get("until_events") or []) and e.date and e.date > start.date]
    return begin, min([end, *later])


def _response(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    """CR when a marrow in the window is below the threshold, no_CR when all are above, else not_assessed."""
    start = ctx.anchor(spec["start"])
    if start is None:
        return
    begin, end = _window(ctx, start, spec)
    name = spec["value"]
    in_window = [e for e in ctx.events if e.kind == "marrow" and e.date and begin <= e.date <= end]
    marrows = [e for e in in_window if e.value(name)]
    if not marrows:
        ctx.row.values[column] = "not_assessed"
        _flag_unread_marrow(ctx, column, in_window, name)
        return
    remission = [e for e in marrows if evidence.below(e.value(name), ctx.number(spec["below"]))]
    ctx.row.values[column] = "CR" if remission else "no_CR"
    for marrow in remission or marrows:
        ctx.row.flag_value(column, marrow, name)


def _window_result(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    """The first value of ``prefer`` that any marrow in the window reports (MRD negative over positive)."""
    start = ctx.anchor(spec["start"])
    if start is None:
        return
    begin, end = _window(ctx, start, spec)
    name, prefer = spec["value"], list(spec["prefer"])
    results = [e for e in ctx.events if e.kind == "marrow" and e.date and begin <= e.date <= end and e.value(name) in prefer]
    chosen = next((value for value in prefer if any(e.value(name) == value for e in results)), None)
    ctx.row.values[column] = chosen or spec["otherwise"]
    for marrow in [e for e in results if e.value(name) == chosen] or results:
        ctx.row.flag_value(column, marrow, name)


def _first_relapse(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    """The first relapse after a start: a stated relapse, or a marrow at or above the CR cut-off
    after one below it (flagged when no relapse statement supports it).

    A relapse follows a remission: a statement with no remission marrow (or negative MRD) before
    it since the start describes the disease the drug did not clear, unless it is well supported
    (then flagged).
    """
    start = ctx.anchor(spec["after"])
    if start is None:
        return
    assert start.date is not None
    earliest = add_days(start.date, int(ctx.number(spec["from_days"]))) or date.max
    cut = ctx.number(spec["below"])
    events = ctx.events
    marrows = [e for e in events if e.kind == "marrow" and e.date and e.date >= earliest and e.value("blasts")]
    remissions = [e.date for e in events if e.kind == "marrow" and e.date and e.date >= earliest
                  and ((e.value("blasts") and evidence.below(e.value("blasts"), cut)) or e.value("mrd") == "negative")]
    stated = []
    for event in (e for e in events if e.kind == "relapse" and e.date and e.date >= earliest):
        if any(d < event.date for d in remissions):  # type: ignore[operator]
            stated.append(event)
        elif len(event.mention_ids) >= 2 and event.precision == "day":
            since = spec["after"].removesuffix("_start")
            stated.append(replace(event, flags=event.flags + (Flag("low_support", f"no remission documented between {since} and this relapse", event.mention_ids[:4]),)))
    derived = None
    remission = False
    for marrow in marrows:
        if evidence.below(marrow.value("blasts"), cut):
            remission = True
        elif remission:
            derived = marrow
            break
    first = stated[0] if stated else None
    statement_days = int(ctx.number("relapse_statement_days"))
    if first is not None and (derived is None or first.date <= (add_days(derived.date, statement_days) or date.max)):  # type: ignore[arg-type,operator]
        ctx.row.values[column] = _iso(first.date)
        ctx.row.flag(column, first.flags, first)
        ctx.anchors[column] = first
    elif derived is not None:
        ctx.row.values[column] = _iso(derived.date)
        ctx.row.flag(column, [Flag("low_support", f"marrow blasts {derived.value('blasts')}% after a remission; no relapse statement near it", derived.mention_ids[:4])], derived, "")
        ctx.anchors[column] = derived


def _max_grade(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    """The highest grade stated on or after a date column (0 when the chart says there is none)."""
    after = _events_after(ctx, spec)
    if after is None:
        return
    what, since = spec.get("subject", spec["event"]), spec.get("since", "the start date")
    graded = [e for e in after if e.value("grade")]
    present = [e for e in after if e.value("grade_source") != "absent"]
    row = ctx.row
    if graded and max(int(e.value("grade")) for e in graded) > 0:
        top = max(graded, key=lambda e: int(e.value("grade")))
        row.values[column] = top.value("grade")
        row.flag(column, top.flags, top)
        if top.value("grade_source") == "staging":
            row.flag(column, [Flag("derived", "grade derived from organ stages by the MAGIC criteria", top.mention_ids)], top, "grade")
        ungraded_later = [e for e in present if not e.value("grade") and e.date and top.date and e.date > top.date]
        if ungraded_later:
            row.flag(column, [Flag("low_support", f"{what} also reported later without a grade", ungraded_later[0].mention_ids)], ungraded_later[0], "grade")
        return
    if present:
        row.flag(column, [Flag("missing", f"{what} after {since}, but no grade{' or organ stage' if spec.get('staged') else ''} is written", present[0].mention_ids)], present[0], "grade")
        return
    row.values[column] = "0"
    if not after:
        row.flag(column, [Flag("low_support", f"no statement about {what} after {since}", ())])


def _death_cause(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    """The written cause of death, for every patient who died."""
    death = next((e for e in ctx.events if e.kind == spec["event"]), None)
    if death is None or death.date is None:
        return
    cause = death.value("cause") or "unknown"
    ctx.row.values[column] = cause
    ctx.row.flag(column, [], death)
    if cause == "unknown":
        ctx.row.flag(column, [Flag("missing", "no cause of death is written", death.mention_ids[:4])], death, "cause")
    if death.value("cause_conflict"):
        ctx.row.flag(column, [Flag("conflict", f"causes written: {death.value('cause_detail')}", death.mention_ids)], death, "cause")


def _nonrelapse_death(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    """Death without relapse after the transplant; false when alive; empty without the transplant."""
    transplant = ctx.anchor(spec["transplant"])
    if transplant is None or transplant.date is None:
        return
    death = ctx.anchor(spec["death"])
    if death is None or death.date is None:
        ctx.row.values[column] = "false"
        return
    relapsed = [e for e in ctx.events if e.kind == "relapse" and e.date and transplant.date < e.date <= death.date]
    first = ctx.row.values.get(spec["relapse"])
    relapsed_after = bool(first) and transplant.date < date.fromisoformat(first) <= death.date
    died_of_relapse = death.value("cause") == "relapse"
    ctx.row.values[column] = "false" if relapsed or relapsed_after or died_of_relapse else "true"
    ctx.row.flag(column, death.flags, death)
    if death.value("cause") == "non_relapse" and (relapsed or relapsed_after):
        ctx.row.flag(column, [Flag("conflict", "cause written as non-relapse, but a relapse after the transplant is documented", death.mention_ids[:4])], death, "cause")
    if death.value("cause") == "unknown" and not (relapsed or relapsed_after):
        ctx.row.flag(column, [Flag("low_support", "no relapse found and no cause of death written", death.mention_ids[:4])], death, "cause")


def _survival_end(ctx: Context, spec: dict[str, Any]) -> tuple[Event | None, Event | None, date | None]:
    start = ctx.anchor(spec["from"])
    death = ctx.anchors.get(spec["death"])
    end = death.date if death is not None and death.date else ctx.timeline.last_note_date
    return start, death, end


def _survival_days(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    start, death, end = _survival_end(ctx, spec)
    if start is None or end is None:
        return
    ctx.row.values[column] = str((end - start.date).days)  # type: ignore[operator]
    ctx.row.flag(column, start.flags, start)
    if death is not None:
        ctx.row.flag(column, death.flags, death)


def _survival_event(ctx: Context, column: str, spec: dict[str, Any]) -> None:
    start, death, end = _survival_end(ctx, spec)
    if start is None or end is None:
        return
    ctx.row.values[column] = "1" if death is not None and death.date else "0"


DERIVATIONS: dict[str, Derivation] = {
    "input": _input, "review": _nothing, "last_note_date": _last_note_date, "first_event": _first_event,
    "sequence": _sequence, "days_between": _days_between, "latest_event_before": _latest_event_before,
    "first_event_after": _first_event_after, "marrow_value_before": _marrow_value_before, "marrow_value_after": _marrow_value_after,
    "response": _response,
    "window_result": _window_result, "first_relapse": _first_relapse, "max_grade": _max_grade,
    "death_cause": _death_cause, "nonrelapse_death": _nonrelapse_death, "survival_days": _survival_days,
    "survival_event": _survival_event,
}


def _iso(value: date | None) -> str:
    return value.isoformat() if value else ""
