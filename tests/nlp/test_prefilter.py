"""The prefilter changes speed, never output: identical mentions with and without it."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest

from chartabstract.models import Note
from chartabstract.nlp.extract import process_note
from chartabstract.nlp.prefilter import Prefilter, required_literal_sets, required_literals
from tests.conftest import EXTERNAL, SAMPLE_NOTES


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\bblin[a-z]{2,8}m[aou]b\b", {"blin"}),
    (r"\bbesponsa\b", {"besponsa"}),
    (r"\b(?:tisagenlecleucel|kymriah)\b", {"tisagenlecleucel", "kymriah"}),
    (r"(?-i:\bCAR)[- ]?T", {"\x00CAR"}),
    (r"\bno\s+(?:increase(?:d)?|excess)\s+blasts", {"blasts"}),
    (r"(?:\d+)?\s*%", {"%"}),
    (r"\d+", None),
])
def test_prefilter_required_literals(pattern, expected):
    assert required_literals(pattern) == expected


@pytest.mark.parametrize(("pattern", "expected"), [
    # every part of a sequence is required: all three words must be in the text
    (r"\bgraft[- ]+versus[- ]+host\s+disease\b", [{"graft"}, {"versus"}, {"host"}, {"disease"}]),
    # a branch that needs "cause" and "death" contributes "death" when another branch needs it
    (r"\b(?:died|cause\s+of\s+death|death)\b", [{"died", "death"}]),
    # a string every branch needs is required as well as one string of the branches
    (r"(?:anti[- ]cd|cd[- ]directed)", [{"anti", "directed"}, {"cd"}]),
    (r"\d+", []),
])
def test_prefilter_required_literal_sets(pattern, expected):
    assert required_literal_sets(pattern) == expected


def _paragraphs() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE_NOTES.glob("*/*.txt"))]
    external = [p.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
                for p in sorted((EXTERNAL / "mtsamples" / "general_medicine").glob("*.txt"))]
    assert len(external) == 259  # the corpus is the repository's own: it never quietly shrinks
    texts += external
    return [p for text in texts for p in re.split(r"\n\s*\n", text) if p.strip()]


def _generated_notes(count: int) -> list[Note]:
    """Notes stitched from random paragraphs of the sample and distractor notes (seeded)."""
    rng = random.Random(20261125)
    paragraphs = _paragraphs()
    notes = []
    for n in range(count):
        body = "\n\n".join(rng.sample(paragraphs, rng.randint(1, 4)))
        notes.append(Note(f"G{n % 50}", f"G{n % 50}/gen_{n}", date(2020, 1, 1) + (date(2020, 1, 2) - date(2020, 1, 1)) * (n % 300),
                          rng.choice(["progress", "bm_pathology", "discharge", "consult"]), body, "generated"))
    return notes


def _key(mentions):
    return [tuple(sorted(m.__dict__.items())) for m in mentions]


def test_prefilter_identical_on_sample_notes(nlp, rules):
    from chartabstract.ingest import IngestReport, read_notes

    prefilter = Prefilter(rules)
    for note in read_notes(SAMPLE_NOTES, IngestReport()):
        assert _key(process_note(nlp, note, prefilter=prefilter)) == _key(process_note(nlp, note)), note.note_id


def test_prefilter_identical_on_2000_generated_notes(nlp, rules):
    prefilter = Prefilter(rules)
    notes = _generated_notes(2000)
    skipped = 0
    for note in notes:
        with_prefilter = process_note(nlp, note, prefilter=prefilter)
        skipped += prefilter.reduce(note.text) is None
        assert _key(with_prefilter) == _key(process_note(nlp, note)), note.note_id
    assert skipped > 200  # the distractor-only notes really were skipped


# re.IGNORECASE matches "ſ" as s, "ı" and "İ" as i and "K" (Kelvin) as k, str.lower() does not; "ﬁ" is neither
_FOLDING = {"s": "\u017f", "i": "\u0131", "I": "\u0130", "k": "\u212a", "K": "\u212a", "fi": "\ufb01"}


def _sprinkled(text: str, rng: random.Random) -> str:
    return re.sub("fi|[siIkK]", lambda m: _FOLDING[m.group()] if rng.random() < 0.3 else m.group(), text)


@pytest.mark.parametrize("text", ["Started beſponſa on 3/4/2019.", "Started İnotuzumab on 3/4/2019.",
                                  "Patient expıred on 5/6/2019.", "Started blinatumomab \u212a on 3/4/2019, ﬁrst cycle."])
def test_prefilter_identical_to_medspacy_on_case_folding_letters(nlp, rules, text):
    from chartabstract.nlp.pipeline import build_nlp

    note = Note("P1", "P1/note", date(2020, 1, 15), "progress", text, "test")
    shipped = process_note(build_nlp(rules, fast_regex=False), note)
    assert shipped and _key(process_note(nlp, note, prefilter=Prefilter(rules))) == _key(process_note(nlp, note)) == _key(shipped)


def test_prefilter_identical_on_notes_with_case_folding_letters(nlp, rules):
    rng = random.Random(20261207)
    prefilter = Prefilter(rules)
    found = 0
    for note in _generated_notes(300):
        note = Note(note.patient_id, note.note_id, note.note_date, note.note_type, _sprinkled(note.text, rng), note.source)
        with_prefilter = process_note(nlp, note, prefilter=prefilter)
        found += len(with_prefilter)
        assert _key(with_prefilter) == _key(process_note(nlp, note)), note.note_id
    assert found > 100


def test_prefilter_identical_when_a_folded_paragraph_decides_the_date_order(nlp, rules):
    """A day-first-only date ("30.11.2018") in a paragraph the prefilter folds still decides how
    the note's ambiguous dates read: the whole note decides, not the part that is read."""
    rng = random.Random(15)
    prefilter = Prefilter(rules)
    dayfirst = 0
    for number in range(60):
        day, month = rng.randint(13, 28), rng.randint(1, 12)
        a, b = rng.randint(1, 12), rng.randint(1, 12)
        text = (f"Outside labs dated {day:02d}.{month:02d}.2018 were reviewed; electrolytes normal.\n\n"
                f"Started blinatumomab on {a}/{b}/2019. Marrow {b}/{a}/2019: 40% blasts.\n")
        note = Note(f"G{number}", f"G{number}/note", date(2019, 12, 31), "progress", text, "generated")
        with_prefilter = process_note(nlp, note, prefilter=prefilter)
        assert _key(with_prefilter) == _key(process_note(nlp, note)), text
        dayfirst += any(m.date_source == "dayfirst_inferred" for m in with_prefilter)
    assert dayfirst > 30
