"""What the waiting-room screen, the phone page and texts to residents read and write."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CallRow:
    event_id: int
    kind: str
    """``called`` or ``recalled``."""
    at: str
    code: str
    desk_id: str | None
    ticket_id: int


def latest_calls(
    conn: sqlite3.Connection, site_id: str, business_day: str, limit: int
) -> list[CallRow]:
    """The day's latest calls and recalls, newest first, one per ticket (a ticket transferred
    or cancelled since leaves the screen). The event id orders them and tells a page which it
    has already announced."""
    rows = conn.execute(
        "SELECT max(e.id), e.kind, e.at, t.service_code || printf('%03d', t.number), e.desk_id, "
        "  e.ticket_id "
        "FROM events e JOIN tickets t ON t.id = e.ticket_id "
        "WHERE e.business_day = ? AND e.site_id = ? AND e.kind IN ('called', 'recalled') "
        "  AND t.status NOT IN ('transferred', 'cancelled') "
        "GROUP BY e.ticket_id ORDER BY max(e.id) DESC LIMIT ?",
        [business_day, site_id, limit],
    ).fetchall()
    return [CallRow(*row) for row in rows]


def waiting_by_service(conn: sqlite3.Connection, site_id: str, business_day: str) -> dict[str, int]:
    """How many tickets of each service are waiting (counts only)."""
    return {
        code: count
        for code, count in conn.execute(
            "SELECT service_code, count(*) FROM tickets WHERE site_id = ? AND business_day = ? "
            "AND status = 'waiting' GROUP BY service_code ORDER BY service_code",
            [site_id, business_day],
        )
    }


def secret(conn: sqlite3.Connection) -> bytes:
    """The key of the phone page's links (made by the migration, one per database)."""
    row = conn.execute("SELECT key FROM resident_secret WHERE id = 1").fetchone()
    key: bytes = row[0]
    return key


def day_ticket_ids(conn: sqlite3.Connection, site_id: str, business_day: str) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM tickets WHERE site_id = ? AND business_day = ? ORDER BY id",
            [site_id, business_day],
        )
    ]


def successor(conn: sqlite3.Connection, ticket_id: int) -> int | None:
    """The ticket a transferred ticket became."""
    row = conn.execute(
        "SELECT id FROM tickets WHERE transferred_from = ? ORDER BY id DESC LIMIT 1", [ticket_id]
    ).fetchone()
    return int(row[0]) if row else None
