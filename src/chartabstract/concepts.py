"""The concept registry (rules/concepts.json): every concept the study extracts, declared once.

Extraction, value reading, date assignment and the timeline ask the registry what a concept is
(its ``kind``) instead of keeping their own lists of concept names, so a new drug or a new
CAR-T brand is a registry entry, not a code change. rules/README.md documents every key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from chartabstract.errors import RuleFileError

FILE_NAME = "concepts.json"
# The behaviours the code has; a concept picks one. rules/README.md says what each does.
KINDS = {
    "treatment", "transplant", "cellular_therapy", "marrow_value", "blood_value", "antigen",
    "death", "death_cause", "relapse", "graded_outcome", "severity_outcome",
}
TREATMENT_KINDS = ("treatment", "transplant", "cellular_therapy")  # administered: start/plan/hold/stop readings
PROCEDURE_KINDS = ("transplant", "cellular_therapy")  # dated once, repeatable, a Day 0
VALUE_KINDS = ("marrow_value", "blood_value", "antigen")  # a result: its negation is its value
OUTCOME_KINDS = ("graded_outcome", "severity_outcome", "relapse", "death_cause")
CONTEXT_GROUPS = ("TREATMENT", "RESULT", "EVENT", "MRD")  # named in context.json as "@TREATMENT"...
READINGS = ("percent", "status")  # marrow/blood values: "85% blasts" or "MRD negative (0.01%)"
STAGINGS = ("magic",)
REQUIRED_KEYS = {"concept", "kind", "category", "label"}
OPTIONAL_KEYS = {
    "names", "specimen", "event", "attribute", "fact", "context_groups", "confused_with", "staging", "reads",
    "negative_below_pct", "partial_up_to_pct", "date_group", "cause_value",
}
EVENT_KEYS = {"label", "repeatable", "day0"}
FACT_KEYS = {"label", "type", "allowed"}
_CATEGORY = re.compile(r"^[A-Z][A-Z0-9_]*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Concept:
    """One concept of rules/concepts.json, validated."""

    concept: str
    kind: str
    category: str
    label: str
    names: tuple[str, ...] = ()
    specimen: str = ""
    event: str = ""  # the timeline event kind its mentions feed ("" for none, or a drug's own events)
    attribute: str = ""  # the value's name on that event
    fact: dict[str, str] = field(default_factory=dict)  # review type of that value
    context_groups: tuple[str, ...] = ()
    confused_with: tuple[str, ...] = ()
    staging: str = ""  # graded_outcome: "magic" derives the grade from organ stages
    reads: str = ""  # marrow_value/blood_value: "percent" or "status"
    negative_below_pct: float | None = None  # antigen: negative below this percent of blasts
    partial_up_to_pct: float | None = None  # antigen: partial up to this percent
    date_group: str = ""  # mentions of one group may share a date in their sentence
    cause_value: str = ""  # named as the cause of a death: the death_cause value it gives


@dataclass(frozen=True)
class EventKind:
    """A timeline event kind: its label, whether a patient can have several, whether it is a Day 0."""

    label: str
    repeatable: bool = False
    day0: bool = False


@dataclass(frozen=True)
class Registry:
    """Every concept in file order, and every event kind (a drug's start and cycle events included)."""

    source: str
    concepts: tuple[Concept, ...]
    events: dict[str, EventKind]

    def concept(self, name: str) -> Concept:
        """The concept called ``name``; KeyError when the registry has none."""
        for found in self.concepts:
            if found.concept == name:
                return found
        raise KeyError(name)

    def of_kind(self, *kinds: str) -> tuple[Concept, ...]:
        """The concepts of these kinds, in file order."""
        return tuple(c for c in self.concepts if c.kind in kinds)

    def names_of_kind(self, *kinds: str) -> tuple[str, ...]:
        return tuple(c.concept for c in self.of_kind(*kinds))

    @property
    def categories(self) -> set[str]:
        """The target categories (targets.json) the registry's concepts come from."""
        return {c.category for c in self.concepts}

    def of_category(self, category: str) -> tuple[Concept, ...]:
        return tuple(c for c in self.concepts if c.category == category)

    def concept_for(self, category: str, specimen: str = "") -> Concept | None:
        """The concept of a target category; where concepts share it (BLASTS), the one of ``specimen``."""
        found = self.of_category(category)
        if len(found) > 1:
            return next((c for c in found if c.specimen == specimen), None)
        return found[0] if found else None

    @property
    def treatments(self) -> tuple[str, ...]:
        """Drugs (kind treatment): events ``<concept>_start`` and ``<concept>_cycle``."""
        return self.names_of_kind("treatment")

    @property
    def procedures(self) -> tuple[Concept, ...]:
        """Transplants and cell therapies: dated procedures, one event per date."""
        return self.of_kind(*PROCEDURE_KINDS)

    @property
    def day0_kinds(self) -> tuple[str, ...]:
        """The event kinds a "Day +N" counts from."""
        return tuple(kind for kind, event in self.events.items() if event.day0)

    @property
    def repeatable(self) -> tuple[str, ...]:
        return tuple(kind for kind, event in self.events.items() if event.repeatable)

    def event_of(self, concept: str) -> str:
        """The event kind a concept's mentions feed (a drug's: ``<concept>_start``)."""
        found = self.concept(concept)
        return f"{concept}_start" if found.kind == "treatment" else found.event

    @property
    def marrow_event(self) -> str:
        """The event kind marrow results feed ("marrow")."""
        return next((c.event for c in self.of_kind("marrow_value") if c.event), "marrow")

    @property
    def marrow_values(self) -> tuple[tuple[str, str], ...]:
        """(concept, attribute) of every value on the marrow event, in file order."""
        event = self.marrow_event
        return tuple((c.concept, c.attribute) for c in self.concepts if c.event == event and c.attribute)

    @property
    def facts(self) -> dict[str, dict[str, dict[str, str]]]:
        """Event kind -> attribute -> fact spec (label, type, allowed) of the values reviewers decide."""
        found: dict[str, dict[str, dict[str, str]]] = {}
        for c in self.concepts:
            if c.event and c.attribute and c.fact:
                found.setdefault(c.event, {})[c.attribute] = {**c.fact, "concept": c.concept}
        return found

    def group_categories(self, group: str) -> tuple[str, ...]:
        """The target categories of the concepts that list a ConText group ("TREATMENT")."""
        return tuple(dict.fromkeys(c.category for c in self.concepts if group in c.context_groups))


def default_rules_dir() -> Path:
    """The rules shipped inside the package (the repository's top-level rules/)."""
    return Path(str(resources.files("chartabstract.rules")))


def load_registry(rules_dir: Path | None = None) -> Registry:
    """Read and validate rules/concepts.json (or the same file in an edited rules folder).

    Raises:
        RuleFileError: naming the file and the concept index (or event kind) at fault.
    """
    path = (rules_dir or default_rules_dir()) / FILE_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RuleFileError(f"{path}: concept registry missing") from None
    except OSError as exc:
        raise RuleFileError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_registry(path, raw)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The packaged registry, for callers given no rules folder."""
    return load_registry()


def decode_json(path: Path, raw: bytes) -> Any:
    """A rules file's JSON; RuleFileError with the line and column when it is not JSON."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise RuleFileError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise RuleFileError(f"{path}: line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg})") from None


def parse_registry(path: Path, raw: bytes) -> Registry:
    """Validate the bytes of a concepts.json; see :func:`load_registry`."""
    data = decode_json(path, raw)
    if not isinstance(data, dict) or set(data) != {"concepts", "events"}:
        raise RuleFileError(f'{path}: expected a JSON object with exactly the keys "concepts" and "events"')
    if not isinstance(data["concepts"], list) or not isinstance(data["events"], dict):
        raise RuleFileError(f'{path}: "concepts" must be a list and "events" an object')
    events = {kind: _event(path, kind, spec) for kind, spec in data["events"].items()}
    concepts: list[Concept] = []
    seen: dict[str, int] = {}
    for index, raw_concept in enumerate(data["concepts"]):
        concept = _concept(f"{path}: concept {index}", raw_concept, events)
        if concept.concept in seen:
            raise RuleFileError(f"{path}: concept {index}: concept {concept.concept!r} already declared by concept {seen[concept.concept]}")
        seen[concept.concept] = index
        concepts.append(concept)
    _check_shared_categories(path, concepts)
    for concept in concepts:
        if concept.kind == "treatment":
            for suffix in ("start", "cycle"):
                kind = f"{concept.concept}_{suffix}"
                if kind in events:
                    raise RuleFileError(f'{path}: events.{kind}: a drug\'s own event is generated; remove it')
                events[kind] = EventKind(label=f"{concept.label} {suffix}")
    return Registry(source=str(path), concepts=tuple(concepts), events=events)


def _event(path: Path, kind: str, spec: Any) -> EventKind:
    where = f"{path}: events.{kind}"
    if not isinstance(spec, dict) or set(spec) - EVENT_KEYS or not isinstance(spec.get("label"), str):
        raise RuleFileError(f'{where}: must be an object with a "label" and optionally "repeatable", "day0"')
    for key in ("repeatable", "day0"):
        if not isinstance(spec.get(key, False), bool):
            raise RuleFileError(f"{where}: {key} must be true or false")
    return EventKind(label=spec["label"], repeatable=spec.get("repeatable", False), day0=spec.get("day0", False))


def _concept(where: str, raw: Any, events: dict[str, EventKind]) -> Concept:
    if not isinstance(raw, dict):
        raise RuleFileError(f"{where}: must be a JSON object")
    unknown = sorted(set(raw) - REQUIRED_KEYS - OPTIONAL_KEYS)
    if unknown:
        raise RuleFileError(f"{where}: unknown key {', '.join(map(repr, unknown))}; allowed keys: "
                            f"{', '.join(sorted(REQUIRED_KEYS | OPTIONAL_KEYS))}")
    for key in sorted(REQUIRED_KEYS | {"specimen", "event", "attribute", "staging", "reads", "date_group", "cause_value"}):
        if (key in REQUIRED_KEYS or key in raw) and not (isinstance(raw.get(key), str) and raw[key].strip()):
            raise RuleFileError(f"{where}: {key!r} must be a non-empty string")
    name, kind, category = raw["concept"], raw["kind"], raw["category"]
    where = f"{where} ({name!r})"
    if not _NAME.match(name):
        raise RuleFileError(f"{where}: concept must be lower_snake_case")
    if kind not in KINDS:
        raise RuleFileError(f"{where}: unknown kind {kind!r}; one of: {', '.join(sorted(KINDS))}")
    if not _CATEGORY.match(category) or category == "IGNORE":
        raise RuleFileError(f"{where}: category {category!r} must be UPPER_SNAKE_CASE and not IGNORE")
    lists = {key: _strings(where, raw, key) for key in ("names", "context_groups", "confused_with")}
    bad_groups = [g for g in lists["context_groups"] if g not in CONTEXT_GROUPS]
    if bad_groups:
        raise RuleFileError(f"{where}: unknown context group {bad_groups[0]!r}; one of: {', '.join(CONTEXT_GROUPS)}")
    event = raw.get("event", raw["concept"] if kind in PROCEDURE_KINDS else "")
    if kind == "treatment" and "event" in raw:
        raise RuleFileError(f"{where}: a treatment's events are <concept>_start and <concept>_cycle; drop 'event'")
    if event and event not in events:
        raise RuleFileError(f"{where}: event {event!r} is not declared under \"events\"")
    if kind in ("marrow_value", "antigen", "graded_outcome", "death_cause") and not (event and raw.get("attribute")):
        raise RuleFileError(f"{where}: a {kind} needs an 'event' and the 'attribute' it sets there")
    if kind in ("death", "relapse") and not event:
        raise RuleFileError(f"{where}: a {kind} needs an 'event'")
    fact = raw.get("fact", {})
    if fact and (not isinstance(fact, dict) or set(fact) != FACT_KEYS or not all(isinstance(v, str) for v in fact.values())):
        raise RuleFileError(f"{where}: fact must be an object with exactly the string keys {', '.join(sorted(FACT_KEYS))}")
    if "staging" in raw and (kind != "graded_outcome" or raw["staging"] not in STAGINGS):
        raise RuleFileError(f"{where}: staging is for graded_outcome only, one of: {', '.join(STAGINGS)}")
    reads = raw.get("reads", "")
    if (kind in ("marrow_value", "blood_value")) != bool(reads) or (reads and reads not in READINGS):
        raise RuleFileError(f"{where}: 'reads' ({' or '.join(READINGS)}) is required for marrow_value and blood_value only")
    thresholds = [raw.get(key) for key in ("negative_below_pct", "partial_up_to_pct")]
    if kind == "antigen":
        if not all(isinstance(t, (int, float)) and not isinstance(t, bool) and 0 <= t <= 100 for t in thresholds) or thresholds[0] > thresholds[1]:
            raise RuleFileError(f"{where}: an antigen needs negative_below_pct <= partial_up_to_pct, numbers from 0 to 100")
    elif any(t is not None for t in thresholds):
        raise RuleFileError(f"{where}: negative_below_pct and partial_up_to_pct are for antigens only")
    return Concept(
        concept=name, kind=kind, category=category, label=raw["label"], names=lists["names"],
        specimen=raw.get("specimen", ""), event=event, attribute=raw.get("attribute", ""), fact=dict(fact),
        context_groups=lists["context_groups"], confused_with=lists["confused_with"], staging=raw.get("staging", ""),
        reads=reads, negative_below_pct=_float(thresholds[0]), partial_up_to_pct=_float(thresholds[1]),
        date_group=raw.get("date_group") or _default_date_group(name, kind), cause_value=raw.get("cause_value", ""),
    )


def _default_date_group(name: str, kind: str) -> str:
    """Results (and relapses, usually dated by their marrow) share the marrow's dates; a death its cause's."""
    if kind in VALUE_KINDS or kind == "relapse":
        return "marrow"
    if kind in ("death", "death_cause"):
        return "death"
    return name


def _strings(where: str, raw: dict[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RuleFileError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _check_shared_categories(path: Path, concepts: list[Concept]) -> None:
    """Concepts may share a target category only when a specimen tells them apart (BLASTS)."""
    first: dict[str, int] = {}
    for index, concept in enumerate(concepts):
        if concept.category not in first:
            first[concept.category] = index
            continue
        shared = [c for c in concepts if c.category == concept.category]
        specimens = [c.specimen for c in shared]
        if not all(specimens) or len(set(specimens)) != len(specimens) or {c.kind for c in shared} - {"marrow_value", "blood_value"}:
            raise RuleFileError(
                f"{path}: concept {index} ({concept.concept!r}): category {concept.category!r} already used by concept "
                f"{first[concept.category]}; only marrow and blood values may share one, each with its own 'specimen'"
            )
