"""Cheap rejection: skip notes, and paragraphs within notes, where no target rule can match.

Everything is generated from the target rules, never from a second hand-kept list:

1. One Hyperscan pass over the note, compiled from every target regex (``scanner.py``), names
   the rules that may match it. Where Hyperscan is missing, or for the few characters where it
   and Python's ``re`` disagree, literal tests decide instead: the strings one of which every
   match must contain, read off each regex's parse tree ("blin" for blinatumomab's pattern).
2. The rules that may match are run with Python's ``re``, exactly as the target matcher runs
   them, and their matches are handed to the target matcher, which then runs no regex twice.
   A rule whose metadata says it ``needs`` another category (a cause of death needs a death
   statement in its sentence) is skipped: it yields a mention only in a sentence that the
   needed category's match already keeps, so it can never keep a paragraph on its own.
3. Only paragraphs (blocks between blank lines) holding a match, and every section header line,
   are kept; every other line becomes one space (empty lines stay empty, so sentences, sections
   and dates meet the same line structure), and offsets are mapped back.

tests/nlp/test_prefilter.py checks that mentions are identical with and without the prefilter.
"""

from __future__ import annotations

import re
import re._parser as sre_parse  # type: ignore[import-not-found]  # the stdlib regex parser
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from chartabstract.nlp.folding import Folded, caseless, fold_spaces
from chartabstract.nlp.rules import RuleSet, rule_id
from chartabstract.nlp.scanner import RuleScanner

EXACT = "\x00"  # marks a literal from a case-sensitive part of a rule ("(?-i:CAR)")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\f\v\r]*\n")
_NOT_NEWLINE = re.compile(r"[^\n]")

MatchKey = tuple[str, int]  # a compiled regex's pattern and flags


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    requirements: tuple[tuple[str, ...], ...]  # each: one of these strings must occur; () always run
    from_pattern: bool  # a regex rule the target matcher runs too (not a phrase)
    rule_id: str

    def may_match(self, text: str, low: str) -> bool:
        return literals_present(self.requirements, text, low)


def literals_present(requirements: tuple[tuple[str, ...], ...], text: str, low: str) -> bool:
    """Each requirement has one of its strings in the text (``low``: the text through ``caseless``)."""
    return all(
        any((literal[1:] in text) if literal[0] == EXACT else (literal in low) for literal in options)
        for options in requirements
    )


@dataclass(frozen=True)
class Reduced:
    """The text the pipeline is to see, and the target regex matches already found in it."""

    folded: Folded  # the kept text; ``to_source`` maps back to the text given to ``reduce``
    matches: dict[MatchKey, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.folded.text


class Prefilter:
    """Decides which notes and which paragraphs the pipeline must see."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = [_target_rule(rule) for rule in rules.targets if not (rule.get("metadata") or {}).get("needs")]
        self.headers = _header_regex(rules)
        self.scanner = RuleScanner.build([rule.regex.pattern for rule in self.rules])
        # the target matcher's regexes: each gets its matches, none where it cannot match
        self._match_keys = [(rule.regex.pattern, rule.regex.flags) for rule in self.rules if rule.from_pattern]

    def unscanned_rule_ids(self) -> list[str] | None:
        """The target rules the one-pass scan leaves to literal tests (None: no scanner at all)."""
        if self.scanner is None:
            return None
        return [rule.rule_id for index, rule in enumerate(self.rules) if index not in self.scanner.scanned]

    def candidates(self, text: str) -> list[_Rule]:
        """The rules that may match: named by the scanner, or by literal tests where it cannot say."""
        found = self.scanner.may_match(text) if self.scanner is not None else None
        scanned = self.scanner.scanned if found is not None else frozenset()  # type: ignore[union-attr]
        low = caseless(text) if len(scanned) < len(self.rules) else ""
        return [rule for index, rule in enumerate(self.rules)
                if (index in found if index in scanned else rule.may_match(text, low))]  # type: ignore[operator]

    def reduce(self, text: str) -> Reduced | None:
        """The text with irrelevant paragraphs folded away, or None when no rule can match.

        ``text`` is a note already folded by ``fold_spaces``, as the pipeline will see it, so the
        matches found here are the target matcher's own.
        """
        matches: dict[MatchKey, list[tuple[int, int]]] = {key: [] for key in self._match_keys}
        hits: list[tuple[int, int]] = []
        for rule in self.candidates(text):
            spans = [match.span() for match in rule.regex.finditer(text)]
            hits += spans
            if rule.from_pattern:
                matches[(rule.regex.pattern, rule.regex.flags)] = spans
        if not hits:
            return None
        breaks = list(_PARAGRAPH_BREAK.finditer(text))
        starts = [0, *(m.end() for m in breaks)]
        ends = [*(m.start() for m in breaks), len(text)]
        keep = [False] * len(starts)
        for start, end in hits:  # the paragraphs a hit touches, found by bisection
            for index in range(bisect_left(ends, start), bisect_right(starts, end)):
                keep[index] = True
        if all(keep):
            return Reduced(Folded(text), matches)
        pieces = []
        position = 0
        for index, (p_start, p_end) in enumerate(zip(starts, ends)):
            pieces.append(text[position:p_start])  # the blank lines between paragraphs
            paragraph = text[p_start:p_end]
            pieces.append(paragraph if keep[index] else self._headers_only(paragraph))
            position = p_end
        pieces.append(text[position:])
        folded = fold_spaces("".join(pieces))  # only the blanked lines fold: the text is folded already
        moved = {key: [(folded.from_source(a), folded.from_source(b)) for a, b in spans] for key, spans in matches.items()}
        return Reduced(folded, moved)

    def _headers_only(self, paragraph: str) -> str:
        """Blank a paragraph but keep its section header lines (sections span paragraphs): the lines
        a header match starting at a line start touches, as the sectionizer would match them."""
        if self.headers is None:
            return _NOT_NEWLINE.sub(" ", paragraph)
        kept: set[int] = set()
        # the newline after the paragraph ends some header patterns ("REVIEW OF SYSTEMS" on a line of its own)
        for match in self.headers.finditer(paragraph + "\n"):
            first = paragraph.count("\n", 0, match.start())
            kept.update(range(first, paragraph.count("\n", 0, max(match.start(), match.end() - 1)) + 1))
        if not kept:
            return _NOT_NEWLINE.sub(" ", paragraph)
        lines = paragraph.split("\n")
        return "\n".join(line if index in kept else " " * len(line) for index, line in enumerate(lines))


def _target_rule(rule: dict[str, Any]) -> _Rule:
    pattern = rule.get("pattern")
    if pattern is None:
        literal = str(rule["literal"])
        return _Rule(re.compile(r"(?<!\w)" + re.escape(literal) + r"(?!\w)", re.IGNORECASE), ((caseless(literal),),), False,
                     rule_id(rule))
    if not isinstance(pattern, str):
        raise ValueError("token-pattern targets cannot be prefiltered")
    sets = required_literal_sets(pattern)
    return _Rule(re.compile(pattern, re.IGNORECASE), tuple(tuple(sorted(s)) for s in sets), True, rule_id(rule))


def _header_regex(rules: RuleSet) -> re.Pattern[str] | None:
    """Header matches at line starts (the sectionizer requires headers to start a line)."""
    parts = []
    for rule in rules.sections:
        pattern = rule.get("pattern")
        parts.append(pattern if isinstance(pattern, str) else re.escape(str(rule["literal"])))
    if not parts:
        return None
    return re.compile(r"(?m)^[ \t]*(?:" + "|".join(f"(?:{p})" for p in parts) + ")", re.IGNORECASE)


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
    return EXACT + run if exact else caseless(run)


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
