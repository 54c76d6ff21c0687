"""The copy of what the council holds about a resident, sent to them on request (``resident
find --json``): for each record found, besides their details, its own facts (a booking's
service, time, adviser and room, as ``appointment show`` has them), the messages sent to them
about it and when, and when the retention purge deletes each detail it holds.

When a detail goes is the inverse of the purge's own cut-offs
(:meth:`oss_desk.services.dbops.RetentionService.deleted_after`), from the very columns the
purge reads: the copy cannot promise a day the purge does not keep.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from oss_desk.clock import parse_instant
from oss_desk.domain.calendar import local
from oss_desk.domain.followups import WORK_KINDS, Kind
from oss_desk.services.dbops import RetentionService
from oss_desk.services.session import Session
from oss_desk.storage import subject_copy as c
from oss_desk.storage.subject import Held

Counted = tuple[str, str] | None
"""A detail's retention period (the name of the purge's cut-off) and what it counts from (a
local day or an instant); None: the purge does not delete it."""


def resident_copy(session: Session, found: list[Held]) -> list[dict[str, Any]]:
    """Each record's facts, messages and deletion times (``facts``, ``messages``,
    ``deleted_after``: by what it holds, in the words of its ``holds``), in the order found."""
    retention = RetentionService(session)
    with session.store.read() as conn:
        return [_copy(session, retention, conn, held) for held in found]


def _copy(
    session: Session, retention: RetentionService, conn: sqlite3.Connection, held: Held
) -> dict[str, Any]:
    if held.kind == "appointment":
        facts, counted = _appointment(session, retention, conn, held)
    elif held.kind == "followup":
        facts, counted = _followup(conn, held)
    else:
        facts, counted = _visit(conn, held)
    return {
        "facts": facts,
        "messages": c.messages_of(conn, held.kind, held.id),
        "deleted_after": {
            field: retention.deleted_after(*period) if period else None
            for field, period in counted.items()
        },
    }


def _appointment(
    session: Session, retention: RetentionService, conn: sqlite3.Connection, held: Held
) -> tuple[dict[str, Any], dict[str, Counted]]:
    row = c.appointment_facts(conn, held.id)
    service = session.directory.services.get(row["service_code"])
    site = session.site_ever(held.site_id)
    facts = {
        "service": row["service_code"],
        "service_name": service.name if service else row["service_code"],
        "start": local(parse_instant(row["starts_at"]), site.timezone).isoformat(
            timespec="minutes"
        ),
        "adviser": session.name_of(row["adviser_id"]),
        "room": session.desk_name(row["room_id"]) if row["room_id"] else None,
        "status": row["status"],
    }
    # Counted from the booking's day, or from its cancellation where that came first.
    day = row["business_day"]
    if row["cancelled_at"] is not None:
        day = min(day, retention.local_day(row["cancelled_at"]))
    return facts, {field: ("contacts", day) for field in held.fields}


def _followup(conn: sqlite3.Connection, held: Held) -> tuple[dict[str, Any], dict[str, Counted]]:
    row = c.followup_facts(conn, held.id)
    facts = {
        "service": row["service_code"],
        "status": row["status"],
        "received": row["received_at"],
        "closed": row["closed_at"],
    }
    work = Kind(row["kind"]) in WORK_KINDS
    since = row["closed_at"] or row["received_at"]
    counted: dict[str, Counted] = {
        # The officer named as answering is deleted with the details of a record only.
        field: None if work and field == "officer" else ("followups" if work else "records", since)
        for field in held.fields
    }
    return facts, counted


_VISIT_PERIODS = {
    "mobile for turn texts": ("phones", "phone_day"),
    "mobile for the follow-up text": ("feedback_texts", "consent_day"),
    "feedback comment": ("comments", "comment_at"),
}
"""A visit's details in the words of its ``holds``: their period and what it counts from (its
notes: ``notes``, from the latest)."""


def _visit(conn: sqlite3.Connection, held: Held) -> tuple[dict[str, Any], dict[str, Counted]]:
    row = c.visit_facts(conn, held.id)
    counted: dict[str, Counted] = {}
    for field in held.fields:
        period, column = _VISIT_PERIODS.get(field, ("notes", "last_note"))  # "note", "2 notes"
        counted[field] = (period, row[column]) if row[column] is not None else None
    return {"service": row["service_code"]}, counted
