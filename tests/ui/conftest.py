"""Desk app fixtures: a real database, the real app, a fixed clock, no cursor blink; and the
set-up the UI tests share (the offices, a session for a moment, the adviser's desk open and
ready, the team leader's queue, what the desk said)."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import textual._wait
from textual.command import CommandList, CommandPalette
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.css.types import CSSLocation
from textual.pilot import Pilot
from textual.screen import Screen

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.runner import SessionRunner
from oss_desk.services.session import Session, open_session
from oss_desk.services.site import initialise
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.widgets.queue_table import QueueTable

from ..appointments_site import NOW as APPOINTMENTS_NOW
from ..appointments_site import office_toml as appointments_toml
from ..conftest import MONDAY_0930, site_toml
from ..conftest import rows as rows  # the UI tests take it from here
from ..followups_site import office_toml as followups_toml

S = TypeVar("S", bound=Screen[Any])


@contextmanager
def acting(
    db: Path,
    person: str = "tl",
    desk: str | None = "greet-1",
    clock: FixedClock | datetime = MONDAY_0930,
) -> Iterator[Session]:
    """A session of ``person`` at ``desk`` (another process's work, or the office before the
    desk app opens), at ``clock`` (an instant: fixed there), closed when the block ends."""
    fixed = clock if isinstance(clock, FixedClock) else FixedClock(clock)
    session = open_session(db=db, clock=fixed, person=person, desk_id=desk)
    try:
        yield session
    finally:
        session.close()


def four_waiting(db: Path, services: str, needs: Mapping[str, str] | None = None) -> Path:
    """Four residents issued tickets at meet-and-greet, of ``services`` (one letter each, in
    order) and with ``needs`` (service -> need), 16, 12, 6 and 2 minutes before 09:30."""
    clock = FixedClock(MONDAY_0930 - timedelta(minutes=16))
    with acting(db, clock=clock) as session:
        queue = QueueService(session)
        for service, minutes in zip(services, (0, 4, 10, 14), strict=True):
            clock.set(MONDAY_0930 - timedelta(minutes=16 - minutes))
            queue.issue(service, needs=(needs or {}).get(service), print_ticket=False)
    return db


@pytest.fixture(scope="session", autouse=True)
def styles_parsed_once() -> Iterator[None]:
    """Each style sheet parsed once per test process, not once per app: every desk app a test
    starts reads the same ``.tcss`` files and widgets' default styles with the same theme's
    variables, and parsing them was a tenth to a fifth of the CPU a desk app takes to start.
    Textual keeps the rules it parsed for the app's own stylesheet (a theme set again reuses
    them); this keeps them for every app of the process, by the same key plus the variables they
    were parsed with (a contrast theme parses its own). The rules are only read once parsed
    (never changed); a sheet with an error still fails every app that reads it, as before."""
    parsed: dict[tuple[object, ...], list[RuleSet]] = {}
    parse = Stylesheet._parse_rules

    def parse_once(
        sheet: Stylesheet,
        css: str,
        read_from: CSSLocation,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        variables = tuple(sheet._variables.items())
        key = (css, read_from, is_default_rules, tie_breaker, scope, variables)
        rules = parsed.get(key)
        if rules is None:
            rules = parse(sheet, css, read_from, is_default_rules, tie_breaker, scope)
            parsed[key] = rules
        return rules

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Stylesheet, "_parse_rules", parse_once)
        yield


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with every migration applied and no office loaded: made once per test
    process, never opened again, only copied (:func:`office_db`). Creating the schema is most
    of what a new database costs; loading a site's configuration is a fifth of it."""
    db = tmp_path_factory.mktemp("migrated") / "office.sqlite"
    with pytest.MonkeyPatch.context() as env:  # before any test's own environment is set
        for name in os.environ:
            if name.startswith("OSS_DESK_"):
                env.delenv(name)
        initialise(db, clock=FixedClock(MONDAY_0930))
    return db


def office_db(
    migrated: Path,
    tmp_path: Path,
    toml: str,
    name: str = "office.sqlite",
    now: datetime = MONDAY_0930,
    config_name: str = "site.toml",
) -> Path:
    """What ``make_db(tmp_path, toml, name)`` makes (the same rows: tests/ui/test_office_db.py
    holds it), from a copy of ``migrated``: ``oss-desk init --config`` on a database that has
    its schema and no office yet, as on an office's host after a first ``init`` without one.
    Every copy has the same office id and resident secret (as a backup of the office has)."""
    db = tmp_path / name
    shutil.copyfile(migrated, db)
    config = tmp_path / config_name
    config.write_text(toml, encoding="utf-8")
    initialise(db, clock=FixedClock(now), config_path=config)
    return db


def appointments_office(
    migrated: Path, tmp_path: Path, now: datetime = APPOINTMENTS_NOW, **kwargs: str
) -> Path:
    """What ``make_office(tmp_path, now, **kwargs)`` of tests/appointments_site.py makes (its
    office, at ``now``), from a copy of ``migrated`` (see :func:`office_db`)."""
    return office_db(
        migrated, tmp_path, appointments_toml(**kwargs), now=now, config_name="office.toml"
    )


def followups_office(migrated: Path, tmp_path: Path, **kwargs: Any) -> Path:
    """What ``make_office(tmp_path, **kwargs)`` of tests/followups_site.py makes, from a copy of
    ``migrated`` (see :func:`office_db`)."""
    return office_db(migrated, tmp_path, followups_toml(**kwargs))


@pytest.fixture
def office(migrated: Path, tmp_path: Path) -> Path:
    """The test office with four residents waiting, the first for 16 minutes."""
    capture = tmp_path / "greet-printer.bin"
    db = office_db(migrated, tmp_path, site_toml(greet_printer=f"capture://{capture}"))
    return four_waiting(db, "CBCW", needs={"B": "wheelchair"})


ADVISERS = """
[[staff]]
id = "ben"
name = "Ben Walker"
role = "adviser"

[[staff]]
id = "dev"
name = "Dev Patel"
role = "adviser"
"""


@pytest.fixture
def counter_office(migrated: Path, tmp_path: Path) -> Path:
    """Four residents waiting (C, B, H, W), two advisers, and only a desk someone is logged in
    to calls (the production default)."""
    toml = site_toml(extra=ADVISERS).replace(
        "staffed_desks_only = false", "staffed_desks_only = true"
    )
    return four_waiting(office_db(migrated, tmp_path, toml), "CBHW")


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


@pytest.fixture
def quick_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pilot waits twice a key for the process to be idle (Textual's test: under 5% CPU over a
    window), the window here 5 ms instead of 20: 40 ms a key at least, most of what a test of
    many keys waits. For tests each of whose steps then waits for what its keys lead to
    (:func:`until`, :func:`pressed_to`, :func:`settled`): a shorter window may end before a
    frame Textual has timed (a size, what is drawn) or a write the disk is still making. The
    keys still go one at a time, in order, each handled before the next (the desk's key line)."""
    monkeypatch.setattr(textual._wait, "SLEEP_GRANULARITY", 0.005)
    monkeypatch.setattr(textual._wait, "SLEEP_IDLE", 0.005 / 20)


async def until(predicate: Callable[[], bool], timeout: float = 15.0) -> float:
    """Wait on the event loop until ``predicate`` holds; returns the seconds it took. The
    timeout only bounds a failure: a machine loaded many times over (two test workers beside
    other work on 2 cores) took more than 5 s to let a burst of keys through."""
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


def logged_in(screen: AdviserScreen) -> bool:
    """The desk app has seen a log-in at its desk."""
    state = screen.my_state()
    return state is not None and state.login is not None


def staffed(screen: AdviserScreen) -> bool:
    """The desk app has seen its own log-in (its keys are live)."""
    return logged_in(screen) and screen.held_by_other() is None


async def adviser_desk(
    app: OssDeskApp, ready: Callable[[AdviserScreen], bool] | None = None
) -> AdviserScreen:
    """The adviser's screen the app opened on, once ``ready`` holds of it (by default: once the
    app has its first snapshot)."""
    screen = app.screen
    assert isinstance(screen, AdviserScreen)
    if ready is None:
        await until(lambda: app.snapshot is not None)
    else:
        await until(lambda: ready(screen))
    return screen


async def call_next(pilot: Pilot[Any], screen: AdviserScreen) -> None:
    """N at the adviser's desk, and the desk shows the resident it called."""
    await pilot.press("n")
    await until(lambda: screen.my_ticket() is not None)


async def pressed_to(pilot: Pilot[Any], shown: type[S], *keys: str, timeout: float = 5.0) -> S:
    """Press ``keys`` and wait until the app shows a ``shown`` screen (or dialog); returns it."""
    await pilot.press(*keys)
    app = pilot.app
    await until(lambda: isinstance(app.screen, shown), timeout)
    screen = app.screen
    assert isinstance(screen, shown)
    return screen


async def leader_queue(pilot: Pilot[Any], tickets: int) -> QueueTable:
    """F4, and the team leader's queue once it lists ``tickets`` tickets."""
    screen = await pressed_to(pilot, LeaderScreen, "f4")
    table = screen.query_one(QueueTable)
    await until(lambda: table.row_count == tickets)
    return table


async def run_from_palette(pilot: Pilot[Any], words: str) -> None:
    """Ctrl+P, ``words`` typed, and Enter once the palette highlights a command with ``words`` in
    its name: that command runs."""
    palette = await pressed_to(pilot, CommandPalette, "ctrl+p")
    await pilot.press(*words)
    found = palette.query_one(CommandList)

    def named() -> bool:
        at = found.highlighted
        shown = "" if at is None else str(found.get_option_at_index(at).prompt)
        return words.casefold() in shown.casefold()

    await until(named)
    await pilot.press("enter")


def kept_notices(app: OssDeskApp) -> list[str]:
    """Every message the app notifies from now on, kept however long the test takes (a toast
    leaves the app's notifications when it times out)."""
    kept: list[str] = []
    shown = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        kept.append(message)
        shown(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return kept


def notices(app: OssDeskApp, words: str) -> int:
    """How many of the desk's notifications have ``words`` in them."""
    return sum(words in str(n.message) for n in app._notifications)


def said(app: OssDeskApp, words: str) -> bool:
    """The desk has notified something with ``words`` in it."""
    return notices(app, words) > 0


def events(db: Path, kind: str) -> list[tuple[object, ...]]:
    """(actor, desk_id, ticket_id, outcome) of each event of ``kind``."""
    return rows(
        db, "SELECT actor, desk_id, ticket_id, outcome FROM events WHERE kind = ? ORDER BY id", kind
    )
