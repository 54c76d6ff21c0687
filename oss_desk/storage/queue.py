"""SQL for the live queue. Callers hold a write transaction (``Store.write()``) for changes.

Allocation and "call next" are single statements (UPSERT ... RETURNING and
UPDATE ... WHERE id = (SELECT ...) RETURNING), backed by UNIQUE constraints.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from oss_desk.clock import read_instant
from oss_desk.domain.models import (
    Channel,
    Joining,
    Outcome,
    Ticket,
    TicketStatus,
    Visit,
    VisitStatus,
)
from oss_desk.domain.needs import BSL, needs_private_room, requirements
from oss_desk.domain.queue import BSL_WEIGHT, CALL_ORDER, Direction
from oss_desk.storage.rows import returned_int, row_dict


def order_by(alias: str) -> str:
    """The one call order (:data:`oss_desk.domain.queue.CALL_ORDER`) as an ``ORDER BY`` list."""
    spelt = {
        Direction.SET_FIRST: "{} IS NULL",
        Direction.ASCENDING: "{}",
        Direction.DESCENDING: "{} DESC",
    }
    return ", ".join(spelt[t.direction].format(f"{alias}.{t.column}") for t in CALL_ORDER)


CALL_ORDER_SQL = order_by("t")


def _instant(text: str | None) -> datetime | None:
    return read_instant(text) if text is not None else None


def ticket_from_row(cur: sqlite3.Cursor, r: Sequence[Any]) -> Ticket:
    """A ticket from a ``SELECT * FROM tickets`` or ``RETURNING *`` row (columns by name)."""
    return _ticket(row_dict(cur, r))


def _ticket(c: dict[str, Any]) -> Ticket:
    return Ticket(
        id=c["id"],
        visit_id=c["visit_id"],
        site_id=c["site_id"],
        service=c["service_code"],
        business_day=c["business_day"],
        number=c["number"],
        status=TicketStatus(c["status"]),
        priority=c["priority"],
        needs=() if c["needs"] == "[]" else tuple(json.loads(c["needs"])),
        queued_at=read_instant(c["queued_at"]),
        issued_at=read_instant(c["issued_at"]),
        desk=c["desk_id"],
        assigned_desk=c["assigned_desk_id"],
        called_at=_instant(c["called_at"]),
        serving_at=_instant(c["serving_at"]),
        finished_at=_instant(c["finished_at"]),
        outcome=Outcome(c["outcome"]) if c["outcome"] is not None else None,
        recalls=c["recalls"],
        transferred_from=c["transferred_from"],
        printed_at=_instant(c["printed_at"]),
        channel=Channel(c["channel"]),
        assigned_person=c["assigned_person"],
        parked_at=_instant(c["parked_at"]),
        park_reason=c["park_reason"],
        passed_over_by=c.get("passed_over_by"),
    )


def _one(cur: sqlite3.Cursor) -> Ticket | None:
    row = cur.fetchone()
    return ticket_from_row(cur, row) if row is not None else None


def _all(cur: sqlite3.Cursor) -> list[Ticket]:
    names = tuple(d[0] for d in cur.description)  # (once, not once a row)
    return [_unchanged_ticket(names, tuple(row)) for row in cur.fetchall()]


@lru_cache(maxsize=512)
def _unchanged_ticket(names: tuple[str, ...], row: tuple[Any, ...]) -> Ticket:
    """The ticket of a row read before, unchanged (a ticket is immutable: the live queue is read
    again after every change, and most of its rows are as they were)."""
    return _ticket(dict(zip(names, row, strict=True)))


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
    return returned_int(
        conn,
        "INSERT INTO visits (site_id, business_day, arrived_at, channel, needs) "
        "VALUES (?, ?, ?, ?, ?) RETURNING id",
        [site_id, business_day, arrived_at, channel.value, json.dumps(sorted(needs))],
    )


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


def reopen_visit(conn: sqlite3.Connection, visit_id: int) -> None:
    """A visit ended by mistake (a no-show taken back) is open again."""
    conn.execute(
        "UPDATE visits SET status = 'open', outcome = NULL, finished_at = NULL WHERE id = ?",
        [visit_id],
    )


def get_visit(conn: sqlite3.Connection, visit_id: int) -> Visit | None:
    r = conn.execute(
        "SELECT v.id, v.site_id, v.business_day, v.arrived_at, v.channel, v.needs, v.status, "
        "v.outcome, v.finished_at, coalesce((SELECT service_code FROM tickets WHERE visit_id ="
        " v.id ORDER BY id DESC LIMIT 1), (SELECT service_code FROM events WHERE visit_id = v.id"
        " AND kind = 'arrived')) FROM visits v WHERE v.id = ?",
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
    return returned_int(
        conn,
        "INSERT INTO ticket_counters (site_id, service_code, business_day, last_number) "
        "VALUES (?, ?, ?, 1) ON CONFLICT (site_id, service_code, business_day) "
        "DO UPDATE SET last_number = last_number + 1 RETURNING last_number",
        [site_id, service, business_day],
    )


def insert_ticket(
    conn: sqlite3.Connection,
    *,
    visit_id: int,
    site_id: str,
    business_day: str,
    number: int,
    joining: Joining,
    queued_at: str,
    issued_at: str,
    transferred_from: int | None = None,
) -> Ticket:
    j = joining
    need_list = sorted(j.needs)
    cur = conn.execute(
        "INSERT INTO tickets (visit_id, site_id, service_code, business_day, number, priority, "
        "needs_private_room, needs, channel, queued_at, issued_at, assigned_desk_id, "
        "transferred_from, assigned_person, requires) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        [
            *(visit_id, site_id, j.service, business_day, number, j.priority),
            *(int(needs_private_room(need_list)), json.dumps(need_list), j.channel.value),
            *(queued_at, issued_at, j.assigned_desk, transferred_from, j.assigned_person),
            json.dumps(sorted(requirements(need_list))),
        ],
    )
    ticket = _one(cur)
    assert ticket is not None
    return ticket


def get_ticket(conn: sqlite3.Connection, ticket_id: int) -> Ticket | None:
    return _one(conn.execute("SELECT * FROM tickets WHERE id = ?", [ticket_id]))


def find_ticket_by_code(
    conn: sqlite3.Connection, *, business_day: str, service: str, number: int
) -> list[Ticket]:
    return _all(
        conn.execute(
            "SELECT * FROM tickets WHERE business_day = ? AND service_code = ? AND number = ? "
            "ORDER BY site_id",
            [business_day, service, number],
        )
    )


def _capabilities_of(desk: str) -> str:
    """What ``desk`` (an SQL expression) can meet: its facilities and the skills of the person
    logged in to it."""
    return (
        f"SELECT capability FROM desk_capabilities WHERE desk_id = {desk} "  # noqa: S608
        "UNION ALL SELECT sc.capability FROM staff_capabilities sc "
        f"JOIN desk_sessions ss ON ss.person = sc.person WHERE ss.desk_id = {desk}"
    )


def _fit(desk: str) -> str:
    """:func:`oss_desk.domain.queue.fit` of ``desk`` for the ticket ``t``."""
    return (
        f"(SELECT count(*) + {BSL_WEIGHT - 1} * coalesce(max(r.value = '{BSL}'), 0) "  # noqa: S608
        f"FROM json_each(t.requires) r WHERE r.value IN ({_capabilities_of(desk)}))"
    )


def _placed(desk: str, person: str) -> str:
    """Every rule of :func:`oss_desk.domain.queue.refusal` but the needs routing, for ticket
    ``t`` at ``desk`` with ``person`` logged in (SQL expressions)."""
    return (
        "t.parked_at IS NULL"  # noqa: S608 - column names and parameters only
        " AND t.service_code IN"
        f"     (SELECT service_code FROM desk_services WHERE desk_id = {desk})"
        f" AND (t.assigned_desk_id IS NULL OR t.assigned_desk_id = {desk})"
        f" AND (t.assigned_person IS NULL OR t.assigned_person = {person})"
        " AND (t.needs_private_room = 0"
        f"      OR (SELECT private_room FROM desks WHERE id = {desk}) = 1)"
    )


# The rules are the domain's (oss_desk.domain.queue), spelt here from its constants: the ORDER
# BY from CALL_ORDER, the routing from fit's weights. Only column names, never input.
_PERSON_HERE = "(SELECT person FROM desk_sessions WHERE desk_id = :desk)"
_BEST_FIT = (
    f"SELECT coalesce(max({_fit('e.id')}), 0) FROM desks e "  # noqa: S608
    "JOIN desk_sessions es ON es.desk_id = e.id "
    "WHERE e.site_id = t.site_id AND e.active = 1 AND e.kind != 'meet-and-greet' "
    f"AND {_placed('e.id', 'es.person')}"
)


def _first_for_desk(passed: str) -> str:
    """The first waiting ticket in call order that ``:desk`` may call, of those ``passed``
    says (an SQL condition on ``t``)."""
    return (
        "SELECT t.id FROM tickets t"  # noqa: S608
        " WHERE t.site_id = :site AND t.business_day = :day AND t.status = 'waiting'"
        f"  AND {passed} AND {_placed(':desk', _PERSON_HERE)}"
        f"  AND (t.requires = '[]' OR {_fit(':desk')} >= ({_BEST_FIT}))"
        f" ORDER BY {CALL_ORDER_SQL} LIMIT 1"
    )


# Those the desk passes over (domain.queue.passed_over) only when there is no other: two walks
# of the call order's index, the second only when the first finds nothing.
_CALL_NEXT = (
    "UPDATE tickets SET status = 'called', desk_id = :desk, called_at = :now "  # noqa: S608
    "WHERE (SELECT status = 'open' AND kind != 'meet-and-greet' FROM desks WHERE id = :desk)"
    "  AND (NOT :staffed_only OR EXISTS (SELECT 1 FROM desk_sessions WHERE desk_id = :desk))"
    "  AND NOT EXISTS (SELECT 1 FROM tickets WHERE desk_id = :desk"
    "                  AND status IN ('called', 'serving'))"
    f"  AND id = coalesce(({_first_for_desk('t.passed_over_by IS NOT :desk')}),"
    f"                    ({_first_for_desk('t.passed_over_by = :desk')}))"
    "  AND status = 'waiting' "
    "RETURNING *"
)
# The live tickets: the waiting ones through tickets_call_order, the called and serving ones
# through tickets_at_desk (at most one a desk), never the whole day (schema/0022_queue_index.sql).
_WAITING = "SELECT * FROM tickets w WHERE w.business_day = :day AND w.status = 'waiting'"
_AT_DESKS = (
    "SELECT * FROM tickets d INDEXED BY tickets_at_desk "
    "WHERE d.status IN ('called', 'serving') AND d.business_day = :day"
)
_ACTIVE = (
    f"SELECT * FROM ({_WAITING} AND w.site_id = :site "  # noqa: S608
    f"UNION ALL {_AT_DESKS} AND d.site_id = :site) t ORDER BY {CALL_ORDER_SQL}"
)
_ACTIVE_ALL_SITES = (
    f"SELECT * FROM ({_WAITING} UNION ALL {_AT_DESKS}) t "  # noqa: S608
    f"ORDER BY {CALL_ORDER_SQL}"
)


def call_next(
    conn: sqlite3.Connection,
    *,
    site_id: str,
    business_day: str,
    desk_id: str,
    now: str,
    staffed_only: bool = False,
) -> Ticket | None:
    """Claim the next ticket for a desk in one statement; None when there is none (or the desk
    does not call now, or still has a ticket: the caller works out which).

    The rules are :mod:`oss_desk.domain.queue`'s: an open desk that is not meet-and-greet (and,
    with ``staffed_only``, has someone logged in) calls the first waiting ticket in the one
    call order that it may call (not parked, a service it serves, sent to no desk or to this
    one and to no person or to the one logged in here, a private-room need only where there is
    one, and its needs met here as well as at any staffed desk that may call it).
    """
    return _one(
        conn.execute(
            _CALL_NEXT,
            {
                "desk": desk_id,
                "now": now,
                "site": site_id,
                "day": business_day,
                "staffed_only": int(staffed_only),
            },
        )
    )


# The only columns a status change may also set (the guard against building SQL from input).
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
        "assigned_person",
        "parked_at",
        "park_reason",
    }
)


def transition(
    conn: sqlite3.Connection,
    ticket_id: int,
    *,
    from_statuses: Iterable[TicketStatus],
    to_status: TicketStatus,
    **fields: Any,
) -> Ticket | None:
    """Guarded status change, only from the given statuses: the changed ticket, or None."""
    allowed = [s.value for s in from_statuses]
    assignments = ["status = ?"]
    values: list[Any] = [to_status.value]
    for column, value in fields.items():
        if column not in _UPDATABLE:
            raise ValueError(f"not an updatable ticket column: {column}")
        assignments.append(f"{column} = ?")
        values.append(value)
    marks = ", ".join("?" * len(allowed))
    # Column names come from the _UPDATABLE allow-list above; values are parameters.
    sql = f"UPDATE tickets SET {', '.join(assignments)} WHERE id = ? AND status IN ({marks}) RETURNING *"  # noqa: S608, E501
    return _one(conn.execute(sql, [*values, ticket_id, *allowed]))


def assign_desk(
    conn: sqlite3.Connection, ticket_id: int, desk_id: str | None, person: str | None = None
) -> Ticket | None:
    """Send a waiting ticket to a desk or a person (clearing any parking: it is in the queue)."""
    return _one(
        conn.execute(
            "UPDATE tickets SET assigned_desk_id = ?, assigned_person = ?, parked_at = NULL, "
            "park_reason = NULL, desk_id = NULL, passed_over_by = NULL "
            "WHERE id = ? AND status = 'waiting' "
            "RETURNING *",
            [desk_id, person, ticket_id],
        )
    )


def pass_over(conn: sqlite3.Connection, ticket_id: int, desk_id: str) -> Ticket:
    """The next call at ``desk_id`` passes over the ticket (it was transferred from there)."""
    cur = conn.execute(
        "UPDATE tickets SET passed_over_by = ? WHERE id = ? RETURNING *", [desk_id, ticket_id]
    )
    return ticket_from_row(cur, cur.fetchone())


def desk_called(conn: sqlite3.Connection, desk_id: str) -> None:
    """``desk_id`` has called a ticket: it passes over nobody any more."""
    conn.execute("UPDATE tickets SET passed_over_by = NULL WHERE passed_over_by = ?", [desk_id])


def increment_recalls(conn: sqlite3.Connection, ticket_id: int, cap: int) -> Ticket | None:
    return _one(
        conn.execute(
            "UPDATE tickets SET recalls = recalls + 1 WHERE id = ? AND status = 'called' "
            "AND recalls < ? RETURNING *",
            [ticket_id, cap],
        )
    )


def parked_tickets(conn: sqlite3.Connection, desk_id: str) -> list[Ticket]:
    """The tickets parked at a desk, longest parked first."""
    return _all(
        conn.execute(
            "SELECT * FROM tickets WHERE desk_id = ? AND status = 'waiting' "
            "AND parked_at IS NOT NULL ORDER BY parked_at, id",
            [desk_id],
        )
    )


def desk_ticket(conn: sqlite3.Connection, desk_id: str) -> Ticket | None:
    return _one(
        conn.execute(
            "SELECT * FROM tickets WHERE desk_id = ? AND status IN ('called', 'serving') "
            "ORDER BY called_at DESC LIMIT 1",
            [desk_id],
        )
    )


_AT_DESKS_BEFORE = (
    "SELECT * FROM tickets INDEXED BY tickets_at_desk WHERE status IN ('called', 'serving') "
    "AND site_id = :site AND business_day < :day ORDER BY called_at"
)


def at_desks_before(conn: sqlite3.Connection, site_id: str, business_day: str) -> list[Ticket]:
    """Tickets of ``site_id`` still called or serving at a desk from a day before
    ``business_day``: a visit that went on past midnight stays with its adviser until finished
    (close of day leaves it there). Read through the partial index of tickets at desks."""
    return _all(conn.execute(_AT_DESKS_BEFORE, {"site": site_id, "day": business_day}))


def active_tickets(
    conn: sqlite3.Connection, *, site_id: str | None, business_day: str
) -> list[Ticket]:
    """Waiting, called and serving tickets of the day (at one site, or all), in call order."""
    sql = _ACTIVE if site_id is not None else _ACTIVE_ALL_SITES
    return _all(conn.execute(sql, {"day": business_day, "site": site_id}))


def tickets_of_day(
    conn: sqlite3.Connection, *, site_id: str | None, business_day: str
) -> list[Ticket]:
    return _all(
        conn.execute(
            "SELECT * FROM tickets WHERE business_day = :day "
            "AND (:site IS NULL OR site_id = :site) ORDER BY id",
            {"day": business_day, "site": site_id},
        )
    )


def open_days(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(site, business day) of every day that still has tickets waiting or called (each read
    through its own partial index, so this stays cheap however long the history)."""
    rows = conn.execute(
        "SELECT site_id, business_day FROM tickets WHERE status = 'waiting'"
        " UNION SELECT site_id, business_day FROM tickets INDEXED BY tickets_at_desk"
        " WHERE status IN ('called', 'serving') AND status = 'called'"
    ).fetchall()
    return sorted((str(r[0]), str(r[1])) for r in rows)


_OPEN_AT_SITE = (
    "SELECT * FROM (SELECT * FROM tickets INDEXED BY tickets_call_order"
    " WHERE status = 'waiting' AND site_id = :site"
    " UNION ALL SELECT * FROM tickets INDEXED BY tickets_at_desk"
    " WHERE status IN ('called', 'serving') AND site_id = :site)"
    " ORDER BY business_day, id"
)


def open_at_site(conn: sqlite3.Connection, site_id: str) -> list[Ticket]:
    """Every ticket still open at the site, of any day: waiting (parked too), called or being
    served, the oldest day first (each status read through its own partial index, so this
    stays cheap however long the history)."""
    return _all(conn.execute(_OPEN_AT_SITE, {"site": site_id}))


def anyone_waiting(conn: sqlite3.Connection) -> bool:
    """Whether any ticket, of any site and day, is waiting (read through its partial index)."""
    return bool(
        conn.execute("SELECT EXISTS (SELECT 1 FROM tickets WHERE status = 'waiting')").fetchone()[0]
    )


def left_open(conn: sqlite3.Connection, site_id: str, business_day: str) -> list[Ticket]:
    """The day's tickets still waiting or called at the site, in the order they were issued:
    what close of day closes. Not a parked ticket: its resident was being served and stepped
    away (to fetch a document); they stay with their adviser, as those being served do."""
    return _all(
        conn.execute(
            "SELECT * FROM tickets WHERE site_id = ? AND business_day = ?"
            " AND status IN ('waiting', 'called') AND parked_at IS NULL ORDER BY id",
            [site_id, business_day],
        )
    )


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


# Notes ------------------------------------------------------------------------------------------


def insert_note(
    conn: sqlite3.Connection,
    *,
    visit_id: int,
    ticket_id: int | None,
    at: str,
    actor: str,
    desk_id: str | None,
    text: str,
) -> int:
    return returned_int(
        conn,
        "INSERT INTO visit_notes (visit_id, ticket_id, at, actor, desk_id, text) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [visit_id, ticket_id, at, actor, desk_id, text],
    )


def notes_for_visit(conn: sqlite3.Connection, visit_id: int) -> list[tuple[str, str, str | None]]:
    """``[(at, actor, text), ...]`` oldest first (text None once purged)."""
    return [
        (r[0], r[1], r[2])
        for r in conn.execute(
            "SELECT at, actor, text FROM visit_notes WHERE visit_id = ? ORDER BY id", [visit_id]
        )
    ]
