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
The clock lives and dies with its database: a new database made at the same path never takes
an old demo's time.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
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

OLD_FILE_SUFFIX = ".clock"
"""The demo's clock was once a file beside its database (``PATH.clock``); it is removed."""


def old_clock_file(db: Path) -> Path:
    return db.with_name(db.name + OLD_FILE_SUFFIX)


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
    """Record that the demo at ``db`` is at ``at`` at the real instant ``since``."""
    with _writing(db) as conn:
        write_demo_clock(conn, format_instant(at), format_instant(since))
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
        newest = _newest_event_at(conn)
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
    newest = _newest_event_at(conn)
    found = [read_instant(newest)] if newest is not None else []
    if clock is not None:
        found.append(clock.now())
    return max(found) if found else None


def _newest_event_at(conn: sqlite3.Connection) -> str | None:
    """The newest event's instant (imported when needed: every command reads this module's
    clock, and the maintenance queries cost a few milliseconds to import)."""
    from oss_desk.storage.maintenance import newest_event_at

    return newest_event_at(conn)
