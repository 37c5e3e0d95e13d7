"""Fold runs of spaces and tabs into one space, with offsets mapped both ways; fold case as re does.

Exports pad with spaces and tabs ("negative   for DVT"); spaCy makes each extra run a token,
which breaks every multi-word cue and rule. Matching on folded text and mapping offsets back
keeps the evidence exact. The prefilter folds a second time (the paragraphs it blanks) and maps
the target matches it already found forward into the text the pipeline sees.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_SPACE_RUN = re.compile(r"[ \t\u00a0]{2,}|[\t\u00a0]")


class Folded:
    """A folded text; the offset maps are built on first use (most notes never need them)."""

    def __init__(self, text: str, source: str | None = None) -> None:
        self.text = text
        self._source = source  # the unfolded text, when folding changed it
        self._maps: tuple[list[int], list[int], list[int]] | None = None

    @property
    def changed(self) -> bool:
        return self._source is not None

    def to_source(self, offset: int) -> int:
        """The source offset of an offset in the folded text."""
        folded_ends, _source_ends, removed = self._offset_maps()
        index = bisect_right(folded_ends, offset)
        return offset + (removed[index - 1] if index else 0)

    def from_source(self, offset: int) -> int:
        """The folded offset of a source offset outside the folded runs."""
        _folded_ends, source_ends, removed = self._offset_maps()
        index = bisect_right(source_ends, offset)
        return offset - (removed[index - 1] if index else 0)

    def _offset_maps(self) -> tuple[list[int], list[int], list[int]]:
        """For each folded run: the folded and source offsets just after it, and the characters
        removed up to and including it."""
        if self._maps is None:
            folded_ends: list[int] = []
            source_ends: list[int] = []
            removed_so_far: list[int] = []
            removed = 0
            for match in _SPACE_RUN.finditer(self._source or ""):
                removed += match.end() - match.start() - 1
                source_ends.append(match.end())
                folded_ends.append(match.end() - removed)
                removed_so_far.append(removed)
            self._maps = (folded_ends, source_ends, removed_so_far)
        return self._maps


def fold_spaces(text: str) -> Folded:
    """Each run of two or more spaces, tabs or no-break spaces, and each tab or no-break space, becomes one space."""
    if "  " not in text and "\t" not in text and "\u00a0" not in text:
        return Folded(text)
    return Folded(_SPACE_RUN.sub(" ", text), text)


def caseless(text: str) -> str:
    """The text lower-cased the way re.IGNORECASE compares characters.

    str.lower() leaves "ſ" (long s) and "ı" (dotless i) alone and turns "İ" into two characters,
    while the regexes match them as s and i: "beſponſa" is Besponsa to the target matcher, so the
    literal tests must find "besponsa" in it.
    """
    if not text.isascii() and _REFOLDED.search(text):
        text = text.translate(_REFOLD)
    return text.lower()


def _refold_table() -> dict[int, int]:
    """Characters whose str.lower() differs from re's case folding, each mapped to one character of its
    re class (the least): re lower-cases by the simple mapping and adds the classes of re._casefix."""
    import _sre  # type: ignore[import-not-found]  # the regex engine's own lower-casing
    from re import _casefix  # type: ignore[attr-defined]

    def folded(cp: int) -> int:
        lower = _sre.unicode_tolower(cp)
        return min((lower, *_casefix._EXTRA_CASES.get(lower, ())))

    members = {0x130} | {cp for lower, extra in _casefix._EXTRA_CASES.items() for cp in (lower, *extra)}
    members |= {ord(chr(cp).upper()) for cp in set(members) if len(chr(cp).upper()) == 1}
    return {cp: folded(cp) for cp in sorted(members) if chr(cp).lower() != chr(folded(cp))}


_REFOLD = _refold_table()
_REFOLDED = re.compile("[" + "".join(map(chr, _REFOLD)) + "]")
