"""Check a reviewer's corrected value against the column's type in rules/study.json."""

from __future__ import annotations

import re
from datetime import date

from chartabstract.study import Study

_BOUND_NUMBER = re.compile(r"^(?P<bound><=|>=|<|>)?\s*(?P<number>\d+(?:\.\d+)?)$")


class InvalidValue(ValueError):
    """A corrected value that does not fit its column; the message says what would."""


def validate_value(study: Study, field: str, raw: str) -> str:
    """The normalized value, or InvalidValue naming what the column accepts.

    Raises:
        InvalidValue: not a real date, a number out of range, or a category not in the vocabulary.
    """
    column = value_spec(study, field)
    if column is None:
        raise InvalidValue(f"{field!r} is not a reviewable column or fact")
    value = raw.strip()
    kind = column["type"]
    if kind == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise InvalidValue(f"{field}: {value!r} is not a real date (YYYY-MM-DD)") from None
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            raise InvalidValue(f"{field}: {value!r} is not a whole number")
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
    ("marrow@2020-01-10.blasts") its attribute's in the study's review section."""
    if field in NOT_REVIEWABLE:
        return None
    column = study.column(field)
    if column is not None:
        return column
    if "." not in field:
        return None
    return study.facts.get(field.rsplit(".", 1)[1])
