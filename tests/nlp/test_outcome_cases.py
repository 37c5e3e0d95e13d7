"""Outcome concepts sentence by sentence: acute and chronic GVHD with grades, relapse, cause of death.

The case tables live in outcome_cases.py; they were written from docs/annotation_guide.md by a
helper who did not see the rules.
"""

from __future__ import annotations

import pytest

from tests.nlp.outcome_cases import DEATH_CAUSE_CASES, GVHD_CASES, RELAPSE_CASES
from tests.nlp.test_extract_cases import check_case


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), GVHD_CASES)
def test_outcome_gvhd(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), DEATH_CAUSE_CASES)
def test_outcome_death_cause(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


@pytest.mark.parametrize(("text", "concept", "anchor", "expected"), RELAPSE_CASES)
def test_outcome_relapse(extract, text, concept, anchor, expected):
    check_case(extract, text, concept, anchor, expected)


def test_outcome_case_table_sizes():
    assert len(GVHD_CASES) >= 30 and len(DEATH_CAUSE_CASES) >= 20 and len(RELAPSE_CASES) >= 20
    staging_only = [c for c in GVHD_CASES if c[3] and c[3].get("unit") == "staging"]
    assert len(staging_only) >= 5
    assert any(c[3] is None and "prophylaxis" in c[0] for c in GVHD_CASES)
    assert any(c[1] == "cgvhd" for c in GVHD_CASES)
