"""Outbox rows: committed in the same transaction as the change that causes them."""

from __future__ import annotations

import json
import sqlite3
from typing import Any


def queue_print_job(
    conn: sqlite3.Connection,
    *,
    kind: str,
    printer_url: str,
    created_at: str,
    ticket_id: int | None = None,
    desk_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    cur = conn.execute(
        "INSERT INTO print_jobs (created_at, kind, ticket_id, desk_id, printer_url, "
        "next_attempt_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [
            created_at,
            kind,
            ticket_id,
            desk_id,
            printer_url,
            created_at,
            json.dumps(payload or {}, sort_keys=True),
        ],
    )
    return int(cur.fetchone()[0])
