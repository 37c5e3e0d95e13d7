"""How each study.json column type is written to cohort.csv and cohort.parquet and read back.

A cohort row is derived, reviewed and flagged as text ("<5", "true", "2020-01-10"); only the
writers and readers here give it types, so every stage before them keeps one simple value model.
The types come from study.json (one declaration per column) and reach data_dictionary.csv:

| study.json type   | cohort.csv                 | Arrow (parquet)            | pandas (load_cohort) | R read.csv          |
|-------------------|----------------------------|----------------------------|----------------------|---------------------|
| date              | 2020-01-10                 | date32                     | datetime64[ns]       | character, as.Date  |
| integer           | 12                         | int64                      | Int64                | integer             |
| number or bound   | 4.5 (bound in a companion) | float64                    | float64              | numeric             |
| category          | CR                         | dictionary<int32, string>  | category (allowed)   | character / factor  |
| boolean           | true / false               | bool                       | boolean              | logical             |
| string, list      | text                       | string                     | string               | character           |

Missing values are empty cells in the CSV and nulls everywhere else.

A "number or bound" column ("<5" in a chart) is written as two columns so the number stays a
number: ``blasts_pre_mab1_pct`` 5 and its generated companion ``blasts_pre_mab1_bound`` "<"
(empty for an exact value). study.json declares the column once; the companion is added here.
"""

from __future__ import annotations

import re
from typing import Any

from chartabstract.study import Study

BOUND_TYPE = "bound"  # the generated companion's type (never declared in study.json)
BOUNDS = ("<", "<=", ">", ">=")
_BOUND_NUMBER = re.compile(r"^\s*(?P<bound><=|>=|<|>)?\s*(?P<number>[-+]?\d+(?:\.\d+)?)\s*$")
TRUE_FALSE = ("true", "false")  # R's read.csv parses true/false (and TRUE/FALSE) as logical

PANDAS_DTYPES = {"date": "datetime64[ns]", "integer": "Int64", "number or bound": "float64",
                 "boolean": "boolean", "string": "string", "list": "string"}


def bound_column(name: str) -> str:
    """The companion of a "number or bound" column: blasts_pre_mab1_pct -> blasts_pre_mab1_bound."""
    return (name[: -len("_pct")] if name.endswith("_pct") else name) + "_bound"


def output_columns(study: Study) -> list[dict[str, Any]]:
    """The columns of cohort.csv/.parquet and data_dictionary.csv: the study's, each "number or
    bound" column followed by its generated bound column."""
    columns: list[dict[str, Any]] = []
    for column in study.columns:
        columns.append(column)
        if column["type"] == "number or bound":
            name = column["name"]
            columns.append({
                "name": bound_column(name), "type": BOUND_TYPE, "allowed": "|".join(BOUNDS),
                "meaning": f"The bound of {name} when the chart gives only a bound (\"<5\" is {name} 5 with bound <); "
                           "empty for an exact value or no value",
                "derivation": f"generated from {name}", "derive": {"pattern": "bound_of", "of": name},
            })
    return columns


def output_column_names(study: Study) -> list[str]:
    return [column["name"] for column in output_columns(study)]


def split_bound(value: str) -> tuple[str, str]:
    """("<5" -> "5", "<"); an exact number keeps an empty bound; text that is no number is kept as is."""
    match = _BOUND_NUMBER.match(value or "")
    if not match:
        return value, ""
    return match["number"], match["bound"] or ""


def join_bound(number: str, bound: str) -> str:
    """The reverse of split_bound, for reading a split table as the single value it was."""
    return f"{bound.strip()}{number.strip()}" if number.strip() else ""


def written_row(study: Study, values: dict[str, str]) -> dict[str, str]:
    """A derived cohort row as cohort.csv writes it: bounds split off, booleans true/false."""
    row: dict[str, str] = {}
    for column in study.columns:
        name, value = column["name"], values.get(column["name"], "") or ""
        if column["type"] == "number or bound":
            row[name], row[bound_column(name)] = split_bound(value)
        elif column["type"] == "boolean" and value.strip().lower() in TRUE_FALSE:
            row[name] = value.strip().lower()
        else:
            row[name] = value
    return row


def pandas_dtype(column: dict[str, Any]) -> Any:
    """The pandas dtype of one output column (categories carry the column's whole vocabulary)."""
    import pandas as pd

    if column["type"] in ("category", BOUND_TYPE):
        return pd.CategoricalDtype([v for v in column["allowed"].split("|") if v])
    return PANDAS_DTYPES[column["type"]]


def arrow_type(column: dict[str, Any]) -> Any:
    import pyarrow as pa

    return {"date": pa.date32(), "integer": pa.int64(), "number or bound": pa.float64(), "boolean": pa.bool_(),
            "category": pa.dictionary(pa.int32(), pa.string()), BOUND_TYPE: pa.dictionary(pa.int32(), pa.string()),
            }.get(column["type"], pa.string())


def arrow_schema(study: Study) -> Any:
    import pyarrow as pa

    return pa.schema([(column["name"], arrow_type(column)) for column in output_columns(study)])


def typed_frame(study: Study, rows: list[dict[str, str]], *, source: str = "cohort") -> Any:
    """Written (text) rows as a typed pandas DataFrame, one dtype per output column.

    Raises:
        ValueError: a cell that does not fit its column's type, named by column and value.
    """
    import pandas as pd

    data = {}
    for column in output_columns(study):
        name = column["name"]
        cells = [(row.get(name) or "").strip() for row in rows]
        try:
            data[name] = _typed_series(column, cells)
        except (ValueError, TypeError) as exc:
            bad = next((c for c in cells if c and not _fits(column, c)), "")
            raise ValueError(f"{source}: column {name} ({column['type']}) cannot hold {bad!r}: {exc}") from None
    return pd.DataFrame(data, columns=[c["name"] for c in output_columns(study)])


def _typed_series(column: dict[str, Any], cells: list[str]) -> Any:
    import pandas as pd

    kind, dtype = column["type"], pandas_dtype(column)
    if kind == "date":
        return pd.Series(pd.to_datetime([c or None for c in cells], format="%Y-%m-%d"), dtype=dtype)
    if kind == "integer":
        return pd.Series([int(float(c)) if c else None for c in cells], dtype=dtype)
    if kind == "number or bound":
        return pd.Series([float(c) if c else None for c in cells], dtype=dtype)
    if kind == "boolean":
        if any(c and c.lower() not in TRUE_FALSE for c in cells):
            raise ValueError("booleans are true or false")
        return pd.Series([c.lower() == "true" if c else None for c in cells], dtype=dtype)
    if kind in ("category", BOUND_TYPE):
        # a value outside the vocabulary (a cohort written by an older study.json) is kept, not
        # silently turned into a null: it joins the categories after the declared ones
        unknown = sorted({c for c in cells if c and c not in dtype.categories})
        if unknown:
            dtype = pd.CategoricalDtype([*dtype.categories, *unknown])
    return pd.Series([c or None for c in cells], dtype=dtype)


def _fits(column: dict[str, Any], cell: str) -> bool:
    try:
        _typed_series(column, [cell])
    except (ValueError, TypeError):
        return False
    return True
