"""Appending to the visit event log (append-only: triggers reject UPDATE and DELETE; each event
chained to the one before by its hash, see :mod:`oss_desk.storage.chain`)."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oss_desk.clock import format_instant
from oss_desk.domain.calendar import local
from oss_desk.domain.models import Actor, EventKind, Outcome

_encode_data = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode
"""``json.dumps(data, sort_keys=True, separators=(",", ":"))``, its encoder made once."""


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
    """Record one change at the head of the hash chain (inside the caller's write transaction),
    with the person acting and the account of this process. ``data`` must never hold personal
    data (names, contacts, notes)."""
    day: str | None = None
    hour: int | None = None
    if timezone is not None:
        wall = local(at, timezone)
        day, hour = wall.date().isoformat(), wall.hour
    from oss_desk.storage import chain  # a write: not every command reads with the chain loaded

    return chain.append(
        conn,
        (
            format_instant(at),
            day,
            hour,
            site_id,
            kind.value,
            actor.person,
            account_of(conn),
            desk_id if desk_id is not None else actor.desk_id,
            visit_id,
            ticket_id,
            service_code,
            outcome.value if outcome is not None else None,
            encode_event_data(data),
            appointment_id,
        ),
    )


def encode_event_data(data: Mapping[str, Any] | None) -> str:
    """An event's ``data`` column: compact JSON with sorted keys, ``{}`` when there is none (the
    services' events and generated history write it alike)."""
    return _encode_data(data) if data else "{}"


def account_of(conn: sqlite3.Connection) -> str:
    """The account recorded with this connection's events: the one its session established
    (the operating-system login, or the browser proxy's signed-in user), else this process's
    operating-system account."""
    account = getattr(conn, "account", None)
    return account if isinstance(account, str) and account else process_account()


def process_account() -> str:
    """The operating-system account this process runs as (never taken from the environment)."""
    import pwd

    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid-{uid}"


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


_SELECT_EVENTS = (
    "SELECT id, at, business_day, site_id, kind, actor, desk_id, visit_id, ticket_id, "
    "service_code, outcome, data FROM events"
)


def _events(conn: sqlite3.Connection, where: str, args: list[object]) -> list[EventRow]:
    """The events ``where`` (a WHERE and ORDER BY clause) selects, each as an :class:`EventRow`."""
    return [_row(r) for r in conn.execute(f"{_SELECT_EVENTS} {where}", args)]


def events_after(conn: sqlite3.Connection, after_id: int, limit: int = 1000) -> list[EventRow]:
    return _events(conn, "WHERE id > ? ORDER BY id LIMIT ?", [after_id, limit])


def events_for_visit(conn: sqlite3.Connection, visit_id: int) -> list[EventRow]:
    return _events(conn, "WHERE visit_id = ? ORDER BY id", [visit_id])


def slip_reprints(conn: sqlite3.Connection, appointment_id: int) -> list[EventRow]:
    """The times appointment ``appointment_id``'s slip was printed again (``appointment slip``),
    oldest first: who, when, and the job (``data["job"]``)."""
    return _events(
        conn,
        "WHERE appointment_id = ? AND kind = ? ORDER BY id",
        [appointment_id, EventKind.REPRINT.value],
    )


def appointment_last_at(conn: sqlite3.Connection, appointment_id: int, kind: str) -> str | None:
    """The instant of the appointment's latest event of ``kind`` (None: it has none)."""
    row = conn.execute(
        "SELECT at FROM events WHERE appointment_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
        [appointment_id, kind],
    ).fetchone()
    return str(row[0]) if row is not None else None


def appointment_last_data(
    conn: sqlite3.Connection, appointment_id: int, kinds: Sequence[str]
) -> dict[str, Any] | None:
    """The data of the appointment's latest event of one of ``kinds`` (None: it has none)."""
    marks = ", ".join("?" * len(kinds))
    row = conn.execute(
        f"SELECT data FROM events WHERE appointment_id = ? AND kind IN ({marks})"  # noqa: S608
        " ORDER BY id DESC LIMIT 1",
        [appointment_id, *kinds],
    ).fetchone()
    return None if row is None else dict(json.loads(row[0]))


def last_desk_logout(conn: sqlite3.Connection, desk_id: str, business_day: str) -> EventRow | None:
    """The latest log-out from ``desk_id`` on ``business_day`` (who did it, when), if any."""
    found = _events(
        conn,
        "WHERE business_day = ? AND kind = 'desk_logout' AND desk_id = ? ORDER BY id DESC LIMIT 1",
        [business_day, desk_id],
    )
    return found[0] if found else None


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


def visit_last_event_at(conn: sqlite3.Connection, visit_id: int) -> str | None:
    """The instant of the visit's latest event (None: it has none)."""
    row = conn.execute("SELECT max(at) FROM events WHERE visit_id = ?", [visit_id]).fetchone()
    return str(row[0]) if row and row[0] is not None else None


NEWEST_AMONG = 64
"""How many of the log's last events (by id) :func:`newest_event_at` looks at."""


def newest_event_at(conn: sqlite3.Connection) -> str | None:
    """When the office's newest event happened (None: none yet): the latest instant among the
    log's last :data:`NEWEST_AMONG` events. Not simply the last one written: a command run with
    ``OSS_DESK_NOW`` set dates its events at that time, before those already recorded. A few
    rows by the log's id (its primary key), never the whole log: it is asked at every look at
    a session's clock."""
    row = conn.execute(
        "SELECT max(at) FROM events WHERE id > (SELECT max(id) FROM events) - ?", [NEWEST_AMONG]
    ).fetchone()
    return str(row[0]) if row and row[0] is not None else None
