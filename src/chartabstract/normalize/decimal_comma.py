"""Decimal commas of percentages ("61,8%", "blasts 0,5 %"), read as decimal points before the rules run.

Much of the world writes a decimal comma. A percent has no thousands separator, so one or two
digits after a comma, right before a percent sign, are its decimals: "61,8%" is 61.8, not 8
(the rules would otherwise start a number after the comma), and "0,5%" is 0.5. The comma
becomes a point in the text the pipeline reads; the replacement has the same length, so every
offset still points into the note as written (mentions keep the note's own "61,8%").

Left alone: lists ("CD19, CD22", "cycles 3,4", "5,10,15%": a comma next to another comma-group
is a list), numbers followed by a unit other than a percent (a dot-thousands count "14.300/uL" or
"Hb 8,9 g/dL" is no percentage, whatever its separator).
"""

from __future__ import annotations

import re

_DECIMAL_COMMA_PERCENT = re.compile(r"(?<![\d,.])(\d{1,3}),(\d{1,2})(?![\d,])(?=\s?(?:%|percent\b|por\s?ciento\b))", re.IGNORECASE)


def read_decimal_commas(text: str) -> str:
    """The text with the decimal comma of each percentage written as a point ("61,8%" -> "61.8%")."""
    if "," not in text:
        return text
    return _DECIMAL_COMMA_PERCENT.sub(r"\1.\2", text)
