"""Pipeline components: the fast matchers and sentence-scoped ConText change speed only, the splitter
knows note layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from chartabstract.nlp.pipeline import build_nlp

REPO = Path(__file__).resolve().parents[2]


def _notes(every: int = 3) -> list[str]:
    """The sample notes and every ``every``-th held-out note, every style among them: medspaCy's
    reference pipeline reads about 10 notes a second here, and all 1,600 held-out notes twice over
    took ten minutes of the CI run's twenty; a third of them still holds every style's layout."""
    texts = [p.read_bytes().decode("utf-8", errors="replace") for p in sorted((REPO / "sample_notes").glob("*/*.txt"))]
    heldout = sorted((REPO / "tests" / "data").glob("heldout*/*/*.txt"))
    texts += [p.read_bytes().decode("utf-8", errors="replace") for p in heldout[::every]]
    texts += ["  leading spaces then blinatumomab", "trailing blina", "CD19+CD22- relapse; 85%blasts", ""]
    return texts


def test_components_notes_cover_every_held_out_style():
    heldout = sorted((REPO / "tests" / "data").glob("heldout*/*/*.txt"))
    assert {p.parts[-3] for p in heldout[::3]} == {p.parts[-3] for p in heldout}


def test_components_fast_regex_gives_medspacy_matches(rules, nlp):
    """The same targets, and the same cues on every target the extractor reads. IGNORE pseudo-targets
    ("autologous SCT") are dropped unread: on two notes with "Hx: ..., h/o ... autologous SCT" their
    cue differs between the split first-token rules and medspaCy's own, with no mention affected."""
    reference = build_nlp(rules, fast_regex=False)
    for text in _notes():
        ours, theirs = nlp(text), reference(text)
        assert [e[:3] for e in map(_asserted, ours.ents)] == [e[:3] for e in map(_asserted, theirs.ents)]
        assert [_asserted(e) for e in ours.ents if e.label_ != "IGNORE"] == [_asserted(e) for e in theirs.ents if e.label_ != "IGNORE"]
        assert [(s.category, s.title_start, s.body_end) for s in ours._.sections] == [
            (s.category, s.title_start, s.body_end) for s in theirs._.sections
        ]


def test_components_regex_cues_and_pruning_give_medspacy_modifiers(rules):
    """The paths the shipped rules leave unused: a regex cue rule, and cues overlapping a target
    pruned (ConText's prune_on_target_overlap), each answered by bisection instead of a scan."""
    from medspacy.context import ConTextRule

    pipelines = [build_nlp(rules), build_nlp(rules, fast_regex=False)]
    for nlp in pipelines:
        context = nlp.get_pipe("medspacy_context")
        context.prune_on_target_overlap = True
        context.add([ConTextRule("nary a trace of", "NEGATED_EXISTENCE", pattern=r"\bnary\s+a\s+trace\s+of\b")])
    ours, reference = pipelines
    texts = _notes(every=9) + ["Nary a trace of relapse. Blinatumomab held; nary a trace of CRS or blasts.\n\nnary a trace of MRD"]
    for text in texts:
        assert [_asserted(e) for e in ours(text).ents if e.label_ != "IGNORE"] == [
            _asserted(e) for e in reference(text).ents if e.label_ != "IGNORE"]


def _asserted(ent):
    """A target with every modifier's category, cue and scope, in order. (Not the span flags: medspaCy's
    sectionizer also sets them from section titles, which SectionListSectionizer leaves to extract.py.)"""
    return ent.start, ent.end, ent.label_, [(m.category, m.modifier_span, m.scope_span) for m in ent._.modifiers]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Plan:\n- start blina\n- marrow D29", ["Plan:", "- start blina", "- marrow D29"]),
        ("The marrow showed\nrecovery of counts.", ["The marrow showed\nrecovery of counts."]),
        ("Started blinatumomab; marrow later.", ["Started blinatumomab;", "marrow later."]),
        ("Seen by Dr. Smith today. Next visit 2 weeks.", ["Seen by Dr. Smith today.", "Next visit 2 weeks."]),
        ("ONCOLOGIC HISTORY\n2017 hyperCVAD\n3/2018 blina", ["ONCOLOGIC HISTORY", "2017 hyperCVAD", "3/2018 blina"]),
        ("First paragraph\n\nsecond paragraph", ["First paragraph", "second paragraph"]),
    ],
)
def test_components_sentencizer_splits_clinical_layout(nlp, text, sentences):
    assert [s.text.strip() for s in nlp(text).sents if s.text.strip()] == sentences
