"""The demo's clock: it runs.

``oss-desk demo`` builds its office as of an instant (out of hours, 11:00 on the last opening
day; or ``OSS_DESK_NOW``) and records, in the demo database itself (schema/0051), the instant the
office was at and the real instant it was then. Every process and command on that database
without ``OSS_DESK_NOW`` (the demo's own desk and device worker, a second desk, ``oss-desk
queue``, ``oss-desk worker``, ``init --demo``, ``doctor``, ``db restore``) reads it and keeps the
demo's time, running on at the real pace: waits grow, a print job that failed is tried again
when it falls due, and another terminal sees the same office at the same moment.
``OSS_DESK_NOW``, when set, still wins (a stopped clock, for scripts and tests).

Left (the last desk app on its database closed, whichever terminal opened it, and no worker on
it), the demo's clock stops at the instant it was left; opened again (``oss-desk demo`` over a
demo that has work in it), it runs on from there, never from earlier than it was showing.
"The last to leave" is decided under a lock (:class:`DemoDesk`), so that two desk apps closing
together, or one opening while another leaves, never leave the clock running with nobody on
it nor stopped under a desk that runs on.
The clock lives and dies with its database: a new database made at the same path never takes
an old demo's time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from oss_desk.clock import (
    NOW_ENV,
    Clock,
    FixedClock,
    RunningClock,
    clock_from_env,
    format_instant,
    read_instant,
)
from oss_desk.storage.database import open_store
from oss_desk.storage.demo_clock import holds_the_demo, read_demo_clock, write_demo_clock
from oss_desk.storage.events import newest_event_at

OLD_FILE_SUFFIX = ".clock"
"""The demo's clock was once a file beside its database (``PATH.clock``); it is removed."""


def old_clock_file(db: Path) -> Path:
    return db.with_name(db.name + OLD_FILE_SUFFIX)


LOCK_SUFFIX = ".demo.lock"
"""Beside a demo's database (made when its clock starts; a real office has none): every desk
app on the demo holds it shared while it is open, and the last to leave holds it alone while
it decides and stops the clock."""


def demo_lock(db: Path) -> Path:
    return db.with_name(db.name + LOCK_SUFFIX)


class DemoDesk:
    """A desk app's place on a demo: the demo's lock held shared (:data:`LOCK_SUFFIX`), taken
    before the app reads the demo's clock (it waits while the last desk app to leave is
    stopping it, then reads the clock as that left it) and let go as it leaves
    (:meth:`leave`). Not a demo (no lock file): nothing is held."""

    def __init__(self, db: Path) -> None:
        self.db = db
        try:
            self._fd: int | None = os.open(demo_lock(db), os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            self._fd = None
            return
        fcntl.flock(self._fd, fcntl.LOCK_SH)  # the kernel lets it go if this process dies

    def leave(self, *, on_clock: bool, in_use: Callable[[Path], object | None]) -> datetime | None:
        """The desk app has closed its database. With ``on_clock`` (it ran on the demo's
        running clock): when it is the last desk app on the demo (the lock, taken alone at
        once, says no other holds it; one opening now waits) and nothing else has the database
        open (``in_use``, ``services.dbops``'s: no worker, no other command), the clock stops
        where it was left (:func:`stop_clock`). The stop instant, or None (not the last, or
        not stopped)."""
        fd, self._fd = self._fd, None
        if fd is None:  # a clock started by an older release, without the lock: as it did
            return stop_clock(self.db) if on_clock and in_use(self.db) is None else None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
            if not on_clock:
                return None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None  # another desk app is on it: the last one to leave stops it
            return stop_clock(self.db) if in_use(self.db) is None else None
        finally:
            os.close(fd)


def demo_clock(conn: sqlite3.Connection) -> Clock | None:
    """The demo's clock recorded in the database: running, or stopped where it was left; None
    when it has none (not a demo) or an unreadable one (then the real clock, as any office)."""
    found = read_demo_clock(conn)
    if found is None:
        return None
    try:
        at = read_instant(found[0])
        return FixedClock(at) if found[1] is None else RunningClock(at, read_instant(found[1]))
    except ValueError:
        return None


def stopped_by_env() -> bool:
    """``OSS_DESK_NOW`` is set: every command acts at that instant, the demo's too."""
    return bool(os.environ.get(NOW_ENV, "").strip())


def office_clock(conn: sqlite3.Connection, *, training: bool) -> Clock:
    """The clock of the office whose database ``conn`` is open on: ``OSS_DESK_NOW`` when set;
    else a training office's recorded demo clock, so every terminal and command on it keeps its
    time; else the real clock. A real office never reads one."""
    if not stopped_by_env() and training:
        found = demo_clock(conn)
        if found is not None:
            return found
    return clock_from_env()


def clock_of(db: Path) -> Clock:
    """:func:`office_clock` for a command that has not opened the office (``init``,
    ``doctor``, ``db restore``, a printer's test page): a demo database's clock (one holding the
    built-in demo site), else ``OSS_DESK_NOW`` or the real clock; a real office never reads a
    demo clock, even one left in its database. A missing or unreadable database: the real
    clock."""
    from oss_desk.storage.maintenance import connect_file  # rare commands only

    if stopped_by_env():
        return clock_from_env()
    try:
        conn = connect_file(db, readonly=True)
    except (sqlite3.Error, OSError):
        return clock_from_env()
    try:
        return office_clock(conn, training=holds_the_demo(conn))
    except sqlite3.Error:
        return clock_from_env()
    finally:
        conn.close()


@contextlib.contextmanager
def _writing(db: Path) -> Iterator[sqlite3.Connection]:
    """A write transaction on the demo database ``db``, opened for it and closed after."""
    store = open_store(db, create=False, check=False)
    try:
        with store.write() as conn:
            yield conn
    finally:
        store.close()


def start_clock(db: Path, at: datetime, since: datetime) -> RunningClock:
    """Record that the demo at ``db`` is at ``at`` at the real instant ``since`` (and make the
    demo's lock: :class:`DemoDesk`)."""
    with _writing(db) as conn:
        write_demo_clock(conn, format_instant(at), format_instant(since))
    os.close(os.open(demo_lock(db), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
    old_clock_file(db).unlink(missing_ok=True)
    return RunningClock(at, since)


def stop_clock(db: Path) -> datetime | None:
    """The demo at ``db`` was left and nobody has it open: its clock stops at the demo's
    instant now (or at the last thing done in it, if that is later), recorded so that every
    command until it is opened again acts then, and it opens again from there. Returns that
    instant; None when it has no running clock (nothing is changed)."""
    with _writing(db) as conn:
        clock = demo_clock(conn)
        if not isinstance(clock, RunningClock):
            return None
        left = clock.now()
        newest = newest_event_at(conn)
        if newest is not None:
            left = max(left, read_instant(newest))
        recorded = format_instant(left)  # to the millisecond, as every instant
        write_demo_clock(conn, recorded, None)
        return read_instant(recorded)


def left_at(conn: sqlite3.Connection) -> datetime | None:
    """The instant a demo with work in it opens again from: the demo's time on its clock
    (stopped where it was left, or still running: a terminal on it that is not a desk app, a
    worker, or a desk killed before it could stop it, left it running on), or the last thing
    done in it if that is later (or it has no clock); never earlier than what every command on
    it was showing."""
    clock = demo_clock(conn)
    newest = newest_event_at(conn)
    found = [read_instant(newest)] if newest is not None else []
    if clock is not None:
        found.append(clock.now())
    return max(found) if found else None
