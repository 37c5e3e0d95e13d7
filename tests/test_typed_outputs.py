"""Issue 17: cohort.parquet carries real types, cohort.csv reads back with the same types through
chartabstract.load_cohort and plainly as R's read.csv would, and a bound ("<5") has its own column."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import chartabstract
from chartabstract.cli import app
from chartabstract.cohort_types import bound_column, output_columns, split_bound, written_row
from chartabstract.evaluate import evaluate_cohort
from chartabstract.study import load_study
from tests.conftest import SAMPLE_NOTES

STUDY = load_study()
ARROW = {"date": pa.date32(), "integer": pa.int64(), "number or bound": pa.float64(), "boolean": pa.bool_(),
         "category": pa.dictionary(pa.int32(), pa.string()), "bound": pa.dictionary(pa.int32(), pa.string()),
         "string": pa.string(), "list": pa.string()}
PANDAS = {"date": "datetime64[ns]", "integer": "Int64", "number or bound": "float64", "boolean": "boolean",
          "category": "category", "bound": "category", "string": "string", "list": "string"}


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("typed") / "out"
    result = CliRunner().invoke(app, ["run", str(SAMPLE_NOTES), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def bound_run(tmp_path_factory) -> Path:
    """A patient whose only marrow before the drug gives blasts as a bound (own wording)."""
    notes = tmp_path_factory.mktemp("bound_notes")
    patient = notes / "B1"
    patient.mkdir()
    (patient / "2021-03-02_bm_pathology.txt").write_text(
        "BONE MARROW PATHOLOGY REPORT\nDate of procedure: 3/2/2021\n\nFINAL DIAGNOSIS:\n"
        "Bone marrow aspirate and biopsy: <5% blasts by morphology. Flow cytometry: CD19 positive, CD22 positive.\n")
    (patient / "2021-03-12_progress.txt").write_text(
        "PROGRESS NOTE\n\nStarted blinatumomab C1D1 on 3/10/2021 for persistent MRD. Tolerating well.\n")
    out = notes.parent / "bound_out"
    result = CliRunner().invoke(app, ["run", str(notes), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_parquet_schema_has_the_declared_arrow_type_of_every_column(sample_run):
    schema = pq.read_schema(sample_run / "cohort.parquet")
    columns = output_columns(STUDY)
    assert schema.names == [c["name"] for c in columns]
    for column in columns:
        assert schema.field(column["name"]).type == ARROW[column["type"]], column["name"]


def test_parquet_reads_in_pandas_with_nullable_types_and_nulls_for_missing(sample_run):
    frame = pd.read_parquet(sample_run / "cohort.parquet")
    for column in output_columns(STUDY):
        name, kind = column["name"], column["type"]
        if kind == "date":  # pyarrow gives date32 as datetime.date objects; load_cohort makes them datetime64
            assert frame[name].dtype == object and all(v is None or hasattr(v, "isoformat") for v in frame[name]), name
        else:
            assert str(frame[name].dtype) == PANDAS[kind], name
    assert not (frame.select_dtypes(include=["string"]) == "").any().any()  # missing is null, never ""
    assert frame["os_event"].dropna().isin([0, 1]).all() and frame["agvhd_max_grade"].dropna().between(0, 4).all()
    assert set(frame["death_cause"].cat.categories) == {"relapse", "non_relapse", "unknown"}
    assert frame["nonrelapse_death"].dropna().isin([True, False]).all() and frame["nonrelapse_death"].notna().any()


def test_load_cohort_gives_the_same_frame_from_csv_and_parquet(sample_run):
    from_csv = chartabstract.load_cohort(sample_run / "cohort.csv")
    from_parquet = chartabstract.load_cohort(sample_run / "cohort.parquet")
    pd.testing.assert_frame_equal(from_csv, from_parquet)
    for column in output_columns(STUDY):
        assert str(from_csv[column["name"]].dtype) == PANDAS[column["type"]], column["name"]
    assert list(from_csv["mab1_response"].cat.categories) == ["CR", "no_CR", "not_assessed"]
    pd.testing.assert_frame_equal(chartabstract.load_cohort(sample_run), from_parquet)


R_LOGICAL = {"T", "F", "TRUE", "FALSE", "true", "false", "True", "False"}  # R's StringTrue/StringFalse
R_CLASSES = {"integer": {"integer"}, "number or bound": {"integer", "numeric"}, "boolean": {"logical"},
             "date": {"character"}, "category": {"character"}, "bound": {"character"}, "string": {"character"},
             "list": {"character"}}


def r_read_csv_class(cells: list[str]) -> str:
    """The class R's read.csv(na.strings = "") gives a column (type.convert: the first of logical,
    integer, numeric that holds every non-missing cell, else character)."""
    values = [c for c in cells if c != ""]
    if all(v in R_LOGICAL for v in values):
        return "logical"  # an all-empty column too
    if all(re.fullmatch(r"[-+]?\d+", v) and abs(int(v)) < 2**31 for v in values):
        return "integer"
    try:
        [float(v) for v in values]
    except ValueError:
        return "character"
    return "numeric"


def test_csv_has_the_shape_r_read_csv_types(sample_run, bound_run):
    """What R's read.csv makes of each column is what its study type says (the README's snippet then
    turns dates into Date and categories into factors); all-empty columns are typed by that snippet."""
    for run in (sample_run, bound_run):
        with open(run / "cohort.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for column in output_columns(STUDY):
            cells = [row[column["name"]] for row in rows]
            if not any(cells):
                continue
            assert r_read_csv_class(cells) in R_CLASSES[column["type"]], (run.name, column["name"])
            if column["type"] == "date":
                assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", c) for c in cells if c), column["name"]
            if column["type"] in ("category", "bound"):
                assert set(filter(None, cells)) <= set(column["allowed"].split("|")), column["name"]
    plain = pd.read_csv(sample_run / "cohort.csv", keep_default_na=False, na_values=[""])
    assert plain["nonrelapse_death"].dropna().isin([True, False]).all()  # pandas agrees on logical
    assert pd.api.types.is_numeric_dtype(plain["blasts_pre_mab1_pct"])


def test_a_bound_becomes_number_and_bound_column(bound_run):
    with open(bound_run / "cohort.csv", encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert (row["blasts_pre_mab1_pct"], row["blasts_pre_mab1_bound"]) == ("5", "<")
    frame = chartabstract.load_cohort(bound_run)
    assert frame.loc[0, "blasts_pre_mab1_pct"] == 5.0 and frame.loc[0, "blasts_pre_mab1_bound"] == "<"
    assert pq.read_table(bound_run / "cohort.parquet").column("blasts_pre_mab1_pct").to_pylist() == [5.0]
    with open(bound_run / "data_dictionary.csv", encoding="utf-8", newline="") as handle:
        dictionary = {r["name"]: r for r in csv.DictReader(handle)}
    assert dictionary["blasts_pre_mab1_bound"]["type"] == "bound"
    assert dictionary["os_event"]["type"] == "integer" and dictionary["nonrelapse_death"]["type"] == "boolean"


def test_evaluate_scores_an_inline_gold_bound_against_the_split_columns(bound_run, tmp_path):
    for gold_value, right in (("<5", True), ("5", False), (">5", False)):
        gold = tmp_path / f"gold{right}{gold_value[:1]}.csv"
        gold.write_text(f"patient_id,blasts_pre_mab1_pct\nB1,{gold_value}\n")
        score = evaluate_cohort(bound_run / "cohort.csv", gold).fields["blasts_pre_mab1_pct"]
        assert (score.correct == 1) is right, gold_value
    split_gold = tmp_path / "split.csv"
    split_gold.write_text("patient_id,blasts_pre_mab1_pct,blasts_pre_mab1_bound\nB1,5.0,<\n")
    result = evaluate_cohort(bound_run / "cohort.csv", split_gold)
    assert result.fields["blasts_pre_mab1_pct"].correct == 1 and "blasts_pre_mab1_bound" not in result.fields


def test_old_csv_with_inline_bounds_loads_split(tmp_path):
    old = tmp_path / "cohort.csv"
    old.write_text("patient_id,blasts_pre_mab1_pct,os_event,nonrelapse_death\nP1,<5,1,true\nP2,40,0,\n")
    frame = chartabstract.load_cohort(old, STUDY)
    assert frame["blasts_pre_mab1_pct"].tolist() == [5.0, 40.0]
    assert frame["blasts_pre_mab1_bound"].tolist()[0] == "<" and pd.isna(frame["blasts_pre_mab1_bound"][1])
    assert str(frame["os_event"].dtype) == "Int64" and frame["nonrelapse_death"].tolist()[0] is True


def test_reviewer_bound_is_split_by_the_row_writer():
    values = {c["name"]: "" for c in STUDY.columns}
    values.update(blasts_pre_mab1_pct="<5", blasts_pre_mab2_pct="12.5", nonrelapse_death="True")
    row = written_row(STUDY, values)
    assert (row["blasts_pre_mab1_pct"], row[bound_column("blasts_pre_mab1_pct")]) == ("5", "<")
    assert (row["blasts_pre_mab2_pct"], row["blasts_pre_mab2_bound"]) == ("12.5", "")
    assert row["nonrelapse_death"] == "true"
    assert split_bound(">=90") == ("90", ">=") and split_bound("") == ("", "")


def test_coded_integer_columns_accept_only_their_codes():
    from chartabstract.review.validate import InvalidValue, validate_value

    assert validate_value(STUDY, "agvhd_max_grade", "3") == "3"
    with pytest.raises(InvalidValue, match="not one of"):
        validate_value(STUDY, "agvhd_max_grade", "5")
    with pytest.raises(InvalidValue, match="not one of"):
        validate_value(STUDY, "os_event", "2")


def test_report_reads_the_typed_csv(bound_run):
    from chartabstract.report.cohort_table import read_cohort

    cohort = read_cohort(bound_run)
    assert str(cohort.table["os_event"].dtype) == "Int64" and str(cohort.table["agvhd_max_grade"].dtype) == "Int64"
    assert cohort.table.loc[0, "blasts_pre_mab1_pct"] == "5" and cohort.table.loc[0, "blasts_pre_mab1_bound"] == "<"
