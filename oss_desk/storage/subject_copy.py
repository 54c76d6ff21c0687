"""What a resident's own copy of a record holds besides their details (``resident find
--json``): the record's facts, the messages sent to them about it, and what each detail's
retention period counts from (the purge's own columns, :mod:`oss_desk.storage.maintenance`)."""

from __future__ import annotations

import sqlite3
from typing import Any

from oss_desk.storage.rows import row_dicts

_MESSAGES = {
    "appointment": "SELECT kind, channel, status, sent_at FROM messages "
    "WHERE appointment_id = :id ORDER BY id",
    "followup": "SELECT 'referral' AS kind, channel, status, sent_at FROM followup_messages "
    "WHERE followup_id = :id ORDER BY id",
    "visit": "SELECT * FROM (SELECT kind, 'text' AS channel, status, sent_at FROM turn_texts "
    "WHERE visit_id = :id ORDER BY id) UNION ALL SELECT 'feedback', 'text', status, sent_at "
    "FROM feedback_texts WHERE visit_id = :id",
}
"""Each kind of record's messages to its resident: what (a booking's ``confirmation``...; a
referral's; a visit's ``nearly``, ``called``, ``closed`` turn texts and its ``feedback``
text), by which channel, its state, and when it was sent."""


def messages_of(conn: sqlite3.Connection, kind: str, record_id: int) -> list[dict[str, Any]]:
    """The messages sent (or to be sent) to the resident about one record, oldest first."""
    return [
        {"kind": r["kind"], "channel": r["channel"], "status": r["status"], "sent": r["sent_at"]}
        for r in row_dicts(conn.execute(_MESSAGES[kind], {"id": record_id}))
    ]


def appointment_facts(conn: sqlite3.Connection, appointment_id: int) -> dict[str, Any]:
    row = conn.execute(
        "SELECT service_code, adviser_id, room_id, starts_at, status, business_day, cancelled_at "
        "FROM appointments WHERE id = ?",
        [appointment_id],
    )
    return row_dicts(row)[0]


def followup_facts(conn: sqlite3.Connection, followup_id: int) -> dict[str, Any]:
    row = conn.execute(
        "SELECT kind, service_code, status, received_at, closed_at FROM followups WHERE id = ?",
        [followup_id],
    )
    return row_dicts(row)[0]


def visit_facts(conn: sqlite3.Connection, visit_id: int) -> dict[str, Any]:
    """A visit's service (its latest ticket's) and what its details' periods count from: the
    day of its "nearly your turn" and follow-up text numbers, its latest note and its
    comment."""
    row = conn.execute(
        "SELECT (SELECT service_code FROM tickets WHERE visit_id = v.id ORDER BY id DESC LIMIT 1)"
        " AS service_code,"
        " (SELECT business_day FROM visit_phones WHERE visit_id = v.id) AS phone_day,"
        " (SELECT business_day FROM feedback_consents WHERE visit_id = v.id) AS consent_day,"
        " (SELECT max(at) FROM visit_notes WHERE visit_id = v.id AND text IS NOT NULL)"
        " AS last_note,"
        " (SELECT written_at FROM rating_comments WHERE visit_id = v.id) AS comment_at"
        " FROM visits v WHERE v.id = ?",
        [visit_id],
    )
    return row_dicts(row)[0]
