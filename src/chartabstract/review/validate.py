"""Check a reviewer's corrected value against the column's type in rules/study.json."""

from __future__ import annotations

import re
from datetime import date

from chartabstract.normalize.plausible import EARLIEST_DATE, latest_note_date
from chartabstract.study import Study

_BOUND_NUMBER = re.compile(r"^(?P<bound><=|>=|<|>)?\s*(?P<number>\d+(?:\.\d+)?)$")
MAX_NUMBER_CHARS = 20  # int() of thousands of digits is slow or raises; no real value is longer
INTEGER_LIMIT = 100_000  # integer columns count days


class InvalidValue(ValueError):
    """A corrected value that does not fit its column; the message says what would."""


def validate_value(study: Study, field: str, raw: str) -> str:
    """The normalized value, or InvalidValue naming what the column accepts.

    Raises:
        InvalidValue: not a plausible date, a number too long or out of range, or a category not in the vocabulary.
    """
    column = value_spec(study, field)
    if column is None:
        raise InvalidValue(f"{field!r} is not a reviewable column or fact")
    value = raw.strip()
    kind = column["type"]
    if kind == "date":
        return _date(field, value)
    if kind in ("integer", "number or bound") and len(value) > MAX_NUMBER_CHARS:
        raise InvalidValue(f"{field}: too long for a number ({len(value)} characters, at most {MAX_NUMBER_CHARS})")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            raise InvalidValue(f"{field}: {value!r} is not a whole number")
        if not -INTEGER_LIMIT <= int(value) <= INTEGER_LIMIT:
            raise InvalidValue(f"{field}: {value!r} is outside the plausible range -{INTEGER_LIMIT} to {INTEGER_LIMIT}")
        codes = column["allowed"].split("|")
        if len(codes) > 1 and all(re.fullmatch(r"-?\d+", c) for c in codes) and str(int(value)) not in codes:
            raise InvalidValue(f"{field}: {value!r} is not one of {', '.join(codes)}")  # coded integers (grade 0|1|2|3|4)
        return str(int(value))
    if kind == "number or bound":
        match = _BOUND_NUMBER.match(value)
        if not match or not 0 <= float(match["number"]) <= 100:
            raise InvalidValue(f"{field}: {value!r} is not a percent from 0 to 100 (a bound such as <5 is allowed)")
        number = float(match["number"])
        return f"{match['bound'] or ''}{int(number) if number.is_integer() else number}"
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise InvalidValue(f"{field}: {value!r} is not true or false")
        return value.lower()
    if kind == "category":
        allowed = column["allowed"].split("|")
        if value not in allowed:
            raise InvalidValue(f"{field}: {value!r} is not one of {', '.join(allowed)}")
        return value
    return value


NOT_REVIEWABLE = ("patient_id", "flags", "reviewed", "not_determinable")


def value_spec(study: Study, field: str) -> dict[str, str] | None:
    """The type and vocabulary of a review item: a cohort column's, or for a fact
    ("marrow@2020-01-10.blasts") its attribute's in concepts.json."""
    if field in NOT_REVIEWABLE:
        return None
    column = study.column(field)
    if column is not None:
        return column
    if "." not in field:
        return None
    prefix, attribute = field.rsplit(".", 1)
    return study.fact_spec(prefix.split("@", 1)[0], attribute)


def _date(field: str, value: str) -> str:
    """An ISO date a run can compute with: real, and between 1900 and two years from today."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidValue(f"{field}: {value!r} is not a real date (YYYY-MM-DD)") from None
    latest = latest_note_date()  # the range note dates have: 9999-12-31 would break every run
    if not EARLIEST_DATE <= day <= latest:
        raise InvalidValue(f"{field}: {value!r} is outside the plausible range {EARLIEST_DATE} to {latest}")
    return day.isoformat()
