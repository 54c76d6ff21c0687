"""Pixel snapshots of each screen at 80x24 and 120x36 (fixed clock and data, no blinking).

Update after an intended change with:
    .venv/bin/python -m pytest tests/ui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from .conftest import AppFactory, until

SIZES = [(80, 24), (120, 36)]


def _before(keys: tuple[str, ...], leader: bool = False):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        await until(lambda: app.snapshot is not None)  # type: ignore[attr-defined]
        for key in keys:
            await pilot.press(key)
        if leader:
            await until(lambda: app.snapshot.figures is not None)  # type: ignore[attr-defined]
        await pilot.pause(0.3)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_greet_screen(snap_compare, office: Path, make_app: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(office, "greet-1")
    assert snap_compare(app, terminal_size=size, run_before=_before(("b", "enter")))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_adviser_screen(snap_compare, office: Path, make_app: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(office, "desk-1", person="ben")
    assert snap_compare(app, terminal_size=size, run_before=_before(("n",)))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_leader_screen(snap_compare, office: Path, make_app: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(office, "greet-1")
    assert snap_compare(app, terminal_size=size, run_before=_before(("f4",), leader=True))


def test_help_screen(snap_compare, office: Path, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(office, "desk-1")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_before(("f1",)))
