"""Plain records passed between stages: every stage takes and returns these, nothing spaCy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

DatePrecision = Literal["day", "month", "year"]
DateSource = Literal[
    "explicit", "year_inferred", "dayfirst_inferred", "ambiguous_order", "month_year_inferred", "relative_to_note",
    "relative_to_event", "note_date", "none",
]
# How the day and month of a numeric date were told apart when the date alone does not say ("03/04"):
# read day-first because other dates of its note can only be day-first, or the note writes both orders.
OrderGuess = Literal["dayfirst_inferred", "ambiguous_order"]
# Mention.date_anchor of a report's result dated by its sign-out: date_offset_days leads from the note
# to the day the sample was taken, which its header gives ("Entnahme 10.05.2022  Befund 11.05.2022")
SAMPLE_ANCHOR = "sample"


@dataclass(frozen=True)
class Note:
    """One clinical note as read from the input, with where it came from."""

    patient_id: str
    note_id: str
    note_date: date
    note_type: str
    text: str
    source: str  # file path, or "table.csv:row 12", for messages
    warnings: tuple[str, ...] = ()
    # day/month order the patient's other notes show (normalize.date_order), for a note whose own dates do not
    chart_date_order: OrderGuess | None = None
    # the patient's notes write short dates year first ("21.03.05", normalize.year_first)
    chart_year_first: bool = False


@dataclass(frozen=True)
class SkippedInput:
    """An input that could not be used, kept so the run report accounts for it."""

    source: str
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class ResolvedDate:
    """A normalized date and how much of it the text actually said.

    ``value`` is None for event-relative dates ("Day +30", "C2D8"), which keep their
    ``anchor`` and ``offset_days`` for the timeline to resolve, and for impossible dates
    ("02/30/2019"), which have ``invalid`` set and are never turned into a real date.
    """

    value: date | None
    precision: DatePrecision | None
    source: DateSource
    anchor: str | None = None  # "day0" (HSCT / CAR-T Day 0) or "cycle:N" (start of cycle N)
    offset_days: int | None = None
    invalid: bool = False
    order: OrderGuess | None = None  # the day/month order was guessed from the rest of the note

    @property
    def reported_source(self) -> DateSource:
        """The date_source a mention reports: a guessed day/month order is a bigger doubt than an inferred year."""
        return self.order or self.source


@dataclass(frozen=True)
class DateMention:
    """A date expression found in text, with character offsets into that text."""

    start: int
    end: int
    text: str
    resolved: ResolvedDate


@dataclass(frozen=True)
class Mention:
    """One study-concept mention with its evidence, assertion, date and value (SPEC section 3)."""

    mention_id: str
    patient_id: str
    note_id: str
    note_date: date
    note_type: str
    section: str
    start: int
    end: int
    text: str
    snippet: str
    concept: str
    rule_id: str
    negated: bool = False
    hypothetical: bool = False
    historical: bool = False
    family: bool = False
    uncertain: bool = False
    date: date | None = None
    date_precision: DatePrecision | None = None
    date_source: DateSource = "none"
    date_text: str = ""
    date_from: str = ""  # where the date was found: mention (its sentence), section, note
    date_anchor: str = ""
    date_offset_days: int | None = None
    value: str = ""
    unit: str = ""
    level_pct: str = ""  # MRD level as written, "<0.01" for a bound
    cycle: int | None = None
    method: str = ""
    specimen: str = ""
    donor_type: str = ""
    percent_positive: float | None = None
    modifiers: tuple[str, ...] = field(default=())  # ConText cues, "CATEGORY:text"


# derived: a value computed by a documented rule rather than written (an aGVHD grade from organ stages);
# fallback: a value taken from an event other than the nearest one its column looks at
FLAG_KINDS = ("conflict", "low_precision", "relative_date", "missing", "implausible", "low_support", "derived", "fallback")


@dataclass(frozen=True)
class Flag:
    """Why a value needs a reviewer, with the mentions behind it."""

    kind: str  # one of FLAG_KINDS
    detail: str
    mention_ids: tuple[str, ...] = ()
    fact: str = ""  # the fact in doubt ("blinatumomab_start.date", "marrow@2020-01-10.blasts"); "" for a column's own doubt


@dataclass(frozen=True)
class Event:
    """One reconciled event of a patient's timeline, with every supporting mention."""

    event_id: str
    patient_id: str
    kind: str  # <drug>_start, <drug>_cycle, hsct, car_t, marrow, relapse, agvhd, death
    date: date | None
    precision: str
    values: tuple[tuple[str, str], ...] = ()  # ("blasts", "85"), ("cd19", "dim"), ...
    mention_ids: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = ()
    field_flags: tuple[tuple[str, Flag], ...] = ()  # flags of one value ("blasts", conflict)

    def value(self, name: str) -> str:
        return dict(self.values).get(name, "")

    def flags_for(self, name: str) -> tuple[Flag, ...]:
        return self.flags + tuple(flag for field_name, flag in self.field_flags if field_name == name)

    def fact(self, attribute: str) -> str:
        """The id of one reviewable fact of this event: its date, or one of its values.

        Event ids carry the date the notes gave the event ("P1:marrow@2020-01-10"), so a fact keeps
        its id when a reviewer corrects the date and when new notes add other events.
        """
        return f"{self.event_id.split(':', 1)[-1]}.{attribute}"


@dataclass(frozen=True)
class PatientTimeline:
    """All events of one patient in date order, and what the notes say beyond them."""

    patient_id: str
    events: tuple[Event, ...]
    last_note_date: date | None
    notes: int
    unresolved: tuple[Flag, ...] = ()  # chart-level problems: a drug given with no start date
