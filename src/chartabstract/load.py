"""load_cohort: a run's cohort.csv or cohort.parquet as a typed pandas DataFrame.

Both files give the same dtypes (cohort_types: dates datetime64[ns], integers Int64, percentages
float64, booleans boolean, categories with the study's vocabulary, text as string), so an analysis
does not depend on which file it was handed. The types are those of the study that wrote the run.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from chartabstract.cohort_types import (BOUND_TYPE, bound_column, output_columns, pandas_dtype, split_bound,
                                        typed_frame)
from chartabstract.errors import InputError
from chartabstract.study import Study, study_of_run


def load_cohort(path: str | Path, study: Study | None = None) -> Any:
    """Read cohort.parquet or cohort.csv (or a run folder: its cohort.parquet, else cohort.csv),
    typed by the study of the run that wrote it unless one is passed.

    A CSV written before bounds had their own column ("<5" in blasts_pre_mab1_pct) is split on
    reading, so old and new tables load alike. Columns the study does not declare are kept as text.

    Raises:
        InputError: no cohort table at ``path``, or a cell that does not fit its column's type.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "cohort.parquet" if (path / "cohort.parquet").is_file() else path / "cohort.csv"
    if not path.is_file():
        raise InputError(f"{path}: no cohort table here (run `chartabstract run` first)")
    study = study or study_of_run(path.parent)
    try:
        return _parquet(path, study) if path.suffix == ".parquet" else _csv(path, study)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _csv(path: Path, study: Study) -> Any:
    import pandas as pd

    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [name for name in reader.fieldnames or [] if name]
        rows = list(reader)
    present = set(header)
    for column in study.columns:
        name = column["name"]
        if column["type"] == "number or bound" and name in present and bound_column(name) not in present:
            for row in rows:  # an older table: the bound is still inside the number
                row[name], row[bound_column(name)] = split_bound(row.get(name) or "")
            present.add(bound_column(name))
    typed = typed_frame(study, rows, source=str(path))
    declared = [c["name"] for c in output_columns(study) if c["name"] in present]
    frame = typed[declared]
    for name in header:
        if name not in frame:
            frame[name] = pd.Series([row.get(name) or None for row in rows], dtype="string")
    return frame


def _parquet(path: Path, study: Study) -> Any:
    import pandas as pd

    frame = pd.read_parquet(path)
    for column in output_columns(study):
        name = column["name"]
        if name not in frame:
            continue
        dtype = pandas_dtype(column)
        if column["type"] == "date":
            frame[name] = pd.to_datetime(frame[name]).astype(dtype)
        elif column["type"] in ("category", BOUND_TYPE):
            seen = [v for v in frame[name].dropna().astype(str).unique() if v not in dtype.categories]
            frame[name] = frame[name].astype("object").astype(pd.CategoricalDtype([*dtype.categories, *sorted(seen)]))
        else:
            frame[name] = frame[name].astype(dtype)
    return frame
