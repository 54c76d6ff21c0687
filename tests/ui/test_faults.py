"""A bug in one screen never closes the desk: a KeyError injected into an action of each kind of
screen (and of a dialog, a message handler, a timer and the snapshot watcher) ends in one
notification and one fault report, and the desk answers the next key.

The injections are real exceptions raised inside the desk's own code while it runs (once, then
the code behaves again), never mocks of the storage. Under ``run_test`` Textual re-raises any
exception that reached it, so a fault that escaped the funnel fails the test.
"""

from __future__ import annotations

import inspect
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.pilot import Pilot

from oss_desk.clock import FixedClock
from oss_desk.paths import log_dir
from oss_desk.services.queue import QueueService
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.dialogs.appointments import BookingDialog
from oss_desk.ui.screens import leader as leader_screen
from oss_desk.ui.screens import reports as reports_screen
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.appointment_booking import Booking
from oss_desk.ui.screens.appointments import AppointmentsScreen
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.screens.reports import ReportsScreen
from oss_desk.ui.widgets.big_code import BigCode
from oss_desk.ui.widgets.queue_table import QueueTable

from ..appointments_site import NOW
from .conftest import (
    AppFactory,
    acting,
    adviser_desk,
    appointments_office,
    office_db,
    pressed_to,
    rows,
    run_from_palette,
    settled,
    staffed,
    until,
)
from .test_ticket_scan import scan_keys

S = TypeVar("S")


def break_once(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[str]:
    """Make ``owner.name`` raise KeyError the first time it is called, then work again.
    Returns a list that gets one entry when the fault has been raised."""
    original: Callable[..., Any] = getattr(owner, name)
    raised: list[str] = []

    if inspect.iscoroutinefunction(original):

        async def broken_async(*args: Any, **kwargs: Any) -> Any:
            if not raised:
                raised.append(name)
                raise KeyError(f"typed by a resident: {name}")
            return await original(*args, **kwargs)

        monkeypatch.setattr(owner, name, broken_async)
    else:

        def broken(*args: Any, **kwargs: Any) -> Any:
            if not raised:
                raised.append(name)
                raise KeyError(f"typed by a resident: {name}")
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, broken)
    return raised


def fault_reports() -> list[str]:
    folder = log_dir()
    if not folder.is_dir():
        return []
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob("fault-desk-*.txt"))]


def notices(app: OssDeskApp, text: str) -> list[str]:
    return [n.message for n in app._notifications if text in n.message]


async def funnelled(app: OssDeskApp, raised: list[str]) -> None:
    """The injected fault was raised, reported once and shown once; the desk still runs."""
    await until(lambda: bool(raised) and bool(notices(app, "That did not work")))
    assert app.is_running
    assert app.faults == ["KeyError"]
    (report,) = fault_reports()
    assert "builtins.KeyError" in report
    assert f"typed by a resident: {raised[0]}" not in report  # never the message: it may quote
    (shown,) = notices(app, "That did not work")
    # Plain words and where the report is; Python's class name only in the report.
    (path,) = log_dir().glob("fault-desk-*.txt")
    assert shown == (
        f"That did not work: an unexpected fault, written to the fault report {path}."
        " The desk carries on."
    )
    assert "KeyError" not in shown


async def open_screen(app: OssDeskApp, pilot: Pilot[None], key: str | None, kind: type[S]) -> S:
    """Wait for the first snapshot, press ``key`` (a mode's key) and wait for the screen."""
    await until(lambda: app.snapshot is not None)
    if key is not None:
        await pilot.press(key)
    await until(lambda: isinstance(app.screen, kind))
    screen = app.screen
    assert isinstance(screen, kind)
    return screen


async def leader_with_queue(app: OssDeskApp, pilot: Pilot[None]) -> LeaderScreen:
    screen = await open_screen(app, pilot, "f4", LeaderScreen)
    table = screen.query_one(QueueTable)
    await until(lambda: table.row_count == 4)
    return screen


async def appointments_grid(app: OssDeskApp, pilot: Pilot[None]) -> AppointmentsScreen:
    screen = await open_screen(app, pilot, "f5", AppointmentsScreen)
    await until(lambda: screen.grid is not None)
    return screen


async def shows_code(app: OssDeskApp, pilot: Pilot[None], keys: tuple[str, ...], code: str) -> None:
    """The desk answers ``keys`` by showing ticket ``code`` large (issued, or called)."""
    await pilot.press(*keys)
    await until(lambda: app.screen.query_one(BigCode).code == code)


def issue(db: Path, service: str) -> None:
    """Another desk issues a ticket (its own process would do the same)."""
    with acting(db) as session:
        QueueService(session).issue(service, print_ticket=False)


def status_of(db: Path, code: str) -> object:
    return rows(
        db,
        "SELECT status FROM tickets WHERE service_code || printf('%03d', number) = ?",
        code,
    )[0][0]


# One test per kind of screen -------------------------------------------------------------------


async def test_greet_action(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    raised = break_once(monkeypatch, GreetScreen, "show_issued")  # inside the issue worker
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("c", "enter")
        await funnelled(app, raised)
        # The next key works as ever.
        await shows_code(app, pilot, ("b", "enter"), "B002")
        assert isinstance(app.screen, GreetScreen)


async def test_adviser_action_on_the_database_thread(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    raised = break_once(monkeypatch, QueueService, "call_next")  # raised inside act()
    app = make_app(office, "desk-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await open_screen(app, pilot, None, AdviserScreen)
        await pilot.press("n")
        await funnelled(app, raised)
        assert not notices(app, "Nobody is waiting")  # a fault is not an empty queue
        assert status_of(office, "C001") == "waiting"
        await shows_code(app, pilot, ("n",), "C001")
        assert status_of(office, "C001") == "called"


async def test_leader_action(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    raised = break_once(monkeypatch, leader_screen, "ChoiceDialog")  # in the action's worker
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await leader_with_queue(app, pilot)
        await pilot.press("x")  # cancel: asks why
        await funnelled(app, raised)
        await pilot.press("x", "l")  # the resident has left
        await until(lambda: status_of(office, "C001") == "cancelled")


async def test_appointments_action(
    migrated: Path, tmp_path: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = appointments_office(migrated, tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    raised = break_once(monkeypatch, AppointmentsScreen, "action_toggle_view")  # not a worker
    app = make_app(db, "greet-1", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await appointments_grid(app, pilot)
        await pilot.press("w")
        await funnelled(app, raised)
        await pilot.press("w")
        await until(lambda: screen.grid_view[0] == "week")


async def test_reports_action(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    raised = break_once(monkeypatch, reports_screen, "daily_table")  # drawn by the load worker
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_screen(app, pilot, "f6", ReportsScreen)
        await funnelled(app, raised)
        await pilot.press("m")  # the month (the day before is before the records): drawn
        heading = screen.query_one("#report-heading")
        await until(lambda: "Monthly dashboard" in str(heading.render()))


async def test_dialog_message_handler(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    raised = break_once(monkeypatch, ChoiceDialog, "dismiss")  # inside its OptionSelected handler
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await leader_with_queue(app, pilot)
        await pressed_to(pilot, ChoiceDialog, "d")  # send the highlighted ticket to a desk
        await pilot.press("enter")
        await funnelled(app, raised)
        assert isinstance(app.screen, ChoiceDialog)  # still open, still answering
        await pressed_to(pilot, LeaderScreen, "enter")
        await until(
            lambda: (
                rows(office, "SELECT assigned_desk_id FROM tickets WHERE id = 1") == [("desk-1",)]
            )
        )


async def test_dialog_worker(
    migrated: Path, tmp_path: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = appointments_office(migrated, tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    raised = break_once(monkeypatch, Booking, "slots")  # called by the dialog's slot worker
    app = make_app(db, "greet-1", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await appointments_grid(app, pilot)
        dialog = await pressed_to(pilot, BookingDialog, "b")
        await funnelled(app, raised)
        await pilot.press("tab", "enter")  # the date field: Enter shows the slots again
        await until(lambda: bool(dialog.slots))


async def test_an_action_from_the_palette(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    raised = break_once(monkeypatch, OssDeskApp, "action_toggle_contrast")
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await run_from_palette(pilot, "Contrast")
        await funnelled(app, raised)
        await until(lambda: isinstance(app.screen, GreetScreen))
        await pilot.press("ctrl+t")
        await until(lambda: app.theme == "high-contrast")


# Timers and watchers ---------------------------------------------------------------------------


async def test_a_fault_in_the_poll_timer_keeps_the_live_queue(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    raised = break_once(monkeypatch, OssDeskApp, "_poll")
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await funnelled(app, raised)
        issue(office, "W")  # another desk: the next polls see it
        table = app.screen.query_one(QueueTable)
        await until(lambda: table.row_count == 5)
        await shows_code(app, pilot, ("h", "enter"), "H001")


async def test_a_fault_while_showing_a_snapshot(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        raised = break_once(monkeypatch, GreetScreen, "show_snapshot")
        issue(office, "W")
        await funnelled(app, raised)
        issue(office, "H")  # the next snapshot is shown again
        table = app.screen.query_one(QueueTable)
        await until(lambda: table.row_count == 6)
        await shows_code(app, pilot, ("b", "enter"), "B002")


# act(): ok, refused or failed, each said once ----------------------------------------------------


async def test_a_busy_database_is_one_message_not_also_an_empty_queue(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        # Entering the desk logs its person in (a write): done and seen before the lock is
        # taken, so that the only write refused is N's.
        await adviser_desk(app, staffed)
        await app.runner.call(lambda s: s.store.conn.execute("PRAGMA busy_timeout = 200"))
        # Another process (the sqlite3 shell, say) takes the write lock, waiting for any write
        # still on its way as every writer does (a busy timeout of 0 failed when one was).
        holder = sqlite3.connect(office, timeout=10)
        try:
            holder.execute("BEGIN IMMEDIATE")
            await pilot.press("n")
            await until(lambda: bool(notices(app, "database locked: another process held")))
            await settled(pilot)  # N's flow is over, and nothing else is on its way
            assert len(notices(app, "database locked")) == 1
            assert notices(app, "for more than 0.2 s")
            assert not notices(app, "Nobody is waiting")
            assert app.faults == []
        finally:
            holder.rollback()
            holder.close()
        await shows_code(app, pilot, ("n",), "C001")


async def test_an_empty_queue_is_said_as_such(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    from ..conftest import site_toml

    db = office_db(migrated, tmp_path, site_toml())
    app = make_app(db, "desk-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("n")
        await until(lambda: bool(notices(app, "Nobody is waiting for Desk 1")))
        assert {n.severity for n in app._notifications} == {"information"}
        assert app.faults == []


async def test_a_refusal_is_a_warning_and_changes_nothing(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", scan_pause=5.0)  # a loaded machine types slowly
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press(*scan_keys("OSSD-T:hq:2026-11-23:Z999"))  # no such ticket
        await until(lambda: len(app._notifications) == 1)
        (shown,) = list(app._notifications)
        assert shown.severity == "warning" and "Z999" in shown.message
        assert app.faults == []
