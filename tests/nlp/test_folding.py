"""caseless() lower-cases as re.IGNORECASE compares, so literal tests agree with the regexes."""

from __future__ import annotations

import re

from chartabstract.nlp.folding import caseless


def test_folding_caseless_folds_as_re_ignorecase():
    every = "".join(chr(cp) for cp in range(0x30000) if not 0xD800 <= cp <= 0xDFFF)
    for char in set(re.findall("[a-z]", every, re.IGNORECASE)):
        assert caseless(char) in "abcdefghijklmnopqrstuvwxyz" and re.fullmatch(caseless(char), char, re.IGNORECASE), char
    assert caseless("Started BEſPONſA, İnotuzumab") == "started besponsa, inotuzumab"
