"""The workers of a run share the rewriting of the test modules' asserts (rewrite_share.py)."""

from __future__ import annotations

import sys

import pytest

from .conftest import ROOT
from .rewrite_share import rewritten_modules


def test_the_shared_modules_are_the_ones_pytest_rewrites() -> None:
    modules = {path.relative_to(ROOT).as_posix() for path in rewritten_modules(ROOT / "tests")}
    assert "tests/conftest.py" in modules
    assert "tests/ui/conftest.py" in modules
    assert "tests/test_rewrite_share.py" in modules
    assert "tests/rewrite_share.py" not in modules  # a helper: imported plainly, not rewritten
    assert not [name for name in modules if "__pycache__" in name]


def test_a_worker_reads_the_rewritten_module_a_worker_wrote(request: pytest.FixtureRequest) -> None:
    """Under xdist with bytecode not written (as in CI), this module's rewritten pyc was written
    before collection by the worker whose share it is, and every worker reads it."""
    if not hasattr(request.config, "workerinput") or not sys.dont_write_bytecode:
        pytest.skip("only a run with workers and PYTHONDONTWRITEBYTECODE shares the rewriting")
    from _pytest.assertion.rewrite import PYC_TAIL, get_cache_dir

    source = ROOT / "tests" / "test_rewrite_share.py"
    assert (get_cache_dir(source) / ("test_rewrite_share" + PYC_TAIL)).exists()
