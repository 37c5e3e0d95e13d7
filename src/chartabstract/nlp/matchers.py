"""medspaCy's matchers with the same matches, minus the costs that dominated profiles.

Each class here is swapped in for medspaCy's own by ``pipeline.build_nlp`` (``fast_regex=True``),
through medspacy_adapter, the one module that touches medspaCy's private internals;
``build_nlp(rules, fast_regex=False)`` builds medspaCy as shipped, and tests/nlp/test_components.py
checks that both find the same targets, modifiers and sections.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from medspacy.common.regex_matcher import RegexMatcher
from medspacy.section_detection import Section, Sectionizer
from medspacy.target_matcher import TargetMatcher
from spacy.attrs import IDX
from spacy.tokens import Doc, Span

from chartabstract.nlp import medspacy_adapter
from chartabstract.nlp.folding import caseless
from chartabstract.nlp.prefilter import literals_present, required_literal_sets
from chartabstract.nlp.scanner import RuleScanner


class FastRegexMatcher(RegexMatcher):
    """medspaCy's RegexMatcher with the same results, minus two costs that dominated profiles.

    medspaCy 1.3.1 rebuilds ``doc.text_with_ws`` for every pattern and walks every token to
    align each match; on the sample corpus that was half of all pipeline time
    (bench/throughput_bench.py). Here the text and token offsets are computed once per doc
    and matches are aligned by binary search, snapping outward exactly as medspaCy does.
    """

    medspacy_private = ("_patterns", "_callbacks")  # checked by medspacy_adapter.swap_class
    scanner: RuleScanner | None = None  # shared by the matchers of one pipeline (share_scanner)
    scanned: dict[str, int] = {}  # pattern text -> its index in the scanner

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        text, low, starts = _text_and_offsets(doc)
        provided = doc.user_data.get(PROVIDED_MATCHES) or {}
        possible = self._possible(doc, text)
        matches: list[tuple[int, int, int]] = []
        for match_id, patterns in self._patterns.items():
            on_match = self._callbacks[match_id]
            for pattern in patterns:
                spans = provided.get((pattern.pattern, pattern.flags))
                if spans is None:
                    index = self.scanned.get(pattern.pattern) if possible is not None and pattern.flags == _CASELESS else None
                    if index is not None and index not in possible:
                        continue  # the scanner found no possible match
                    if not may_match(pattern, text, low):
                        continue  # none of the strings every match contains is in the text
                    spans = [found.span() for found in pattern.finditer(text)]
                for found_start, found_end in spans:
                    start = _token_at_or_before(starts, found_start)
                    end = _token_at_or_after(starts, found_end)
                    if end > start:
                        matches.append((match_id, start, end))
                    if on_match is not None:
                        on_match(self, doc, len(matches) - 1, matches)
        return matches


    def _possible(self, doc: Doc, text: str) -> set[int] | None:
        """The scanner's answer for this doc, scanned once for all the matchers sharing it."""
        if self.scanner is None:
            return None
        cached = doc.user_data.get(_SCAN_KEY)
        if cached is None or cached[0] != id(self.scanner):
            cached = (id(self.scanner), self.scanner.may_match(text))
            doc.user_data[_SCAN_KEY] = cached
        return cached[1]


def share_scanner(matchers: list[FastRegexMatcher]) -> None:
    """One Hyperscan scan per document tells each of these matchers which of its regexes may match
    (scanner.py); without Hyperscan they keep their literal tests."""
    patterns = sorted({p.pattern for m in matchers for ps in m._patterns.values() for p in ps if p.flags == _CASELESS})
    scanner = RuleScanner.build(patterns)
    if scanner is None:
        return
    scanned = {pattern: i for i, pattern in enumerate(patterns) if i in scanner.scanned}
    for matcher in matchers:
        matcher.scanner, matcher.scanned = scanner, scanned


_CASELESS = re.compile("", re.IGNORECASE).flags  # how medspaCy's RegexMatcher compiles, and the scanner reads
_SCAN_KEY = "chartabstract_scanned"
_OFFSETS_KEY = "chartabstract_offsets"
# doc.user_data key: the prefilter's matches of the target regexes, {(pattern, flags): [(start, end)]},
# read by the target matcher instead of running those regexes again (removed once it has run)
PROVIDED_MATCHES = "chartabstract_provided_matches"


def _text_and_offsets(doc: Doc) -> tuple[str, str, list[int]]:
    """The text, its caseless form and every token's offset, computed once per doc for all matchers."""
    cached = doc.user_data.get(_OFFSETS_KEY)
    if cached is None or len(cached[2]) != len(doc):
        text = doc.text_with_ws
        cached = (text, caseless(text), doc.to_array(IDX).tolist())
        doc.user_data[_OFFSETS_KEY] = cached
    return cached


class BatchTargetMatcher(TargetMatcher):
    """medspaCy's TargetMatcher writing its spans into ``doc.ents`` once.

    medspaCy 1.3.1 adds each span with ``doc.ents += (span,)``, rebuilding every entity each
    time (quadratic in the spans of a note). Same rule: a span overlapping an entity already in
    the document is skipped; the matcher's own spans never overlap (pruned to the longest).
    """

    def __call__(self, doc: Doc) -> Doc | list[Span]:
        kind = self.result_type
        if not kind or kind.lower() != "ents":
            return super().__call__(doc)
        self.result_type = None
        try:
            spans = super().__call__(doc)
        finally:
            self.result_type = kind
            doc.user_data.pop(PROVIDED_MATCHES, None)  # for the target rules only
        existing = list(doc.ents)
        taken = {i for ent in existing for i in range(ent.start, ent.end)}
        added = []
        for span in spans:  # type: ignore[union-attr]
            if taken.isdisjoint(range(span.start, span.end)):
                taken.update(range(span.start, span.end))
                added.append(span)
        if added:
            doc.ents = sorted(existing + added, key=lambda span: span.start)
        return doc


class SectionListSectionizer(Sectionizer):
    """medspaCy's Sectionizer recording ``doc._.sections`` only.

    medspaCy also writes ``token._.section`` on every token and copies section attributes onto
    entities; chartabstract reads neither (extract.py reads ``doc._.sections``), and those
    per-token writes were most of the sectionizer's time. Options this copy does not cover
    (parent sections, end-of-line headers, section sentence boundaries, a maximum section
    length) fall back to medspaCy's own code.
    """

    medspacy_private = ("_parent_sections", "_apply_sentence_boundary")  # checked by medspacy_adapter.swap_class

    def __call__(self, doc: Doc) -> Doc:
        if self._parent_sections or self.require_end_line or self._apply_sentence_boundary or self.max_section_length is not None:
            return super().__call__(doc)
        matcher = medspacy_adapter.component_matcher(self)
        matches = matcher(doc)
        if self.require_start_line:
            matches = self.filter_start_lines(doc, matches)
        doc._.sections = []
        if not matches:
            doc._.sections.append(Section(None, 0, 0, 0, len(doc)))
            return doc
        if matches[0][1] != 0:
            doc._.sections.append(Section(None, 0, 0, 0, matches[0][1]))
        for i, (match_id, start, end) in enumerate(matches):
            rule = matcher.rule_map[self.nlp.vocab.strings[match_id]]
            last = i == len(matches) - 1
            stop = len(doc) if last else matches[i + 1][1]
            if rule.max_scope is not None:
                stop = min(end + rule.max_scope, doc[-1].i + 1 if last else stop)
            doc._.sections.append(Section(rule.category, start, end, end, stop, None, rule))
        return doc


_REQUIREMENTS: dict[re.Pattern[str], tuple[tuple[str, ...], ...]] = {}
_ALONGSIDE: dict[str, tuple[str, ...]] = {}  # pattern text -> literals one of which the text must also hold


def require_alongside(pattern: str, options: tuple[str, ...]) -> None:
    """Run a target regex only on texts holding one of ``options`` as well.

    For rules that ``need`` another category in their sentence (a cause of death needs a death
    statement): without a literal of that category no match of it can exist, and every match of
    this rule would be dropped, so skipping the regex changes nothing.
    """
    _ALONGSIDE[pattern] = options
    _REQUIREMENTS.clear()


def may_match(pattern: re.Pattern[str], text: str, low: str) -> bool:
    """False when the text lacks all of some set of literals one of which a match must contain."""
    if pattern not in _REQUIREMENTS:
        found = tuple(tuple(s) for s in required_literal_sets(pattern.pattern))
        alongside = _ALONGSIDE.get(pattern.pattern)
        _REQUIREMENTS[pattern] = found + ((alongside,) if alongside else ())
    return literals_present(_REQUIREMENTS[pattern], text, low)


def _token_at_or_before(starts: list[int], char: int) -> int:
    """Index of the token containing ``char`` (medspaCy's resolve='left')."""
    return max(bisect_right(starts, char) - 1, 0)


def _token_at_or_after(starts: list[int], char: int) -> int:
    """Exclusive end index for a match ending at ``char`` (medspaCy's resolve='right')."""
    index = bisect_left(starts, char)
    return index


def use_fast_regex(component: object) -> list[FastRegexMatcher]:
    """Swap the RegexMatcher inside a medspaCy component's matcher for FastRegexMatcher."""
    inner = medspacy_adapter.private_matchers(medspacy_adapter.component_matcher(component)).regex
    if not isinstance(inner, RegexMatcher):
        return []
    medspacy_adapter.swap_class(inner, FastRegexMatcher)
    return [inner]


def skip_pattern_validation(component: object) -> None:
    """Turn off spaCy's pattern validation in a medspaCy component's token Matcher (rules that
    ``load_rules`` has validated already: 0.13 s of every worker's start)."""
    inner = medspacy_adapter.private_matchers(medspacy_adapter.component_matcher(component)).token
    if hasattr(inner, "validate"):
        inner.validate = False
