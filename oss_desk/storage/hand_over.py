"""The moment a message leased from an outbox (an appointment message, a report email) is handed
over: the end of DATA, or the request to Notify, is about to go. From then on it may have been
accepted, so a worker stopped from there on leaves it possibly sent (and an email's resend goes
under the Message-ID kept here)."""

from __future__ import annotations

import sqlite3

from oss_desk.storage.outbox import MESSAGES, Outbox


def hand_over(
    conn: sqlite3.Connection,
    message_id: int,
    *,
    owner: str,
    now: str,
    box: Outbox = MESSAGES,
    sent_as: str | None = None,
) -> bool:
    """From now on the message may have been accepted (the end of DATA, or the request to
    Notify, is about to go): a worker stopped from here on leaves it possibly sent. ``sent_as``:
    an email's Message-ID, kept from its first hand-over on (every resend goes under it)."""
    if "handed_over_at" not in box.columns:
        raise ValueError(f"{box.table} rows are not handed over")
    kept = "" if sent_as is None else ", message_id = coalesce(message_id, :sent_as)"
    sql = (
        f"UPDATE {box.table} SET handed_over_at = :now{kept} "  # noqa: S608
        "WHERE id = :id AND owner = :owner AND status = 'sending'"
    )
    values = {"now": now, "sent_as": sent_as, "id": message_id, "owner": owner}
    return conn.execute(sql, values).rowcount == 1
