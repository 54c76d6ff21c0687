"""The desk process's start-up: Python's cyclic collector waits while the desk starts (its
objects live all day) and runs as usual once the desk is live, also when opening fails."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from oss_desk.errors import OssDeskError
from oss_desk.ui.run import hold_collector, open_desk_runner, release_collector


@pytest.fixture
def collector() -> Iterator[None]:
    """Leave this test process's collector as it was."""
    enabled = gc.isenabled()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
        else:
            gc.disable()


@pytest.mark.usefixtures("collector")
def test_the_collector_waits_for_the_desk_and_then_runs_again() -> None:
    gc.enable()
    hold_collector()
    assert not gc.isenabled()
    kept = gc.get_freeze_count()
    assert kept > 0  # what existed before start-up is set aside
    release_collector()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= kept


@pytest.mark.usefixtures("collector")
def test_a_desk_that_cannot_open_leaves_the_collector_running(tmp_path: Path) -> None:
    gc.enable()
    missing = tmp_path / "nowhere" / "office.sqlite"
    with pytest.raises(OssDeskError):
        open_desk_runner(db=str(missing), config=None, person=None, desk_id="greet-1")
    assert gc.isenabled()
