"""Defer QuickUMLS, which medspaCy 1.3.1 imports at import time for a component chartabstract never uses.

``medspacy.util`` runs ``from quickumls import spacy_component``, and QuickUMLS imports NLTK,
which imports SciPy: 0.64 s of the 1.1 s it takes to import the pipeline here
(``python -X importtime``), paid again by every worker process. Before medspaCy is imported,
``quickumls`` is registered as a stand-in that imports the real package the first time anything
is read from it, so code that does use QuickUMLS still gets it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types


def defer_quickumls() -> None:
    """Register the stand-ins, unless QuickUMLS or medspaCy is imported already or not installed."""
    if "quickumls" in sys.modules or "medspacy" in sys.modules or importlib.util.find_spec("quickumls") is None:
        return
    package = _Deferred("quickumls")
    package.spacy_component = _Deferred("quickumls.spacy_component")  # type: ignore[attr-defined]
    sys.modules["quickumls"] = package
    sys.modules["quickumls.spacy_component"] = package.spacy_component  # type: ignore[attr-defined]


class _Deferred(types.ModuleType):
    """A module that becomes the real one on first attribute access."""

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):  # the import system probing (__path__, __file__): not a use
            raise AttributeError(name)
        for stand_in in ("quickumls", "quickumls.spacy_component"):
            if isinstance(sys.modules.get(stand_in), _Deferred):
                del sys.modules[stand_in]
        real = importlib.import_module(self.__name__)
        return getattr(real, name)
