"""Every output of `chartabstract run sample_notes/` equals the committed expected tree."""

from __future__ import annotations

import difflib

import pytest

from tests.snapshot import COMPARED, EXPECTED, normalized, run_sample


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("snapshot") / "out"
    run_sample(out)
    return out


@pytest.mark.parametrize("name", COMPARED)
def test_snapshot_sample_outputs_equal_the_expected_tree(sample_run, name):
    expected = (EXPECTED / name).read_text(encoding="utf-8")
    actual = normalized(sample_run, name)
    if actual != expected:
        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                                 f"expected/{name}", f"run/{name}", n=1))[:40])
        pytest.fail(f"{name} changed; if intended, run `make snapshot` and commit tests/data/expected_sample/:\n{diff}")
