"""The study's cohort row for one patient: each column derived by the pattern study.json names for it."""

from __future__ import annotations

from dataclasses import replace

from chartabstract.derive import DERIVATIONS, CohortRow, Context, dependents, references
from chartabstract.models import PatientTimeline
from chartabstract.study import Study

__all__ = ["CohortRow", "build_cohort_row", "order_dependents"]


def build_cohort_row(timeline: PatientTimeline, study: Study) -> CohortRow:
    """Derive every cohort column from a timeline, in the order study.json lists them."""
    row = CohortRow({name: "" for name in study.column_names})
    ctx = Context(timeline, study.numbers, row, statuses=study.value_statuses, flag_fallbacks=study.doubt["fallback"])
    for column in study.columns:
        spec = column["derive"]
        DERIVATIONS[spec["pattern"]](ctx, column["name"], spec)
        if study.doubt["inherit"]:
            _inherit(row, column["name"], references(spec))
    # A start on an unknown date can change the order of the drugs: every value built on that
    # order is in doubt, and a reviewer's date for that start decides all of them.
    undated = [ctx.anchors[c] for c in _sequenced(study) if c in ctx.anchors and ctx.anchors[c].date is None]
    for event in undated:
        for column in order_dependents(study):
            row.flag(column, event.flags, event)
    return row


def _inherit(row: CohortRow, column: str, sources: list[str]) -> None:
    """A column is in doubt when a column it is built from is (a response over a window cut short
    by a doubtful transplant date, pre-mab2 blasts hanging on a doubtful mab2 start). The flag
    keeps naming the fact in doubt (or the source column), so the reviewer's one item decides both."""
    own = row.flags.get(column, [])
    for source in sources:
        for flag in row.flags.get(source, []):
            inherited = replace(flag, fact=flag.fact or source)
            if inherited not in own:
                own.append(inherited)
    if own:
        row.flags[column] = own


def _sequenced(study: Study) -> list[str]:
    """The date columns whose order a ``sequence`` column reads (the drug starts)."""
    found: list[str] = []
    for column in study.columns:
        if column["derive"]["pattern"] == "sequence":
            found += [c for c in column["derive"]["of"] if c not in found]
    return found


def order_dependents(study: Study) -> list[str]:
    """The ``sequence`` columns (mab1_drug, mab2_start, ...) and every column built on them."""
    roots = {c["name"] for c in study.columns if c["derive"]["pattern"] == "sequence"}
    return [c for c in study.column_names if c in roots] + dependents(study.columns, roots)
