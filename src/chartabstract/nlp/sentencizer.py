"""The line-aware clinical sentence splitter, registered as the spaCy component "chartabstract_sentencizer".

Clinical notes break sentences at line ends as often as at full stops: headers, list items,
table rows and copy-forward history lines carry no punctuation. spaCy's rule sentencizer
only knows punctuation, and PyRuSH (medspaCy's default) is about five times slower here,
so this splitter adds line-aware boundaries to the punctuation ones (bench/splitter_bench.py).
"""

# no "from __future__ import annotations": spaCy reads the factory's annotations as types

import re
from bisect import bisect_right

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

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
        width = max((len(line.rstrip()) for line in text.split("\n")), default=0)
        starts = numpy.full(size, -1, dtype="int64")
        starts[0] = 1
        for i in candidates:
            if i < 0 or i >= size - 1:
                continue
            token = doc[i]
            nxt = doc[i + 1]
            if (token.is_space and "\n" in token.text) or "\n" in token.whitespace_:
                start = self._breaks_line(doc, i, text, width)
            elif token.text == ";":
                start = True
            elif token.text in _SENTENCE_END and (token.whitespace_ or nxt.is_space):
                upcoming = nxt.text[:1]
                # "aGVHD", "cGVHD", "mAb": a lower-case prefix on a capitalised abbreviation still opens a sentence
                capital = upcoming.isupper() or (upcoming.islower() and nxt.text[1:2].isupper())
                start = (capital or upcoming.isdigit() or nxt.is_space) and not _is_abbreviation(doc, i)
            else:
                continue
            if start:
                starts[i + 1] = 1
        doc.from_array([SENT_START], starts.astype("uint64").reshape(-1, 1))
        return doc

    @staticmethod
    def _breaks_line(doc: Doc, i: int, text: str, width: int = 0) -> bool:
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
        if prev.text in _AWAITS_WHAT_FOLLOWS and _DATE_OPENS.match(line):
            return False  # "cycle 1 commenced" / "10th January 2022, completed ...": a wrapped line
        if _wrapped_at_width(text, token.idx + (token.text + token.whitespace_).index("\n"), width) and _PROSE_OPENS.match(line):
            return False  # a fixed-width export wrapped the sentence: "... Blinatumomab 28 mcg/day continuous" / "IV infusion started 02/27/23"
        if _MARKER_NAME.fullmatch(prev.text) and _MARKER_RESULT_OPENS.match(line):
            return False  # "..., CD22" / "PARTIAL (expressed on 55% of blasts)": a marker's result wrapped in a flow report
        if _LINE_START.match(line) or nxt.text[:1].isdigit() or nxt.text[:1].isupper():
            return True
        return False


# A line that ends on a word needing what follows (a preposition, or a start or stop verb awaiting
# its date) wraps when the next line opens with a date: letters wrap at a fixed width wherever
# the date falls. Case-sensitive: "ON" or "Started" ending a header line is no wrap.
_AWAITS_WHAT_FOLLOWS = frozenset({
    "on", "from", "since", "until", "of", "in", "at", "by", "to", "for", "and", "or", "the",
    "started", "commenced", "began", "begun", "initiated", "completed", "finished", "stopped", "given",
    "start", "begin", "due", "planned", "scheduled", "=",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
})
_DATE_OPENS = re.compile(
    r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{4}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    # lab style, any case: "18-JAN-2022", "2021-Mar-22"
    r"|\d{1,2}-(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*-\d{4}|\d{4}-(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*-\d{1,2}"
    # a clock time: "pronounced dead at" / "23:58 on 18-JAN-2022", "infusion started at" / "14:25"
    r"|(?:[01]?\d|2[0-3]):[0-5]\d(?:\s*h(?:rs?)?)?)\b"
)


_MARKER_NAME = re.compile(r"CD\d{1,3}[a-z]?|TdT", re.IGNORECASE)
_MARKER_RESULT_OPENS = re.compile(
    r"(?:positive|negative|partial(?:ly)?|dim(?:ly)?|bright|weak(?:ly)?|heterogeneous|variable|absent|expressed|not\s+expressed|pos|neg)\b",
    re.IGNORECASE)


# Fixed-width exports wrap prose at their width: a line that reaches within a few characters of
# the note's longest line and ends in a word, followed by a line that opens like prose (a word and
# a lower-case word, "IV infusion started ..."), is one sentence. Lists, labels and table rows
# (ending in a number, opening with a digit or a "Label:") still break.
_WRAP_SLACK = 15
_MIN_WRAP_WIDTH = 60
_PROSE_OPENS = re.compile(r"(?:[A-Z]{1,5}|[A-Z]?[a-z]+)\s+[a-z]{2,}\b(?![^\n]{0,30}:)")


def _wrapped_at_width(text: str, newline: int, width: int) -> bool:
    if width < _MIN_WRAP_WIDTH:
        return False
    line = text[text.rfind("\n", 0, newline) + 1 : newline].rstrip()
    return len(line) >= width - _WRAP_SLACK and line[-1:].isalpha()


def _open_parenthesis(text: str, position: int) -> bool:
    """The line ending at ``position`` opens a parenthesis it does not close; a ")" closing one
    the line before opened ("CNS1). She received ... (day 29 marrow 04/05/2019 with") does not
    close this line's."""
    depth = 0
    for char in text[text.rfind("\n", 0, position) + 1 : position]:
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
    return depth > 0


def _is_abbreviation(doc: Doc, i: int) -> bool:
    """'Dr.', 'approx.', 'vs.' and single letters do not end a sentence."""
    if doc[i].text != "." or i == 0:
        return False
    prev = doc[i - 1].text.lower()
    return prev in {"dr", "vs", "approx", "e.g", "i.e", "mr", "mrs", "ms", "st", "fig", "dept"} or (len(prev) == 1 and prev.isalpha())
