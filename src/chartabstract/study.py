"""The study definition (rules/study.json): windows, reconciliation tolerances, cohort columns.

Teams change "60 days before" here, not in code; data_dictionary.csv is generated from it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chartabstract import derive
from chartabstract.concepts import Registry, load_registry
from chartabstract.errors import RuleFileError
from chartabstract.nlp.rules import default_rules_dir

WINDOW_KEYS = {"marrow_before_start_days", "response_starts_after_days", "response_ends_after_days", "cr_blasts_below_pct"}
RECONCILIATION_KEYS = {
    "date_conflict_tolerance_days", "marrow_report_merge_days", "treatment_event_merge_days", "blast_conflict_points",
    # a progress-note summary reports a marrow (or relapse) done up to this long before its note
    "summary_attach_days",
    # a later dose date this close after a start is a dose of that course ("C1D1 6/20, D8 6/27")
    "course_days",
    # a relapse statement this close after a relapsing marrow describes that marrow
    "relapse_statement_days",
    # two transplants or infusions this close are flagged: more often one event whose sources disagree
    "repeat_procedure_doubt_days",
}
COLUMN_KEYS = {"name", "type", "allowed", "meaning", "derivation", "derive"}
VALUE_TYPES = {"date", "integer", "number or bound", "category", "boolean", "string", "list"}
DATE_FACT = {"label": "date", "type": "date", "allowed": "ISO date"}  # every event's date
# inherit: a column is flagged when a column it is built from is; fallback: a value taken from an
# older marrow than the nearest one in its window is flagged
DOUBT_DEFAULTS = {"inherit": True, "fallback": True}


@dataclass(frozen=True)
class Study:
    """Validated study definition."""

    name: str
    drugs: tuple[str, ...]  # the study's drugs, in the order the study names them (any number)
    marrow_before_start_days: int
    response_starts_after_days: int
    response_ends_after_days: int
    cr_blasts_below_pct: float
    date_conflict_tolerance_days: int
    marrow_report_merge_days: int
    treatment_event_merge_days: int
    blast_conflict_points: float
    summary_attach_days: int
    course_days: int
    relapse_statement_days: int
    repeat_procedure_doubt_days: int
    columns: tuple[dict[str, str], ...]
    registry: Registry  # rules/concepts.json of the same rules folder
    doubt: dict[str, bool]  # which doubts reach the cohort beyond an event's own flags (DOUBT_DEFAULTS)

    @property
    def numbers(self) -> dict[str, float]:
        """Every window and tolerance by name, for derivations that name one ("marrow_before_start_days")."""
        return {name: getattr(self, name) for name in sorted(WINDOW_KEYS | RECONCILIATION_KEYS)}

    @property
    def value_statuses(self) -> dict[str, tuple[str, ...]]:
        """The values that count as a result, per categorical marrow value ("cd19": positive, dim, ...)."""
        facts = self.registry.facts.get(self.registry.marrow_event, {})
        return {name: tuple(spec["allowed"].split("|")) for name, spec in facts.items() if spec.get("type") == "category"}

    def fact_spec(self, event_kind: str, attribute: str) -> dict[str, str] | None:
        """The type, vocabulary and label of one fact reviewers decide: an event's date, or one of its
        values as concepts.json declares it ("marrow" "cd19": category positive|dim|partial|negative)."""
        if attribute == "date":
            return DATE_FACT
        return self.registry.facts.get(event_kind, {}).get(attribute)

    def event_concepts(self, kind: str) -> list[str]:
        """The concepts whose mentions are an event's own evidence (a death's, not its cause's)."""
        feeding = [c for c in self.registry.concepts if self.registry.event_of(c.concept) == kind]
        return [c.concept for c in ([c for c in feeding if not c.attribute] or feeding)]

    @property
    def column_names(self) -> list[str]:
        return [column["name"] for column in self.columns]

    def columns_of_type(self, *types: str) -> list[str]:
        return [column["name"] for column in self.columns if column["type"] in types]

    def column(self, name: str) -> dict[str, str] | None:
        return next((c for c in self.columns if c["name"] == name), None)

    def event_label(self, kind: str) -> str:
        event = self.registry.events.get(kind)
        return event.label if event is not None else kind.replace("_", " ")


def load_study(rules_dir: Path | None = None, *, date_tolerance: int | None = None) -> Study:
    """Read rules/study.json (or the same file in an edited rules folder).

    Raises:
        RuleFileError: naming the file and the key at fault.
    """
    path = (rules_dir or default_rules_dir()) / "study.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleFileError(f"{path}: study definition missing") from None
    except json.JSONDecodeError as exc:
        raise RuleFileError(f"{path}: line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg})") from None
    study = _section(path, data, "study", {"name", "drugs", "windows", "reconciliation", "doubt"})
    doubt = {**DOUBT_DEFAULTS, **_section(path, {"doubt": study.get("doubt", {})}, "doubt", set(DOUBT_DEFAULTS))}
    for key, value in doubt.items():
        if not isinstance(value, bool):
            raise RuleFileError(f'{path}: "study.doubt.{key}" must be true or false')
    windows = _numbers(path, _section(path, study, "windows", WINDOW_KEYS), "windows", WINDOW_KEYS)
    reconciliation = _numbers(path, _section(path, study, "reconciliation", RECONCILIATION_KEYS), "reconciliation", RECONCILIATION_KEYS)
    if date_tolerance is not None:
        reconciliation["date_conflict_tolerance_days"] = date_tolerance
    columns = data.get("columns")
    if not isinstance(columns, list) or not columns:
        raise RuleFileError(f'{path}: "columns" must be a non-empty list')
    for index, column in enumerate(columns):
        if not isinstance(column, dict) or set(column) != COLUMN_KEYS:
            raise RuleFileError(f"{path}: column {index}: keys must be exactly {', '.join(sorted(COLUMN_KEYS))}")
    if "review" in data:
        raise RuleFileError(f'{path}: "review" moved to concepts.json (each value\'s "fact", each event\'s "label"); delete it here')
    registry = load_registry(rules_dir)
    _check_registry(path, registry, study.get("drugs"), columns)
    names = {**windows, **reconciliation}
    for index, column in enumerate(columns):
        if column["type"] not in VALUE_TYPES:
            raise RuleFileError(f"{path}: column {index} ({column['name']}): type must be one of {', '.join(sorted(VALUE_TYPES))}")
        _check_derivation(path, index, column, [c["name"] for c in columns[:index]], names)
    drugs = study["drugs"]
    if not (isinstance(drugs, list) and all(isinstance(d, str) and d for d in drugs)):
        raise RuleFileError(f'{path}: "study.drugs" must be a list of drug concept names (any number, none for a study of other treatments)')
    return Study(
        name=str(study["name"]), drugs=tuple(drugs),
        marrow_before_start_days=int(windows["marrow_before_start_days"]),
        response_starts_after_days=int(windows["response_starts_after_days"]),
        response_ends_after_days=int(windows["response_ends_after_days"]),
        cr_blasts_below_pct=float(windows["cr_blasts_below_pct"]),
        date_conflict_tolerance_days=int(reconciliation["date_conflict_tolerance_days"]),
        marrow_report_merge_days=int(reconciliation["marrow_report_merge_days"]),
        treatment_event_merge_days=int(reconciliation["treatment_event_merge_days"]),
        blast_conflict_points=float(reconciliation["blast_conflict_points"]),
        summary_attach_days=int(reconciliation["summary_attach_days"]),
        course_days=int(reconciliation["course_days"]),
        relapse_statement_days=int(reconciliation["relapse_statement_days"]),
        repeat_procedure_doubt_days=int(reconciliation["repeat_procedure_doubt_days"]),
        columns=tuple(columns), registry=registry, doubt=doubt,
    )


def study_of_run(out: Path) -> Study:
    """The study definition a finished run used (its manifest names the rules folder); the packaged
    one for a folder without a manifest (a cohort.csv copied on its own)."""
    try:
        manifest = json.loads((out / "run_manifest.json").read_text(encoding="utf-8"))
        rules = Path(str(manifest["rules"]["source"]))
    except (OSError, ValueError, KeyError, TypeError):
        return load_study()
    return load_study(rules) if (rules / "study.json").is_file() else load_study()


def _check_registry(path: Path, registry: Registry, drugs: Any, columns: list[dict[str, Any]]) -> None:
    """Drugs are treatment concepts of concepts.json; every event a column reads is an event kind there."""
    treatments = set(registry.treatments)
    for drug in drugs if isinstance(drugs, list) else []:
        if drug not in treatments:
            raise RuleFileError(f'{path}: "study.drugs": {drug!r} is not a treatment concept of concepts.json '
                                f'({", ".join(sorted(treatments))})')
    for index, column in enumerate(columns):
        spec = column.get("derive") if isinstance(column, dict) else None
        event = spec.get("event") if isinstance(spec, dict) else None
        if isinstance(event, str) and event not in registry.events:
            raise RuleFileError(f"{path}: column {index} ({column['name']}): derive: event {event!r} is not an event kind "
                                f"of concepts.json ({', '.join(sorted(registry.events))})")


def _check_derivation(path: Path, index: int, column: dict[str, Any], earlier: list[str], numbers: dict[str, Any]) -> None:
    """A column's "derive": a known pattern, its parameters, columns listed before it, windows by name."""
    where = f"{path}: column {index} ({column['name']}): derive"
    spec = column["derive"]
    if not isinstance(spec, dict) or spec.get("pattern") not in derive.PATTERNS:
        raise RuleFileError(f'{where}: "pattern" must be one of {", ".join(sorted(derive.PATTERNS))}')
    required, optional = derive.PATTERNS[spec["pattern"]]
    missing = required - set(spec)
    unknown = set(spec) - required - optional - {"pattern"}
    if missing or unknown:
        raise RuleFileError(f"{where}: pattern {spec['pattern']} needs {', '.join(sorted(required)) or 'no parameters'}"
                            + (f"; optional {', '.join(sorted(optional))}" if optional else "")
                            + (f"; missing {', '.join(sorted(missing))}" if missing else "")
                            + (f"; unknown {', '.join(sorted(unknown))}" if unknown else ""))
    for name in derive.references(spec):
        if name not in earlier:
            raise RuleFileError(f"{where}: {name!r} must be a column listed before {column['name']!r}")
    for key in derive.NUMBER_PARAMETERS & set(spec):
        value = spec[key]
        if not (isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0) and value not in numbers:
            raise RuleFileError(f"{where}: {key} must be a non-negative number or a window name ({', '.join(sorted(numbers))})")


def _section(path: Path, data: Any, key: str, keys: set[str]) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise RuleFileError(f'{path}: "{key}" must be an object')
    unknown = set(value) - keys
    if unknown:
        raise RuleFileError(f'{path}: "{key}": unknown key(s) {", ".join(sorted(unknown))}; allowed: {", ".join(sorted(keys))}')
    return value


def _numbers(path: Path, values: dict[str, Any], where: str, keys: set[str]) -> dict[str, Any]:
    for key in keys:
        if not isinstance(values.get(key), (int, float)) or values[key] < 0:
            raise RuleFileError(f'{path}: "{where}.{key}" must be a non-negative number')
    return dict(values)
