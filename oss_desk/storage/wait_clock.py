"""The facts the live queue's wait clock reads of the waiting residents' visits
(:class:`oss_desk.domain.wait_clock.WaitClock`): an appointment's booked start, the visit's
first contact (as the reports take it, from ``visit_facts``), and when an adviser sent a ticket
back to the queue from their desk, keeping its number."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from oss_desk.clock import read_instant
from oss_desk.domain.epoch import from_epoch_ms


def booked_starts(conn: sqlite3.Connection, visit_ids: Iterable[int]) -> dict[int, datetime]:
    """The booked start of the appointment each of ``visit_ids`` checked in for (the first
    appointment of a visit, as the reports take it); visits that are no appointment's are left
    out."""
    return _instants(
        conn,
        "SELECT visit_id, starts_at FROM appointments "
        "WHERE visit_id IN (SELECT value FROM json_each(?)) ORDER BY id DESC",
        visit_ids,
        read_instant,
    )


def first_contacts(conn: sqlite3.Connection, visit_ids: Iterable[int]) -> dict[int, datetime]:
    """When each of ``visit_ids`` had its first contact (the earliest of its first call the
    resident came to and its resolution at meet-and-greet: the report's ``seen``); visits not
    yet seen are left out."""
    return _instants(
        conn,
        "SELECT visit_id, coalesce(min(attended_ms, quick_ms), attended_ms, quick_ms) AS seen "
        "FROM visit_facts WHERE visit_id IN (SELECT value FROM json_each(?)) AND seen IS NOT NULL",
        visit_ids,
        from_epoch_ms,
    )


SENT_FROM_DESK = "from_desk"
"""The key a ticket's ``transferred`` event carries when an adviser sent it back to the queue
from their desk, keeping its number (to a desk or a colleague of the same service): that desk."""


def sent_back(conn: sqlite3.Connection, visit_ids: Iterable[int]) -> dict[int, datetime]:
    """When an adviser last sent each ticket of ``visit_ids`` back to the queue from their desk,
    keeping its number, by ticket id (through the events' (visit_id, kind, ...) index); tickets
    never sent back so are left out."""
    return _instants(
        conn,
        "SELECT ticket_id, max(at) FROM events WHERE visit_id IN (SELECT value FROM json_each(?)) "
        "AND kind = 'transferred' AND json_extract(data, ?) IS NOT NULL GROUP BY ticket_id",
        visit_ids,
        read_instant,
        f"$.{SENT_FROM_DESK}",
    )


def _instants(
    conn: sqlite3.Connection,
    sql: str,
    visit_ids: Iterable[int],
    read: Callable[[Any], datetime],
    *more: object,
) -> dict[int, datetime]:
    """The (id, stored instant) rows of ``sql``, as ``read`` reads each instant: ``sql`` takes
    ``visit_ids`` first, as a JSON array for ``json_each``, then ``more``; a later row of an id
    replaces an earlier one."""
    wanted = json.dumps(sorted(set(visit_ids)))
    return {key: read(stored) for key, stored in conn.execute(sql, [wanted, *more])}
