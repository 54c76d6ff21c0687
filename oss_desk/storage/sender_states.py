"""What the worker last found of the mail server and of GOV.UK Notify (a row each in
``device_status``: ``smtp``, kind ``mail``; ``notify``, kind ``notify``), and how many
messages through each wait to be sent again after a try that did not get through.

A sender's ``checked_at`` is when the worker first found it as it is now (its status and what
it said unchanged by every try since): "cannot reach the mail server since 01:13"; a fault
that changes (a 429, then a 500) is said from when it changed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

SENDER_KINDS = {"smtp": "mail", "notify": "notify"}
"""The row of each sender (``via``) and its kind."""


@dataclass(frozen=True, slots=True)
class SenderState:
    via: str
    status: str
    """``ok``, ``retrying`` (a fault it is tried again after) or ``failed`` (a fault for
    staff: a refused login or key)."""
    detail: str | None
    since: str
    """When the worker first found it so."""


def record_sender(
    conn: sqlite3.Connection, *, via: str, status: str, detail: str | None, now: str
) -> None:
    """How the worker's last try through ``via`` went; ``since`` kept while the status and its
    detail hold."""
    conn.execute(
        "INSERT INTO device_status (url, kind, status, detail, checked_at, ok_at, answered_at) "
        "VALUES (:via, :kind, :status, :detail, :now, CASE WHEN :ok THEN :now END, "
        "CASE WHEN :ok THEN :now END) "
        "ON CONFLICT (url) DO UPDATE SET kind = excluded.kind, status = excluded.status, "
        "detail = excluded.detail, "
        "checked_at = CASE WHEN device_status.status = excluded.status "
        "  AND device_status.detail IS excluded.detail "
        "  THEN device_status.checked_at ELSE excluded.checked_at END, "
        "ok_at = coalesce(excluded.ok_at, device_status.ok_at), "
        "answered_at = coalesce(excluded.answered_at, device_status.answered_at)",
        {
            "via": via,
            "kind": SENDER_KINDS[via],
            "status": status,
            "detail": detail,
            "now": now,
            "ok": int(status == "ok"),
        },
    )


def sender_states(conn: sqlite3.Connection) -> dict[str, SenderState]:
    """By ``via``: what the worker last found of each sender it has tried (none: never)."""
    return {
        r[0]: SenderState(r[0], r[1], r[2], r[3])
        for r in conn.execute(
            "SELECT url, status, detail, checked_at FROM device_status "
            "WHERE url IN ('smtp', 'notify') AND kind IN ('mail', 'notify')"
        )
    }


_WAITING = (
    "SELECT via, count(*) FROM ("
    "  SELECT via FROM messages WHERE status IN ('pending', 'sending') "
    "    AND last_error IS NOT NULL "
    "  UNION ALL SELECT via FROM followup_messages WHERE status IN ('pending', 'sending') "
    "    AND last_error IS NOT NULL AND cancelled_at IS NULL "
    "  UNION ALL SELECT via FROM report_mails WHERE status IN ('pending', 'sending') "
    "    AND last_error IS NOT NULL "
    # (pending alone: its partial index; one mid-send is counted again after its try)
    "  UNION ALL SELECT via FROM feedback_texts WHERE status = 'pending' "
    "    AND last_error IS NOT NULL "
    "  UNION ALL SELECT 'notify' FROM turn_texts WHERE status IN ('pending', 'sending') "
    "    AND last_error IS NOT NULL"
    ") GROUP BY via"
)


def waiting_again(conn: sqlite3.Connection) -> dict[str, int]:
    """By ``via``: the messages (to residents, referral references, report emails, texts)
    tried and not sent, waiting for another try."""
    return {str(r[0]): int(r[1]) for r in conn.execute(_WAITING)}


__all__ = ["SENDER_KINDS", "SenderState", "record_sender", "sender_states", "waiting_again"]
