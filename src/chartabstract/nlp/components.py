"""Targets that need another concept in their sentence, registered as "chartabstract_needing_targets"."""

# no "from __future__ import annotations": spaCy reads the factory's annotations as types

import re

from medspacy.target_matcher import TargetMatcher
from spacy.language import Language
from spacy.tokens import Doc, Span

from chartabstract.nlp.doc_text import doc_text, sentence_of


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
        self._needed: set[str | None] = set()  # the categories a needing rule looks for (death)

    def add(self, rules: list[object]) -> None:
        self.matcher.add(rules)
        self._needed |= {(rule.metadata or {}).get("needs") for rule in rules}  # type: ignore[attr-defined]

    def __call__(self, doc: Doc) -> Doc:
        ents = list(doc.ents)
        if not ents:
            return doc
        needed_sentences: dict[str, set[int]] = {}
        # (category, sentence) -> the token a needing match must start at or after: a death in a
        # history line ("Course summary: B-ALL dx -> relapse -> HSCT -> death.") names as causes only
        # what follows it ("... and died of sepsis"), not the chronology before it
        needed_from: dict[tuple[str, int], int] = {}
        listed = list_sentences(doc, ents)
        text = doc_text(doc)
        for ent in ents:
            if ent.label_ not in self._needed:
                continue  # only the sentences of a needed category (a death) are indexed
            # spaCy's Span.sent checks the whole document's annotation on every call: quadratic in
            # a long note (a 60 KB note took a minute); sentence_of answers from one index
            sent = sentence_of(ent)
            needed_sentences.setdefault(ent.label_, set()).add(sent.start)
            own_from = ent.end if in_non_cause_field(text, ent.start_char) else 0
            key = (ent.label_, sent.start)
            needed_from[key] = min(needed_from.get(key, own_from), own_from)
            for start in listed.get(ent.start, ()):
                needed_sentences[ent.label_].add(start)
                needed_from[(ent.label_, start)] = 0 if start != sent.start else needed_from[key]
            following = cause_sentence_after(doc, sent)
            if following is not None:
                needed_sentences[ent.label_].add(following.start)
                needed_from[(ent.label_, following.start)] = 0
        # a pseudo-target (IGNORE) inside a longer needing match gives way to it, as medspaCy keeps
        # the longest of overlapping matches: "relapsed/refractory" names no relapse, but "died of
        # progressive relapsed/refractory B-ALL" is a cause of death
        taken = {i for ent in ents if ent.label_ != "IGNORE" for i in range(ent.start, ent.end)}
        ignored = [ent for ent in ents if ent.label_ == "IGNORE"]
        added = []
        for span in self.matcher(doc):
            needed = (span._.target_rule.metadata or {}).get("needs")
            start = sentence_of(span).start
            if start not in needed_sentences.get(needed, ()) or span.start < needed_from.get((needed, start), 0):
                continue
            if any(i in taken for i in range(span.start, span.end)):
                continue
            if any(_overlap(span, ent) and not _inside(ent, span) for ent in ignored):
                continue
            taken.update(range(span.start, span.end))
            added.append(span)
        if added:
            kept = [ent for ent in ents if not (ent.label_ == "IGNORE" and any(_inside(ent, span) for span in added))]
            doc.ents = sorted(kept + added, key=lambda span: span.start)
        return doc


# "... passed away on 13.11. in the hospice. Cause: progression of the relapsed ALL": the sentence
# after a death that opens with a cause label continues the death's statement
_CAUSE_LABEL = re.compile(
    r"\s*(?:cause|reason|todesursache)\w*(?:\s+of\s+death)?"
    r"(?:\s*\([^()\n]{0,60}\)|\s+(?:per|as\s+per|according\s+to|from|on)\s+[^:\n]{1,30})?\s*:",  # "Cause per GP:", "Cause (family):"
    re.IGNORECASE)


# A death summary written without blank lines goes on under its cause with other fields: "Hx: ...",
# "Course summary: ...", "Leukemia status at death: ...". A line opening with a history, course or
# status label ends the cause list (a "Due to:" or "Contributing:" line continues it)
_NON_CAUSE_FIELD = re.compile(
    r"^[ \t]*(?:[\w+/-]+[ \t]+){0,3}?(?:hx|history|course|summary|status|timeline|background|autopsy)\b[^:\n]{0,30}:",
    re.IGNORECASE | re.MULTILINE,
)


def in_non_cause_field(text: str, at: int) -> bool:
    """True when the line holding character ``at`` opens with a history, course or status label."""
    return bool(_NON_CAUSE_FIELD.match(text, text.rfind("\n", 0, at) + 1))


_CAUSE_SENTENCES_AFTER = 3  # "Death certified 23:40 on 20/06." "Husband present." then "Cause: 1(a) ..."


def cause_sentence_after(doc: Doc, sent: Span) -> Span | None:
    """A sentence opening with a cause label among the few written after a death statement: it
    continues the death's statement."""
    for _ in range(_CAUSE_SENTENCES_AFTER):
        following = _next_written_sentence(doc, sent)
        if following is None:
            return None
        if _CAUSE_LABEL.match(following.text):
            return following
        sent = following
    return None


def _next_written_sentence(doc: Doc, sent: Span) -> Span | None:
    """The sentence after ``sent``, past sentences of bare whitespace: "Expired on 2022/05/03 at
    04:12." then a line break the sentencizer keeps as its own sentence, then "Cause: ...".
    """
    while sent.end < len(doc):
        sent = sentence_of(doc[sent.end : sent.end + 1])
        if sent.text.strip():
            return sent
    return None


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _inside(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


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
        text = text if text is not None else doc_text(doc)
        block_end = text.find("\n\n", ent.end_char)  # type: ignore[attr-defined]
        block_end = len(text) if block_end < 0 else block_end
        field = _NON_CAUSE_FIELD.search(text, ent.end_char, block_end)  # type: ignore[attr-defined]
        block_end = field.start() if field else block_end
        sent = sentence_of(ent)  # type: ignore[arg-type]
        starts = {sent.start}
        while sent.end < len(doc) and doc[sent.end].idx < block_end:
            sent = sentence_of(doc[sent.end : sent.end + 1])
            starts.add(sent.start)
        found[ent.start] = starts  # type: ignore[attr-defined]
    return found
