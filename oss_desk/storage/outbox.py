"""Outbox rows: committed in the same transaction as the change that causes them."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
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


def last_printer_for_ticket(conn: sqlite3.Connection, ticket_id: int) -> str | None:
    row = conn.execute(
        "SELECT printer_url FROM print_jobs WHERE ticket_id = ? ORDER BY id DESC LIMIT 1",
        [ticket_id],
    ).fetchone()
    return row[0] if row else None


@dataclass(frozen=True, slots=True)
class PrintSummary:
    waiting: int
    """Jobs not yet printed."""
    failed: int
    """Jobs given up on (they can be reprinted)."""
    last_error: str | None


def print_summary(conn: sqlite3.Connection, since: str) -> PrintSummary:
    waiting, failed = conn.execute(
        "SELECT coalesce(sum(status IN ('pending', 'printing')), 0), "
        "coalesce(sum(status = 'failed'), 0) FROM print_jobs WHERE created_at >= ?",
        [since],
    ).fetchone()
    error = conn.execute(
        "SELECT last_error FROM print_jobs WHERE created_at >= ? AND last_error IS NOT NULL "
        "ORDER BY id DESC LIMIT 1",
        [since],
    ).fetchone()
    return PrintSummary(waiting=waiting, failed=failed, last_error=error[0] if error else None)
