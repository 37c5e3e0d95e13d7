"""Find the regexes that Python's ``re`` can take exponential time on, before any note is read.

``re`` backtracks: a repeated part that can match the same run of text in more than one way,
such as ``(a+)+``, ``(a|a)*``, ``(\\w+\\s?)+`` or ``(.*a){20}``, makes it try every way of cutting
a long run ("aaaa...a!") into repetitions, and one note can hold a run up for hours. The check
reads the parse tree: for every repeat that may repeat, and every character c, it asks whether
the repeated part can match runs of c in two different ways (two lengths, or two branches).
Possessive repeats and atomic groups never give back what they took, and are safe.
rules/README.md gives the measurements behind this choice and what the check cannot see.
"""

from __future__ import annotations

import re
import re._compiler as sre_compile  # type: ignore[import-not-found]  # the stdlib regex compiler
import re._parser as sre_parse  # type: ignore[import-not-found]  # the stdlib regex parser
import string
from dataclasses import dataclass
from typing import Any

# the characters tried as c: every printable ASCII one, and a few others the note exports hold
_CANDIDATES = string.printable + "\u00a0\u00e9\u2013\u017f"
_ALL = (1 << len(_CANDIDATES)) - 1
_SINGLE = {"LITERAL", "NOT_LITERAL", "ANY", "IN"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT"}
_REPEATED_GROUP = re.compile(r"\)\s*[*+{]")  # the only risky repeats: of a group, more than once


@dataclass(frozen=True)
class _Runs:
    """For a part of a regex, sets of candidate characters c (bit i: ``_CANDIDATES[i]``)."""

    can: int  # it matches some run of c (the empty run included)
    some: int  # it matches a non-empty run of c
    many: int  # it matches runs of c in more than one way (two lengths, or two branches)


def catastrophic(pattern: str, flags: int = re.IGNORECASE) -> str | None:
    """Why matching this regex can take exponential time, or None when the check finds no reason."""
    if not _REPEATED_GROUP.search(pattern):
        return None  # a repeated single character matches a run one way only
    try:
        parsed = sre_parse.parse(pattern, flags)
    except re.error:
        return None  # reported as an invalid regex by the caller
    risky: list[int] = []
    _sequence(list(parsed), parsed.state, risky)
    if not risky:
        return None
    char = _CANDIDATES[(risky[0] & -risky[0]).bit_length() - 1]
    return (f"a repeated part can match a run of {char!r} in more than one way "
            "(as (a+)+, (a|a)* or (.*a){20} do): matching can take exponential time")


def _sequence(items: list[tuple[Any, Any]], state: Any, risky: list[int]) -> _Runs:
    can, some, many = _ALL, 0, 0
    for op, av in items:
        runs = _item(str(op), av, state, risky)
        can, some, many = can & runs.can, some | runs.some, many | runs.many
    return _Runs(can, some & can, many & can)


def _branches(parts: list[list[tuple[Any, Any]]], state: Any, risky: list[int]) -> _Runs:
    can, some, many = 0, 0, 0
    for part in parts:
        runs = _sequence(part, state, risky)
        many |= runs.many | (can & runs.can)  # a run two branches match
        can, some = can | runs.can, some | runs.some
    return _Runs(can, some, many)


def _item(name: str, av: Any, state: Any, risky: list[int]) -> _Runs:
    if name in _SINGLE:
        chars = _matched(name, av, state)
        return _Runs(chars, chars, 0)
    if name == "SUBPATTERN":
        return _sequence(list(av[3]), state, risky)
    if name == "BRANCH":
        return _branches([list(branch) for branch in av[1]], state, risky)
    if name == "GROUPREF_EXISTS":
        return _branches([list(part) if part is not None else [] for part in av[1:]], state, risky)
    if name in _REPEATS:
        low, high, inner = av
        runs = _sequence(list(inner), state, risky)
        if high >= 2 and runs.many:
            risky.append(runs.many)
        many = (runs.many | (runs.some if low < high else 0)) if high >= 1 else 0
        return _Runs(_ALL if low == 0 else runs.can, runs.some if high >= 1 else 0, many)
    if name == "POSSESSIVE_REPEAT":  # takes the one longest run it can, never gives back
        runs = _sequence(list(av[2]), state, risky)
        return _Runs(_ALL if av[0] == 0 else runs.can, runs.some, 0)
    if name == "ATOMIC_GROUP":
        runs = _sequence(list(av), state, risky)
        return _Runs(runs.can, runs.some, 0)
    if name in ("ASSERT", "ASSERT_NOT"):
        _sequence(list(av[1]), state, risky)
        return _Runs(_ALL, 0, 0)  # assumed to let the run through
    if name == "AT":  # inside a run no word boundary or start/end of text falls; \B does, and ^ $ at newlines
        anchor = str(av)
        if anchor == "AT_NON_BOUNDARY":
            return _Runs(_ALL, 0, 0)
        return _Runs(_bit("\n") if anchor in ("AT_BEGINNING", "AT_END") else 0, 0, 0)
    return _Runs(_ALL, 0, 0)  # backreferences: assumed to let the run through


def _bit(char: str) -> int:
    return 1 << _CANDIDATES.index(char)


_MATCHED: dict[str, int] = {}


def _matched(name: str, av: Any, state: Any) -> int:
    """The candidates a one-character item matches, tested by ``re`` itself (its classes and case folding)."""
    key = repr((name, av))
    if key not in _MATCHED:
        item = sre_compile.compile(sre_parse.SubPattern(state, [(getattr(sre_parse, name), av)]), re.IGNORECASE | re.DOTALL)
        _MATCHED[key] = sum(1 << i for i, char in enumerate(_CANDIDATES) if item.fullmatch(char))
    return _MATCHED[key]
