"""Desk app fixtures: a real database, the real app, a fixed clock, no cursor blink."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.runner import SessionRunner
from oss_desk.services.session import open_session
from oss_desk.ui.app import OssDeskApp

from ..conftest import MONDAY_0930, make_db, site_toml
from ..conftest import rows as rows  # the UI tests take it from here


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """The test office with four residents waiting, the first for 16 minutes."""
    capture = tmp_path / "greet-printer.bin"
    db = make_db(tmp_path, site_toml(greet_printer=f"capture://{capture}"))
    clock = FixedClock(MONDAY_0930 - timedelta(minutes=16))
    session = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    try:
        queue = QueueService(session)
        for service, minutes in (("C", 0), ("B", 4), ("C", 10), ("W", 14)):
            clock.set(MONDAY_0930 - timedelta(minutes=16 - minutes))
            queue.issue(service, needs="wheelchair" if service == "B" else None, print_ticket=False)
    finally:
        session.close()
    return db


class AppFactory:
    def __init__(self) -> None:
        self.runners: list[SessionRunner] = []

    def __call__(
        self,
        db: Path,
        desk: str | None = "greet-1",
        *,
        clock: FixedClock | None = None,
        person: str = "tl",
        demo: bool = False,
        scan_pause: float = 1.0,
        app_class: type[OssDeskApp] = OssDeskApp,
    ) -> OssDeskApp:
        the_clock = clock or FixedClock(MONDAY_0930)
        runner = SessionRunner(
            lambda: open_session(db=db, clock=the_clock, person=person, desk_id=desk)
        )
        runner.start()
        self.runners.append(runner)
        return app_class(
            runner,
            desk_id=desk,
            demo=demo,
            poll_interval=0.05,
            cursor_blink=False,
            scan_pause=scan_pause,
        )

    def close(self) -> None:
        for runner in self.runners:
            runner.close()


@pytest.fixture
def make_app() -> Iterator[AppFactory]:
    factory = AppFactory()
    yield factory
    factory.close()


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> float:
    """Wait on the event loop until ``predicate`` holds; returns the seconds it took."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.005)
    return time.monotonic() - started


async def settled(pilot: Pilot[Any]) -> None:
    """Every key pressed so far is handled, every worker it started has ended, and the database
    thread has run everything sent to it before: the condition a "nothing happened" assertion
    needs (a fixed pause would only make such a test slow, or wrong on a busy machine)."""
    app = pilot.app
    assert isinstance(app, OssDeskApp)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await app.runner.call(lambda _session: None)
    await pilot.pause()


def events(db: Path, kind: str) -> list[tuple[object, ...]]:
    """(actor, desk_id, ticket_id, outcome) of each event of ``kind``."""
    return rows(
        db, "SELECT actor, desk_id, ticket_id, outcome FROM events WHERE kind = ? ORDER BY id", kind
    )
