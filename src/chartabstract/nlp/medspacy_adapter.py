"""The one module that touches medspaCy's private internals, for the speed-ups of matchers.py and
context_scope.py.

Those speed-ups read attributes medspaCy keeps private (each component's MedspacyMatcher, and its
token, phrase and regex matchers, all name-mangled) and swap medspaCy's objects for subclasses in
place. None of that is medspaCy's API: any release may rename or rework it, and the equivalence
tests (tests/nlp/test_components.py) only vouch for the versions they ran on. So:

- ``check_supported`` runs at every pipeline build (``build_nlp`` with ``fast_regex=True``) and
  raises UnsupportedMedspacyError when the installed medspaCy is not in SUPPORTED_VERSIONS, naming
  both; the fix is to install a supported version (pyproject.toml pins it). Supporting a new one
  means running tests/nlp against it and adding it here. medspaCy as shipped
  (``fast_regex=False``) reads nothing private and is not checked.
- Every private attribute is read through ``_private``, so a missing one raises the same error,
  naming the attribute, where the pipeline is built, not an AttributeError in the middle of a run.
- Other modules call the small functions below and never spell a mangled name or assign
  ``__class__`` (tests/nlp/test_medspacy_adapter.py checks the sources).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import medspacy
from medspacy.context import ConText
from medspacy.section_detection import Sectionizer
from medspacy.target_matcher import TargetMatcher

from chartabstract.errors import ChartAbstractError

SUPPORTED_VERSIONS = frozenset({"1.3.1"})

# where each component keeps its MedspacyMatcher (name-mangled by its class)
_COMPONENT_MATCHERS = (
    (TargetMatcher, "_TargetMatcher__matcher"),
    (Sectionizer, "_Sectionizer__matcher"),
    (ConText, "_ConText__matcher"),
)


class UnsupportedMedspacyError(ChartAbstractError):
    """The installed medspaCy is not one whose private internals the speed-ups were tested on."""


class PrivateMatchers(NamedTuple):
    """A MedspacyMatcher's spaCy Matcher, PhraseMatcher and medspaCy RegexMatcher."""

    token: Any
    phrase: Any
    regex: Any


def check_supported() -> None:
    """Refuse a medspaCy other than SUPPORTED_VERSIONS before any of its internals is touched."""
    installed = medspacy.__version__
    if installed not in SUPPORTED_VERSIONS:
        raise UnsupportedMedspacyError(
            f"medspaCy {installed} is installed, but chartabstract supports medspaCy "
            f"{', '.join(sorted(SUPPORTED_VERSIONS))} only (its speed-ups rely on medspaCy's private "
            f"internals); install it: pip install 'medspacy=={max(SUPPORTED_VERSIONS)}'")


def component_matcher(component: object) -> Any:
    """The MedspacyMatcher inside a TargetMatcher, Sectionizer or ConText."""
    for kind, name in _COMPONENT_MATCHERS:
        if isinstance(component, kind):
            return _private(component, name)
    raise TypeError(f"{type(component).__name__} is not a medspaCy component with a matcher")


def private_matchers(medspacy_matcher: object) -> PrivateMatchers:
    """The three matchers a MedspacyMatcher runs, read where medspaCy 1.3.1 keeps them."""
    return PrivateMatchers(
        _private(medspacy_matcher, "_MedspacyMatcher__matcher"),
        _private(medspacy_matcher, "_MedspacyMatcher__phrase_matcher"),
        _private(medspacy_matcher, "_MedspacyMatcher__regex_matcher"),
    )


def swap_class(obj: object, new_class: type) -> None:
    """Make ``obj`` an instance of ``new_class``, a subclass of its class that overrides methods only.

    The attributes ``new_class`` declares in ``medspacy_private`` (private attributes of medspaCy's
    class that its methods read) are checked first.
    """
    if not issubclass(new_class, type(obj)):
        raise TypeError(f"{new_class.__name__} does not extend {type(obj).__name__}")
    for name in getattr(new_class, "medspacy_private", ()):
        _private(obj, name)
    obj.__class__ = new_class


def _private(obj: object, name: str) -> Any:
    try:
        return getattr(obj, name)
    except AttributeError:
        raise UnsupportedMedspacyError(
            f"medspaCy {medspacy.__version__}: {type(obj).__name__} has no attribute {name!r}, "
            f"a private attribute chartabstract relies on (supported: medspaCy "
            f"{', '.join(sorted(SUPPORTED_VERSIONS))}); reinstall a supported version") from None
