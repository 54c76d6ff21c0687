"""SQL of the days closed by hand (``day_closures``, schema/0033)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.closed_day import OFFICE_CLOSED, ClosedDay


def _last_close(
    conn: sqlite3.Connection, site_id: str, business_day: str
) -> tuple[str, str, str | None] | None:
    """The last close by hand of ``business_day`` at the site (the one that counts): when, by
    whom, and when it was reopened (None: it holds); None when the day was never closed."""
    row = conn.execute(
        "SELECT closed_at, closed_by, reopened_at FROM day_closures"
        " WHERE site_id = ? AND business_day = ? ORDER BY id DESC LIMIT 1",
        [site_id, business_day],
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def closed_day(conn: sqlite3.Connection, site_id: str, business_day: str) -> ClosedDay | None:
    """The close of ``business_day`` at the site while it holds (None: open, or reopened)."""
    last = _last_close(conn, site_id, business_day)
    if last is None or last[2] is not None:
        return None
    return ClosedDay(site_id, business_day, read_instant(last[0]), last[1])


def last_closed_at(conn: sqlite3.Connection, site_id: str, business_day: str) -> datetime | None:
    """When ``business_day`` was last closed by hand at the site, reopened since or not (None:
    never)."""
    last = _last_close(conn, site_id, business_day)
    return None if last is None else read_instant(last[0])


def close_day(
    conn: sqlite3.Connection, site_id: str, business_day: str, closed_at: str, person: str
) -> None:
    conn.execute(
        "INSERT INTO day_closures (site_id, business_day, closed_at, closed_by)"
        " VALUES (?, ?, ?, ?)",
        [site_id, business_day, closed_at, person],
    )


def reopen_day(
    conn: sqlite3.Connection, site_id: str, business_day: str, reopened_at: str, person: str
) -> None:
    """Reopen the day's close that holds (if any)."""
    conn.execute(
        "UPDATE day_closures SET reopened_at = ?, reopened_by = ?"
        " WHERE site_id = ? AND business_day = ? AND reopened_at IS NULL",
        [reopened_at, person, site_id, business_day],
    )


def tickets_closed(conn: sqlite3.Connection, closed: ClosedDay) -> int:
    """How many of the day's tickets at the site the team leader's close ``closed`` closed, from
    the event log: their ``cancelled`` events of that business day, by hand (not
    ``automatic``), done at the close or after it while it held (each event's ``closed_at``),
    through the events' (business_day, kind, site_id) index."""
    row = conn.execute(
        "SELECT count(*) FROM events WHERE business_day = ? AND kind = 'cancelled'"
        " AND site_id = ? AND json_extract(data, '$.reason') = ?"
        " AND json_extract(data, '$.automatic') = 0 AND json_extract(data, '$.closed_at') >= ?",
        [closed.business_day, closed.site_id, OFFICE_CLOSED, format_instant(closed.closed_at)],
    ).fetchone()
    return int(row[0]) if row is not None else 0


def last_reopened(
    conn: sqlite3.Connection, business_day: str, site_id: str | None
) -> datetime | None:
    """When ``business_day`` was last reopened after a close by hand at the site (None: any
    site), or None when it never was."""
    row = conn.execute(
        "SELECT max(reopened_at) FROM day_closures"
        " WHERE business_day = ? AND (? IS NULL OR site_id = ?)",
        [business_day, site_id, site_id],
    ).fetchone()
    return None if row is None or row[0] is None else read_instant(row[0])


def cancelled_data(
    conn: sqlite3.Connection, visit_id: int, ticket_id: int
) -> dict[str, Any] | None:
    """The data of the ticket's latest ``cancelled`` event (None: none), through the events'
    (visit_id, kind, ...) index: was it closed by close of day?"""
    row = conn.execute(
        "SELECT data FROM events WHERE visit_id = ? AND kind = 'cancelled' AND ticket_id = ?"
        " ORDER BY id DESC LIMIT 1",
        [visit_id, ticket_id],
    ).fetchone()
    if row is None or row[0] is None:
        return None
    found = json.loads(row[0])
    return found if isinstance(found, dict) else None
