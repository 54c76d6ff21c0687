"""Appointment messages that need a person's attention: not delivered yet, or failed for good
and not acknowledged (the alerts)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MessageAttention:
    """A message not yet delivered (or failed for good), with the appointment it is about."""

    id: int
    kind: str
    channel: str
    via: str
    status: str
    created_at: str
    starts_at: str
    site_id: str
    business_day: str
    reason: str | None
    acknowledged_at: str | None
    appointment_ref: str
    """The booking reference (on the resident's paper; not personal data)."""


def messages_undelivered(conn: sqlite3.Connection, since: str) -> list[MessageAttention]:
    """Messages queued since ``since`` that are not delivered (pending, being sent or failed)
    and not acknowledged."""
    rows = conn.execute(
        "SELECT m.id, m.kind, m.channel, m.via, m.status, m.created_at, a.starts_at, a.site_id, "
        "  a.business_day, m.last_error, m.acknowledged_at, a.ref "
        "FROM messages m JOIN appointments a ON a.id = m.appointment_id "
        "WHERE m.acknowledged_at IS NULL AND m.status IN ('pending', 'sending', 'failed') "
        "  AND m.created_at >= ? ORDER BY m.id",
        [since],
    ).fetchall()
    return [MessageAttention(*r) for r in rows]


def acknowledge_messages(
    conn: sqlite3.Connection, message_ids: list[int], *, by: str, now: str
) -> int:
    return sum(
        conn.execute(
            "UPDATE messages SET acknowledged_at = ?, acknowledged_by = ? "
            "WHERE id = ? AND acknowledged_at IS NULL",
            [now, by, message_id],
        ).rowcount
        for message_id in message_ids
    )
