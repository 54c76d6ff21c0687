"""The Message-ID of an email an older release may have handed over, kept for its resend.

From ``0098_message_id`` on, an email's row keeps the Message-ID it was first handed over under,
and every resend goes under it (mail systems drop a duplicate by it). A row an older release
handed over (the end of DATA went, then its worker stopped before the reply, or the reply never
came) has none kept: its resend would be made under this release's Message-ID, the sender's
domain, where releases before ``0079_turn_text_hand_over`` made theirs under ``oss-desk``, so a
resident could get the same reminder twice. The upgrade that applies both migrations gives such
rows the Message-ID their release gave them; one from a release in between made it as this one
does (the sender's domain, looked up at the resend).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

from oss_desk.domain.outgoing import EARLIER_MESSAGE_DOMAIN, FIRST_WITH_SENDER_DOMAIN, message_id

ADDED_BY = "0098_message_id"
MAY_HAVE_GONE = {
    "messages": "handed_over_at IS NOT NULL OR unconfirmed > 0",
    "report_mails": "handed_over_at IS NOT NULL OR unconfirmed > 0",
    "followup_messages": "handed_over_at IS NOT NULL",
}
"""Per table, the rows an earlier try may have reached the mail server by (a hand-over not
settled since, or a send the server never answered)."""


def keep_earlier_message_ids(conn: sqlite3.Connection, applied: Collection[str]) -> int:
    """After the migrations ``applied`` (this upgrade's): give each email still to send that an
    older release's try may have delivered the Message-ID that release made. Returns how many."""
    if ADDED_BY not in applied or FIRST_WITH_SENDER_DOMAIN not in applied:
        return 0  # a new database, or one a release with the sender's domain last ran
    kept = 0
    for table, handed in MAY_HAVE_GONE.items():
        rows = conn.execute(
            f"SELECT id, reference FROM {table} WHERE via = 'smtp' "  # noqa: S608 - our tables
            f"AND status IN ('pending', 'sending') AND message_id IS NULL AND ({handed})"
        ).fetchall()
        for row_id, reference in rows:
            conn.execute(
                f"UPDATE {table} SET message_id = ? WHERE id = ?",  # noqa: S608
                [message_id(reference, EARLIER_MESSAGE_DOMAIN), row_id],
            )
        kept += len(rows)
    return kept
