"""The facts the live queue's wait clock reads of the waiting residents' visits
(:func:`oss_desk.domain.standards.waited_seconds`): an appointment's booked start, and the
visit's first contact (as the reports take it, from ``visit_facts``)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from oss_desk.clock import read_instant


def booked_starts(conn: sqlite3.Connection, visit_ids: Iterable[int]) -> dict[int, datetime]:
    """The booked start of the appointment each of ``visit_ids`` checked in for (the first
    appointment of a visit, as the reports take it); visits that are no appointment's are left
    out."""
    wanted = json.dumps(sorted(set(visit_ids)))
    rows = conn.execute(
        "SELECT visit_id, starts_at FROM appointments "
        "WHERE visit_id IN (SELECT value FROM json_each(?)) ORDER BY id DESC",
        [wanted],
    )
    return {visit_id: read_instant(starts_at) for visit_id, starts_at in rows}


def first_contacts(conn: sqlite3.Connection, visit_ids: Iterable[int]) -> dict[int, datetime]:
    """When each of ``visit_ids`` had its first contact (the earliest of its first call the
    resident came to and its resolution at meet-and-greet: the report's ``seen``); visits not
    yet seen are left out."""
    wanted = json.dumps(sorted(set(visit_ids)))
    rows = conn.execute(
        "SELECT visit_id, coalesce(min(attended_ms, quick_ms), attended_ms, quick_ms) AS seen "
        "FROM visit_facts WHERE visit_id IN (SELECT value FROM json_each(?)) AND seen IS NOT NULL",
        [wanted],
    )
    return {visit_id: _EPOCH + timedelta(milliseconds=seen) for visit_id, seen in rows}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
