"""spaCy components registered by chartabstract, built only by ``pipeline.build_nlp``.

Clinical notes break sentences at line ends as often as at full stops: headers, list items,
table rows and copy-forward history lines carry no punctuation. spaCy's rule sentencizer
only knows punctuation, and PyRuSH (medspaCy's default) is about five times slower here,
so this splitter adds line-aware boundaries to the punctuation ones (bench/throughput_bench.py).
"""



import re

from spacy.language import Language
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
    return prev in {"dr", "vs", "approx", "pt", "e.g", "i.e", "mr", "mrs", "ms", "st", "no", "fig", "dept"} or len(prev) == 1
