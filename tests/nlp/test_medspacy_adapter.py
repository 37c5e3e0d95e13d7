"""medspaCy's private internals are touched in nlp/medspacy_adapter.py only, and an unsupported
medspaCy or a missing private attribute stops the build with a message saying which."""

from __future__ import annotations

import re
from pathlib import Path

import medspacy
import pytest
import spacy

from chartabstract.errors import ChartAbstractError
from chartabstract.nlp import matchers, medspacy_adapter
from chartabstract.nlp.medspacy_adapter import UnsupportedMedspacyError
from chartabstract.nlp.pipeline import build_nlp

SRC = Path(__file__).resolve().parents[2] / "src" / "chartabstract"
PRIVATE = re.compile(r"_MedspacyMatcher__|_ConText__|_Sectionizer__|_TargetMatcher__|__class__\s*=(?!=)")


def test_medspacy_adapter_refuses_unsupported_version(rules, monkeypatch):
    monkeypatch.setattr(medspacy, "__version__", "1.4.0")
    with pytest.raises(UnsupportedMedspacyError) as raised:
        build_nlp(rules)
    message = str(raised.value)
    assert "medspaCy 1.4.0 is installed" in message and "1.3.1" in message and "pip install 'medspacy==1.3.1'" in message
    assert isinstance(raised.value, ChartAbstractError)  # the CLI prints one line, no traceback


def test_medspacy_adapter_leaves_medspacy_as_shipped_unchecked(rules, monkeypatch):
    """fast_regex=False reads nothing private, so any medspaCy may build it."""
    monkeypatch.setattr(medspacy, "__version__", "1.4.0")
    assert build_nlp(rules, fast_regex=False)("Relapse of B-ALL.").ents


def _target_matcher():
    from medspacy.target_matcher import TargetMatcher

    return TargetMatcher(spacy.blank("en"))


def _without(obj, name):
    delattr(obj, name)
    return obj


def _without_inner(component, name):
    _without(medspacy_adapter.component_matcher(component), name)
    return component


def _without_regex_attr(component, name):
    _without(medspacy_adapter.private_matchers(medspacy_adapter.component_matcher(component)).regex, name)
    return component


@pytest.mark.parametrize(
    ("missing", "use"),
    [
        ("_TargetMatcher__matcher", lambda: medspacy_adapter.component_matcher(_without(_target_matcher(), "_TargetMatcher__matcher"))),
        ("_MedspacyMatcher__regex_matcher", lambda: matchers.use_fast_regex(
            _without_inner(_target_matcher(), "_MedspacyMatcher__regex_matcher"))),
        ("_callbacks", lambda: matchers.use_fast_regex(_without_regex_attr(_target_matcher(), "_callbacks"))),
    ],
)
def test_medspacy_adapter_names_missing_private_attribute(missing, use):
    """A component's matcher, a matcher's regex matcher, an attribute a swapped-in class reads."""
    with pytest.raises(UnsupportedMedspacyError, match=f"has no attribute '{missing}'.*supported: medspaCy 1.3.1"):
        use()


def test_medspacy_adapter_swaps_only_to_subclasses():
    with pytest.raises(TypeError, match="SectionListSectionizer does not extend TargetMatcher"):
        medspacy_adapter.swap_class(_target_matcher(), matchers.SectionListSectionizer)


def test_medspacy_adapter_is_the_only_module_touching_private_internals():
    offenders = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "medspacy_adapter.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if PRIVATE.search(line)
    ]
    assert not offenders, "medspaCy internals outside nlp/medspacy_adapter.py:\n" + "\n".join(offenders)
    assert PRIVATE.search((SRC / "nlp" / "medspacy_adapter.py").read_text(encoding="utf-8"))  # the pattern still finds them
