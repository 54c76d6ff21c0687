"""SQL of one print job's state, as a command that has just queued it reports it (kept out of
``outbox.py``, the delivery lanes' module)."""

from __future__ import annotations

import sqlite3


def job_state(conn: sqlite3.Connection, job_id: int) -> tuple[str, bool, str | None] | None:
    """``(status, confirmed, last_error)`` of one print job (None: no such job)."""
    row = conn.execute(
        "SELECT status, printed_at IS NOT NULL, last_error FROM print_jobs WHERE id = ?", [job_id]
    ).fetchone()
    return None if row is None else (row[0], bool(row[1]), row[2])
