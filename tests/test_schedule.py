"""The table the suite is scheduled from (tests/schedule.py) names files that exist: a file
renamed or removed would otherwise drop silently to the end of the run."""

from __future__ import annotations

from .conftest import ROOT
from .schedule import LONG_FILES, SPLIT_FILES, seconds


def test_every_listed_file_exists() -> None:
    missing = [path for path in (*LONG_FILES, *SPLIT_FILES) if not (ROOT / path).is_file()]
    assert missing == []


def test_a_test_is_as_long_as_its_unit() -> None:
    assert seconds("tests/test_tooling.py::test_mypy_strict") == LONG_FILES["tests/test_tooling.py"]
    split = next(iter(SPLIT_FILES))
    assert seconds(f"{split}::any_test[param::x]") == SPLIT_FILES[split]
    assert seconds("tests/test_not_listed.py::test_x") == 0
