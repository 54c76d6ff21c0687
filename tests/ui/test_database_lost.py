"""The database deleted, moved, replaced or damaged under a running desk: the desk stops with
a blocking message and acknowledges nothing more (before, it showed 25 tickets as issued that
were in no file anyone would read)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Static

from oss_desk.errors import DatabaseDamaged, DatabaseGone, DatabaseOverwritten
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session
from oss_desk.storage import maintenance
from oss_desk.storage.incarnation import stamp_file
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.context import Failed
from oss_desk.ui.dialogs.blocked import DatabaseBlocked
from oss_desk.ui.screens.greet import GreetScreen

from .conftest import AppFactory, rows, until


@contextmanager
def write_lock(db: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def replace(db: Path) -> None:
    copy = db.with_name("copy.sqlite")
    source, target = sqlite3.connect(db), sqlite3.connect(copy)
    source.backup(target)
    target.close()
    source.close()
    os.replace(copy, db)


def delete(db: Path) -> None:
    db.unlink()


def move(db: Path) -> None:
    db.rename(db.with_name("elsewhere.sqlite"))


def same_bytes(a: Path, b: Path) -> bool:
    return a.read_bytes() == b.read_bytes()


def blocked_message(app: OssDeskApp) -> str:
    """What the blocking message says now ("" while the desk is not blocked)."""
    if not isinstance(app.screen, DatabaseBlocked):
        return ""
    return "".join(str(s.render()) for s in app.screen.query("#blocked-message").results(Static))


def codes_in(db: Path) -> set[str]:
    if not db.exists():
        return set()
    return {
        f"{r[0]}{int(str(r[1])):03d}" for r in rows(db, "SELECT service_code, number FROM tickets")
    }


@pytest.mark.parametrize("change", [replace, delete, move], ids=["replaced", "deleted", "moved"])
async def test_a_desk_acknowledges_nothing_once_its_file_is_gone(
    office: Path, make_app: AppFactory, change: object
) -> None:
    assert callable(change)
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        greet = app.screen
        assert isinstance(greet, GreetScreen)
        await pilot.press("c", "enter")
        await until(lambda: greet.last_issued is not None)
        assert greet.last_issued is not None
        first = greet.last_issued.ticket.code
        with write_lock(office):
            change(office)
        # The next poll sees it: the desk is blocked before anyone types.
        await until(
            lambda: (
                isinstance(app.screen, DatabaseBlocked)
                and bool(app.screen.query("#blocked-message"))
            )
        )
        message = str(app.screen.query_one("#blocked-message", Static).render())
        assert f"{office} was" in message
        assert app.blocked is not None and isinstance(app.blocked, DatabaseGone)
        for _ in range(5):
            await pilot.press("c", "enter", "escape")
        assert isinstance(app.screen, DatabaseBlocked)  # Escape does not hide it
        # Even a write that gets past the screen is refused, never acknowledged.
        issued = await app.act(lambda s: QueueService(s).issue("W", print_ticket=False))
        assert isinstance(issued, Failed) and issued.title == "Database replaced or removed"
        assert greet.last_issued is not None and greet.last_issued.ticket.code == first
        assert app.is_running
    # Every ticket the desk acknowledged is in the file at the path (or there is none).
    assert codes_in(office) <= {"C001", "B001", "C002", "W001", first}


@pytest.mark.parametrize("folded", [True, False], ids=["checkpointed", "wal-beside"])
async def test_a_backup_copied_over_the_file_under_a_running_desk_stops_it(
    office: Path, make_app: AppFactory, folded: bool
) -> None:
    """`cp BACKUP office.sqlite`: the same file (device and inode), an older content."""
    copy = office.with_name("office-backup.sqlite")
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        greet = app.screen
        assert isinstance(greet, GreetScreen)
        source = sqlite3.connect(office, isolation_level=None)
        try:
            maintenance.backup_snapshot(source, copy)  # as `oss-desk db backup` makes it
        finally:
            source.close()
        stamp_file(copy, live=False)
        await pilot.press("c", "enter")
        await until(lambda: greet.last_issued is not None)
        assert greet.last_issued is not None
        first = greet.last_issued.ticket.code
        with write_lock(office) as conn:
            if folded:
                conn.execute("ROLLBACK")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("BEGIN IMMEDIATE")
            shutil.copyfile(copy, office)
        # A look between `cp` emptying the file and writing it says "cut short" at first
        # (under load, once in a full run): the next look, with the copy written, says more.
        await until(lambda: "a copy made by `oss-desk db backup`" in blocked_message(app))
        assert f"{office} was overwritten in place" in blocked_message(app)
        assert isinstance(app.blocked, DatabaseOverwritten)
        issued = await app.act(lambda s: QueueService(s).issue("C", print_ticket=False))
        assert isinstance(issued, Failed) and issued.title == "Database overwritten"
        assert greet.last_issued.ticket.code == first
    # Nothing written to the copy; the overwritten file's WAL not folded into it (a plain
    # SQLite reader would still see its pages: only the file is the copy's, byte for byte).
    assert same_bytes(office, copy)
    if folded:
        assert first not in codes_in(office)


async def test_a_desk_that_saw_cp_cut_the_file_short_says_a_backup_was_copied_once_written(
    office: Path, make_app: AppFactory
) -> None:
    """The desk looks while `cp BACKUP office.sqlite` has emptied the file and not yet
    written it: it stops at once, saying the file is cut short; once the copy is written, it
    says a backup was copied over it (it said "cut short" for good, a backup lying there)."""
    copy = office.with_name("office-backup.sqlite")
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True):
        await until(lambda: app.snapshot is not None)
        source = sqlite3.connect(office, isolation_level=None)
        try:
            maintenance.backup_snapshot(source, copy)
        finally:
            source.close()
        stamp_file(copy, live=False)
        with write_lock(office), open(office, "r+b") as target:
            target.truncate(0)  # what `cp` does first (O_TRUNC)
            await until(lambda: "cut short" in blocked_message(app))
            target.write(copy.read_bytes())  # then it writes the copy
        await until(lambda: "a copy made by `oss-desk db backup`" in blocked_message(app))
        message = blocked_message(app)
        assert f"{office} was overwritten in place" in message and "cut short" not in message
        assert isinstance(app.blocked, DatabaseOverwritten)
        assert app.blocked.message == message
        assert len(app.screen_stack) == 2 and isinstance(app.screen, DatabaseBlocked)
    assert same_bytes(office, copy)


async def test_a_damaged_page_under_a_running_desk_stops_it(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        before = codes_in(office)
        conn = sqlite3.connect(office, isolation_level=None, timeout=30)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root, page_size = (
            conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'tickets'").fetchone()[0],
            conn.execute("PRAGMA page_size").fetchone()[0],
        )
        with office.open("r+b") as raw:  # one page of the tickets table: garbage
            raw.seek((root - 1) * page_size)
            raw.write(os.urandom(page_size))
        # Another desk's change, so the desk reads the file afresh (not its cached pages).
        conn.execute("UPDATE desks SET status = 'break' WHERE id = 'desk-4'")
        conn.close()
        await pilot.press("c", "enter")
        await until(
            lambda: (
                isinstance(app.screen, DatabaseBlocked)
                and bool(app.screen.query("#blocked-message"))
            ),
            timeout=10,
        )
        assert isinstance(app.blocked, DatabaseDamaged)
        message = str(app.screen.query_one("#blocked-message", Static).render())
        assert "is damaged" in message and "db check" in message and "db restore" in message

        def desk_status(session: Session) -> None:
            QueueService(session).set_desk_status("desk-1", "break")

        refused = await app.act(desk_status)  # no write at all from now on
        assert isinstance(refused, Failed) and refused.title == "Database damaged"
        greet = app.screen_stack[-2] if len(app.screen_stack) > 1 else app.screen
        assert isinstance(greet, GreetScreen) and greet.last_issued is None
    conn = sqlite3.connect(office)
    try:
        status = conn.execute("SELECT status FROM desks WHERE id = 'desk-1'").fetchone()[0]
    finally:
        conn.close()
    assert status == "open"
    assert before


class _Blocking(App[None]):
    def on_mount(self) -> None:
        self.push_screen(DatabaseBlocked("Database replaced or removed", "gone"))


class _ServedBlocking(_Blocking):
    """As the desk runs under `oss-desk serve` (textual-serve's web driver)."""

    @property
    def is_web(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("app_class", "said", "not_said"),
    [
        (_Blocking, "Ctrl+Q closes the desk.", "browser tab"),
        (_ServedBlocking, "Close this browser tab to close the desk.", "Ctrl+Q"),
    ],
    ids=["terminal", "browser"],
)
async def test_the_blocked_desk_says_what_closes_it_there(
    app_class: type[_Blocking], said: str, not_said: str
) -> None:
    app = app_class()
    async with app.run_test(size=(100, 24)):
        await until(lambda: bool(app.screen.query(".hint")))
        hint = str(app.screen.query_one(".hint", Static).render())
        assert said in hint and not_said not in hint
