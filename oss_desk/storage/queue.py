"""SQL for the live queue. Callers hold a write transaction (``Store.write()``) for changes.

Allocation and "call next" are single statements (UPSERT ... RETURNING and
UPDATE ... WHERE id = (SELECT ...) RETURNING), backed by UNIQUE constraints.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from oss_desk.clock import read_instant
from oss_desk.domain.models import Channel, Outcome, Ticket, TicketStatus, Visit, VisitStatus


def _instant(text: str | None):  # type: ignore[no-untyped-def]
    return read_instant(text) if text is not None else None


def ticket_from_row(r: Sequence[Any]) -> Ticket:
    return Ticket(
        id=r[0],
        visit_id=r[1],
        site_id=r[2],
        service=r[3],
        business_day=r[4],
        number=r[5],
        status=TicketStatus(r[6]),
        priority=r[7],
        needs=tuple(json.loads(r[8])),
        queued_at=read_instant(r[9]),
        issued_at=read_instant(r[10]),
        desk=r[11],
        assigned_desk=r[12],
        called_at=_instant(r[13]),
        serving_at=_instant(r[14]),
        finished_at=_instant(r[15]),
        outcome=Outcome(r[16]) if r[16] is not None else None,
        recalls=r[17],
        transferred_from=r[18],
        printed_at=_instant(r[19]),
        channel=Channel(r[20]),
    )


# Visits -----------------------------------------------------------------------------------------


def create_visit(
    conn: sqlite3.Connection,
    *,
    site_id: str,
    business_day: str,
    arrived_at: str,
    channel: Channel,
    needs: Iterable[str],
) -> int:
    cur = conn.execute(
        "INSERT INTO visits (site_id, business_day, arrived_at, channel, needs) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id",
        [site_id, business_day, arrived_at, channel.value, json.dumps(sorted(needs))],
    )
    return int(cur.fetchone()[0])


def finish_visit(
    conn: sqlite3.Connection,
    visit_id: int,
    *,
    status: VisitStatus,
    outcome: Outcome | None,
    finished_at: str,
) -> None:
    conn.execute(
        "UPDATE visits SET status = ?, outcome = ?, finished_at = ? WHERE id = ?",
        [status.value, outcome.value if outcome else None, finished_at, visit_id],
    )


def get_visit(conn: sqlite3.Connection, visit_id: int) -> Visit | None:
    r = conn.execute(
        "SELECT v.id, v.site_id, v.business_day, v.arrived_at, v.channel, v.needs, v.status, "
        "v.outcome, v.finished_at, (SELECT service_code FROM tickets WHERE visit_id = v.id "
        "ORDER BY id DESC LIMIT 1) FROM visits v WHERE v.id = ?",
        [visit_id],
    ).fetchone()
    if r is None:
        return None
    return Visit(
        id=r[0],
        site_id=r[1],
        business_day=r[2],
        arrived_at=read_instant(r[3]),
        channel=Channel(r[4]),
        needs=tuple(json.loads(r[5])),
        status=VisitStatus(r[6]),
        outcome=Outcome(r[7]) if r[7] else None,
        finished_at=_instant(r[8]),
        service=r[9],
    )


# Tickets ----------------------------------------------------------------------------------------


def allocate_number(
    conn: sqlite3.Connection, *, site_id: str, service: str, business_day: str
) -> int:
    """The next number for (site, service, business day): one UPSERT ... RETURNING."""
    cur = conn.execute(
        "INSERT INTO ticket_counters (site_id, service_code, business_day, last_number) "
        "VALUES (?, ?, ?, 1) ON CONFLICT (site_id, service_code, business_day) "
        "DO UPDATE SET last_number = last_number + 1 RETURNING last_number",
        [site_id, service, business_day],
    )
    return int(cur.fetchone()[0])


def insert_ticket(
    conn: sqlite3.Connection,
    *,
    visit_id: int,
    site_id: str,
    service: str,
    business_day: str,
    number: int,
    priority: int,
    needs_private_room: bool,
    queued_at: str,
    issued_at: str,
    assigned_desk: str | None = None,
    transferred_from: int | None = None,
) -> int:
    cur = conn.execute(
        "INSERT INTO tickets (visit_id, site_id, service_code, business_day, number, priority, "
        "needs_private_room, queued_at, issued_at, assigned_desk_id, transferred_from) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [
            visit_id,
            site_id,
            service,
            business_day,
            number,
            priority,
            int(needs_private_room),
            queued_at,
            issued_at,
            assigned_desk,
            transferred_from,
        ],
    )
    return int(cur.fetchone()[0])


def get_ticket(conn: sqlite3.Connection, ticket_id: int) -> Ticket | None:
    r = conn.execute("SELECT * FROM ticket_details WHERE id = ?", [ticket_id]).fetchone()
    return ticket_from_row(r) if r else None


def find_ticket_by_code(
    conn: sqlite3.Connection, *, business_day: str, service: str, number: int
) -> list[Ticket]:
    rows = conn.execute(
        "SELECT * FROM ticket_details WHERE business_day = ? AND service_code = ? AND number = ? "
        "ORDER BY site_id",
        [business_day, service, number],
    ).fetchall()
    return [ticket_from_row(r) for r in rows]


def call_next(
    conn: sqlite3.Connection,
    *,
    site_id: str,
    business_day: str,
    desk_id: str,
    private_room: bool,
    now: str,
) -> int | None:
    """Claim the next ticket for a desk in one statement; returns its id or None.

    Order: tickets sent to this desk, then priority (checked-in appointments), then the longest
    wait since arrival. Only services the desk serves; a private-room need only where there is one.
    """
    row = conn.execute(
        "UPDATE tickets SET status = 'called', desk_id = :desk, called_at = :now "
        "WHERE id = ("
        "  SELECT t.id FROM tickets t"
        "  WHERE t.site_id = :site AND t.business_day = :day AND t.status = 'waiting'"
        "    AND t.service_code IN (SELECT service_code FROM desk_services WHERE desk_id = :desk)"
        "    AND (t.assigned_desk_id IS NULL OR t.assigned_desk_id = :desk)"
        "    AND (t.needs_private_room = 0 OR :private_room = 1)"
        "  ORDER BY (t.assigned_desk_id IS NOT NULL) DESC, t.priority DESC, t.queued_at, t.id"
        "  LIMIT 1"
        ") AND status = 'waiting' "
        "RETURNING id",
        {
            "desk": desk_id,
            "now": now,
            "site": site_id,
            "day": business_day,
            "private_room": int(private_room),
        },
    ).fetchone()
    return int(row[0]) if row else None


def transition(
    conn: sqlite3.Connection,
    ticket_id: int,
    *,
    from_statuses: Iterable[TicketStatus],
    to_status: TicketStatus,
    **fields: Any,
) -> bool:
    """Guarded status change: only from the given statuses. Returns whether it happened."""
    allowed = [s.value for s in from_statuses]
    assignments = ["status = ?"]
    values: list[Any] = [to_status.value]
    for column, value in fields.items():
        if column not in _UPDATABLE:
            raise ValueError(f"not an updatable ticket column: {column}")
        assignments.append(f"{column} = ?")
        values.append(value)
    marks = ", ".join("?" * len(allowed))
    # Column names come from the _UPDATABLE allow-list above, values are parameters.
    sql = f"UPDATE tickets SET {', '.join(assignments)} WHERE id = ? AND status IN ({marks})"  # noqa: S608
    cur = conn.execute(sql, [*values, ticket_id, *allowed])
    return cur.rowcount == 1


_UPDATABLE = frozenset(
    {
        "desk_id",
        "called_at",
        "serving_at",
        "finished_at",
        "outcome",
        "recalls",
        "assigned_desk_id",
        "printed_at",
    }
)


def assign_desk(conn: sqlite3.Connection, ticket_id: int, desk_id: str | None) -> bool:
    cur = conn.execute(
        "UPDATE tickets SET assigned_desk_id = ? WHERE id = ? AND status = 'waiting'",
        [desk_id, ticket_id],
    )
    return cur.rowcount == 1


def increment_recalls(conn: sqlite3.Connection, ticket_id: int, cap: int) -> int | None:
    row = conn.execute(
        "UPDATE tickets SET recalls = recalls + 1 WHERE id = ? AND status = 'called' "
        "AND recalls < ? RETURNING recalls",
        [ticket_id, cap],
    ).fetchone()
    return int(row[0]) if row else None


def desk_ticket(conn: sqlite3.Connection, desk_id: str) -> Ticket | None:
    r = conn.execute(
        "SELECT * FROM ticket_details WHERE desk_id = ? AND status IN ('called', 'serving') "
        "ORDER BY called_at DESC LIMIT 1",
        [desk_id],
    ).fetchone()
    return ticket_from_row(r) if r else None


def active_tickets(
    conn: sqlite3.Connection, *, site_id: str | None, business_day: str
) -> list[Ticket]:
    """Waiting, called and serving tickets of the day, in call order."""
    rows = conn.execute(
        "SELECT * FROM ticket_details WHERE business_day = :day "
        "AND status IN ('waiting', 'called', 'serving') AND (:site IS NULL OR site_id = :site) "
        "ORDER BY priority DESC, queued_at, id",
        {"day": business_day, "site": site_id},
    ).fetchall()
    return [ticket_from_row(r) for r in rows]


def tickets_of_day(
    conn: sqlite3.Connection, *, site_id: str | None, business_day: str
) -> list[Ticket]:
    rows = conn.execute(
        "SELECT * FROM ticket_details WHERE business_day = :day "
        "AND (:site IS NULL OR site_id = :site) ORDER BY id",
        {"day": business_day, "site": site_id},
    ).fetchall()
    return [ticket_from_row(r) for r in rows]


def visit_has_active_ticket(conn: sqlite3.Connection, visit_id: int) -> bool:
    row = conn.execute(
        "SELECT 1 FROM tickets WHERE visit_id = ? AND status IN ('waiting', 'called', 'serving')",
        [visit_id],
    ).fetchone()
    return row is not None


def recent_service_seconds(
    conn: sqlite3.Connection, services: Iterable[str], sample: int, since: str
) -> dict[str, float]:
    """Mean time at the desk (call to finish) of each service's latest finished tickets."""
    result: dict[str, float] = {}
    for code in services:
        row = conn.execute(
            "SELECT avg(seconds), count(*) FROM ("
            "  SELECT (julianday(finished_at) - julianday(called_at)) * 86400.0 AS seconds"
            "  FROM tickets WHERE service_code = ? AND status = 'done' AND finished_at >= ?"
            "  ORDER BY finished_at DESC LIMIT ?)",
            [code, since, sample],
        ).fetchone()
        if row[1]:
            result[code] = float(row[0])
    return result
