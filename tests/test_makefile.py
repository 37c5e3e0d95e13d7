"""The Makefile on a fresh machine: a wrong Python is refused by name, a broken .venv is rebuilt.

Interpreters here are stand-ins (shell scripts that answer the Makefile's version question and
create a venv whose pip only logs its arguments), so no test builds a real venv or downloads.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")

FAKE_PYTHON = """#!/bin/sh
# a stand-in for Python {version}: `-m venv DIR` makes a venv of itself, any other call prints the version
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
    mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
    printf '#!/bin/sh\\necho "pip $*" >> "$(dirname "$0")/../pip.log"\\n' > "$3/bin/pip"
    chmod +x "$3/bin/pip"
    exit 0
fi
echo {version}
"""


def _fake_python(path: Path, version: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FAKE_PYTHON.format(version=version))
    path.chmod(0o755)
    return path


@pytest.fixture()
def checkout(tmp_path: Path) -> Path:
    """The Makefile and pyproject.toml alone: all the set-up targets read."""
    root = tmp_path / "checkout"
    root.mkdir()
    shutil.copy(REPO / "Makefile", root)
    shutil.copy(REPO / "pyproject.toml", root)
    return root


def _make(checkout: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "--no-print-directory", "-C", str(checkout), *args],
                          capture_output=True, text=True, timeout=60)


def test_makefile_refuses_a_wrong_python_by_name(checkout: Path, tmp_path: Path) -> None:
    python312 = _fake_python(tmp_path / "bin" / "python3.12", "3.12")

    result = _make(checkout, "run", f"PYTHON={python312}")

    assert result.returncode != 0
    assert "needs Python 3.11" in result.stderr and "is Python 3.12" in result.stderr
    assert "make run PYTHON=python3.11" in result.stderr
    assert not (checkout / ".venv").exists()  # nothing built with it, so nothing to clean


def test_makefile_refuses_a_python_that_does_not_run(checkout: Path) -> None:
    result = _make(checkout, "test", "PYTHON=python3.12-not-installed")

    assert result.returncode != 0
    assert "needs Python 3.11" in result.stderr and "not a Python that runs here" in result.stderr
    assert "make test PYTHON=python3.11" in result.stderr


@pytest.mark.parametrize("state", ["other-python", "half-built"])
def test_makefile_rebuilds_a_venv_of_another_python_or_half_built(checkout: Path, tmp_path: Path, state: str) -> None:
    python311 = _fake_python(tmp_path / "bin" / "python3.11", "3.11")
    if state == "other-python":  # e.g. made by `python3.12 -m venv .venv`, with a finished install
        _fake_python(checkout / ".venv" / "bin" / "python", "3.12")
        (checkout / ".venv" / ".installed").touch()
    else:  # the right Python, but the install stopped (no stamp)
        _fake_python(checkout / ".venv" / "bin" / "python", "3.11")

    result = _make(checkout, "venv", f"PYTHON={python311}")

    assert result.returncode == 0, result.stderr
    assert "built by another Python or not finished: building it again" in result.stdout
    assert subprocess.run([checkout / ".venv" / "bin" / "python", "-c", ""], capture_output=True, text=True).stdout == "3.11\n"
    assert (checkout / ".venv" / ".installed").exists()
    log = (checkout / ".venv" / "pip.log").read_text().splitlines()
    assert log == ["pip install --quiet --upgrade pip", "pip install --quiet -e .[test,spark]"]


def test_makefile_keeps_a_finished_venv(checkout: Path, tmp_path: Path) -> None:
    python311 = _fake_python(tmp_path / "bin" / "python3.11", "3.11")
    assert _make(checkout, "venv", f"PYTHON={python311}").returncode == 0
    (checkout / ".venv" / "pip.log").unlink()

    again = _make(checkout, "venv", f"PYTHON={python311}")

    assert again.returncode == 0 and not (checkout / ".venv" / "pip.log").exists()
