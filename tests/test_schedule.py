"""The table the suite is scheduled from (tests/schedule.py) names files that exist: a file
renamed or removed would otherwise drop silently to the end of the run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT
from .schedule import LONG_FILES, SPLIT_FILES, by_test, seconds


def test_every_listed_file_exists() -> None:
    missing = [path for path in (*LONG_FILES, *SPLIT_FILES) if not (ROOT / path).is_file()]
    assert missing == []


def test_a_test_is_as_long_as_its_unit() -> None:
    assert seconds("tests/test_tooling.py::test_mypy_strict") == LONG_FILES["tests/test_tooling.py"]
    split = next(iter(SPLIT_FILES))
    assert seconds(f"{split}::any_test[param::x]") == SPLIT_FILES[split]
    assert seconds("tests/test_not_listed.py::test_x") == 0


def test_a_run_of_one_file_is_shared_by_the_workers(tmp_path: Path) -> None:
    """Working on a file, ``pytest -n 2 tests/test_x.py`` runs on both workers (a file a unit,
    the whole suite's way, gave it all to one); the whole suite's files stay units."""
    assert by_test(files=1, workers=2) and by_test(files=3, workers=2)
    assert not by_test(files=345, workers=3)
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "__init__.py").write_text("", encoding="utf-8")
    shutil.copy(ROOT / "tests" / "schedule.py", tests / "schedule.py")
    (tests / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    body = "\n".join(
        f"def test_{n}():\n    import os\n    print('ran on', os.environ['PYTEST_XDIST_WORKER'])\n"
        for n in range(8)
    )
    (tests / "test_one_file.py").write_text(body, encoding="utf-8")
    result = subprocess.run(
        # Only xdist among the plugins (each worker would load every installed one).
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "xdist.plugin",
            "-n",
            "2",
            *QUIET,
            "tests/test_one_file.py",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "8 passed" in result.stdout, result.stdout
    assert {"ran on gw0", "ran on gw1"} <= set(re.findall(r"ran on gw\d", result.stdout))


QUIET = ["-q", "-rA", "-p", "no:cacheprovider", "-o", "addopts="]

CONFTEST = """
from typing import Any
import pytest
from .schedule import LongestFirstScheduling

@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LongestFirstScheduling:
    return LongestFirstScheduling(config, log)
"""
