"""The device worker's tables: print jobs, board updates, device status, the heartbeat."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class PrintJob:
    id: int
    created_at: str
    kind: str
    ticket_id: int | None
    desk_id: str | None
    printer_url: str
    attempts: int
    payload: dict[str, Any]
    status: str = "printing"


def _job(cur: sqlite3.Cursor, row: tuple[Any, ...]) -> PrintJob:
    c = dict(zip((d[0] for d in cur.description), row, strict=True))
    return PrintJob(
        id=c["id"],
        created_at=c["created_at"],
        kind=c["kind"],
        ticket_id=c["ticket_id"],
        desk_id=c["desk_id"],
        printer_url=c["printer_url"],
        attempts=c["attempts"],
        payload=json.loads(c["payload"]),
        status=c["status"],
    )


def claim_print_job(conn: sqlite3.Connection, now: str, lease_until: str) -> PrintJob | None:
    """Take the oldest due job (or one whose worker died mid-job) in one statement."""
    cur = conn.execute(
        "UPDATE print_jobs SET status = 'printing', attempts = attempts + 1, lease_until = :lease "
        "WHERE id = ("
        "  SELECT id FROM print_jobs"
        "  WHERE (status = 'pending' AND next_attempt_at <= :now)"
        "     OR (status = 'printing' AND lease_until < :now)"
        "  ORDER BY id LIMIT 1"
        ") RETURNING *",
        {"now": now, "lease": lease_until},
    )
    row = cur.fetchone()
    return _job(cur, row) if row else None


def release_stale_jobs(conn: sqlite3.Connection) -> int:
    """At start-up the lock says no other worker lives: jobs it left 'printing' are due again."""
    cur = conn.execute(
        "UPDATE print_jobs SET status = 'pending', lease_until = NULL WHERE status = 'printing'"
    )
    return cur.rowcount


def job_printed(conn: sqlite3.Connection, job: PrintJob, now: str) -> None:
    conn.execute(
        "UPDATE print_jobs SET status = 'done', printed_at = ?, lease_until = NULL, "
        "last_error = NULL WHERE id = ?",
        [now, job.id],
    )
    if job.ticket_id is not None and job.kind == "ticket":
        conn.execute(
            "UPDATE tickets SET printed_at = coalesce(printed_at, ?) WHERE id = ?",
            [now, job.ticket_id],
        )


def job_failed(
    conn: sqlite3.Connection,
    job: PrintJob,
    *,
    error: str,
    retry_at: str | None,
    printer_url: str | None = None,
    reset_attempts: bool = False,
) -> None:
    """Back to pending (to retry at ``retry_at``, maybe on another printer) or failed for good."""
    conn.execute(
        "UPDATE print_jobs SET status = :status, next_attempt_at = coalesce(:retry, "
        "next_attempt_at), lease_until = NULL, last_error = :error, "
        "printer_url = coalesce(:printer, printer_url), "
        "attempts = CASE WHEN :reset THEN 0 ELSE attempts END WHERE id = :id",
        {
            "status": "pending" if retry_at is not None else "failed",
            "retry": retry_at,
            "error": error[:200],
            "printer": printer_url,
            "reset": int(reset_attempts),
            "id": job.id,
        },
    )


def next_due_at(conn: sqlite3.Connection) -> str | None:
    row = conn.execute(
        "SELECT min(coalesce(CASE status WHEN 'printing' THEN lease_until END, next_attempt_at)) "
        "FROM print_jobs WHERE status IN ('pending', 'printing')"
    ).fetchone()
    return row[0] if row else None


def print_jobs_for(conn: sqlite3.Connection, ticket_id: int) -> list[tuple[int, str, str]]:
    """``[(id, status, printer_url), ...]`` of a ticket's print jobs."""
    return [
        (r[0], r[1], r[2])
        for r in conn.execute(
            "SELECT id, status, printer_url FROM print_jobs WHERE ticket_id = ? ORDER BY id",
            [ticket_id],
        )
    ]


# Board ------------------------------------------------------------------------------------------


def queue_board_update(
    conn: sqlite3.Connection, *, site_id: str, ticket_id: int | None, reason: str, now: str
) -> int:
    cur = conn.execute(
        "INSERT INTO board_updates (created_at, site_id, ticket_id, reason) VALUES (?, ?, ?, ?) "
        "RETURNING id",
        [now, site_id, ticket_id, reason],
    )
    return int(cur.fetchone()[0])


def pending_board_updates(conn: sqlite3.Connection, site_id: str) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM board_updates WHERE site_id = ? AND status = 'pending' ORDER BY id",
            [site_id],
        )
    ]


def board_updates_done(conn: sqlite3.Connection, ids: list[int], now: str) -> None:
    conn.executemany(
        "UPDATE board_updates SET status = 'done', done_at = ? WHERE id = ?",
        [(now, i) for i in ids],
    )


def latest_calls(
    conn: sqlite3.Connection, site_id: str, business_day: str, limit: int
) -> list[tuple[str, str]]:
    """``[(code, desk_id), ...]``: the day's latest calls and recalls, newest first, one per
    ticket (a transferred or cancelled ticket leaves the board)."""
    rows = conn.execute(
        "SELECT t.service_code || printf('%03d', t.number), e.desk_id, max(e.id) AS latest "
        "FROM events e JOIN tickets t ON t.id = e.ticket_id "
        "WHERE e.business_day = ? AND e.site_id = ? AND e.kind IN ('called', 'recalled') "
        "  AND t.status NOT IN ('transferred', 'cancelled') "
        "GROUP BY e.ticket_id ORDER BY latest DESC LIMIT ?",
        [business_day, site_id, limit],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


# Device status and heartbeat -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviceState:
    url: str
    kind: str
    status: str
    detail: str | None
    checked_at: str
    ok_at: str | None


def record_device(
    conn: sqlite3.Connection, *, url: str, kind: str, status: str, detail: str | None, now: str
) -> None:
    ok = status in ("ok", "paper near end")
    conn.execute(
        "INSERT INTO device_status (url, kind, status, detail, checked_at, ok_at) "
        "VALUES (:url, :kind, :status, :detail, :now, CASE WHEN :ok THEN :now END) "
        "ON CONFLICT (url) DO UPDATE SET kind = excluded.kind, status = excluded.status, "
        "detail = excluded.detail, checked_at = excluded.checked_at, "
        "ok_at = coalesce(excluded.ok_at, device_status.ok_at)",
        {"url": url, "kind": kind, "status": status, "detail": detail, "now": now, "ok": int(ok)},
    )


def device_states(conn: sqlite3.Connection) -> dict[str, DeviceState]:
    return {
        r[0]: DeviceState(*r)
        for r in conn.execute(
            "SELECT url, kind, status, detail, checked_at, ok_at FROM device_status"
        )
    }


def beat(conn: sqlite3.Connection, *, pid: int, host: str, started_at: str, now: str) -> None:
    conn.execute(
        "INSERT INTO worker_heartbeat (id, pid, host, started_at, seen_at) VALUES (1, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, "
        "started_at = excluded.started_at, seen_at = excluded.seen_at",
        [pid, host, started_at, now],
    )


def heartbeat(conn: sqlite3.Connection) -> tuple[int, str, str] | None:
    """``(pid, host, seen_at)`` of the last worker, or None if none ever ran."""
    row = conn.execute("SELECT pid, host, seen_at FROM worker_heartbeat WHERE id = 1").fetchone()
    return (row[0], row[1], row[2]) if row else None
