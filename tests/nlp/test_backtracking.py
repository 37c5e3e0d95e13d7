"""Regexes that can make Python's re backtrack for hours are found before any note is read."""

from __future__ import annotations

import re

import pytest

from chartabstract.nlp.backtracking import catastrophic

CATASTROPHIC = [r"(a+)+$", r"(a*)*$", r"(a|a)*$", r"(.*a){20}", r"(\w+\s?)+$", r"(a|aa)+$", r"(\d+(?:\.\d+)?)+x",
                r"(x+x+)+y", r"(?:a+|b)+c", r"(?=(a+)+b)", r"x(?:(a+)+)?", r"(?x)(a+) +$", r"(?:\s*\w+\s*)+:"]
SAFE = [r"(a++)+$", r"(?>a+)+$", r"(\d+,\s*)+", r"(\w+\s)+", r"(ab+)+", r"(?:x+y|x)+", r"(a{2})+", r"(?:mg|m2)+",
        r"(\ba+)+$", r"a+a+", r"(?:[A-Za-z]+[\s/&-]+){0,2}?", r"\bblin[a-z]{2,8}m[aou]b\b"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_backtracking_finds_catastrophic_patterns(pattern):
    assert "exponential" in catastrophic(pattern)


@pytest.mark.parametrize("pattern", SAFE)
def test_backtracking_passes_safe_patterns(pattern):
    assert catastrophic(pattern) is None


def test_backtracking_passes_every_shipped_regex(rules):
    patterns = [r["pattern"] for r in rules.targets + rules.context + rules.sections if isinstance(r.get("pattern"), str)]
    assert len(patterns) > 50
    assert [p for p in patterns if catastrophic(p, re.IGNORECASE)] == []
