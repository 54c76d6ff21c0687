"""The two send queues the worker leases one row at a time from, with no owner: referral
messages (``followup_messages``) and turn texts (``turn_texts``). Claim the next due (a lease
that runs out if the worker dies mid-send), then settle it with how the try went."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from oss_desk.clock import format_instant
from oss_desk.domain.sending import SendResult
from oss_desk.storage.rows import purge

REFERRAL_MESSAGES = "followup_messages"
TURN_TEXTS = "turn_texts"
_QUEUES = (REFERRAL_MESSAGES, TURN_TEXTS)


def claim_due(
    conn: sqlite3.Connection, queue: str, now: str, lease_until: str, returning: str = "*"
) -> sqlite3.Cursor:
    """Lease the next row due (pending and due, or its lease run out); fetch it from the cursor."""
    assert queue in _QUEUES  # a table of ours, never text from outside
    return conn.execute(
        f"UPDATE {queue} SET status = 'sending', attempts = attempts + 1, "  # noqa: S608
        "lease_until = :lease WHERE id = ("
        f"  SELECT id FROM {queue}"
        "  WHERE (status = 'pending' AND next_attempt_at <= :now)"
        "     OR (status = 'sending' AND lease_until < :now)"
        "  ORDER BY next_attempt_at, id LIMIT 1"
        f") RETURNING {returning}",
        {"now": now, "lease": lease_until},
    )


def settle(
    conn: sqlite3.Connection,
    queue: str,
    row_id: int,
    result: SendResult,
    now: datetime,
    error_chars: int | None = None,
) -> None:
    """Record how the try went (``error_chars``: keep at most that much of the error)."""
    assert queue in _QUEUES
    error = result.last_error
    if error_chars is not None:
        error = error[:error_chars] if error else None
    conn.execute(
        f"UPDATE {queue} SET status = :status, lease_until = NULL, "  # noqa: S608
        "provider_id = coalesce(:provider, provider_id), last_error = :error, "
        "next_attempt_at = coalesce(:retry, next_attempt_at), "
        "sent_at = CASE WHEN :status = 'sent' THEN :now ELSE sent_at END WHERE id = :id",
        {
            "status": result.status,
            "provider": result.provider,
            "error": error,
            "retry": format_instant(result.retry) if result.retry is not None else None,
            "now": format_instant(now),
            "id": row_id,
        },
    )


def hand_over(
    conn: sqlite3.Connection, queue: str, row_id: int, at: str | None, sent_as: str | None = None
) -> None:
    """Record that the row's request goes to Notify (or its email to the mail server) now
    (``at``), or (None) that no request of it can have reached Notify: its last try had a sure
    answer. ``sent_as``: an email's Message-ID, kept from its first hand-over on."""
    assert queue in _QUEUES
    if sent_as is None:
        conn.execute(
            f"UPDATE {queue} SET handed_over_at = ? WHERE id = ?",  # noqa: S608
            [at, row_id],
        )
        return
    conn.execute(
        f"UPDATE {queue} SET handed_over_at = ?, "  # noqa: S608
        "message_id = coalesce(message_id, ?) WHERE id = ?",
        [at, sent_as, row_id],
    )


def purge_traces(
    conn: sqlite3.Connection, table: str, finished: tuple[str, ...], before: str, *, dry_run: bool
) -> int:
    """What a provider leaves on ``table``'s messages finished (a status in ``finished``) before
    the instant ``before``: its id (under which it keeps the recipient and the text) and the
    last error text. Returns how many (``dry_run``: only counted)."""
    statuses = ", ".join(f"'{status}'" for status in finished)
    return purge(
        conn,
        f"UPDATE {table} SET provider_id = NULL, last_error = NULL "  # noqa: S608 - our tables
        f"WHERE status IN ({statuses}) AND (provider_id IS NOT NULL OR last_error IS NOT NULL) "
        "AND coalesce(sent_at, next_attempt_at, created_at) < :before",
        {"before": before},
        dry_run=dry_run,
    )
