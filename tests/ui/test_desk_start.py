"""The desk process's start-up: Python's cyclic collector waits while the desk starts (its
objects live all day) and runs as usual once the desk is live, also when opening fails; the
first frame already says where and who."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual._compositor import Compositor, CompositorUpdate
from textual.screen import Screen

from oss_desk.errors import OssDeskError
from oss_desk.ui.run import hold_collector, open_desk_runner, release_collector
from oss_desk.ui.widgets.bars import TopBar

from .conftest import AppFactory, until


@pytest.fixture
def collector() -> Iterator[None]:
    """Leave this test process's collector as it was (what the suite set aside after collecting,
    tests/conftest.py, set aside again)."""
    enabled = gc.isenabled()
    frozen = gc.get_freeze_count() > 0
    try:
        yield
    finally:
        gc.unfreeze()
        if frozen:
            gc.collect()
            gc.freeze()
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


@pytest.mark.parametrize(
    ("desk", "area"), [("greet-1", "Meet and greet"), ("desk-1", "Adviser desk")]
)
async def test_the_first_frame_says_where_and_who(
    office: Path, make_app: AppFactory, desk: str, area: str
) -> None:
    """The top bar (the office, the area, the desk, the person, the time) needs no snapshot:
    it is in the very first frame written, not filled in when the first data arrives."""
    app = make_app(office, desk, person="tl")
    frames: list[str] = []
    snapshot_then: list[object] = []
    write = app._display

    def display(screen: Screen[object], renderable: Any) -> None:  # Textual's update
        if isinstance(renderable, CompositorUpdate) and not frames:
            frames.append(
                re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", renderable.render_segments(app.console))
            )
            snapshot_then.append(app.snapshot)
        write(screen, renderable)

    app._display = display  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.pause()
        shown = str(app.screen.query_one(TopBar).render())
    assert snapshot_then == [None]  # it was the frame before the first data
    assert area in shown and "Civic Centre" in shown
    assert shown.split("  ")[0] in frames[0]  # "Civic Centre · <area>", as the frame wrote it


async def test_no_frame_is_rendered_for_nothing_at_start(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual renders an update asked for inside a batch and then drops it (nothing is written
    until the batch ends): at start-up that was the whole first screen, rendered twice. The
    desk's screen leaves it for after the batch, so its first frame is rendered once."""
    app = make_app(office, "greet-1")
    renders: list[tuple[int, int]] = []  # (batch depth, frames written so far)
    render = Compositor.render_update
    writes = app._display

    def counted(compositor: Compositor, *args: Any, **kwargs: Any) -> Any:
        renders.append((app._batch_count, len(written)))
        return render(compositor, *args, **kwargs)

    written: list[object] = []

    def display(screen: Screen[object], renderable: Any) -> None:
        if renderable is not None and not app._batch_count:
            written.append(renderable)
        writes(screen, renderable)

    monkeypatch.setattr(Compositor, "render_update", counted)
    app._display = display  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)):
        await until(lambda: app.snapshot is not None)
    assert written, "no frame was written"
    before_first = [depth for depth, frames in renders if frames == 0]
    assert before_first == [0]  # one render, outside any batch: the first frame
