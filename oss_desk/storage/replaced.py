"""What a restore replaces: the SQL of reading the database being replaced, and of carrying its
ticket numbering into the restored copy.

The restore reads the replaced database while it holds that database's write turn
(:func:`write_turn`, the ``flock`` every oss-desk write transaction takes before ``BEGIN
IMMEDIATE``) and keeps holding it until the restored copy is in place: a desk's ticket is either
committed before the read (and its number carried) or finds the path naming another file once it
has its turn, and writes nothing (:meth:`Store.write` checks the file under the turn).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from oss_desk.errors import StorageBusy
from oss_desk.storage.faults import busy_timeout
from oss_desk.storage.maintenance import connect_file
from oss_desk.storage.writelock import WriteLock

Counters = dict[tuple[str, str, str], int]
"""(site, service, business day) -> the last ticket number given out."""


@dataclass
class Replaced:
    """What the database being replaced holds beyond a backup. ``events`` and ``counters`` are
    None when it could not be read: not known, which is not the same as none."""

    events: int | None = 0
    """Its events after the backup's newest (of another office's database: all its events)."""
    newest: str | None = None
    counters: Counters | None = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)
    """Site id -> its time zone, for the business day each site is on now."""


@contextlib.contextmanager
def write_turn(db: Path) -> Iterator[None]:
    """Hold the write turn of the database at ``db`` (waiting at most the busy timeout): no
    oss-desk process commits to it meanwhile. Only this lock is taken, and no SQLite lock is
    held while waiting for it, so it cannot deadlock."""
    turn = WriteLock(db)
    try:
        timeout = busy_timeout()
        try:
            held = turn.acquire(timeout)
        except TimeoutError:
            raise StorageBusy(
                f"database locked: other processes held {db} for more than {timeout:g} s "
                "(nothing was restored): try again"
            ) from None
        try:
            yield
        finally:
            if held:
                turn.release()
    finally:
        turn.close()


def read_replaced(db: Path, after: str | None, *, same: bool) -> Replaced:
    """In one read transaction: the events of ``db`` after ``after`` (all of them unless
    ``same``: another office's clock says nothing of this one's), its ticket counters (only of
    the same office) and its sites' time zones."""
    if not db.exists():
        return Replaced()
    since = after if same else None
    try:
        with contextlib.closing(connect_file(db, readonly=True)) as conn:
            conn.execute("BEGIN")
            count, newest = conn.execute(
                "SELECT count(*), max(at) FROM events WHERE ? IS NULL OR at > ?", [since, since]
            ).fetchone()
            counters = _counters(conn) if same else {}
            zones = {
                str(site): str(tz) for site, tz in conn.execute("SELECT id, timezone FROM sites")
            }
            conn.execute("ROLLBACK")
    except sqlite3.Error:  # damaged or unreadable: what it holds is not known
        return Replaced(events=None, counters=None)
    return Replaced(int(count), newest, counters, zones)


def _counters(conn: sqlite3.Connection) -> Counters:
    rows = conn.execute(
        "SELECT site_id, service_code, business_day, last_number FROM ticket_counters"
    ).fetchall()
    return {(site, service, day): int(number) for site, service, day, number in rows}


def ticket_counters(path: Path) -> Counters:
    """The last ticket number given per (site, service, business day) in the database at
    ``path`` (a verified copy: an error is raised, not hidden)."""
    with contextlib.closing(connect_file(path, readonly=True)) as conn:
        return _counters(conn)


def raise_ticket_counters(path: Path, counters: Counters) -> None:
    """Numbering in the database at ``path`` carries on after ``counters`` where they are
    higher (its next ticket of that service that day gets the next number): no code already
    given out is given again."""
    conn = connect_file(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO ticket_counters (site_id, service_code, business_day, last_number) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (site_id, service_code, business_day) "
            "DO UPDATE SET last_number = max(last_number, excluded.last_number)",
            [(site, service, day, n) for (site, service, day), n in counters.items()],
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
