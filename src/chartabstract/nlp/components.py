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
from spacy.language import Language

from chartabstract.nlp.prefilter import EXACT, required_literals
from spacy.tokens import Doc

_SENTENCE_END = {".", "!", "?", ";"}
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
        starts = [False] * len(doc)
        if len(doc):
            starts[0] = True
        for i, token in enumerate(doc[:-1]):
            nxt = doc[i + 1]
            if (token.is_space and "\n" in token.text) or "\n" in token.whitespace_:
                starts[i + 1] = self._breaks_line(doc, i)
            elif token.text == ";":
                starts[i + 1] = True
            elif token.text in _SENTENCE_END and (token.whitespace_ or nxt.is_space):
                upcoming = nxt.text[:1]
                starts[i + 1] = (upcoming.isupper() or upcoming.isdigit() or nxt.is_space) and not _is_abbreviation(doc, i)
        for token, start in zip(doc, starts):
            token.is_sent_start = start
        return doc

    @staticmethod
    def _breaks_line(doc: Doc, i: int) -> bool:
        token = doc[i]
        text = token.text + token.whitespace_
        if text.count("\n") >= 2:
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
        line = doc.text[nxt.idx : nxt.idx + 48]
        if _LINE_START.match(line) or nxt.text[:1].isdigit() or nxt.text[:1].isupper():
            return True
        return False


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

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        text = doc.text_with_ws
        low = text.lower()
        starts = [token.idx for token in doc]
        matches: list[tuple[int, int, int]] = []
        for match_id, patterns in self._patterns.items():
            on_match = self._callbacks[match_id]
            for pattern in patterns:
                if not may_match(pattern, text, low):
                    continue  # none of the strings every match contains is in the text
                for found in pattern.finditer(text):
                    start = _token_at_or_before(starts, found.start())
                    end = _token_at_or_after(starts, found.end())
                    if end > start:
                        matches.append((match_id, start, end))
                    if on_match is not None:
                        on_match(self, doc, len(matches) - 1, matches)
        return matches


_LITERALS: dict[re.Pattern[str], tuple[str, ...] | None] = {}


def may_match(pattern: re.Pattern[str], text: str, low: str) -> bool:
    """False when the text lacks every literal a match of the pattern must contain."""
    if pattern not in _LITERALS:
        found = required_literals(pattern.pattern)
        _LITERALS[pattern] = tuple(found) if found else None
    literals = _LITERALS[pattern]
    if literals is None:
        return True
    return any((lit[1:] in text) if lit[0] == EXACT else (lit in low) for lit in literals)


def _token_at_or_before(starts: list[int], char: int) -> int:
    """Index of the token containing ``char`` (medspaCy's resolve='left')."""
    return max(bisect_right(starts, char) - 1, 0)


def _token_at_or_after(starts: list[int], char: int) -> int:
    """Exclusive end index for a match ending at ``char`` (medspaCy's resolve='right')."""
    index = bisect_left(starts, char)
    return index


def use_fast_regex(component: object) -> None:
    """Swap the RegexMatcher inside a medspaCy component's matcher for FastRegexMatcher."""
    for name, value in vars(component).items():
        if name.endswith("__matcher"):
            inner = vars(value).get("_MedspacyMatcher__regex_matcher")
            if isinstance(inner, RegexMatcher):
                inner.__class__ = FastRegexMatcher


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
    """Swap ConText's matcher for TargetSentenceMatcher (same matches where they can matter)."""
    matcher = vars(context).get("_ConText__matcher")
    if isinstance(matcher, MedspacyMatcher):
        matcher.__class__ = TargetSentenceMatcher
