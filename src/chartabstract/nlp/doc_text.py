"""The text and sentences of a processed document, computed once: spaCy rebuilds them on every access."""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Span

_TEXT_KEY = "chartabstract_text"
_SENTS_KEY = "chartabstract_sentences"


def remember_text(doc: Doc, text: str | None) -> None:
    """Keep the text the document was made from (``Doc.text`` joins every token on each access)."""
    doc.user_data[_TEXT_KEY] = text if text is not None else doc.text


def span_text(span: Span) -> str:
    """A span's text from the document text (``Span.text`` joins its tokens on every call)."""
    return doc_text(span.doc)[span.start_char : span.end_char]


def sentence_of(ent: Span) -> Span:
    """The sentence of a span, from a per-document index (spaCy's ``Span.sent`` walks the
    tokens on every call, and extraction asks for every target's sentence many times)."""
    doc = ent.doc
    cached = doc.user_data.get(_SENTS_KEY)
    if cached is None:
        sentences = list(doc.sents)
        cached = ([s.start for s in sentences], sentences)
        doc.user_data[_SENTS_KEY] = cached
    starts, sentences = cached
    return sentences[bisect_right(starts, ent.start) - 1]


def doc_text(doc: Doc) -> str:
    """The document text, computed once per document (spaCy joins every token on each access)."""
    cached = doc.user_data.get(_TEXT_KEY)
    return cached if cached is not None else doc.text
