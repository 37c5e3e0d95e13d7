"""Fold runs of spaces and tabs into one space, with offsets mapped both ways.

Exports pad with spaces and tabs ("negative   for DVT"); spaCy makes each extra run a token,
which breaks every multi-word cue and rule. Matching on folded text and mapping offsets back
keeps the evidence exact. The prefilter folds a second time (the paragraphs it blanks) and maps
the target matches it already found forward into the text the pipeline sees.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_SPACE_RUN = re.compile(r"[ \t\u00a0]{2,}|[\t\u00a0]")


@dataclass(frozen=True)
class Folded:
    """A folded text and the runs it folded."""

    text: str
    folded_ends: tuple[int, ...] = ()  # offset in ``text`` just after each folded run
    source_ends: tuple[int, ...] = ()  # offset in the source just after each folded run
    removed: tuple[int, ...] = ()  # characters removed up to and including each run

    def to_source(self, offset: int) -> int:
        """The source offset of an offset in the folded text."""
        index = bisect_right(self.folded_ends, offset)
        return offset + (self.removed[index - 1] if index else 0)

    def from_source(self, offset: int) -> int:
        """The folded offset of a source offset outside the folded runs."""
        index = bisect_right(self.source_ends, offset)
        return offset - (self.removed[index - 1] if index else 0)


def fold_spaces(text: str) -> Folded:
    """Each run of two or more spaces, tabs or no-break spaces, and each tab or no-break space, becomes one space."""
    if "  " not in text and "\t" not in text and "\u00a0" not in text:
        return Folded(text)
    folded_ends: list[int] = []
    source_ends: list[int] = []
    removed_so_far: list[int] = []
    removed = 0
    pieces = []
    last = 0
    for match in _SPACE_RUN.finditer(text):
        pieces.append(text[last : match.start()])
        pieces.append(" ")
        removed += len(match.group()) - 1
        source_ends.append(match.end())
        folded_ends.append(match.end() - removed)
        removed_so_far.append(removed)
        last = match.end()
    pieces.append(text[last:])
    return Folded("".join(pieces), tuple(folded_ends), tuple(source_ends), tuple(removed_so_far))
