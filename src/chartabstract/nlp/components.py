"""spaCy components registered by chartabstract, built only by ``pipeline.build_nlp``.

Clinical notes break sentences at line ends as often as at full stops: headers, list items,
table rows and copy-forward history lines carry no punctuation. spaCy's rule sentencizer
only knows punctuation, and PyRuSH (medspaCy's default) is about five times slower here,
so this splitter adds line-aware boundaries to the punctuation ones (bench/throughput_bench.py).
"""



import re
from bisect import bisect_left, bisect_right

from medspacy.common.medspacy_matcher import MedspacyMatcher
from medspacy.common.regex_matcher import RegexMatcher
from medspacy.common.util import prune_overlapping_matches
from medspacy.context import ConText, ConTextGraph, ConTextModifier
from medspacy.util import tuple_overlaps
from medspacy.section_detection import Section, Sectionizer
from medspacy.target_matcher import TargetMatcher
import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language

from chartabstract.nlp.prefilter import EXACT, required_literal_sets
from chartabstract.nlp.scanner import RuleScanner
from spacy.tokens import Doc, Span

_SENTENCE_END = {".", "!", "?", ";"}
_CAN_END = re.compile(r"[\n.!?;]")  # where a token that may end a sentence lies
_LINE_START = re.compile(r"^(?:[-*•#>]|\d{1,2}[.)]|[A-Z][A-Za-z /&]{0,40}:|[A-Z]{2,})")


@Language.factory("chartabstract_sentencizer")
def make_sentencizer(nlp: Language, name: str) -> "ClinicalSentencizer":
    """Factory for the line-aware clinical sentence splitter."""
    return ClinicalSentencizer()


class ClinicalSentencizer:
    """Split at sentence punctuation, blank lines, and line breaks that start a new item.

    A single line break continues the sentence only when the text simply wraps: the previous
    line does not end a sentence or a header, and the next line starts in lower case.
    """

    def __call__(self, doc: Doc) -> Doc:
        """Decide only at the tokens that can end a sentence (found in the text by a regex), and
        write every boundary at once: a Python loop over all tokens was this splitter's cost."""
        size = len(doc)
        if not size:
            return doc
        text = doc.text
        offsets = doc.to_array(IDX).tolist()
        candidates = sorted({bisect_right(offsets, m.start()) - 1 for m in _CAN_END.finditer(text)})
        starts = numpy.full(size, -1, dtype="int64")
        starts[0] = 1
        for i in candidates:
            if i < 0 or i >= size - 1:
                continue
            token = doc[i]
            nxt = doc[i + 1]
            if (token.is_space and "\n" in token.text) or "\n" in token.whitespace_:
                start = self._breaks_line(doc, i, text)
            elif token.text == ";":
                start = True
            elif token.text in _SENTENCE_END and (token.whitespace_ or nxt.is_space):
                upcoming = nxt.text[:1]
                start = (upcoming.isupper() or upcoming.isdigit() or nxt.is_space) and not _is_abbreviation(doc, i)
            else:
                continue
            if start:
                starts[i + 1] = 1
        doc.from_array([SENT_START], starts.astype("uint64").reshape(-1, 1))
        return doc

    @staticmethod
    def _breaks_line(doc: Doc, i: int, text: str) -> bool:
        token = doc[i]
        if (token.text + token.whitespace_).count("\n") >= 2:
            return True
        prev = doc[i - 1] if token.is_space and i > 0 else token
        nxt_index = i + 1
        while nxt_index < len(doc) and doc[nxt_index].is_space:
            nxt_index += 1
        if nxt_index >= len(doc):
            return True
        nxt = doc[nxt_index]
        if prev.text in _SENTENCE_END or prev.text in {":", "|"}:
            return True
        if _open_parenthesis(text, token.idx + (token.text + token.whitespace_).index("\n")):
            return False  # "(Day 0\n12 June 2019)": a parenthesis wrapped onto the next line
        line = text[nxt.idx : nxt.idx + 48]
        if _LINE_START.match(line) or nxt.text[:1].isdigit() or nxt.text[:1].isupper():
            return True
        return False


def _open_parenthesis(text: str, position: int) -> bool:
    """The line ending at ``position`` opens a parenthesis it does not close."""
    line = text[text.rfind("\n", 0, position) + 1 : position]
    return line.count("(") > line.count(")")


def _is_abbreviation(doc: Doc, i: int) -> bool:
    """'Dr.', 'approx.', 'vs.' and single letters do not end a sentence."""
    if doc[i].text != "." or i == 0:
        return False
    prev = doc[i - 1].text.lower()
    return prev in {"dr", "vs", "approx", "e.g", "i.e", "mr", "mrs", "ms", "st", "fig", "dept"} or (len(prev) == 1 and prev.isalpha())


class FastRegexMatcher(RegexMatcher):
    """medspaCy's RegexMatcher with the same results, minus two costs that dominated profiles.

    medspaCy 1.3.1 rebuilds ``doc.text_with_ws`` for every pattern and walks every token to
    align each match; on the sample corpus that was half of all pipeline time
    (bench/throughput_bench.py). Here the text and token offsets are computed once per doc
    and matches are aligned by binary search, snapping outward exactly as medspaCy does.
    """

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
    """The text, its lower case and every token's offset, computed once per doc for all matchers."""
    cached = doc.user_data.get(_OFFSETS_KEY)
    if cached is None or len(cached[2]) != len(doc):
        text = doc.text_with_ws
        cached = (text, text.lower(), doc.to_array(IDX).tolist())
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

    def __call__(self, doc: Doc) -> Doc:
        if self._parent_sections or self.require_end_line or self._apply_sentence_boundary or self.max_section_length is not None:
            return super().__call__(doc)
        matcher = self._Sectionizer__matcher  # type: ignore[attr-defined]
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
    return all(
        any((lit[1:] in text) if lit[0] == EXACT else (lit in low) for lit in options)
        for options in _REQUIREMENTS[pattern]
    )


def _token_at_or_before(starts: list[int], char: int) -> int:
    """Index of the token containing ``char`` (medspaCy's resolve='left')."""
    return max(bisect_right(starts, char) - 1, 0)


def _token_at_or_after(starts: list[int], char: int) -> int:
    """Exclusive end index for a match ending at ``char`` (medspaCy's resolve='right')."""
    index = bisect_left(starts, char)
    return index


def use_fast_regex(component: object) -> list[FastRegexMatcher]:
    """Swap the RegexMatcher inside a medspaCy component's matcher for FastRegexMatcher."""
    swapped = []
    for name, value in vars(component).items():
        if name.endswith("__matcher"):
            inner = vars(value).get("_MedspacyMatcher__regex_matcher")
            if isinstance(inner, RegexMatcher):
                inner.__class__ = FastRegexMatcher
                swapped.append(inner)
    return swapped


def skip_pattern_validation(component: object) -> None:
    """Turn off spaCy's pattern validation in a medspaCy component's token Matcher (rules that
    ``load_rules`` has validated already: 0.13 s of every worker's start)."""
    for name, value in vars(component).items():
        if name.endswith("__matcher"):
            inner = vars(value).get("_MedspacyMatcher__matcher")
            if inner is not None and hasattr(inner, "validate"):
                inner.validate = False


class TargetSentenceMatcher(MedspacyMatcher):
    """ConText's matcher, run only on the sentences that hold a target.

    ConText scopes never leave their sentence (no window is configured), so a cue elsewhere can
    modify nothing; matching the whole document was the largest cost of the pipeline. The same
    matches are found in the sentences that matter (tests/nlp/test_components.py).
    """

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        sentences = {ent.sent.start: ent.sent for ent in doc.ents}
        if not sentences:
            return []
        token_matcher = self._MedspacyMatcher__matcher  # type: ignore[attr-defined]
        phrase_matcher = self._MedspacyMatcher__phrase_matcher  # type: ignore[attr-defined]
        regex_matcher = self._MedspacyMatcher__regex_matcher  # type: ignore[attr-defined]
        matches: list[tuple[int, int, int]] = []
        for start in sorted(sentences):
            sent = sentences[start]
            # spaCy's Matcher answers in span offsets, its PhraseMatcher in document offsets
            matches += [(m, s + sent.start, e + sent.start) for m, s, e in token_matcher(sent)]
            matches += phrase_matcher(sent)
        if regex_matcher._patterns:
            inside = [(s.start, s.end) for s in sentences.values()]
            matches += [m for m in regex_matcher(doc) if any(a <= m[1] and m[2] <= b for a, b in inside)]
        return prune_overlapping_matches(matches) if self._prune else matches


def scope_context_to_target_sentences(context: object) -> None:
    """Swap ConText's matcher for TargetSentenceMatcher and ConText for SentenceScopedConText
    (the same matches, scopes and modifiers where they can matter)."""
    matcher = vars(context).get("_ConText__matcher")
    if isinstance(matcher, MedspacyMatcher):
        matcher.__class__ = TargetSentenceMatcher
    if isinstance(context, ConText):
        context.__class__ = SentenceScopedConText


class SentenceContextGraph(ConTextGraph):
    """medspaCy's ConTextGraph comparing only the modifiers and targets of one sentence.

    medspaCy compares every modifier with every other one and with every target of the document:
    quadratic in a long note, and most of ConText's time on oncology notes. Without a ConText
    window a scope never leaves its modifier's sentence, and two modifiers or a modifier and a
    target in different sentences never overlap, so those comparisons change nothing. The pairs
    left are compared in medspaCy's order (tests/nlp/test_components.py).
    """

    def __init__(self, sentence_of: list[int], prune_on_modifier_overlap: bool) -> None:
        super().__init__(prune_on_modifier_overlap=prune_on_modifier_overlap)
        self._sentence_of = sentence_of  # token index -> sentence number

    def _by_sentence(self) -> dict[int, list[object]]:
        groups: dict[int, list[object]] = {}
        for modifier in self.modifiers:
            groups.setdefault(self._sentence_of[modifier.modifier_span[0]], []).append(modifier)
        return groups

    def update_scopes(self) -> None:
        for group in self._by_sentence().values():
            for i, first in enumerate(group):
                for second in group[i + 1 :]:
                    first.limit_scope(second)
                    second.limit_scope(first)

    def apply_modifiers(self) -> None:
        if self.prune_on_modifier_overlap:
            for i in range(len(self.modifiers) - 1, -1, -1):
                span = self.modifiers[i].modifier_span
                if any(tuple_overlaps((target.start, target.end), span) for target in self.targets):
                    self.modifiers.pop(i)
        groups = self._by_sentence()
        order = {id(modifier): i for i, modifier in enumerate(self.modifiers)}
        for target in self.targets:
            first, last = self._sentence_of[target.start], self._sentence_of[target.end - 1]
            candidates = groups.get(first, []) if first == last else sorted(
                (m for n in range(first, last + 1) for m in groups.get(n, [])), key=lambda m: order[id(m)])
            for modifier in candidates:
                if modifier.modifies(target):
                    modifier.modify(target)
        edges = []
        for modifier in self.modifiers:
            modifier.reduce_targets()
            edges += [(target, modifier) for target in modifier._targets]
        self.edges = edges


class SentenceScopedConText(ConText):
    """medspaCy's ConText (1.3.1's ``__call__``) building a SentenceContextGraph; with a ConText
    window (``max_scope``) scopes may leave their sentence and medspaCy's own code runs."""

    def __call__(self, doc: Doc, targets: str | None = None) -> Doc:
        if self.max_scope is not None or targets or self.input_span_type != "ents":
            return super().__call__(doc, targets)
        starts = doc.to_array([SENT_START]).reshape(-1) == 1
        graph = SentenceContextGraph((starts.cumsum() - 1).tolist(), self.prune_on_target_overlap)
        graph.targets = doc.ents
        matcher = self._ConText__matcher  # type: ignore[attr-defined]
        for match_id, start, end in matcher(doc):
            rule = matcher.rule_map[self.nlp.vocab[match_id].text]
            graph.modifiers.append(ConTextModifier(rule, start, end, doc, max_scope=self.max_scope))
        graph.update_scopes()
        graph.apply_modifiers()
        for target, modifier in graph.edges:
            target._.modifiers += (modifier,)
        if self.context_attributes_mapping:
            self.set_context_attributes(graph.edges)
        doc._.context_graph = graph
        return doc


@Language.factory("chartabstract_needing_targets")
def make_needing_targets(nlp: Language, name: str) -> "NeedingTargets":
    return NeedingTargets(nlp)


class NeedingTargets:
    """Targets that count only beside a match of another category in their sentence.

    A cause of death ("sepsis", "progressive leukemia") is one only in a sentence that states a
    death. These rules (metadata ``needs``) run after the main target matcher, in a matcher of
    their own, so they never shadow a target of another concept; a match is kept in a sentence
    holding a target of the needed category, where it overlaps no target.
    """

    def __init__(self, nlp: Language) -> None:
        self.matcher = TargetMatcher(nlp, name="chartabstract_needing_targets", result_type=None)

    def add(self, rules: list[object]) -> None:
        self.matcher.add(rules)

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        if not ents:
            return doc
        needed_sentences: dict[str, set[int]] = {}
        listed = list_sentences(doc, ents)
        for ent in ents:
            needed_sentences.setdefault(ent.label_, set()).add(ent.sent.start)
            if ent.start in listed:
                needed_sentences[ent.label_] |= listed[ent.start]
        taken = {i for ent in ents for i in range(ent.start, ent.end)}
        added = []
        for span in self.matcher(doc):
            needed = (span._.target_rule.metadata or {}).get("needs")
            if span.sent.start not in needed_sentences.get(needed, ()):
                continue
            if any(i in taken for i in range(span.start, span.end)):
                continue
            taken.update(range(span.start, span.end))
            added.append(span)
        if added:
            doc.ents = sorted(ents + added, key=lambda span: span.start)
        return doc


def list_sentences(doc: Doc, ents: list[object], text: str | None = None) -> dict[int, set[int]]:
    """The sentences under a heading target (rule metadata ``heads_list``) that ends its line with
    ":", up to a blank line: "Cause of death:" then "1a Neutropenic sepsis", "1b Relapsed B-ALL".

    Returns the heading target's start token -> the starts of the sentences it heads (its own too).
    """
    found: dict[int, set[int]] = {}
    for ent in ents:
        rule = ent._.target_rule  # type: ignore[attr-defined]
        if rule is None or not (rule.metadata or {}).get("heads_list"):
            continue
        text = text if text is not None else doc.text
        block_end = text.find("\n\n", ent.end_char)  # type: ignore[attr-defined]
        block_end = len(text) if block_end < 0 else block_end
        starts = {ent.sent.start}  # type: ignore[attr-defined]
        sent = ent.sent  # type: ignore[attr-defined]
        while sent.end < len(doc) and doc[sent.end].idx < block_end:
            sent = doc[sent.end].sent
            starts.add(sent.start)
        found[ent.start] = starts  # type: ignore[attr-defined]
    return found
