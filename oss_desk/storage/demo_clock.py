"""The demo's clock row (schema/0051), read and written only for a demo database, and what marks a
database as a demo one."""

from __future__ import annotations

import sqlite3

from oss_desk.domain.models import EventKind

DEMO_SOURCE = "built-in demo site"
"""The source the built-in demo site's configuration is stored under (``config_snapshots``):
what makes a database a demo one."""


def holds_the_demo(conn: sqlite3.Connection) -> bool:
    """Whether the configuration in force is the built-in demo site's (a demo database)."""
    try:
        row = conn.execute(
            "SELECT source FROM config_snapshots ORDER BY id DESC LIMIT 1"
        ).fetchone()
    except sqlite3.OperationalError:
        return False  # no such table: not an office database yet
    return row is not None and row[0] == DEMO_SOURCE


def read_demo_clock(conn: sqlite3.Connection) -> tuple[str, str | None] | None:
    """``(at, since)`` of the demo's clock (``since`` None: stopped at ``at``); None when the
    database has none (not a demo, or older than 0051)."""
    try:
        row = conn.execute("SELECT at, since FROM demo_clock WHERE id = 1").fetchone()
    except sqlite3.OperationalError:
        return None  # no such table: a database not yet migrated
    return (str(row[0]), None if row[1] is None else str(row[1])) if row else None


def write_demo_clock(conn: sqlite3.Connection, at: str, since: str | None) -> None:
    conn.execute(
        "INSERT INTO demo_clock (id, at, since) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET at = excluded.at, since = excluded.since",
        [at, since],
    )


def forget_demo_clock(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM demo_clock")


def demo_built_at(conn: sqlite3.Connection) -> str | None:
    """The instant the demo was built as of (its ``demo_built`` event): what the demo made
    before then is its simulated past. None: not built by ``oss-desk demo``."""
    row = conn.execute(
        "SELECT at FROM events WHERE kind = ? ORDER BY id DESC LIMIT 1",
        [EventKind.DEMO_BUILT.value],
    ).fetchone()
    return None if row is None else str(row[0])
