"""Cheap rejection: skip notes, and paragraphs within notes, where no target rule can match.

Everything is generated from the target rules, never from a second hand-kept list:

1. For each target regex, the literal strings one of which every match must contain are read off
   the regex's parse tree ("blin" for blinatumomab's pattern). A plain substring test on the
   lower-cased note decides whether the regex needs to run at all; most rules never run on an
   unrelated note. (One alternation of all rules runs at about 0.7 MB/s here, no faster than
   spaCy's tokenizer; the substring tests run at memory speed: bench/throughput_bench.py.)
2. The rules that may match are run, exactly as the target matcher runs them.
   A rule whose metadata says it ``needs`` another category (a cause of death needs a death
   statement in its sentence) is skipped: it yields a mention only in a sentence that the
   needed category's match already keeps, so it can never keep a paragraph on its own.
3. Only paragraphs (blocks between blank lines) holding a match, and every section header line,
   are kept; everything else is blanked to spaces with its newlines kept, so every character
   offset is unchanged and the pipeline meets the same sentences, sections and dates.

tests/nlp/test_prefilter.py checks that mentions are identical with and without the prefilter.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # type: ignore[import-not-found]  # the stdlib regex parser
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from collections.abc import Iterator
from typing import Any

from chartabstract.nlp.rules import RuleSet

EXACT = "\x00"  # marks a literal from a case-sensitive part of a rule ("(?-i:CAR)")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\f\v\r]*\n")
_NOT_NEWLINE = re.compile(r"[^\n]")


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    requirements: tuple[tuple[str, ...], ...]  # each: one of these strings must occur; () always run

    def may_match(self, text: str, low: str) -> bool:
        return all(
            any((literal[1:] in text) if literal[0] == EXACT else (literal in low) for literal in options)
            for options in self.requirements
        )


class Prefilter:
    """Decides which notes and which paragraphs the pipeline must see."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = [_target_rule(rule) for rule in rules.targets if not (rule.get("metadata") or {}).get("needs")]
        self.headers = _header_regex(rules)

    def hits(self, text: str) -> Iterator[tuple[int, int]]:
        """Where any target rule matches (the same matches the target matcher will find)."""
        low = text.lower()
        for rule in self.rules:
            if rule.may_match(text, low):
                for match in rule.regex.finditer(text):
                    yield match.span()

    def reduce(self, text: str) -> str | None:
        """The note with irrelevant paragraphs blanked, or None when no rule can match.

        Stops looking as soon as every paragraph holds a match: in an oncology note that is
        after a few rules, and the rest could only keep what is already kept.
        """
        breaks = list(_PARAGRAPH_BREAK.finditer(text))
        starts = [0, *(m.end() for m in breaks)]
        ends = [*(m.start() for m in breaks), len(text)]
        keep = [False] * len(starts)
        left = len(keep)
        for start, end in self.hits(text):  # the paragraphs a hit touches, found by bisection
            for index in range(bisect_left(ends, start), bisect_right(starts, end)):
                if not keep[index]:
                    keep[index] = True
                    left -= 1
            if not left:
                return text
        if left == len(keep):
            return None
        pieces = []
        position = 0
        for index, (p_start, p_end) in enumerate(zip(starts, ends)):
            pieces.append(text[position:p_start])  # the blank lines between paragraphs
            paragraph = text[p_start:p_end]
            pieces.append(paragraph if keep[index] else self._headers_only(paragraph))
            position = p_end
        pieces.append(text[position:])
        return "".join(pieces)

    def _headers_only(self, paragraph: str) -> str:
        """Blank a paragraph but keep its section header lines (sections span paragraphs)."""
        if self.headers is None or not self.headers.search(paragraph):
            return _NOT_NEWLINE.sub(" ", paragraph)
        lines = paragraph.split("\n")
        # the newline is part of some header patterns ("REVIEW OF SYSTEMS" on a line of its own)
        return "\n".join(line if self.headers.match(line + "\n") else " " * len(line) for line in lines)


def _target_rule(rule: dict[str, Any]) -> _Rule:
    pattern = rule.get("pattern")
    if pattern is None:
        literal = str(rule["literal"])
        return _Rule(re.compile(r"(?<!\w)" + re.escape(literal) + r"(?!\w)", re.IGNORECASE), ((literal.lower(),),))
    if not isinstance(pattern, str):
        raise ValueError("token-pattern targets cannot be prefiltered")
    sets = required_literal_sets(pattern)
    return _Rule(re.compile(pattern, re.IGNORECASE), tuple(tuple(sorted(s)) for s in sets))


def _header_regex(rules: RuleSet) -> re.Pattern[str] | None:
    """Lines that can start a section (the sectionizer requires headers to start a line)."""
    parts = []
    for rule in rules.sections:
        pattern = rule.get("pattern")
        parts.append(pattern if isinstance(pattern, str) else re.escape(str(rule["literal"])))
    if not parts:
        return None
    return re.compile(r"[ \t]*(?:" + "|".join(f"(?:{p})" for p in parts) + ")", re.IGNORECASE)


def required_literals(pattern: str) -> set[str] | None:
    """Lower-cased strings one of which every match of the regex contains, or None if unknown.

    The strongest single requirement of ``required_literal_sets``: the one whose shortest string
    is longest.
    """
    sets = required_literal_sets(pattern)
    if not sets:
        return None
    return max(sets, key=lambda c: (min(len(s.lstrip(EXACT)) for s in c), -len(c)))


def required_literal_sets(pattern: str) -> list[set[str]]:
    """Every requirement of a regex: each set holds strings one of which every match contains.

    Read off the parse tree: a run of literal characters is required; a group or a repeat of at
    least one is required if its inside is; an alternation requires one of its branches' strongest
    sets. "graft versus host disease" needs "graft" and "host" and "disease": testing all of them
    rejects far more text than testing "disease" alone.
    """
    try:
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
    except re.error:
        return []
    return _sequence(list(parsed), exact=False)


def _literal(run: str, exact: bool) -> str:
    return EXACT + run if exact else run.lower()


def _sequence(items: list[tuple[Any, Any]], *, exact: bool) -> list[set[str]]:
    found: list[set[str]] = []
    run = ""
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(av)
            continue
        if run:
            found.append({_literal(run, exact)})
            run = ""
        found += _item(name, av, exact=exact)
    if run:
        found.append({_literal(run, exact)})
    return found


def _strongest(sets: list[set[str]]) -> set[str] | None:
    return max(sets, key=lambda c: (min(len(s.lstrip(EXACT)) for s in c), -len(c))) if sets else None


def _item(name: str, av: Any, *, exact: bool) -> list[set[str]]:
    if name == "SUBPATTERN":
        _group, add_flags, del_flags, inner = av
        if del_flags & re.IGNORECASE:
            exact = True
        elif add_flags & re.IGNORECASE:
            exact = False
        return _sequence(list(inner), exact=exact)
    if name == "BRANCH":
        branches = [_sequence(list(branch), exact=exact) for branch in av[1]]
        if not all(branches):
            return []
        # Each branch contributes one of its requirements. A branch needing "cause" and "death"
        # ("cause of death") contributes "death" when another branch already needs "death":
        # the alternatives stay few and rare.
        union: set[str] = set()
        for sets in sorted(branches, key=len):
            shared = [s for s in sets if s <= union]
            union |= shared[0] if shared else _strongest(sets) or set()
        # a string every branch needs ("cd" in "anti-CD19 | CD19-directed | CD3/CD19") is required too
        common = set.intersection(*({next(iter(s)) for s in sets if len(s) == 1} for sets in branches))
        return [union, *({literal} for literal in sorted(common) if {literal} != union)]
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, _high, inner = av
        return _sequence(list(inner), exact=exact) if low >= 1 else []
    return []
