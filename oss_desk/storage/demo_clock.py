"""The demo's clock row (schema/0051): read and written only for a demo database."""

from __future__ import annotations

import sqlite3


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
