"""Numbers written as words in dictated notes ("nine percent blasts", "eighty-eight percent")."""

from __future__ import annotations

import re

_UNITS = "zero one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
# The same alternation is written into rules/targets.json (BLASTS patterns); keep them in step.
NUMBER_WORD = (
    r"(?:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(_UNITS[1:]) + r"))?"
    r"|" + "|".join(_TEENS) + r"|(?:one|a)\s+hundred|" + "|".join(_UNITS) + r")"
)
_VALUES = {word: n for n, word in enumerate(_UNITS)} | {word: 10 + n for n, word in enumerate(_TEENS)}
_TENS_VALUES = {word: 20 + 10 * n for n, word in enumerate(_TENS)}
_NUMBER = re.compile(r"^\s*(" + NUMBER_WORD + r")\s*$", re.IGNORECASE)


def parse_number(text: str) -> float | None:
    """'62', '3.5', 'nine', 'eighty-eight', 'one hundred' -> the number; anything else -> None."""
    text = text.strip().lower()
    try:
        return float(text)
    except ValueError:
        pass
    if not _NUMBER.match(text):
        return None
    if text.endswith("hundred"):
        return 100.0
    parts = re.split(r"[- ]", text)
    if parts[0] in _TENS_VALUES:
        return float(_TENS_VALUES[parts[0]] + (_VALUES[parts[1]] if len(parts) > 1 else 0))
    return float(_VALUES[parts[0]])
