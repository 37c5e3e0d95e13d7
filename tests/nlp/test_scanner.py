"""The Hyperscan rule scanner may only widen: every rule Python's re matches, it reports."""

from __future__ import annotations

import json
import random
import re

import pytest

from chartabstract.nlp import scanner
from chartabstract.nlp.prefilter import Prefilter
from chartabstract.nlp.scanner import RuleScanner
from tests.conftest import EXTERNAL, SAMPLE_NOTES
from tests.nlp.test_prefilter import _generated_notes

pytestmark = pytest.mark.skipif(scanner.hyperscan is None, reason="no Hyperscan wheel for this platform")

# characters exports really carry, none of them where the two engines disagree
_UNICODE = ["é", "ü", "ß", "≥", "≤", "–", "—", "\u00a0", "\u2009", "µ", "°", "±", "“", "”", "’", "•", "½", "→", "😀", "Ω"]


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE_NOTES.glob("*/*.txt"))]
    external = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((EXTERNAL / "mtsamples").rglob("*.txt"))]
    assert len(external) == 259  # the corpus is the repository's own: it never quietly shrinks
    texts += external
    negex = EXTERNAL / "negex"
    texts += [line for p in sorted(negex.rglob("*")) if p.is_file() for line in p.read_text(errors="replace").splitlines()]
    texts += [note.text for note in _generated_notes(2000)]
    rng = random.Random(7)
    sprinkled = []  # Unicode dropped into words and spaces: "blinatumo–mab", "CD19\u00a0negative"
    for text in texts[:400]:
        chars = list(text)
        for _ in range(max(1, len(chars) // 60)):
            position = rng.randrange(len(chars) + 1)
            chars[position:position] = rng.choice(_UNICODE)
        sprinkled.append("".join(chars))
    return texts + sprinkled


@pytest.fixture(scope="module")
def prefilter(rules):
    return Prefilter(rules)


def test_scanner_reports_every_rule_that_matches(prefilter):
    assert prefilter.scanner is not None and len(prefilter.scanner.scanned) == len(prefilter.rules)
    checked = narrowed = 0
    for text in _texts():
        found = prefilter.scanner.may_match(text)
        assert found is not None, text[:80]  # none of these characters needs the literal tests
        for index, rule in enumerate(prefilter.rules):
            if rule.regex.search(text):
                assert index in found, (rule.regex.pattern[:60], text[:80])
                checked += 1
            elif index not in found and rule.may_match(text, text.lower()):
                narrowed += 1  # the literal tests would have run this regex for nothing
    assert checked > 5000
    assert narrowed > 1000  # and it is worth having


@pytest.mark.parametrize("text", ["blinatumomab\x1cstarted", "İnotuzumab", "blinatumomab \ud800", "x\u0560 blinatumomab"])
def test_scanner_leaves_disagreeing_characters_to_the_literal_tests(prefilter, text):
    assert prefilter.scanner.may_match(text) is None
    if "blinatumomab" in text:
        assert any("blin" in rule.regex.pattern for rule in prefilter.candidates(text))  # the literal tests let it run


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")
def test_scanner_skips_patterns_it_would_read_differently(tmp_path, monkeypatch):
    monkeypatch.setenv("CHARTABSTRACT_CACHE_DIR", str(tmp_path))
    patterns = [r"\bblin\w+", r"x{,3}y", r"[[:alpha:]]z", r"(?a)\w+q", r"caf\u00e9", r"blasts\s*[:=|]\s*\d+"]
    for pattern in patterns:
        re.compile(pattern)
    built = RuleScanner.build(patterns)
    assert built.scanned == frozenset({0, 5})  # "[:=|]" is an ordinary class in both
    assert built.may_match("Blinatumomab and xxy") == {0}  # unscanned patterns are never reported


def test_scanner_cache_is_reused_and_survives_corruption(tmp_path, monkeypatch):
    monkeypatch.setenv("CHARTABSTRACT_CACHE_DIR", str(tmp_path))
    patterns = [r"\bblin[a-z]{2,8}m[aou]b\b", r"\bCD[- ]?19\b"]
    monkeypatch.setattr(scanner, "_MEMORY", {})
    first = RuleScanner.build(patterns)
    [database] = tmp_path.glob("scanner-*.hsdb")
    assert json.loads(database.read_bytes().partition(b"\n")[0]) == [0, 1]
    assert len(list(tmp_path.glob("unicode-*.json"))) == 1

    monkeypatch.setattr(scanner, "_MEMORY", {})
    monkeypatch.setattr(scanner, "_compile", lambda *a: pytest.fail("compiled again despite the cache"))
    loaded = RuleScanner.build(patterns)
    text = "Blinatumomab started; CD19 negative"
    assert loaded.may_match(text) == first.may_match(text) == {0, 1}

    monkeypatch.undo()
    monkeypatch.setenv("CHARTABSTRACT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(scanner, "_MEMORY", {})
    database.write_bytes(b"[0, 1]\nnot a database")
    assert RuleScanner.build(patterns).may_match(text) == {0, 1}


def test_scanner_absent_prefilter_finds_the_same_matches(rules, monkeypatch):
    with_scanner = Prefilter(rules)
    monkeypatch.setattr(scanner, "hyperscan", None)
    literal_only = Prefilter(rules)
    assert literal_only.scanner is None
    for note in _generated_notes(300):
        a, b = with_scanner.reduce(note.text), literal_only.reduce(note.text)
        assert (a is None) == (b is None)
        if a is not None:
            assert a.text == b.text
            assert {k: v for k, v in a.matches.items() if v} == {k: v for k, v in b.matches.items() if v}


def test_scanner_absent_pipeline_gives_the_same_mentions(rules, nlp, monkeypatch):
    """Where no wheel exists (not x86-64) every scan falls back to the literal tests: same output."""
    from chartabstract.ingest import IngestReport, read_notes
    from chartabstract.nlp.extract import process_note
    from chartabstract.nlp.pipeline import build_nlp

    with_scanner = Prefilter(rules)
    monkeypatch.setattr(scanner, "hyperscan", None)
    literal_nlp, literal_prefilter = build_nlp(rules), Prefilter(rules)
    assert literal_prefilter.scanner is None
    for note in list(read_notes(SAMPLE_NOTES, IngestReport()))[::3]:
        assert process_note(literal_nlp, note, prefilter=literal_prefilter) == process_note(nlp, note, prefilter=with_scanner)


def test_scanner_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CHARTABSTRACT_CACHE_DIR", str(tmp_path / "own"))
    assert scanner.cache_dir() == tmp_path / "own"
    monkeypatch.delenv("CHARTABSTRACT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert scanner.cache_dir() == tmp_path / "xdg" / "chartabstract"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(scanner.os.path, "expanduser", lambda path: path)  # no home directory at all
    assert scanner.cache_dir().is_absolute() and scanner.cache_dir().parent == scanner.Path(scanner.tempfile.gettempdir())
