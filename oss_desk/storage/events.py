"""Appending to the visit event log (append-only: triggers reject UPDATE and DELETE)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oss_desk.clock import format_instant
from oss_desk.domain.calendar import local
from oss_desk.domain.models import Actor, EventKind, Outcome


def append_event(
    conn: sqlite3.Connection,
    *,
    at: datetime,
    timezone: str | None,
    site_id: str | None,
    kind: EventKind,
    actor: Actor,
    desk_id: str | None = None,
    visit_id: int | None = None,
    ticket_id: int | None = None,
    service_code: str | None = None,
    outcome: Outcome | None = None,
    data: dict[str, Any] | None = None,
    appointment_id: int | None = None,
) -> int:
    """Record one change. ``data`` must never hold personal data (names, contacts, notes)."""
    day: str | None = None
    hour: int | None = None
    if timezone is not None:
        wall = local(at, timezone)
        day, hour = wall.date().isoformat(), wall.hour
    cur = conn.execute(
        "INSERT INTO events (at, business_day, local_hour, site_id, kind, actor, desk_id, "
        "visit_id, ticket_id, service_code, outcome, data, appointment_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            format_instant(at),
            day,
            hour,
            site_id,
            kind.value,
            actor.person,
            desk_id if desk_id is not None else actor.desk_id,
            visit_id,
            ticket_id,
            service_code,
            outcome.value if outcome is not None else None,
            json.dumps(data, sort_keys=True, separators=(",", ":")) if data else "{}",
            appointment_id,
        ],
    )
    return int(cur.lastrowid or 0)


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    at: str
    business_day: str | None
    site_id: str | None
    kind: str
    actor: str
    desk_id: str | None
    visit_id: int | None
    ticket_id: int | None
    service_code: str | None
    outcome: str | None
    data: dict[str, Any]


def _row(r: tuple[Any, ...]) -> EventRow:
    return EventRow(
        id=r[0],
        at=r[1],
        business_day=r[2],
        site_id=r[3],
        kind=r[4],
        actor=r[5],
        desk_id=r[6],
        visit_id=r[7],
        ticket_id=r[8],
        service_code=r[9],
        outcome=r[10],
        data=json.loads(r[11]),
    )


def events_after(conn: sqlite3.Connection, after_id: int, limit: int = 1000) -> list[EventRow]:
    rows = conn.execute(
        "SELECT id, at, business_day, site_id, kind, actor, desk_id, visit_id, ticket_id, "
        "service_code, outcome, data FROM events WHERE id > ? ORDER BY id LIMIT ?",
        [after_id, limit],
    ).fetchall()
    return [_row(r) for r in rows]


def events_for_visit(conn: sqlite3.Connection, visit_id: int) -> list[EventRow]:
    rows = conn.execute(
        "SELECT id, at, business_day, site_id, kind, actor, desk_id, visit_id, ticket_id, "
        "service_code, outcome, data FROM events WHERE visit_id = ? ORDER BY id",
        [visit_id],
    ).fetchall()
    return [_row(r) for r in rows]


def last_event_id(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT max(id) FROM events").fetchone()
    return int(row[0] or 0)


def callers_of_visit(
    conn: sqlite3.Connection, visit_id: int
) -> list[tuple[str, str | None, int | None]]:
    """(person, desk, ticket id) of every call of the visit's tickets, oldest first: whose
    visit it is."""
    rows = conn.execute(
        "SELECT actor, desk_id, ticket_id FROM events WHERE visit_id = ? AND kind = ? ORDER BY id",
        [visit_id, EventKind.CALLED.value],
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]
