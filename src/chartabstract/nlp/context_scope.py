"""ConText scoped to sentences: the same modifiers, without comparing across sentences.

Without a ConText window (``max_scope``) a cue's scope never leaves its sentence, so cues in
sentences without a target can modify nothing, and a cue and a target (or two cues) in different
sentences never interact. medspaCy matches and compares across the whole document; these classes
do the same work sentence by sentence (tests/nlp/test_components.py compares with medspaCy).
medspaCy's private attributes are read, and its objects swapped, through medspacy_adapter.
"""

from __future__ import annotations

from bisect import bisect_right

from medspacy.common.medspacy_matcher import MedspacyMatcher
from medspacy.common.util import prune_overlapping_matches
from medspacy.context import ConText, ConTextGraph, ConTextModifier
from spacy.attrs import SENT_START
from spacy.tokens import Doc

from chartabstract.nlp import medspacy_adapter
from chartabstract.nlp.doc_text import sentence_of


class TargetSentenceMatcher(MedspacyMatcher):
    """ConText's matcher, run only on the sentences that hold a target.

    ConText scopes never leave their sentence (no window is configured), so a cue elsewhere can
    modify nothing; matching the whole document was the largest cost of the pipeline. The same
    matches are found in the sentences that matter (tests/nlp/test_components.py).
    """

    medspacy_private = ("_prune",)  # checked by medspacy_adapter.swap_class

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        sentences = {sent.start: sent for sent in map(sentence_of, doc.ents)}
        if not sentences:
            return []
        token_matcher, phrase_matcher, regex_matcher = medspacy_adapter.private_matchers(self)
        matches: list[tuple[int, int, int]] = []
        for start in sorted(sentences):
            sent = sentences[start]
            # a cue may run on past its sentence's end ("targeted\nThursday 07/28"), as it does when
            # medspaCy matches the whole document: match a few tokens on, keep what starts inside
            span = doc[sent.start : min(len(doc), sent.end + _CUE_OVERHANG)]
            # spaCy's Matcher answers in span offsets, its PhraseMatcher in document offsets
            matches += [(m, s + sent.start, e + sent.start) for m, s, e in token_matcher(span) if s + sent.start < sent.end]
            matches += [(m, s, e) for m, s, e in phrase_matcher(span) if s < sent.end]
        if regex_matcher._patterns:
            inside = _Spans(sorted((s.start, s.end) for s in sentences.values()))
            matches += [m for m in regex_matcher(doc) if inside.holds(m[1], m[2])]
        return prune_overlapping_matches(matches) if self._prune else matches


_CUE_OVERHANG = 8  # tokens: longer than any cue rule's tail


def scope_context_to_target_sentences(context: object) -> None:
    """Swap ConText's matcher for TargetSentenceMatcher and ConText for SentenceScopedConText
    (the same matches, scopes and modifiers where they can matter)."""
    medspacy_adapter.swap_class(medspacy_adapter.component_matcher(context), TargetSentenceMatcher)
    medspacy_adapter.swap_class(context, SentenceScopedConText)


class _Spans:
    """Sorted, disjoint token spans (sentences, targets), asked by bisection which one holds a
    position: comparing with each span for every cue was quadratic in a long note."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self._spans = spans
        self._starts = [start for start, _end in spans]

    def holds(self, start: int, end: int) -> bool:
        """One span holds [start, end): the last one starting at or before ``start`` (it ends last)."""
        index = bisect_right(self._starts, start) - 1
        return index >= 0 and end <= self._spans[index][1]

    def overlapped_by(self, span: tuple[int, int]) -> bool:
        """medspaCy's ``tuple_overlaps(target, span)`` for some target: the span starts or ends in one."""
        return self.holds(span[0], span[0] + 1) or self.holds(span[1] - 1, span[1])


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
            targets = _Spans([(target.start, target.end) for target in self.targets])  # doc.ents: sorted, disjoint
            self.modifiers[:] = [m for m in self.modifiers if not targets.overlapped_by(m.modifier_span)]
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
        matcher = medspacy_adapter.component_matcher(self)
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
