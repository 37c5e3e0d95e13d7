"""Undo OCR letter-for-digit confusions inside numeric dates: "1l/03/2020", "O8/04/2020".

Scanned faxes turn 1 into l or I and 0 into O or o. Inside a token that is a date once those letters
are read as digits (and has most of its digits already), they are digits; anywhere else they are
letters and stay so. The repair keeps every character's offset, so spans still index the note.
"""

from __future__ import annotations

import re

_OCR_DIGIT = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0", "o": "0"})
# d/m/y or m/d/y (or with - or .) where a field holds one of the confusable letters.
_NEAR_DATE = re.compile(
    r"(?<![\w/.\-])[\dlIOo|]{1,2}(?P<s>[/.\-])[\dlIOo|]{1,2}(?P=s)(?:[\dlIOo|]{4}|[\dlIOo|]{2})(?![\w/])"
)
_DATE_SHAPE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})")
_MIN_REAL_DIGITS = 5  # "lO/Ol/2O2O" is too little of a date to trust


def repair_date_digits(text: str) -> str:
    """The text with OCR letters read as digits inside tokens that are then valid dates.

    Returns the same text when nothing changes; the result always has the same length.
    """
    if not any(ch in text for ch in "lIOo|"):
        return text
    pieces: list[str] = []
    last = 0
    for m in _NEAR_DATE.finditer(text):
        token = m.group()
        if token.isascii() and token.replace("/", "").replace(".", "").replace("-", "").isdigit():
            continue  # already digits
        fixed = token.translate(_OCR_DIGIT)
        shape = _DATE_SHAPE.fullmatch(fixed)
        if shape is None or sum(ch.isdigit() for ch in token) < _MIN_REAL_DIGITS:
            continue
        a, b = int(shape[1]), int(shape[2])
        if not (1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)):
            continue
        pieces += [text[last : m.start()], fixed]
        last = m.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)
