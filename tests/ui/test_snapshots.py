"""Pixel snapshots of each screen at 80x24 and 120x36 (fixed clock and data, no blinking).

Update after an intended change with:
    .venv/bin/python -m pytest tests/ui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import cast

import pytest
from textual.pilot import Pilot

from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.base import DeskScreen

from .conftest import AppFactory, appointments_office, settled, until

SIZES = [(80, 24), (120, 36)]


def _before(keys: tuple[str, ...], leader: bool = False, logged_in: bool = False):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        await until(lambda: app.snapshot is not None)  # type: ignore[attr-defined]
        if logged_in:  # entering the desk logged its person in (Z then says "Log out")
            desk_app = cast("OssDeskApp", app)
            desk = cast("DeskScreen", app.screen).current_desk()

            def here() -> bool:
                snap = desk_app.snapshot
                state = snap.desk(desk) if snap is not None and desk is not None else None
                return state is not None and state.login is not None

            await until(here)
        for key in keys:
            await pilot.press(key)
        if "n" in keys:  # call next: the desk shows the resident it called
            screen = app.screen
            assert isinstance(screen, AdviserScreen)
            await until(lambda: screen.my_ticket() is not None)
        if leader:
            await until(lambda: app.snapshot.figures is not None)  # type: ignore[attr-defined]
        await settled(pilot)  # the keys handled, their work done and drawn (not a fixed pause)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_greet_screen(snap_compare, office: Path, make_app: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(office, "greet-1")
    run_before = _before(("b", "enter"), logged_in=True)  # entering, its person is logged in
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_adviser_screen(snap_compare, office: Path, make_app: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(office, "desk-1", person="ben")
    assert snap_compare(app, terminal_size=size, run_before=_before(("n",), logged_in=True))


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_leader_screen(snap_compare, office: Path, make_app: AppFactory, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(office, "greet-1")  # (its person logged in there on entering)
    run_before = _before(("f4",), leader=True, logged_in=True)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_help_screen(snap_compare, office: Path, make_app: AppFactory) -> None:  # type: ignore[no-untyped-def]
    app = make_app(office, "desk-1")
    assert snap_compare(app, terminal_size=(120, 36), run_before=_before(("f1",), logged_in=True))


def _week_before() -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        from oss_desk.ui.screens.appointments import AppointmentsScreen

        app = pilot.app
        await until(lambda: app.snapshot is not None)  # type: ignore[attr-defined]
        await pilot.press("f5")
        await until(
            lambda: isinstance(app.screen, AppointmentsScreen) and app.screen.grid is not None
        )
        await pilot.press("w")
        await until(lambda: app.screen.grid_view[0] == "week")  # type: ignore[attr-defined]
        await settled(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_appointments_week_grid(  # type: ignore[no-untyped-def]
    migrated: Path, snap_compare, tmp_path: Path, make_app: AppFactory, size
) -> None:
    import sqlite3
    from datetime import UTC, datetime

    from oss_desk.clock import FixedClock
    from oss_desk.services.appointments import AppointmentService
    from oss_desk.services.session import open_session

    from ..appointments_site import NOW

    db = appointments_office(migrated, tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    session = open_session(db=db, clock=FixedClock(NOW), person="tl", desk_id="greet-1")
    svc = AppointmentService(session)
    for day, hour, minute, service in (
        (23, 10, 15, "C"),
        (23, 14, 0, "H"),
        (24, 9, 0, "C"),
        (25, 11, 30, "H"),
        (27, 15, 0, "C"),
    ):
        svc.book(
            service,
            datetime(2026, 11, day, hour, minute, tzinfo=UTC),
            channel="slip",
            adviser="ana",
        )
    svc.add_absence("ana", "2026-11-26", "2026-11-26", "training")
    svc.check_in(1)
    session.close()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE appointments SET ref = 'KM3-D' || printf('%02d', id)")
    conn.commit()
    conn.close()
    app = make_app(db, "greet-1", clock=FixedClock(NOW))
    assert snap_compare(app, terminal_size=size, run_before=_week_before())
