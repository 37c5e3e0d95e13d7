"""QuickUMLS is imported only when something uses it, and is then the real package."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
from chartabstract.nlp import pipeline
assert "nltk" not in sys.modules and "scipy.stats" not in sys.modules, "QuickUMLS was imported eagerly"
import medspacy.util
from quickumls import QuickUMLS
assert QuickUMLS.__module__ == "quickumls.core"
assert medspacy.util.spacy_component.SpacyQuickUMLS.__name__ == "SpacyQuickUMLS"
assert "nltk" in sys.modules
"""


def test_deferred_quickumls_imports_on_first_use_only():
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
