"""Reconcile one patient's mentions into a timeline of events, each with its evidence and flags.

Treatments first (drug starts and cycles, transplants, CAR-T), because they anchor the
event-relative dates ("Day +30", "C1D29") of the marrow results that follow; then marrows, with
the pathology and flow reports of one biopsy merged; then relapses, graded outcomes (acute GVHD)
and death with its written cause. Which concepts feed which events comes from the study's
concept registry (rules/concepts.json).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta

from chartabstract import evidence
from chartabstract.approval import ORDER_LINE as _ORDER_LINE, only_approved, paperwork_started
from chartabstract.concepts import Concept, Registry
from chartabstract.models import SAMPLE_ANCHOR, Event, Flag, Mention, PatientTimeline
from chartabstract.normalize.plausible import add_days
from chartabstract.study import Study
from chartabstract.year_slips import year_slips

ADMINISTERED = {"start", "cycle", "dose", "hold", "stop", "history"}


def build_timeline(
    patient_id: str, mentions: Sequence[Mention], study: Study, *, last_note_date: date | None, notes: int
) -> PatientTimeline:
    """All events of one patient.

    Args:
        patient_id: the patient.
        mentions: every mention of the patient (any order).
        study: windows and tolerances.
        last_note_date: the patient's latest note date (for follow-up).
        notes: how many notes the patient has.
    """
    registry = study.registry
    asserted = [m for m in mentions if not m.family]
    events: list[Event] = []
    unresolved: list[Flag] = []
    for drug in drugs(study):
        drug_events, flags = _drug_events(patient_id, drug, asserted, study)
        events += drug_events
        unresolved += flags
    for procedure in registry.procedures:
        events += _procedure_events(patient_id, procedure, asserted, study)
    marrow_concepts = tuple(concept for concept, _ in registry.marrow_values)
    marrow_mentions, relative_flags = _resolve_relative(asserted, events, registry, marrow_concepts, needs_value=True)
    unresolved += relative_flags
    events += _marrow_events(patient_id, marrow_mentions, study)
    graded = registry.of_kind("graded_outcome")
    outcome_concepts = registry.names_of_kind("relapse") + tuple(c.concept for c in graded)
    outcome_mentions, _ = _resolve_relative(asserted, events, registry, outcome_concepts)
    events += _relapse_events(patient_id, outcome_mentions, events, study, _circulating_blast_days(asserted, study))
    for outcome in graded:
        events += _graded_events(patient_id, outcome, outcome_mentions, study)
    death = _death_event(patient_id, asserted, study)
    if death is not None:
        events.append(_chart_goes_on(_check_death(death, events, registry.marrow_event), asserted))
    events.sort(key=lambda e: (e.date or date.max, e.kind))
    return PatientTimeline(patient_id, tuple(_dated_ids(events, set(registry.repeatable))), last_note_date, notes, tuple(unresolved))


def drugs(study: Study) -> tuple[str, ...]:
    """Every drug with start and cycle events: the study's two first, then the registry's others."""
    return tuple(dict.fromkeys((*study.drugs, *study.registry.treatments)))


def _dated_ids(events: Sequence[Event], repeatable: set[str]) -> list[Event]:
    """Name repeatable events by their date ("P1:marrow@2020-01-10"), not their rank, so a review
    decision on one still finds it when new notes add an earlier marrow."""
    named: list[Event] = []
    seen: set[str] = set()
    for event in events:
        if event.kind in repeatable:
            base = f"{event.patient_id}:{event.kind}@{event.date.isoformat() if event.date else 'undated'}"
            event_id, number = base, 1
            while event_id in seen:
                number += 1
                event_id = f"{base}#{number}"
            event = replace(event, event_id=event_id)
        seen.add(event.event_id)
        named.append(event)
    return named


def _is_administration(mention: Mention, drug: str) -> bool:
    return (
        mention.concept == drug and not mention.negated and not mention.hypothetical
        and (mention.value in ADMINISTERED or (mention.value == "mention" and _first_cycle_dated(mention)))
    )


def _drug_events(patient_id: str, drug: str, mentions: Sequence[Mention], study: Study) -> tuple[list[Event], list[Flag]]:
    given = [m for m in mentions if _is_administration(m, drug)]
    if not given:
        return [], []
    cancelled = _cancelled_days(drug, mentions)
    starts = [m for m in given if m.date is not None and _is_start_evidence(m)
              and not (m.date in cancelled and m.date_precision == "day" and not _RECORDED_GIVEN.search(m.snippet))]
    # "Initiation of blinatumomab cycle 1" under a summary's date and, in the same note, "started
    # 20220801 at 11:05": the note's own day for the start is only the document's
    dated_here = {m.note_id for m in starts if m.date_from == "mention" and m.date_precision == "day" and m.date != m.note_date
                  and _STARTED_ON.search(_words_to_own_day(m) or "")}
    starts = [m for m in starts if not (m.date_from == "note" and m.note_id in dated_here)]
    stop_only = False
    if not starts:  # only day-precision stops: a completed course ended on them, it started before
        starts = [m for m in given if m.date is not None and m.value == "stop" and m.date_source in evidence.WRITTEN_SOURCES]
        stop_only = bool(starts)
    events: list[Event] = []
    if not starts:
        flag = Flag("missing", f"{drug} was given but no start date is written", _ids(given[:8]))
        return [Event(f"{patient_id}:{drug}_start", patient_id, f"{drug}_start", None, "", (), _ids(given), (flag,))], [flag]
    slips = year_slips(starts)
    starts = [m for m in starts if m not in slips]
    clusters = evidence.cluster(starts, study.treatment_event_merge_days)
    # a summary's start days before the records of the first dose is a stale plan or a slip ("started
    # 2/22" for a C1D1 given 3/1); one a course or more before them is a course of its own
    recorded = next((g for g in clusters if any(evidence.written_at_the_time(m) for m in g)), clusters[0])
    first = next(g for g in clusters if g is recorded or _days_between(g, recorded) > study.course_days)
    start = _dated_event(f"{patient_id}:{drug}_start", patient_id, f"{drug}_start", first, study,
                         course_days=study.course_days, key=evidence.start_weight, firsthand=evidence.written_at_the_time)
    flags: list[Flag] = []
    summaries = [m for g in clusters[: clusters.index(first)] for m in g]
    if summaries:  # "started 2/22" in a summary, "06/09 NOT GIVEN" in the record: the record decides
        dates = ", ".join(sorted({str(m.date) for m in summaries}))
        flags.append(Flag("conflict", f"{drug}: a summary gives an earlier start ({dates}) than the records written at the time", _ids([*summaries, *first])))
    later = [m for g in clusters[clusters.index(first) + 1:] for m in g
             if (m.value == "start" and (evidence.is_strong(m) or _first_dose_record(m)) or _first_cycle_on_its_day(m)) and not _later_dose(m)
             and not _later_cycle_label(m) and start.date and m.date and (m.date - start.date).days <= study.course_days]
    # "started 3/1" and, in another note, "was started on 3/12", or an infusion note's own "C1D1" weeks
    # after the day chosen: which day the first dose was is in doubt
    if later:
        dates = ", ".join(sorted({str(start.date), *(str(m.date) for m in later)}))
        flags.append(Flag("conflict", f"{drug}: sources give {dates} as the start", _ids([*first, *later])))
    if slips:  # "started on March 22, 2012" in a letter, the day-unit record of 22-MAR-2021
        dates = ", ".join(sorted({str(m.date) for m in slips}))
        flags.append(Flag("conflict", f"{drug}: a later account gives the recorded start day in another year ({dates}), read as a slip of the year", _ids([*slips, *first])))
    if stop_only:
        flags.append(Flag("low_precision", f"{drug} start inferred from a stop date", _ids(first)))
    if all(only_approved(m.snippet) or _ORDER_LINE.search(m.snippet) for m in first):
        flags.append(Flag("low_support", f"{drug} start rests only on an order or an approval", _ids(first)))
    recorded_doses = [m for m in given if _recorded_dose(m) and start.date and m.date and 0 <= (m.date - start.date).days <= study.treatment_event_merge_days]
    on_start_day = [m for m in first if m.date == start.date]
    if recorded_doses and start.date and not any(_recorded_dose(m) for m in on_start_day) and any(
            _COMBINATION_LINE.search(m.snippet) for m in on_start_day):
        # "Regimen: mini-HCVD + InO, Cycle 1 (D1 = 05/06)" with the InO row on 07/06 "- C1D3 ... completed": the
        # regimen's day 1 may not be this drug's first dose
        dates = ", ".join(sorted({str(m.date) for m in recorded_doses}))
        flags.append(Flag("conflict", f"{drug} start {start.date} has no dose record; the first recorded dose is on {dates}", _ids(recorded_doses[:4])))
    flags += _same_week_disagreement(drug, start, given, study) + _dated_only_by_its_note(drug, first)
    earlier = [m for m in given if m.date and evidence.is_strong(m) and start.date and (start.date - m.date).days > study.treatment_event_merge_days and m not in summaries]
    if earlier:
        flags.append(Flag("implausible", f"{drug} recorded as given before this start date", _ids(earlier)))
    if flags:
        start = replace(start, flags=start.flags + tuple(flags))
    events.append(start)
    cycles = [m for m in given if m.value == "cycle" and m.cycle and m.date is not None and not m.historical]
    for number in sorted({m.cycle for m in cycles if m.cycle}):
        group = evidence.cluster([m for m in cycles if m.cycle == number], study.treatment_event_merge_days)[0]
        cycle = _dated_event(f"{patient_id}:{drug}_cycle{number}", patient_id, f"{drug}_cycle", group, study)
        events.append(replace(cycle, values=(("cycle", str(number)),)))
    return events, []


def _cancelled_days(drug: str, mentions: Sequence[Mention]) -> set[date]:
    """The days a note of that day or later says the drug was not given ("Admitted for inotuzumab
    C1" and, in the same ward round, "inotuzumab planned for today is NOT GIVEN - CANCELLED"): a
    start on such a day is a plan that did not happen, unless its own words record the dose given."""
    treatments = {m.concept for m in mentions if m.value in ADMINISTERED or m.value in ("plan", "mention")}  # treatments and procedures
    # "10/05/21 InO C1 (blina not given)": not-given words in a sentence naming another treatment are its
    shared = {(o.note_id, o.snippet) for o in mentions if o.concept != drug and o.concept in treatments}
    return {
        m.date for m in mentions
        if m.concept == drug and not m.family and m.date is not None and m.date_precision == "day"
        and m.note_date >= m.date and (m.note_id, m.snippet) not in shared
        and (m.negated and (_NOT_ADMINISTERED.search(m.snippet) or (m.date_from == "mention" and _POSTPONED.search(m.snippet)))
             or _former_day_of_rescheduling(m))
    } - {  # a day whose own record says the dose was given after all
        m.date for m in mentions if m.concept == drug and not m.negated and m.date_precision == "day" and _RECORDED_GIVEN.search(m.snippet)
    }


# "C1D1 POSTPONED (was planned 3/5)", "Beacon D1 moved from 03/05", "C1D1 changed from 03/05/2019 to
# 03/08/2019": the day a rescheduled first dose was first meant for ("blina from 01/05, held 01/16"
# is a start and a hold: "from" counts only after a rescheduling verb)
_RESCHEDULED = re.compile(r"\b(?:postpon\w*|reschedul\w*|deferred|delayed|pushed\s+back)\b", re.IGNORECASE)
_MOVED = re.compile(r"\b(?:moved|changed|shifted)\b", re.IGNORECASE)
_BEFORE_FORMER_DAY = re.compile(
    r"(?:\b(?:postponed|rescheduled|moved|changed|deferred|delayed|pushed\s+back|shifted)(?:\s+[\w/]+){0,3}?\s+from"
    r"|\b(?:was|originally)\s+(?:planned|scheduled|booked|due)(?:\s+(?:for|on))?|\boriginally(?:\s+(?:for|on))?)\s*\(?\s*$",
    re.IGNORECASE)


def _former_day_of_rescheduling(mention: Mention) -> bool:
    """A mention dated by the day a rescheduling note says the dose was moved away from."""
    if not mention.date_text:
        return False
    at = mention.snippet.find(mention.date_text)
    if at <= 0:
        return False
    before = mention.snippet[max(0, at - 40):at]
    return _BEFORE_FORMER_DAY.search(before) is not None and (
        _RESCHEDULED.search(mention.snippet) is not None or _MOVED.search(before) is not None)


def _first_cycle_on_its_day(mention: Mention) -> bool:
    """The first cycle named with its own written day in any note ("Clinical: s/p InO C1 (5/25/21)",
    "blinatumomab C1 2/4/20 -> CR2"): whoever wrote it, it says which day the course began, and a
    chosen start weeks before it (a misread header, an order's day) is the reviewer's to settle."""
    return (mention.value in ("history", "mention") and mention.date_precision == "day" and mention.date_source in _FULL_DATE_SOURCES
            and _first_cycle_dated(mention))


# a date written out with its year: "blina C1 Jan23" is January 2023 as often as the 23rd, and no rival day
_FULL_DATE_SOURCES = ("explicit", "dayfirst_inferred", "ambiguous_order")


def _first_dose_record(mention: Mention) -> bool:
    """An administration note's own record of the first dose, dated by the note ("Visit: InO C1D1"
    in the infusion-centre note of the day)."""
    return (evidence.is_administration_note(mention) and evidence.written_at_the_time(mention)
            and re.search(r"\bC1\s*[DJ]1\b|\bcycle\s*1,?\s*day\s*1\b", mention.snippet, re.IGNORECASE) is not None)


def _same_week_disagreement(drug: str, start: Event, given: Sequence[Mention], study: Study) -> list[Flag]:
    """A first dose's day that another record of the same week gives differently, inside the date
    tolerance: "admitted 24/10 for Blincyto C1" and "blinatumomab C1 (started 25/10/2021)", a
    regimen's day 1 and "(InO 7/6/22)", a board's plan and the nurse's "09:10 BLINATUMOMAB ...
    STARTED". Which is the first dose is the one fact the drug's columns hang on, and each new
    institution writes the evening-before admission, the regimen's day 1 or the aside in a new way:
    rather than trusting the ranking to have learned every layout, any disagreement of the week is
    shown to a reviewer. Only an infusion record of the chosen day itself settles it, and only
    against an admission the evening before it or a day the record already covers."""
    if start.date is None:
        return []
    chosen = [m for m in given if m.mention_id in start.mention_ids and m.date == start.date]
    recorded_here = any(_recorded_dose(m) or _is_administration_record(m) or evidence.is_sheet_row_of_its_day(m) for m in chosen)
    rivals = []
    for m in given:
        if m.date is None or m.date == start.date or m.date_precision != "day" or m.hypothetical or m.negated or m.value in ("hold", "stop"):
            continue  # an interruption on day 2 or the pump off is no rival first dose
        days = (m.date - start.date).days
        if abs(days) > study.date_conflict_tolerance_days or _later_dose(m) or _later_cycle_label(m) or only_approved(m.snippet):
            continue
        if m.value in ("dose", "cycle") and days > 0:
            continue  # the course's next days: a later bag, a later day of the cycle
        if not (evidence.is_strong(m) or evidence.written_at_the_time(m)):
            continue
        if recorded_here and (days > 0 or evidence.dated_by_admission(m) or not evidence.written_at_the_time(m)):
            continue  # the infusion record of the day beats the admission the evening before and a later account
        rivals.append(m)
    if not rivals:
        return []
    dates = ", ".join(sorted({str(start.date), *(str(m.date) for m in rivals)}))
    return [Flag("conflict", f"{drug}: records of the same week give {dates} as the first dose", _ids([*chosen[:2], *rivals[:4]]))]


def _dated_only_by_its_note(drug: str, first: Sequence[Mention]) -> list[Flag]:
    """A start no mention gives a day of its own, nor an administration record of its day: only the
    date of a consult, board or clinic note that names the drug as started ("Blinatumomab, requiring
    admission for the first 9 days" in an options list; "then blinatumomab D1-7" in a board's plan).
    Whether the drug was given that day, or at all, is the reviewer's call."""
    if any(evidence.is_strong(m) or m.date_from == "section" or _recorded_dose(m) or _is_administration_record(m)
           or (evidence.is_administration_note(m) and m.value == "start" and evidence.written_at_the_time(m))
           or m.date_source == "relative_to_note" for m in first):
        return []
    return [Flag("low_support", f"{drug} start dated only by the note that names it: no record gives the first dose's day", _ids(first[:4]))]


def _days_between(earlier: Sequence[Mention], later: Sequence[Mention]) -> int:
    """Days from the latest day an earlier group can mean (the end of a month-only "5/2019") to
    the first day of a later one."""
    span = {"month": 30, "year": 365}
    latest = max(m.date + timedelta(days=span.get(m.date_precision or "", 0)) for m in earlier if m.date)
    return (min(m.date for m in later if m.date) - latest).days


# "ivgtt over 1 hour, start 10:35, end 11:40", "(executed 10:40-11:45)": the clock times of the
# infusion itself are a nurse's record that it ran, wherever the order sheet comes from
_ADMINISTERED_WORD = re.compile(
    r"\b(?:given|administered|infused|executed|new\s+bag|bag\s+(?:hung|change)|infusion\s+started"
    r"|start(?:ed)?\s+(?:at\s+)?\d{1,2}:\d{2}\b[^.;]{0,20}\b(?:end(?:ed)?|finish(?:ed)?|stop(?:ped)?|complete[d]?)\s+(?:at\s+)?\d{1,2}:\d{2})\b",
    re.IGNORECASE,
)
_NOT_ADMINISTERED = re.compile(r"\b(?:not\s+given|held|cancel+ed|refused|omitted|missed|not\s+administered|not\s+(?:been\s+)?(?:started|initiated))\b", re.IGNORECASE)
# "Blinatumomab C1D1 today -> 연기 (postponed)": a postponement cancels the day its own words name
_POSTPONED = re.compile(r"\b(?:postponed|연기|취소)\b", re.IGNORECASE)


_RESUMED = re.compile(r"\b(?:re-?start(?:ed|ing)?|resum(?:ed|es|ing|ption)|re-?commenced|re-?initiated|re-?started)\b", re.IGNORECASE)


def _is_start_evidence(mention: Mention) -> bool:
    """A start; a dose written as an administration record of its own day ("06/13 09:48 InO ...
    GIVEN"), not labelled a later day of the cycle; or a dated history line ("blina x2 (6/2018)",
    "completed blina 6/2018"); an undated history line is not. A stop dated to the day ("pump off
    today", "d/c'd 9/23") is when a course ended, never when it started. History dates are
    month-precise at best and lose to a dated start. A history mention under a dated heading
    ("Response assessment - marrow 7 Feb (day 28 of blina):" then "refractory to blina") has the
    heading's date, not the course's."""
    if mention.value in ("history", "dose") and only_approved(mention.snippet):
        return False  # "the board approved blina 10/2021", "InO authorised 6/4, arrived 9/4": not a dose
    if mention.value == "start":  # "MAF paperwork for blinatumomab started", "Order received: InO C1 - 0.8 mg/m2 D1": no dose
        return not (paperwork_started(mention.snippet) or only_approved(mention.snippet))
    if mention.value == "mention" and _first_cycle_dated(mention):
        return True  # "-> InO C1 24/7/23 -> BM 22/8", "inotuzumab C1 (24/7/23)": the first cycle's own day
    if mention.value == "dose":
        if _RESUMED.search(mention.snippet):
            return False  # "RESTART of Blincyto today at 9 ug/d (new bag)": the course goes on after a hold
        return _is_administration_record(mention) or _started_on_its_date(mention) or _infused_on_its_notes_day(mention)
    stopped = any(cue.startswith(("EVENT_HOLD", "EVENT_STOP")) for cue in mention.modifiers)
    if mention.value == "history":  # its own date: a heading's date ("bone marrow 7th Feb:") is the marrow's
        # "post InO C2 (D1 10/3/22)" dates a later cycle: the first dose came a course before it
        return (not _later_cycle_label(mention) and not stopped and mention.date_from == "mention" and mention.date_source not in ("note_date", "none", "relative_to_event")
                and not _dated_after_it(mention))
    if mention.value == "stop":
        return mention.date_precision in ("month", "year") and mention.date_source not in ("note_date", "none", "relative_to_event")
    return False


# a later cycle's label right after the drug's name ("InO C2 (D1 10/3/22)", "blina cycle #3 6/2"),
# not a count of cycles ("blina x2 cycles (6/2018)")
_LATER_CYCLE = re.compile(r"^\W{0,3}(?:C|cycle\s*#?\s*|course\s*#?\s*)(?:[2-9]|1\d)\b(?!\s*(?:cycles?|courses?)\b)", re.IGNORECASE)


# ... or right before the date: "blinatumomab x 2 cycles (C2 7/26-8/22)" dates the second cycle
_LATER_CYCLE_BEFORE_DATE = re.compile(r"\b(?:C|cycle\s*#?\s*|course\s*#?\s*)(?:[2-9]|1\d)(?:\s*D\d{1,2})?[\s:(,-]*$", re.IGNORECASE)


# the first cycle's label between the drug and its own day: "InO C1 24/7/23", "inotuzumab C1 (24/7/23)", "blina cycle 1 on 3/4"
_FIRST_CYCLE_THEN_DATE = re.compile(r"^\W{0,3}(?:C|cycle\s*#?\s*|course\s*#?\s*)1(?:\s*[DJ]1)?\b[\s,:(]*(?:(?:on|from|started)\s+)?$", re.IGNORECASE)


def _first_cycle_dated(mention: Mention) -> bool:
    between = _words_to_own_day(mention)
    return between is not None and _FIRST_CYCLE_THEN_DATE.match(between[len(" ".join(mention.text.split())):]) is not None


def _words_to_own_day(mention: Mention) -> str | None:
    """The snippet from the mention's name up to its own day written after it ("Blinatumomab 28
    mcg/day CIV started " before "08/07/2023"), or None without such a day."""
    if mention.date_from != "mention" or mention.date_precision != "day" or not mention.date_text:
        return None
    at = mention.snippet.find(" ".join(mention.text.split()))
    dated = mention.snippet.find(mention.date_text, max(at, 0))
    return mention.snippet[at:dated] if 0 <= at < dated else None


def _later_cycle_label(mention: Mention) -> bool:
    at = mention.snippet.find(mention.text)
    if at >= 0 and _LATER_CYCLE.match(mention.snippet[at + len(mention.text) : at + len(mention.text) + 16]):
        return True
    before = evidence.before_its_date(mention, 16)
    return bool(before) and _LATER_CYCLE_BEFORE_DATE.search(before) is not None


# "marrow 19/08/2019 (after 2 cycles InO)", "following one course of blina": the date is of what came after the drug
_AFTER_THE_DRUG = re.compile(
    r"\b(?:after|following|post|s/p|status\s+post)\s+(?:(?:\d+|one|two|three|four|the|a|first|second)\s+)?"
    r"(?:(?:cycles?|courses?|doses?|rounds?)\s+)?(?:of\s+|with\s+)?$",
    re.IGNORECASE,
)


def _dated_after_it(mention: Mention) -> bool:
    """A history line that names the drug, after its date, as what came before that date ("marrow
    19/08/2019 (after 2 cycles InO)"); "s/p InO C1 (01/28-02/11/2021)" dates the drug itself."""
    at = mention.snippet.find(mention.text)
    dated = mention.snippet.find(mention.date_text) if mention.date_text else -1
    return 0 <= dated < at and bool(_AFTER_THE_DRUG.search(mention.snippet[max(0, at - 40):at]))


_STARTED_ON = re.compile(r"\b(?:(?:was|were)\s+)?(?:started|initiated|commenced|begun|began)\s+(?:on\s+)?$", re.IGNORECASE)


def _started_on_its_date(mention: Mention) -> bool:
    """A dose line whose own day follows a start verb ("Blinatumomab 28 mcg/day CIV (MRD dosing)
    started 08/07/2023 at 1030"): the start, though the verb stands too far for its cue to reach."""
    between = None if mention.historical else _words_to_own_day(mention)
    return between is not None and _STARTED_ON.search(between) is not None and not _NOT_ADMINISTERED.search(mention.snippet)


# the infusion's own clock: "IV over 1 h, start 09:40 end 10:41", "IV, 10:35-11:37, no IRR"
_INFUSION_CLOCK = re.compile(
    r"\bstart(?:ed)?\s+(?:at\s+)?\d{1,2}:\d{2}\b[^.;]{0,20}\b(?:end(?:ed)?|finish(?:ed)?|stop(?:ped)?|complete[d]?)\s+(?:at\s+)?\d{1,2}:\d{2}"
    r"|\b\d{1,2}:\d{2}\s*(?:-|–|to)\s*\d{1,2}:\d{2}\b",
    re.IGNORECASE,
)


def _infused_on_its_notes_day(mention: Mention) -> bool:
    """A dose line with the infusion's clock times in a visit or nursing note, dated by that note
    ("Study drug: inotuzumab 1.13 mg IV over 1 h, start 09:40 end 10:41" in the C1D1 visit note):
    the note records the infusion of its own day. Not a summary's, nor a later day of the cycle."""
    return (
        mention.date_from == "note" and not (mention.historical or mention.hypothetical or mention.negated)
        and evidence.SUMMARY_TYPES.isdisjoint(re.split(r"[^a-z]+", mention.note_type.lower()))
        and (mention.cycle or 1) == 1 and not re.search(r"\bC\d{1,2}\s*[DJ](?:[2-9]|[1-9]\d)\b", mention.snippet, re.IGNORECASE)
        and _INFUSION_CLOCK.search(mention.snippet) is not None and not _NOT_ADMINISTERED.search(mention.snippet)
    )


def _is_administration_record(mention: Mention) -> bool:
    """A dose row of a medication-administration or infusion record: its own day-precision date,
    written at the time, saying the dose was given, and no later day or cycle than the first."""
    if mention.historical or mention.date_from not in ("mention", "section") or not (
            evidence.is_firsthand(mention) or evidence.is_record_row(mention) or evidence.is_dated_sheet_row(mention)):
        return False
    if (mention.cycle or 1) > 1 or re.search(r"\bC\d{1,2}\s*[DJ](?:[2-9]|[1-9]\d)\b", mention.snippet, re.IGNORECASE):
        return False
    if _NOT_ADMINISTERED.search(mention.snippet):
        return False
    # a dose row under its day header in an administration record is the record of that dose, even
    # when its "given" sits on the row's continuation line ("11:05 InO 0.8 mg IV" then "-- C1D1 given")
    return bool(_ADMINISTERED_WORD.search(mention.snippet)) or (
        (evidence.is_record_row(mention) or evidence.is_sheet_row_of_its_day(mention)) and not _NOT_YET_GIVEN.search(mention.snippet)
    )


def _recorded_dose(mention: Mention) -> bool:
    """A dose row of a record written at the time, with its own day, saying the dose was given
    (whatever day of the cycle it is labelled)."""
    return (
        mention.value in ("dose", "start") and mention.date is not None and mention.date_from == "mention" and mention.date_precision == "day"
        and not (mention.historical or mention.hypothetical or mention.negated)
        and (evidence.is_firsthand(mention) or evidence.is_record_row(mention)
             or (evidence.is_sheet(mention.note_type) and 0 <= (mention.date - mention.note_date).days <= evidence.SHEET_SPAN_DAYS))
        and _RECORDED_GIVEN.search(mention.snippet) is not None and not _NOT_ADMINISTERED.search(mention.snippet)
    )


# a combination regimen's line: its day 1 is the regimen's, the antibody may come on another day
_COMBINATION_LINE = re.compile(r"\bregimen\b|\S\s*\+\s*\S|\bplus\b|hyper-?CVA?D|\bHCVD\b", re.IGNORECASE)
_RECORDED_GIVEN = re.compile(r"\b(?:given|administered|infused|completed|infusion\s+started)\b", re.IGNORECASE)
_NOT_YET_GIVEN = re.compile(r"\b(?:scheduled|due|planned|to\s+be\s+given|pending|ordered)\b", re.IGNORECASE)


def _procedure_events(patient_id: str, procedure: Concept, mentions: Sequence[Mention], study: Study) -> list[Event]:
    """Transplants and CAR-T infusions: every separate date is a separate event (two transplants).

    A date is a procedure's only with evidence of the procedure itself (see ``_dates_procedure``);
    a dated passing mention ("transplant consult 11/05", "records requested 4/7", a title) names
    the procedure but the date belongs to something else, so such mentions count only when more
    than one note gives that date. One month-only aside is no second transplant either.
    """
    concept = procedure.concept
    candidates = [
        m for m in mentions
        if m.concept == concept and not m.negated and not m.hypothetical and m.date is not None
        and (m.value == "start" or (m.date_source not in ("note_date", "none") and (m.value != "mention" or m.date_precision == "day")))
    ]
    groups = [
        g for g in evidence.cluster(candidates, study.treatment_event_merge_days)
        if (any(_dates_procedure(m) for m in g) and (len(g) > 1 or g[0].date_precision == "day" or g[0].value == "start"))
        or len({m.note_id for m in g}) > 1
    ]
    events = []
    for index, group in enumerate(groups, start=1):
        event = _dated_event(f"{patient_id}:{procedure.event}{index}", patient_id, procedure.event, group, study, key=evidence.procedure_weight)
        event = _restated_day(event, group)
        donors = sorted({m.donor_type for m in group if m.donor_type})
        events.append(replace(event, values=(("donor_type", "/".join(donors)),) if donors else ()))
    return _flag_close_repeats(events, procedure.event, study.repeat_procedure_doubt_days)


def _restated_day(event: Event, group: Sequence[Mention]) -> Event:
    """Days a few apart for one transplant ("from his sister on 9/24/2015" in an outside summary, "Day 0
    09/22/2015" in four notes of ours): the day more notes write, when it has at least two more notes
    behind it than the chosen one, is taken, and the disagreement is flagged either way."""
    notes_by_day: dict[date, set[str]] = {}
    for m in group:
        if m.date is not None and evidence.is_strong(m) and not m.negated:
            notes_by_day.setdefault(m.date, set()).add(m.note_id)
    if event.date is None or len(notes_by_day) < 2:
        return event
    chosen = len(notes_by_day.get(event.date, ()))
    best_day, best = max(notes_by_day.items(), key=lambda item: (len(item[1]), -abs((item[0] - event.date).days)))
    flags = event.flags
    if not any(f.kind == "conflict" for f in flags):
        days = ", ".join(f"{day} ({len(notes)} note{'s' if len(notes) > 1 else ''})" for day, notes in sorted(notes_by_day.items()))
        flags += (Flag("conflict", f"sources give {days}", event.mention_ids[:4]),)
    if best_day != event.date and len(best) >= chosen + 2:
        return replace(event, date=best_day, flags=flags)
    return replace(event, flags=flags)


def _flag_close_repeats(events: list[Event], kind: str, within_days: int) -> list[Event]:
    """Two transplants or infusions weeks apart are more often one event whose sources disagree
    (a day read from "11/21" meaning November 2021) than two: both are flagged, never silent."""
    doubtful: dict[int, list[Event]] = {}
    for index, (earlier, later) in enumerate(zip(events, events[1:])):
        if earlier.date and later.date and (later.date - earlier.date).days <= within_days:
            doubtful.setdefault(index, []).append(later)
            doubtful.setdefault(index + 1, []).append(earlier)
    for index, others in doubtful.items():
        event = events[index]
        dates = ", ".join(sorted({str(event.date), *(str(o.date) for o in others)}))
        flag = Flag("conflict", f"{kind} dated {dates}: one {kind} with disagreeing dates, or two?", event.mention_ids[:4])
        events[index] = replace(event, flags=event.flags + (flag,))
    return events


def _dates_procedure(mention: Mention) -> bool:
    """Evidence of the procedure on this date: a start (Day 0, "infused", "transplanted on"), a day
    count of the note's own day ("today is day +28 after..."), or a history or administration line ("s/p MUD alloHCT 3/2019", "underwent haplo HCT on 6/2",
    "9/10 MMUD allo-SCT 15 January 2021") whose date is its own: written beside it, not counted
    from a day number or taken from the note. A plain mention needs the date right beside it;
    "CAR-T records requested 4/7" or "alloHCT from brother (10/10)" dates something else."""
    if _admission_dated(mention):
        return False  # "DOA (for SCT): 15-05-2022", "admitted for MUD HSCT on 5/15": conditioning comes first
    if mention.value == "start":
        return True
    if mention.date_source == "relative_to_event":  # "Today is day +28 after her transplant", not "CR at day 28"
        return mention.value != "mention" and _COUNT_IS_TODAY.search(mention.snippet) is not None
    if mention.date_from != "mention" or mention.date_source in ("note_date", "none", "relative_to_note"):
        return False
    return mention.value != "mention" or _date_beside(mention)


_COUNT_IS_TODAY = re.compile(r"\b(?:today|now|currently)\b", re.IGNORECASE)

# An admission's label before the date, with nothing that dates the procedure itself in between.
_ADMISSION_LABEL = re.compile(r"\b(?:d\.?o\.?a\b\.?|admi(?:tted|ssion|t)\b|adm\b\.?)(?P<rest>[^.;\n]{0,60})$", re.IGNORECASE)
_DATES_THE_PROCEDURE = re.compile(r"\b(?:day|d)\s*[+]?\s*(?:0|zero)\b|\binfus|\btransplanted\b|\bunderwent\b|\breceived\b", re.IGNORECASE)


def _admission_dated(mention: Mention) -> bool:
    """Whether the procedure's date is its admission's: a transplant admission ("DOA (for SCT):
    15-05-2022", "admitted for MUD alloHSCT on 5/15") comes a week or more before Day 0, for
    the conditioning. "Admitted for alloHCT (Day 0 10/19/2021)" is dated by its Day 0."""
    at = mention.snippet.find(mention.date_text) if mention.date_text else -1
    label = _ADMISSION_LABEL.search(mention.snippet[:at]) if at > 0 else None
    return label is not None and not _DATES_THE_PROCEDURE.search(label["rest"])


# beside it: punctuation, a preposition, or a short gloss in parentheses ("CD19-CAR-T (trial) 09.12.2020")
_BESIDE = re.compile(r"^[\s,:;()\[\]-]*(?:\([A-Za-z][A-Za-z\s/-]{0,24}\)[\s,:;-]*)?(?:(?:on|in|of|at)\s+)?[\s(\[]*$", re.IGNORECASE)

# A transplant's donor, written between the procedure and "on <date>" ("alloHSCT haploidentical from
# his son (24 y) on 12/09/2019", "allo-SCT, 9/10 MUD, on 3 May 2019"): only donor words, so the date
# is still the procedure's own. A clause with anything else ("..., relapse on 4/2") does not match.
_DONOR_KIN = r"(?:son|daughter|brother|sister|mother|father|mom|dad|sibling|cousin|uncle|aunt|nephew|niece|donor)"
_DONOR_CLAUSE = re.compile(
    r"^[\s,:(-]*(?:(?:haplo\w*|(?:mis)?matched|(?:un)?related|sibling|m?mud|msd|cord\s+blood|(?:single|double)\s+unit"
    r"|\d{1,2}/(?:6|8|10|12)(?:\s+hla)?|hla[- ]identical)[\s,)-]*){0,3}"
    r"(?:(?:from|donor:?)\s+(?:(?:his|her|the|a|an|their)\s+)?(?:[a-z-]+\s+){0,2}" + _DONOR_KIN + r"s?\b)?"
    r"(?:\s*\([^()\n]{0,24}\))?[\s,)]*(?:on|in)\s+$",
    re.IGNORECASE,
)


def _date_beside(mention: Mention) -> bool:
    """Whether the mention's date text directly follows or precedes it in its sentence (after it,
    a donor clause may come between: ``_DONOR_CLAUSE``)."""
    text = " ".join(mention.text.split())
    at = mention.snippet.find(text)
    if at < 0 or not mention.date_text:
        return False
    after = mention.snippet.find(mention.date_text, at + len(text))
    if after >= 0 and (_BESIDE.match(between := mention.snippet[at + len(text) : after]) or _DONOR_CLAUSE.match(between)):
        return True
    before = mention.snippet.rfind(mention.date_text, 0, at)
    return before >= 0 and _BESIDE.match(mention.snippet[before + len(mention.date_text) : at]) is not None


def _dated_event(
    event_id: str, patient_id: str, kind: str, group: Sequence[Mention], study: Study, *, course_days: int = 0,
    key: Callable[[Mention], tuple[int, ...]] = evidence.weight, firsthand: Callable[[Mention], bool] = evidence.is_firsthand,
) -> Event:
    """The event's date from its strongest mention, with conflict, precision and support flags.

    With ``course_days``, a later dose date within the course ("C1D1 6/20, D8 6/27") is part of
    the administration that started on the chosen date, not a rival start date; any other later
    date ("started 10th January") still is. ``key`` ranks the mentions; ``firsthand`` says which
    were written at the time: a date chosen from a later summary over such a record, even inside
    the tolerance, is a conflict, and a single mention that is not one is low support.
    """
    chosen = evidence.best(group, key=key)
    flags: list[Flag] = []
    rivals = [
        m for m in group
        if evidence.is_strong(m) and (evidence.is_strong(chosen) or chosen.date_from == "note") and m.date and chosen.date
        and abs((m.date - chosen.date).days) > study.date_conflict_tolerance_days
        and not (0 < (m.date - chosen.date).days <= course_days and _later_dose(m))
    ]
    if rivals:
        dates = sorted({str(m.date) for m in rivals} | {str(chosen.date)})
        flags.append(Flag("conflict", f"sources give {', '.join(dates)}", _ids([chosen, *rivals])))
    elif not firsthand(chosen):
        contemporary = [m for m in group if firsthand(m) and m.date and chosen.date and m.date != chosen.date]
        if contemporary:
            dates = ", ".join(sorted({str(m.date) for m in contemporary}))
            flags.append(Flag("conflict", f"{chosen.note_id} gives {chosen.date}; written at the time: {dates}", _ids([chosen, *contemporary])))
    if chosen.date_precision in ("month", "year"):
        flags.append(Flag("low_precision", f"date known to the {chosen.date_precision} only", (chosen.mention_id,)))
    flags += _order_doubt(chosen) + _after_its_note(chosen)
    if chosen.date_source == "relative_to_note" and not evidence.is_contemporary(chosen):
        flags.append(Flag("relative_date", f"date from '{chosen.date_text}' relative to its note", (chosen.mention_id,)))
    if len(group) == 1 and not firsthand(chosen):
        flags.append(Flag("low_support", "a single mention, not written at the time of the event", (chosen.mention_id,)))
    return Event(event_id, patient_id, kind, chosen.date, chosen.date_precision or "", (), _ids(group), tuple(flags))


def _order_doubt(chosen: Mention) -> list[Flag]:
    """A chosen date like 03/04 from a note that writes both 30/11 and 11/30 may have day and month swapped."""
    if chosen.date_source != "ambiguous_order":
        return []
    return [Flag("low_precision", "day/month order ambiguous in this note", (chosen.mention_id,))]


def _after_its_note(chosen: Mention) -> list[Flag]:
    """A written day after the note that reports the event as having happened is suspect: a
    note cannot tell what has not happened yet, so the date is most often misread (day and
    month swapped, "09/05" read as 5 September in a note of 10 May) or mistyped. Flagged, not
    dropped: the event itself is reported, and a reviewer fixes the date in one look, whereas
    a dropped event would leave the field silently empty. Plans are not events and are left out."""
    if (chosen.hypothetical or chosen.date is None or chosen.date_precision != "day"
            or chosen.date_source not in evidence.WRITTEN_SOURCES or chosen.date <= chosen.note_date):
        return []
    return [Flag("implausible", f"{chosen.date} is after the note that reports it ({chosen.note_date})", (chosen.mention_id,))]


LATER_DAY_OF_CYCLE = re.compile(r"\b(?:C\d+\s*)?(?:D(?:ay)?|J)\s*(\d{1,2})\s*[:=]?\s*$", re.IGNORECASE)


def _later_dose(mention: Mention) -> bool:
    """A dose, not a start: an infusion or cycle record, or a date labelled with a later day of
    the cycle ("D8 6/27", "day 15: 7/3")."""
    if mention.value in ("dose", "cycle"):
        return True
    at = mention.snippet.find(mention.date_text) if mention.date_text else -1
    label = LATER_DAY_OF_CYCLE.search(mention.snippet[max(0, at - 12):at]) if at > 0 else None
    return label is not None and int(label.group(1)) > 1


def _resolve_relative(
    mentions: Sequence[Mention], events: Sequence[Event], registry: Registry, concepts: Sequence[str], *,
    needs_value: bool = False,
) -> tuple[list[Mention], list[Flag]]:
    """Give results dated "Day +28" or "C1D29" (a marrow, "gut aGVHD gr3 (D+60)") a calendar date
    from their anchor event. ``needs_value``: a mention without a value is no result (a marrow's)."""
    resolved: list[Mention] = []
    flags: list[Flag] = []
    for mention in mentions:
        if mention.concept not in concepts or mention.hypothetical or (needs_value and not mention.value):
            continue
        if mention.date_source != "relative_to_event":
            if not (mention.historical and mention.date_source == "note_date"):
                resolved.append(_on_sample_day(mention))  # undated copy-forward history is not evidence of a new marrow
            continue
        anchor = _anchor_date(mention, events, registry)
        if anchor is None:
            flags.append(Flag("relative_date", f"'{mention.date_text}' has no anchor event", (mention.mention_id,)))
            continue
        when = add_days(anchor, mention.date_offset_days or 0)
        if when is None:
            flags.append(Flag("implausible", f"'{mention.date_text}' resolves off the calendar", (mention.mention_id,)))
            continue
        if when > mention.note_date:
            flags.append(Flag("implausible", f"'{mention.date_text}' resolves after its note", (mention.mention_id,)))
            continue
        resolved.append(replace(mention, date=when, date_precision="day"))
    return resolved, flags


def _on_sample_day(mention: Mention) -> Mention:
    """A report's result dated by its sign-out is the sample's, a day or more earlier ("Entnahme
    10.05.2022  Befund 11.05.2022"): the day its header gives (see nlp.specimen_date)."""
    if mention.date_anchor != SAMPLE_ANCHOR or mention.date_source != "note_date" or not mention.date_offset_days:
        return mention
    return replace(mention, date=add_days(mention.note_date, mention.date_offset_days), date_source="explicit")


def _anchor_date(mention: Mention, events: Sequence[Event], registry: Registry) -> date | None:
    if mention.date_anchor == "day0":
        kinds = registry.day0_kinds
    elif mention.date_anchor == "cycle:1":
        kinds = tuple(e.kind for e in events if e.kind.endswith("_start"))
    else:
        return None
    before = [e.date for e in events if e.kind in kinds and e.date and e.date <= mention.note_date]
    return max(before) if before else None


def _marrow_events(patient_id: str, mentions: Sequence[Mention], study: Study) -> list[Event]:
    """One event per biopsy: reports and their summaries merged, values chosen by source.
    A result of a blood sample ("PB flow: CD19+, CD22+") is no value of a marrow."""
    mentions = [m for m in mentions if m.specimen != "peripheral_blood"]
    anchored = [m for m in mentions if m.date is not None and (m.date_from != "note" or evidence.is_report(m))]
    floating = [m for m in mentions if m.date is not None and m.date_from == "note" and not evidence.is_report(m)]
    groups = evidence.cluster(anchored, study.marrow_report_merge_days)
    lone: list[Mention] = []
    # a note's undated results are one marrow: its blasts and MRD join an earlier report together
    # or stay together (a response form's "blasts <5%, MRD 0.03%" never lends its MRD to the
    # relapse marrow its blasts disagree with)
    by_note: dict[str, list[Mention]] = {}
    for mention in floating:
        by_note.setdefault(mention.note_id, []).append(mention)
    # (a note that disagrees with itself, "MRD+ (0.4%)" then a misread "MRD", places each apart)
    units = [unit for note_mentions in by_note.values()
             for unit in ([[m] for m in note_mentions] if _disagrees_with_itself(note_mentions) else [note_mentions])]
    for unit in units:
        written = unit[0].note_date
        home = [g for g in groups if g[0].date and 0 <= (written - max(m.date for m in g if m.date)).days <= study.summary_attach_days]
        # an addendum disagrees with the report it amends on purpose: it joins it, and outranks it there
        if home and (all(evidence.is_correction(m) for m in unit) or not any(_disagrees(mention, home[-1]) for mention in unit)):
            home[-1].extend(unit)
        else:
            lone.extend(unit)
    groups += evidence.cluster(lone, study.marrow_report_merge_days)
    groups.sort(key=lambda g: min(m.date for m in g if m.date))
    kind = study.registry.marrow_event
    return [_marrow_event(f"{patient_id}:{kind}{i}", patient_id, g, study) for i, g in enumerate(groups, start=1)]


def _disagrees_with_itself(group: Sequence[Mention]) -> bool:
    return any(_disagrees(mention, [other for other in group if other is not mention]) for mention in group)


def _disagrees(mention: Mention, group: Sequence[Mention]) -> bool:
    same = [m for m in group if m.concept == mention.concept]
    return bool(same) and all(m.value != mention.value for m in same)


def _marrow_event(event_id: str, patient_id: str, group: list[Mention], study: Study) -> Event:
    anchored = [m for m in group if m.date_from != "note" or evidence.is_report(m)] or group
    chosen_date = evidence.best(anchored, key=lambda m: (int(evidence.is_report(m)), *evidence.weight(m)))
    values: list[tuple[str, str]] = []
    field_flags: list[tuple[str, Flag]] = []
    reports = [m for m in group if evidence.is_report(m)]
    for concept, name in study.registry.marrow_values:
        found = [m for m in group if m.concept == concept and m.value]
        if not found:
            continue
        reads = study.registry.concept(concept).reads  # "percent" (blasts), "status" (MRD), "" (antigens)
        top = _source_rank(found, by_method=reads == "percent")
        # equal evidence: the first statement of the report (its diagnosis or table), not the
        # lexically last mention id (a comment comparing with an earlier marrow)
        # and an exact count before a bound of the same source ("Blast 1.5% (500 cells)" over the
        # diagnosis line's "remission (blasts <5%)")
        pick = evidence.best(top, key=lambda m: (int(not m.value.startswith(("<", ">"))), *evidence.weight(m), -m.start))
        values.append((name, pick.value))
        if reads == "percent":
            values.append((f"{name}_method", pick.method))
        if reads == "status" and pick.level_pct:
            values.append((f"{name}_level", pick.level_pct))
        disagreeing = [m for m in top if _values_conflict(reads == "percent", m, pick, study)]
        if reads == "percent":  # a lower-ranked source that puts the marrow on the other side of CR, or
            # another count of the cells (not a flow %, which often differs by hemodilution) far from it
            disagreeing += [m for m in found if m not in top and evidence.is_report(m) and (
                _crosses_cr(m, pick, study) or (blast_source_rank(m) >= 2 and _values_conflict(True, m, pick, study)))]
        if disagreeing:
            field_flags.append((name, Flag("conflict", f"{name}: {', '.join(sorted({pick.value, *(m.value for m in disagreeing)}))}", _ids([pick, *disagreeing]))))
        elif not reads and reports and not any(evidence.is_report(m) for m in found):
            # "BM 4/18/17 ... CD22 neg" in a fellow's note, its report's "CD22: not reported (tube
            # failed QC)": a marker status the marrow's own report does not give rests on a retelling
            field_flags.append((name, Flag("low_support", f"{name}: {pick.value} is not in the marrow's report, only in notes that retell it", _ids([pick, *reports[:3]]))))
    flags = _order_doubt(chosen_date)
    if all(not evidence.is_report(m) and m.date_from == "note" for m in group):
        flags.append(Flag("low_support", evidence.UNDATED_RESTATEMENT, _ids(group)))
    return Event(event_id, patient_id, study.registry.marrow_event, chosen_date.date, chosen_date.date_precision or "day",
                 tuple(values), _ids(group), tuple(flags), tuple(field_flags))


def _source_rank(found: Sequence[Mention], *, by_method: bool) -> list[Mention]:
    """The mentions of the best available source: an addendum or correction first (it amends the
    report it follows: "CD22 positive is amended to: CD22 NEGATIVE"), then reports; for a percent
    (blasts), the best-ranked count of :func:`blast_source_rank`, earliest in its note first."""
    reports = [m for m in found if evidence.is_correction(m)] or [m for m in found if evidence.is_report(m)] or list(found)
    if not by_method:
        return reports
    best = max(blast_source_rank(m) for m in reports)
    return sorted((m for m in reports if blast_source_rank(m) == best), key=lambda m: (m.note_id, m.start))


# Words before a count that name where it was counted, nearest first.
_ASPIRATE_WORDS = re.compile(r"\b(?:aspirate|aspiration|differential|diff|smear|\d{3}[- ]cells?(?:\s+count)?|manual\s+count|cytology|morpholog\w*)\b", re.IGNORECASE)
_CORE_WORDS = re.compile(r"\b(?:core|trephine|biopsy|clot|section|histolog\w*|estimated?|approximately|about)\b|~|≈", re.IGNORECASE)
_QUALITATIVE_RULES = ("blasts_no_morph_leukemia", "blasts_not_increased", "blasts_none_seen")


def blast_source_rank(mention: Mention) -> int:
    """How direct a blast count is, so one synoptic report's rival lines resolve the way a
    pathologist reads them (issue 16): 4 the aspirate differential, 3 any other exact count,
    2 a core-biopsy estimate, 1 a flow cytometry percentage, 0 a qualitative bound ("no increase
    in blasts", "no morphologic evidence of leukemia")."""
    if mention.rule_id in _QUALITATIVE_RULES:
        return 0
    if mention.method == "flow":
        return 1
    at = mention.snippet.find(mention.text)
    if at < 0:
        return 3
    before = re.split(r"[;.]\s", mention.snippet[max(0, at - 60) : at])[-1]
    after = re.split(r"[;.,]\s", mention.snippet[at + len(mention.text) : at + len(mention.text) + 40])[0]
    # the nearest source word either side: "Core biopsy: blasts ~85%", "Blasts 88% (200-cell count)"
    found = [(len(before) - m.end(), 2) for m in _CORE_WORDS.finditer(before)]
    found += [(len(before) - m.end(), 4) for m in _ASPIRATE_WORDS.finditer(before)]
    found += [(m.start(), 2) for m in _CORE_WORDS.finditer(after) if m.group() not in ("~", "≈", "approximately", "about")]
    found += [(m.start(), 4) for m in _ASPIRATE_WORDS.finditer(after)]
    # the source named inside the mention itself: "blasts 45% of 500-cell differential"
    found += [(0, 4) for _ in _ASPIRATE_WORDS.finditer(mention.text)]
    found += [(0, 2) for m in _CORE_WORDS.finditer(mention.text) if m.group() not in ("~", "≈", "approximately", "about")]
    return min(found)[1] if found else 3


def _crosses_cr(a: Mention, b: Mention, study: Study) -> bool:
    threshold = study.cr_blasts_below_pct
    return evidence.below(a.value, threshold) != evidence.below(b.value, threshold)


def _values_conflict(percent: bool, a: Mention, b: Mention, study: Study) -> bool:
    if a.value == b.value:
        return False
    if not percent:
        return True
    threshold = study.cr_blasts_below_pct
    if evidence.below(a.value, threshold) != evidence.below(b.value, threshold):
        return True  # one says remission, the other does not
    if a.value[:1] in "<>" or b.value[:1] in "<>":
        return False  # "2" and "<5" agree
    try:
        return abs(float(a.value) - float(b.value)) > study.blast_conflict_points
    except ValueError:
        return True


def _death_event(patient_id: str, mentions: Sequence[Mention], study: Study) -> Event | None:
    death_concepts = study.registry.names_of_kind("death")
    cause_concepts = study.registry.names_of_kind("death_cause")
    deaths = [m for m in mentions if m.concept in death_concepts and not m.negated and not m.hypothetical and m.date is not None]
    if not deaths:
        return _death_from_note_type(patient_id, mentions, study)
    chosen = evidence.best(deaths, key=lambda m: (int(_own_death_date(m)), int(m.date_source != "note_date"), int("death" in m.note_type.lower()), *evidence.weight(m)))
    flags = _order_doubt(chosen) + _after_its_note(chosen)
    rivals = [
        m for m in deaths
        if evidence.is_strong(m) and m.date and chosen.date and abs((m.date - chosen.date).days) > study.date_conflict_tolerance_days
        and (_own_death_date(m) or not _own_death_date(chosen))
    ]
    if rivals:
        flags.append(Flag("conflict", f"death dates {', '.join(sorted({str(chosen.date), *(str(m.date) for m in rivals)}))}", _ids([chosen, *rivals])))
    if chosen.date_source == "note_date" and "death" not in chosen.note_type.lower():
        flags.append(Flag("low_support", "death date taken from the date of a note that reports it", (chosen.mention_id,)))
    causes = _written_cause_first(_without_denied_relapse(
        [m for m in mentions if m.concept in cause_concepts and not m.negated and not m.hypothetical], mentions, study))
    kind = study.registry.event_of(death_concepts[0])
    return Event(f"{patient_id}:{kind}", patient_id, kind, chosen.date, chosen.date_precision or "day",
                 _death_cause(causes), _ids(deaths) + _ids(causes), tuple(flags))


def _death_from_note_type(patient_id: str, mentions: Sequence[Mention], study: Study) -> Event | None:
    """A death note ("NOTA DE DEFUNCION / DEATH CERTIFICATE NOTE") whose death statement was not
    read: the note itself says the patient had died by its date. Flagged, never silent."""
    in_death_notes = [m for m in mentions if "death" in m.note_type.lower() and not m.family]
    if not in_death_notes:
        return None
    first = min(in_death_notes, key=lambda m: (m.note_date, m.note_id))
    kind = study.registry.event_of(study.registry.names_of_kind("death")[0])
    flag = Flag("low_support", "death taken from the date of a death note that states no death the tool could read", (first.mention_id,))
    return Event(f"{patient_id}:{kind}", patient_id, kind, first.note_date, "day", (("cause", "unknown"),), (first.mention_id,), (flag,))


# A statement that the patient died, as opposed to a title ("NOTE OF DEATH 06/23") or a heading
# ("COD:") that the note's header date reaches.
_DEATH_STATED = re.compile(r"\b(?:expired|passed\s+away|died|deceased|succumbed|pronounced|declared\s+dead|confirmed\s+dead|(?:date|time)\s+of\s+death)\b", re.IGNORECASE)


def _own_death_date(mention: Mention) -> bool:
    """A death verb with its date beside it ("died at home 06/22/2020", "passed away yesterday"):
    it outranks the dates of titles and cause headings in the same or a later note."""
    return (
        _DEATH_STATED.search(mention.text) is not None and mention.date_from == "mention"
        and mention.date_source not in ("note_date", "none")
    )


def _without_denied_relapse(causes: list[Mention], mentions: Sequence[Mention], study: Study) -> list[Mention]:
    """Drops the leukemia named as a cause in a note that says there was no relapse ("Diagnoses at
    death: ... 4) B-ALL s/p allo-HSCT ... No relapse of leukemia."): there the leukemia is the
    background diagnosis, not what the patient died of. Kept when the note affirms a relapse too,
    or names no other cause (then the cause is the note's contradiction, not ours to settle)."""
    relapse_concepts = set(study.registry.names_of_kind("relapse"))
    denied = {m.note_id for m in mentions if m.concept in relapse_concepts and m.negated and not m.hypothetical}
    affirmed = {m.note_id for m in mentions if m.concept in relapse_concepts and not m.negated}
    vetoed = denied - affirmed
    kept = [m for m in causes if not (m.value == "relapse" and m.note_id in vetoed)]
    others = {m.note_id for m in kept if m.value != "relapse"}
    return [m for m in causes if m in kept or m.note_id not in others]


# a statement of what the patient died of, as opposed to a list of the diagnoses held at death;
# a certificate's contributing and underlying causes ("Contributing: hepatic VOD, relapsed B-ALL") belong to it
_CAUSE_WRITTEN = re.compile(
    r"\b(?:causes?\s+of\s+death|COD|contribut\w*|(?:underlying|antecedent|primary|immediate|intermediate|fundamental|basic|initial|principal|main|proximate|direct|final)\s+cause|died\s+(?:of|from|due\s+to)|death\s+(?:was\s+)?(?:due\s+to|caused\s+by|from|secondary\s+to|attributed\s+to)|succumbed\s+to)\b",
    re.IGNORECASE,
)


def _written_cause_first(causes: list[Mention]) -> list[Mention]:
    """In a note that writes its cause of death ("Cause of death: septic shock and MODS"), the
    conditions of its numbered diagnosis list at death ("Death diagnosis: 1. B-ALL CR2 after
    HSCT 2. Septic shock") are what the patient had, not what the patient died of: the written
    cause alone speaks for that note, with the lines of a certificate's Part I chain under it ("1b
    Thrombocytopenia due to relapsed B-ALL"). Notes without such a statement keep every cause."""
    def written(m: Mention) -> bool:
        return _CAUSE_WRITTEN.search(m.snippet) is not None or _CERTIFICATE_LINE.match(m.snippet) is not None

    stated = {m.note_id for m in causes if _CAUSE_WRITTEN.search(m.snippet)}
    return [m for m in causes if m.note_id not in stated or written(m)]


def _death_cause(causes: Sequence[Mention]) -> tuple[tuple[str, str], ...]:
    """The written cause: relapse when leukemia is named (also beside an infection in one sentence),
    else non_relapse; ``cause_conflict`` when separate statements disagree."""
    if not causes:
        return (("cause", "unknown"),)
    kinds = {"relapse" if m.value == "relapse" else "non_relapse" for m in causes}
    details = "/".join(sorted({m.value for m in causes}))
    if kinds == {"relapse", "non_relapse"}:
        together = any(
            {"relapse", "non_relapse"} <= {"relapse" if o.value == "relapse" else "non_relapse" for o in causes if _one_statement(o, m)}
            for m in causes
        )
        return (("cause", "relapse"), ("cause_detail", details), ("cause_conflict", "" if together else "yes"))
    return (("cause", kinds.pop()), ("cause_detail", details))


# A line of Part I of a death certificate: "1a Pneumonia", "1b) Neutropenia", "I(c) Relapsed B-ALL".
_CERTIFICATE_LINE = re.compile(r"\s*(?:1|I)\s*\(?[a-d]\)?[\s:.)-]", re.IGNORECASE)


def _one_statement(cause: Mention, other: Mention) -> bool:
    """Two causes written as one statement: in one sentence, or on the lines of Part I of one
    certificate ("1a Pneumonia", "1b Relapsed B-ALL"), a chain that ends in the underlying cause."""
    if cause.snippet == other.snippet:
        return True
    return cause.note_id == other.note_id and all(_CERTIFICATE_LINE.match(m.snippet) for m in (cause, other))


def _relapse_events(
    patient_id: str, mentions: Sequence[Mention], events: Sequence[Event], study: Study, in_blood: dict[str, list[int]],
) -> list[Event]:
    """Relapses stated in the notes, one event per date.

    An undated statement in a progress note ("she has relapsed") joins a relapse or relapsing
    marrow of the month before it; alone it is not dated evidence ("2 relapses" in a summary).
    A statement contradicted by a remission marrow of the same days ("known CD19-negative
    relapse" in the report of a clear marrow) is a reference to an earlier relapse. A statement
    beside a count of today's circulating blasts (``in_blood``: note id -> their offsets) with no
    relapse or relapsing marrow before it is dated by its note: the relapse was found there (see
    ``_circulating_blast_days``), and a marrow days later confirms it.
    """
    relapse_concepts = study.registry.names_of_kind("relapse")
    if not relapse_concepts:
        return []
    kind, marrow = study.registry.event_of(relapse_concepts[0]), study.registry.marrow_event
    stated = [
        m for m in mentions
        if m.concept in relapse_concepts and not m.negated and not m.hypothetical and not m.uncertain and m.date is not None
        and m.date <= m.note_date and not (m.historical and m.date_source in ("note_date", "none"))
    ]
    anchored = [m for m in stated if m.date_from != "note" or evidence.is_report(m)]
    floating = [m for m in stated if m not in anchored]
    groups = evidence.cluster(anchored, study.marrow_report_merge_days)
    marrow_dates = [e.date for e in events if e.kind == marrow and e.date and not evidence.below(e.value("blasts") or "0", study.cr_blasts_below_pct)]
    for mention in floating:
        home = [g for g in groups if g[0].date and 0 <= (mention.note_date - g[0].date).days <= study.summary_attach_days]
        if home:
            home[-1].append(replace(mention, date=home[-1][0].date, date_precision=home[-1][0].date_precision, date_from="relapse"))
        elif any(0 <= (mention.note_date - d).days <= study.summary_attach_days for d in marrow_dates):
            marrow = max(d for d in marrow_dates if 0 <= (mention.note_date - d).days <= study.summary_attach_days)
            groups.append([replace(mention, date=marrow, date_from="marrow")])
        elif not mention.historical and any(abs(mention.start - at) <= _BLOOD_COUNT_REACH for at in in_blood.get(mention.note_id, ())):
            seen = replace(mention, date=mention.note_date, date_precision="day", date_from="blood")
            confirming = [g for g in groups if 0 <= (min(m.date for m in g if m.date) - mention.note_date).days <= study.marrow_report_merge_days]
            if confirming:
                confirming[0].append(seen)  # the marrow days later confirms what the blood showed
            else:
                groups.append([seen])
    remissions = [e.date for e in events if e.kind == marrow and e.date and e.value("blasts")
                  and evidence.below(e.value("blasts"), study.cr_blasts_below_pct) and e.value("mrd") != "positive"]
    groups = [g for g in groups if not _contradicted(g, remissions, study)]
    groups.sort(key=lambda g: min(m.date for m in g if m.date))
    found = []
    for index, group in enumerate(groups, start=1):
        dated_by = [m for m in group if m.date_from != "blood"] or group  # a marrow's own date outranks the blood's
        event = replace(_dated_event(f"{patient_id}:{kind}{index}", patient_id, kind, dated_by, study), mention_ids=_ids(group))
        event = _days_within_tolerance(event, dated_by)
        first_seen = min((m.date for m in group if m.date_from == "blood" and m.date), default=None)
        if first_seen and event.date and first_seen < event.date:
            event = replace(event, date=first_seen, precision="day")  # found in the blood before the marrow confirmed it
        kinds = sorted({m.value for m in group if m.value})
        found.append(replace(event, values=(("relapse_kind", "/".join(kinds)),)))
    return found


def _days_within_tolerance(event: Event, dated_by: Sequence[Mention]) -> Event:
    """A relapse written with two days inside the date tolerance ("ISOLATED CNS RELAPSE 24/7/2023"
    in a clinic note, a CSF report's addendum on the marrow of 26/07 "-> isolated CNS relapse"): no
    conflict beyond the tolerance, but which day the relapse was found on is the reviewer's to settle."""
    if any(f.kind == "conflict" for f in event.flags):
        return event
    days = sorted({m.date for m in dated_by if m.date and m.date_precision == "day" and m.date_source in evidence.WRITTEN_SOURCES
                   and m.date_from in ("mention", "section")})
    if len(days) < 2:
        return event
    named = ", ".join(str(d) for d in days)
    flag = Flag("conflict", f"notes give {named} for the relapse", _ids([m for m in dated_by if m.date in days]))
    return replace(event, flags=(*event.flags, flag))


# characters between today's blood count and the relapse it shows: the same or the next sentences
# ("CBC today: 15% circulating blasts ... This is consistent with a second relapse"), not a
# diagnosis line at the top of a discharge summary whose blood count is in its last paragraph
_BLOOD_COUNT_REACH = 300


def _circulating_blast_days(mentions: Sequence[Mention], study: Study) -> dict[str, list[int]]:
    """Where notes count blasts in the blood of their own day ("CBC today: 15% circulating
    blasts"): note id -> the counts' offsets.

    A relapse stated beside such a count ("consistent with a second relapse") is found there, in
    the blood, on the note's day: it is dated so even when the marrow confirms it days later, and
    it is a relapse when no marrow follows (marrow declined). Elsewhere the statement is a summary
    and waits for a marrow to date it.
    """
    blood = set(study.registry.names_of_kind("blood_value"))
    found: dict[str, list[int]] = {}
    for m in mentions:
        if (m.concept in blood and not (m.negated or m.hypothetical or m.historical or m.uncertain)
                and m.value and not evidence.below(m.value, 1) and m.date == m.note_date):
            found.setdefault(m.note_id, []).append(m.start)
    return found


def _contradicted(group: Sequence[Mention], remissions: Sequence[date], study: Study) -> bool:
    """Every statement of a morphologic relapse dated within days of a marrow in remission."""
    day_dated = [m for m in group if m.date_precision == "day" and m.value == "morphologic"]
    return len(day_dated) == len(group) and all(
        any(m.date and abs((m.date - d).days) <= study.marrow_report_merge_days for d in remissions) for m in day_dated
    )


def _graded_events(patient_id: str, outcome: Concept, mentions: Sequence[Mention], study: Study) -> list[Event]:
    """A graded outcome's statements by date (acute GVHD, CRS): the highest grade stated, whether it
    was derived from organ stages, and statements that there is none (grade 0)."""
    stated = [
        m for m in mentions
        if m.concept == outcome.concept and not m.hypothetical and not m.uncertain and m.date is not None
        and m.date <= m.note_date and not (m.historical and m.date_source in ("note_date", "none"))  # "h/o GVHD" after an earlier transplant
    ]
    found = []
    for index, group in enumerate(evidence.cluster(stated, study.marrow_report_merge_days), start=1):
        present = [m for m in group if not m.negated]
        graded = [m for m in present if m.value]
        event = _dated_event(f"{patient_id}:{outcome.event}{index}", patient_id, outcome.event, group, study)
        name = outcome.attribute
        # a grade the note writes overrides the grade derived from that note's organ stages ("skin stage
        # 2, lower GI stage 2" then "OVERALL GRADE II"): derivation is for when no grade is written
        written_in = {m.note_id for m in graded if m.unit == "grade"}
        graded = [m for m in graded if m.unit == "grade" or m.note_id not in written_in]
        if graded:
            top = max(graded, key=lambda m: (int(m.value), m.unit == "grade"))
            values = ((name, top.value), (f"{name}_source", top.unit))
        elif present:
            values = ((name, ""), (f"{name}_source", "ungraded"))
        else:
            values = ((name, "0"), (f"{name}_source", "absent"))
        # a date and support check matters little here: the grade is what the cohort reads
        found.append(replace(event, values=values, flags=()))
    return found


def _check_death(death: Event, events: Sequence[Event], marrow: str) -> Event:
    later = [e for e in events if e.kind != marrow and e.date and death.date and e.date > death.date]
    if not later:
        return death
    return replace(death, flags=death.flags + (Flag("implausible", "treatment dated after death", tuple(i for e in later for i in e.mention_ids[:2])),))


# notes a chart keeps after a death: the death record itself, the post-mortem, letters and summaries to others
_AFTER_DEATH_TYPES = frozenset({"death", "autopsy", "postmortem", "mortem", "bereavement", "condolence", "letter", "summary", "discharge", "certificate", "mortality", "m&m"})
CHART_AFTER_DEATH_DAYS = 14


def _chart_goes_on(death: Event, mentions: Sequence[Mention]) -> Event:
    """A death that no death record states, in a chart whose visit notes go on weeks after it ("permit
    expired 03/2024" read as the patient's death in a clinic note of May): the patient was seen
    after the day read as their death, so the death is the reviewer's to confirm."""
    if death.date is None:
        return death
    own = {m.note_id for m in mentions if m.mention_id in death.mention_ids}
    if any(not _AFTER_DEATH_TYPES.isdisjoint(re.split(r"[^a-z&]+", m.note_type.lower())) for m in mentions if m.note_id in own):
        return death
    seen_after = sorted({m.note_id for m in mentions if (m.note_date - death.date).days > CHART_AFTER_DEATH_DAYS
                         and _AFTER_DEATH_TYPES.isdisjoint(re.split(r"[^a-z&]+", m.note_type.lower()))})
    if not seen_after:
        return death
    flag = Flag("implausible", f"visit notes written more than {CHART_AFTER_DEATH_DAYS} days after this death ({len(seen_after)} notes); no death record states it",
                tuple(m.mention_id for m in mentions if m.note_id == seen_after[-1])[:2] + death.mention_ids[:2])
    return replace(death, flags=death.flags + (flag,))


def _ids(mentions: Sequence[Mention]) -> tuple[str, ...]:
    return tuple(m.mention_id for m in mentions)
