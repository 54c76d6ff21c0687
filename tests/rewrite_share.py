"""Each xdist worker rewrites the asserts of a share of the test modules, once for all workers.

pytest rewrites the asserts of every test module it imports and keeps the result beside the
source (a pyc of its own), unless bytecode is not written (PYTHONDONTWRITEBYTECODE, as on this
project's CI machines): then each of the run's workers rewrote every test module again while
collecting, about 14 s of CPU a worker. Here each worker, before collecting, rewrites every
n-th test module and writes pytest's pyc for it; the workers then collect reading one another's
(pytest reads a cached pyc whether or not it writes one, and checks it against the source's
size and time). A module not yet written when a worker reaches it is rewritten by that worker,
as without this. This uses pytest's own rewriting functions, which are not public API: if a
pytest release moves them, nothing is shared and the run is as before.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest


def rewritten_modules(root: Path) -> list[Path]:
    """The modules pytest rewrites while collecting ``root``: conftest.py and test_*.py files."""
    found = {*root.rglob("conftest.py"), *root.rglob("test_*.py")}
    return sorted(path for path in found if "__pycache__" not in path.parts)


def rewrite_share(config: pytest.Config, root: Path) -> int:
    """Rewrite this worker's share of the test modules into pytest's cache; how many written."""
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is None:
        return 0
    try:
        from _pytest.assertion.rewrite import (
            PYC_TAIL,
            _read_pyc,
            _rewrite_test,
            _write_pyc,
            assertstate_key,
            get_cache_dir,
        )

        state = config.stash[assertstate_key]
    except (ImportError, KeyError):  # another pytest, or asserts not rewritten (--assert=plain)
        return 0
    index = int(str(workerinput["workerid"]).removeprefix("gw"))
    count = int(workerinput["workercount"])
    written = 0
    for path in rewritten_modules(root)[index::count]:
        cache = get_cache_dir(path)
        pyc = cache / (path.name[:-3] + PYC_TAIL)
        if _read_pyc(path, pyc, state.trace) is not None:
            continue  # written by an earlier run, and still the source's
        with contextlib.suppress(OSError, SyntaxError):
            cache.mkdir(parents=True, exist_ok=True)
            source_stat, code = _rewrite_test(path, config)
            if _write_pyc(state, code, source_stat, pyc):
                written += 1
    return written
