"""Messages to residents that need a person's attention until acknowledged (the alerts):
appointment messages not delivered yet, failed for good or perhaps sent; a referral's reference
perhaps sent."""

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
    """Messages queued since ``since`` that are not surely delivered (pending, being sent,
    failed, or no longer wanted after a try that may have reached the resident: uncertain) and
    not acknowledged."""
    rows = conn.execute(
        "SELECT m.id, m.kind, m.channel, m.via, m.status, m.created_at, a.starts_at, a.site_id, "
        "  a.business_day, m.last_error, m.acknowledged_at, a.ref "
        "FROM messages m JOIN appointments a ON a.id = m.appointment_id "
        "WHERE m.acknowledged_at IS NULL "
        "  AND m.status IN ('pending', 'sending', 'failed', 'uncertain') "
        "  AND m.created_at >= ? ORDER BY m.id",
        [since],
    ).fetchall()
    return [MessageAttention(*r) for r in rows]


def acknowledge_messages(
    conn: sqlite3.Connection, message_ids: list[int], *, by: str, now: str
) -> int:
    return _acknowledge(conn, "messages", "", message_ids, by, now)


def _acknowledge(
    conn: sqlite3.Connection, table: str, only: str, row_ids: list[int], by: str, now: str
) -> int:
    """Someone has seen to these rows of ``table`` (``only``: a further condition): who and
    when are kept, and they stop being alerts."""
    sql = (
        f"UPDATE {table} SET acknowledged_at = ?, acknowledged_by = ? "  # noqa: S608
        f"WHERE id = ? AND acknowledged_at IS NULL{only}"
    )
    return sum(conn.execute(sql, [now, by, row_id]).rowcount for row_id in row_ids)


@dataclass(frozen=True, slots=True)
class ReferralMessageAttention:
    """A referral's reference to the resident that may have been sent, not acknowledged."""

    id: int
    followup_ref: str
    """The referral's reference (R-0042: on the resident's slip; not personal data)."""
    channel: str
    site_id: str
    reason: str | None
    via: str = "notify"
    """What it went through: ``notify``, or ``smtp`` (an email through the mail server)."""


def referral_messages_unsure(
    conn: sqlite3.Connection, since: str
) -> list[ReferralMessageAttention]:
    """Referral messages queued since ``since`` recorded ``uncertain`` (may have been sent) and
    not acknowledged."""
    rows = conn.execute(
        "SELECT m.id, f.ref, m.channel, f.site_id, m.last_error, m.via "
        "FROM followup_messages m JOIN followups f ON f.id = m.followup_id "
        "WHERE m.status = 'uncertain' AND m.acknowledged_at IS NULL AND m.created_at >= ? "
        "ORDER BY m.id",
        [since],
    ).fetchall()
    return [ReferralMessageAttention(*r) for r in rows]


def acknowledge_referral_messages(
    conn: sqlite3.Connection, message_ids: list[int], *, by: str, now: str
) -> int:
    only = " AND status = 'uncertain'"
    return _acknowledge(conn, "followup_messages", only, message_ids, by, now)
