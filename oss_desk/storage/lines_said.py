"""What a recurring run last said of a standing state (``lines_said``, migration 0099), so that
it is said once per change, not at every run (``report send due``'s line on daily summaries
never sent: :meth:`~oss_desk.services.mailed_reports.ReportMailer.older_unsent_news`)."""

from __future__ import annotations

import sqlite3

OLDER_UNSENT = "older_unsent"


def last_said(conn: sqlite3.Connection, topic: str) -> str | None:
    """The line last said of ``topic`` (None: nothing, or nothing since it was settled)."""
    row = conn.execute("SELECT line FROM lines_said WHERE topic = ?", [topic]).fetchone()
    return None if row is None else str(row[0])


def record_said(conn: sqlite3.Connection, topic: str, line: str | None, now: str) -> None:
    """``line`` is what is said of ``topic`` now (None: nothing to say: the row goes)."""
    if line is None:
        conn.execute("DELETE FROM lines_said WHERE topic = ?", [topic])
        return
    conn.execute(
        "INSERT INTO lines_said (topic, line, said_at) VALUES (?, ?, ?) "
        "ON CONFLICT (topic) DO UPDATE SET line = excluded.line, said_at = excluded.said_at",
        [topic, line, now],
    )
