"""The device worker's tables: board updates, the board's calls, what each device last said.

Print jobs and the claim/finish of every outbox are in :mod:`oss_desk.storage.outbox`; the
lease and heartbeat in :mod:`oss_desk.storage.lease`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from oss_desk.domain.public import OFF_THE_BOARD, PLACED_AT_A_DESK
from oss_desk.storage.rows import returned_int

# Board ------------------------------------------------------------------------------------------

OFF_BOARD = ", ".join(f"'{status.value}'" for status in OFF_THE_BOARD)
""":data:`~oss_desk.domain.public.OFF_THE_BOARD` as SQL (constants, no input)."""

PLACED = ", ".join(f"'{kind.value}'" for kind in PLACED_AT_A_DESK)
""":data:`~oss_desk.domain.public.PLACED_AT_A_DESK` as SQL (constants, no input)."""


BOARD_CALLS = (
    "WITH closed AS ("  # noqa: S608 (OFF_BOARD: constants, no input)
    "  SELECT desk_id, max(id) AS event_id FROM events "
    "  WHERE business_day = :day AND kind = 'desk_status' AND site_id = :site "
    "    AND json_extract(data, '$.to') = 'closed' GROUP BY desk_id), "
    "latest AS ("
    "  SELECT max(e.id) FILTER (WHERE e.kind IN ('called', 'recalled')) AS event_id, "
    "    max(e.id) AS placed_id FROM events e JOIN tickets t ON t.id = e.ticket_id "
    "  WHERE e.business_day = :day AND e.site_id = :site "
    f"    AND e.kind IN ({PLACED}) "
    f"    AND t.status NOT IN ({OFF_BOARD}) "
    "  GROUP BY e.ticket_id) "
    "SELECT e.id, e.kind, e.at, t.service_code || printf('%03d', t.number), "
    "  coalesce(t.desk_id, e.desk_id), e.ticket_id "
    "FROM latest JOIN events e ON e.id = latest.event_id "
    "JOIN tickets t ON t.id = e.ticket_id "
    "LEFT JOIN closed c ON c.desk_id = coalesce(t.desk_id, e.desk_id) "
    "WHERE (c.event_id IS NULL OR c.event_id < latest.placed_id) "
    "  AND (SELECT at FROM events WHERE id = latest.placed_id) > :cleared "
    "ORDER BY e.id DESC LIMIT :limit"
)


def queue_board_update(
    conn: sqlite3.Connection, *, site_id: str, ticket_id: int | None, reason: str, now: str
) -> int:
    return returned_int(
        conn,
        "INSERT INTO board_updates (created_at, site_id, ticket_id, reason) VALUES (?, ?, ?, ?) "
        "RETURNING id",
        [now, site_id, ticket_id, reason],
    )


def board_calls(
    conn: sqlite3.Connection, site_id: str, business_day: str, limit: int, cleared: str
) -> list[tuple[int, str, str, str, str | None, int]]:
    """``[(event_id, kind, at, code, desk_id, ticket_id), ...]``: the day's latest calls and
    recalls, newest first, one per ticket: the one place that decides what the board and the
    waiting-room screen list. A ticket back in the queue, transferred, cancelled or a no-show
    leaves (``OFF_THE_BOARD``), and so does a call to a desk that has closed since: nobody
    is expected there (a desk reopened later does not bring its old calls back, but a resident
    placed there again after the close, ``PLACED_AT_A_DESK``, does: resumed there, or a
    no-show taken back). So does every call made before ``cleared`` (an instant; "": none),
    the day's close (:func:`oss_desk.domain.closed_day.calls_cleared_at`), finished ones too:
    the office has closed (a reopened day lists only its new calls, and the residents placed
    at a desk again since). Each names the desk
    the resident is at now: the one that called them, or the one a team leader resumed them
    at after they were parked."""
    return [
        (r[0], r[1], r[2], r[3], r[4], r[5])
        for r in conn.execute(
            BOARD_CALLS,
            {"day": business_day, "site": site_id, "limit": limit, "cleared": cleared},
        )
    ]


def latest_calls(
    conn: sqlite3.Connection, site_id: str, business_day: str, limit: int, cleared: str
) -> list[tuple[str, str | None]]:
    """``[(code, desk_id), ...]``: :func:`board_calls` as the board shows them."""
    return [(c[3], c[4]) for c in board_calls(conn, site_id, business_day, limit, cleared)]


# Device status and heartbeat -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviceState:
    url: str
    kind: str
    status: str
    detail: str | None
    checked_at: str
    ok_at: str | None
    answered_at: str | None = None


def record_device(
    conn: sqlite3.Connection,
    *,
    url: str,
    kind: str,
    status: str,
    detail: str | None,
    now: str,
    answered: bool | None = None,
) -> None:
    """What the owner of the devices last found (``answered``: the device said anything at all,
    ok or a fault; by default, any status but unreachable and unknown)."""
    ok = status in ("ok", "paper near end")
    if answered is None:
        answered = status not in ("unreachable", "unknown", "offline") or ok
    conn.execute(
        "INSERT INTO device_status (url, kind, status, detail, checked_at, ok_at, answered_at) "
        "VALUES (:url, :kind, :status, :detail, :now, CASE WHEN :ok THEN :now END, "
        "CASE WHEN :answered THEN :now END) "
        "ON CONFLICT (url) DO UPDATE SET kind = excluded.kind, status = excluded.status, "
        "detail = excluded.detail, checked_at = excluded.checked_at, "
        "ok_at = coalesce(excluded.ok_at, device_status.ok_at), "
        "answered_at = coalesce(excluded.answered_at, device_status.answered_at)",
        {
            "url": url,
            "kind": kind,
            "status": status,
            "detail": detail,
            "now": now,
            "ok": int(ok),
            "answered": int(answered),
        },
    )


def device_states(conn: sqlite3.Connection) -> dict[str, DeviceState]:
    return {
        r[0]: DeviceState(*r)
        for r in conn.execute(
            "SELECT url, kind, status, detail, checked_at, ok_at, answered_at FROM device_status"
        )
    }


# The heartbeat lives with the lease; these names stay for callers of this module.
from oss_desk.storage.lease import beat, heartbeat  # noqa: E402

__all__ = [
    "DeviceState",
    "beat",
    "device_states",
    "heartbeat",
    "latest_calls",
    "queue_board_update",
    "record_device",
]
