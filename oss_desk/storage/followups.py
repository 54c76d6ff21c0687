"""SQL of the follow-up register (schema/0011_followups.sql): follow-ups, their personal details,
ring-back attempts, references, and the retention purge of the details."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.followups import (
    Answer,
    Attempt,
    AttemptResult,
    Details,
    Finding,
    Followup,
    Kind,
    SendBy,
    Status,
    Via,
    format_ref,
)
from oss_desk.storage.message_rows import MessageRow
from oss_desk.storage.rows import of_row, row_dict
from oss_desk.storage.sending import REFERRAL_MESSAGES, claim_due, purge_traces
from oss_desk.storage.subject import clear

_DAY = date.fromisoformat


def _day(text: str | None) -> date | None:
    return None if text is None else _DAY(text)


def _followup(cur: sqlite3.Cursor, row: tuple[Any, ...]) -> Followup:
    c = row_dict(cur, row)
    return of_row(
        Followup,
        c,
        kind=Kind(c["kind"]),
        status=Status(c["status"]),
        received_at=read_instant(c["received_at"]),
        received_day=_DAY(c["received_day"]),
        start_day=_DAY(c["start_day"]),
        due_day=_DAY(c["due_day"]),
        service=c["service_code"],
        ack_due_day=_day(c["ack_due_day"]),
        send_by=SendBy(c["send_by"]) if c["send_by"] else None,
        via=Via(c["via"]) if c["via"] else None,
        acknowledged_at=read_instant(c["acknowledged_at"]) if c["acknowledged_at"] else None,
        acknowledged_day=_day(c["acknowledged_day"]),
        closed_at=read_instant(c["closed_at"]) if c["closed_at"] else None,
        closed_day=_day(c["closed_day"]),
        finding=Finding(c["finding"]) if c["finding"] else None,
        action_taken=None if c["action_taken"] is None else bool(c["action_taken"]),
    )


def _all(cur: sqlite3.Cursor) -> list[Followup]:
    return [_followup(cur, row) for row in cur.fetchall()]


def next_ref(conn: sqlite3.Connection, kind: Kind) -> str:
    """The next reference of the kind's prefix (one UPSERT: never the same twice)."""
    number = conn.execute(
        "INSERT INTO followup_counters (prefix, last_number) VALUES (?, 1) "
        "ON CONFLICT (prefix) DO UPDATE SET last_number = last_number + 1 RETURNING last_number",
        [kind.prefix],
    ).fetchone()[0]
    return format_ref(kind.prefix, int(number))


_INSERTED = [
    "ref",
    "kind",
    "site_id",
    "service",
    "received_at",
    "received_day",
    "start_day",
    "due_day",
    "ack_due_day",
    "created_by",
    "desk_id",
    "visit_id",
    "back_office",
    "sla_days",
    "send_by",
    "via",
    "category",
    "stage",
]
"""The fields of a new follow-up that are stored; the rest are the table's (id, status) or come
later (acknowledged, closed...)."""


def _stored(value: object) -> object:
    """A field's value as its column holds it (instants, ISO days, enum values)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def insert_followup(conn: sqlite3.Connection, new: Followup, details: Details) -> Followup:
    """Insert the follow-up ``new`` describes, with its personal details."""
    columns = {
        ("service_code" if name == "service" else name): _stored(getattr(new, name))
        for name in _INSERTED
    }
    cur = conn.execute(
        f"INSERT INTO followups ({', '.join(columns)}) "  # noqa: S608 - the names above
        f"VALUES ({', '.join('?' * len(columns))}) RETURNING *",
        list(columns.values()),
    )
    followup = _followup(cur, cur.fetchone())
    conn.execute(
        "INSERT INTO followup_details (followup_id, name, phone, email, topic) "
        "VALUES (?, ?, ?, ?, ?)",
        [followup.id, details.name, details.phone, details.email, details.topic],
    )
    return followup


def get_followup(conn: sqlite3.Connection, key: int | str) -> Followup | None:
    if isinstance(key, int):
        cur = conn.execute("SELECT * FROM followups WHERE id = ?", [key])
    else:
        cur = conn.execute("SELECT * FROM followups WHERE ref = ?", [key])
    row = cur.fetchone()
    return _followup(cur, row) if row else None


def list_followups(
    conn: sqlite3.Connection,
    *,
    site_id: str | None,
    kinds: Iterable[Kind],
    owner: str | None = None,
    unowned: bool = False,
    open_only: bool = True,
    closed_since: str | None = None,
    limit: int = 500,
) -> list[Followup]:
    """Follow-ups of these kinds: the open ones (and with ``closed_since``, those closed on
    that day or later), oldest due first."""
    wanted = [k.value for k in kinds]
    if not wanted:
        return []
    sql = "SELECT * FROM followups WHERE kind IN (SELECT value FROM json_each(?))"
    args: list[Any] = [json.dumps(wanted)]
    if site_id is not None:
        sql += " AND site_id = ?"
        args.append(site_id)
    if owner is not None:
        sql += " AND owner = ?"
        args.append(owner)
    elif unowned:
        sql += " AND owner IS NULL"
    if open_only:
        if closed_since is None:
            sql += " AND status NOT IN ('done', 'unreachable')"
        else:
            sql += " AND (status NOT IN ('done', 'unreachable') OR closed_day >= ?)"
            args.append(closed_since)
    sql += " ORDER BY due_day, id LIMIT ?"
    args.append(limit)
    return _all(conn.execute(sql, args))


def open_at_end_of(conn: sqlite3.Connection, site_id: str | None, day: str) -> list[Followup]:
    """Every follow-up received by ``day`` and not closed by its end (today: still open): what
    a day's "due today" and "overdue" count."""
    sql = (
        "SELECT * FROM followups WHERE received_day <= :day "
        "AND (closed_day IS NULL OR closed_day > :day)"
    )
    args: dict[str, Any] = {"day": day}
    if site_id is not None:
        sql += " AND site_id = :site"
        args["site"] = site_id
    return _all(conn.execute(sql, args))


def received_between(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None
) -> list[Followup]:
    sql = "SELECT * FROM followups WHERE received_day BETWEEN ? AND ?"
    args: list[Any] = [first_day, last_day]
    if site_id is not None:
        sql += " AND site_id = ?"
        args.append(site_id)
    return _all(conn.execute(sql + " ORDER BY id", args))


# Changes ------------------------------------------------------------------------------------------
# Each UPDATE names the state it expects: a change that lost a race with another desk changes
# nothing (rowcount 0), and the service says so.


def set_owner(conn: sqlite3.Connection, followup_id: int, owner: str) -> bool:
    cur = conn.execute(
        "UPDATE followups SET owner = ? WHERE id = ? AND status NOT IN ('done', 'unreachable') "
        "AND owner IS NOT ?",
        [owner, followup_id, owner],
    )
    return cur.rowcount == 1


def add_attempt(
    conn: sqlite3.Connection,
    followup_id: int,
    *,
    at: str,
    day: str,
    actor: str,
    desk_id: str | None,
    result: AttemptResult,
) -> bool:
    cur = conn.execute(
        "UPDATE followups SET attempts = attempts + 1 WHERE id = ? AND kind = 'ringback' "
        "AND status = 'open'",
        [followup_id],
    )
    if cur.rowcount != 1:
        return False
    conn.execute(
        "INSERT INTO followup_attempts (followup_id, at, day, actor, desk_id, result) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [followup_id, at, day, actor, desk_id, result.value],
    )
    return True


def attempts_of(conn: sqlite3.Connection, followup_id: int) -> list[Attempt]:
    rows = conn.execute(
        "SELECT at, day, actor, result FROM followup_attempts WHERE followup_id = ? ORDER BY id",
        [followup_id],
    ).fetchall()
    return [Attempt(read_instant(r[0]), r[1], r[2], AttemptResult(r[3])) for r in rows]


@dataclass(frozen=True, slots=True)
class Change:
    """A follow-up's new status, when (the instant and the site's day) and by whom."""

    status: Status
    at: str
    day: str
    by: str


def acknowledge(conn: sqlite3.Connection, followup_id: int, change: Change) -> bool:
    cur = conn.execute(
        "UPDATE followups SET status = ?, acknowledged_at = ?, acknowledged_day = ?, "
        "acknowledged_by = ? WHERE id = ? AND status = 'open'",
        [change.status.value, change.at, change.day, change.by, followup_id],
    )
    return cur.rowcount == 1


def close(
    conn: sqlite3.Connection,
    followup_id: int,
    change: Change,
    answer: Answer | None = None,
) -> bool:
    """Done, unreachable, or answered (``answer``: its officer, finding and whether action was
    taken); answering also acknowledges a record not yet acknowledged (the full answer is the
    acknowledgement)."""
    answer = answer or Answer()
    cur = conn.execute(
        "UPDATE followups SET status = :status, closed_at = :at, closed_day = :day, "
        "closed_by = :by, officer = :officer, finding = :finding, action_taken = :action, "
        "acknowledged_at = CASE WHEN ack_due_day IS NOT NULL AND acknowledged_at IS NULL "
        "  THEN :at ELSE acknowledged_at END, "
        "acknowledged_day = CASE WHEN ack_due_day IS NOT NULL AND acknowledged_day IS NULL "
        "  THEN :day ELSE acknowledged_day END, "
        "acknowledged_by = CASE WHEN ack_due_day IS NOT NULL AND acknowledged_by IS NULL "
        "  THEN :by ELSE acknowledged_by END "
        "WHERE id = :id AND status NOT IN ('done', 'unreachable')",
        {
            "status": change.status.value,
            "at": change.at,
            "day": change.day,
            "by": change.by,
            "officer": answer.officer,
            "finding": answer.finding.value if answer.finding else None,
            "action": None if answer.action_taken is None else int(answer.action_taken),
            "id": followup_id,
        },
    )
    return cur.rowcount == 1


def set_action_text(conn: sqlite3.Connection, followup_id: int, text: str | None) -> None:
    conn.execute(
        "UPDATE followup_details SET action_text = ? WHERE followup_id = ? AND purged_at IS NULL",
        [text, followup_id],
    )


def details_of(conn: sqlite3.Connection, followup_id: int) -> Details:
    row = conn.execute(
        "SELECT name, phone, email, topic, action_text, purged_at FROM followup_details "
        "WHERE followup_id = ?",
        [followup_id],
    ).fetchone()
    if row is None:
        return Details(purged=True)
    return Details(row[0], row[1], row[2], row[3], row[4], purged=row[5] is not None)


# Retention ---------------------------------------------------------------------------------------


def purge_details(
    conn: sqlite3.Connection,
    *,
    kinds: Iterable[Kind],
    before: str,
    now: str,
    dry_run: bool,
) -> int:
    """Delete the personal details of follow-ups of these kinds closed (or, still open,
    received) before the instant ``before``."""
    args = {"kinds": json.dumps([k.value for k in kinds]), "before": before, "now": now}
    return clear(conn, "followup_details", _DUE, args, dry_run=dry_run)


def purge_officers(
    conn: sqlite3.Connection, *, kinds: Iterable[Kind], before: str, dry_run: bool
) -> int:
    """Delete the officer named as answering the follow-ups of these kinds closed (or, still
    open, received) before the instant ``before``: with their details (:func:`purge_details`)."""
    args = {"kinds": json.dumps([k.value for k in kinds]), "before": before}
    return clear(conn, "officers", _DUE, args, dry_run=dry_run)


_DUE = (
    "SELECT id FROM followups WHERE kind IN (SELECT value FROM json_each(:kinds)) "
    "AND coalesce(closed_at, received_at) < :before"
)
"""The follow-ups of ``:kinds`` closed (or, still open, received) before ``:before``."""


def open_due_for_purge(
    conn: sqlite3.Connection, *, kinds: Iterable[Kind], before: str
) -> list[str]:
    """The references of the follow-ups :func:`purge_details` would reach now that are still
    open (their resident can no longer be rung back or told once it has run), oldest first:
    the same rows, never closed (a follow-up still open is due by its time received)."""
    rows = conn.execute(
        "SELECT f.ref FROM followup_details d JOIN followups f ON f.id = d.followup_id "
        "WHERE d.purged_at IS NULL AND f.closed_at IS NULL "
        "AND f.kind IN (SELECT value FROM json_each(:kinds)) AND f.received_at < :before "
        "ORDER BY f.received_at, f.id",
        {"kinds": json.dumps([k.value for k in kinds]), "before": before},
    ).fetchall()
    return [str(row[0]) for row in rows]


def visits_to_follow_up(conn: sqlite3.Connection, since: str) -> list[tuple[Any, ...]]:
    """(visit id, finished at, outcome, service, desk) of visits finished since ``since`` with a
    ring-back or a referral promised (the demo makes their follow-ups)."""
    return conn.execute(
        "SELECT v.id, v.finished_at, v.outcome, t.service_code, t.desk_id FROM visits v "
        "JOIN tickets t ON t.visit_id = v.id AND t.status = 'done' "
        "WHERE v.outcome IN ('callback', 'referred') AND v.finished_at >= ? "
        "ORDER BY v.finished_at, v.id",
        [since],
    ).fetchall()


# Referral references sent by email or text -------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Message(MessageRow):
    """A referral's reference sent to the resident."""

    followup_id: int
    cancelled_at: str | None = None
    """When the team leader stopped it (``followup cancel-message``), with ``cancelled_by``."""
    cancelled_by: str | None = None


def _message(cur: sqlite3.Cursor, row: tuple[Any, ...]) -> Message:
    return of_row(Message, row_dict(cur, row))


def next_message_due(conn: sqlite3.Connection) -> str | None:
    """When the next pending referral message comes due."""
    row = conn.execute(
        "SELECT min(next_attempt_at) FROM followup_messages WHERE status = 'pending'"
    ).fetchone()
    return row[0] if row else None


def queue_message(
    conn: sqlite3.Connection, *, followup_id: int, channel: str, via: str, reference: str, now: str
) -> int:
    return int(
        conn.execute(
            "INSERT INTO followup_messages (followup_id, channel, via, reference, "
            "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            [followup_id, channel, via, reference, now, now],
        ).fetchone()[0]
    )


def claim_message(conn: sqlite3.Connection, now: str, lease_until: str) -> Message | None:
    cur = claim_due(conn, REFERRAL_MESSAGES, now, lease_until)
    row = cur.fetchone()
    return _message(cur, row) if row else None


def messages_of(conn: sqlite3.Connection, followup_id: int) -> list[Message]:
    cur = conn.execute(
        "SELECT * FROM followup_messages WHERE followup_id = ? ORDER BY id", [followup_id]
    )
    return [_message(cur, row) for row in cur.fetchall()]


def cancel_message(conn: sqlite3.Connection, message_id: int, *, by: str, at: str) -> bool:
    """The team leader stops a message that has not gone (pending, not being sent now): who
    and when are kept; it is cancelled at once, unless an earlier try may have reached Notify
    (handed over): then it stays due, for the worker to look it up first. False: it was not
    pending (sent, or taken by the worker, a moment ago)."""
    return (
        conn.execute(
            "UPDATE followup_messages SET cancelled_by = :by, cancelled_at = :at, "
            "status = CASE WHEN handed_over_at IS NULL THEN 'cancelled' ELSE status END "
            "WHERE id = :id AND status = 'pending' AND cancelled_at IS NULL",
            {"by": by, "at": at, "id": message_id},
        ).rowcount
        == 1
    )


def release_stale_messages(conn: sqlite3.Connection, notify_due: str) -> int:
    """At start-up (the worker lock is ours): messages left 'sending' are due again, by mail at
    once, through Notify at ``notify_due`` when their request was handed over (it may have
    reached Notify: looked up then), else at once."""
    return conn.execute(
        "UPDATE followup_messages SET status = 'pending', lease_until = NULL, "
        "next_attempt_at = CASE WHEN via = 'notify' AND handed_over_at IS NOT NULL "
        "THEN max(next_attempt_at, ?) ELSE next_attempt_at END WHERE status = 'sending'",
        [notify_due],
    ).rowcount


def purge_message_traces(conn: sqlite3.Connection, before: str, *, dry_run: bool) -> int:
    """Provider ids and error texts of referral messages finished before ``before``."""
    finished = ("sent", "failed", "cancelled", "uncertain")
    return purge_traces(conn, REFERRAL_MESSAGES, finished, before, dry_run=dry_run)


def record_actions(
    conn: sqlite3.Connection, first_day: str, last_day: str, site_id: str | None
) -> list[tuple[Any, ...]]:
    """(followup id, action text, whether the retention purge deleted the details) of the
    comments, compliments and complaints received in the period that say an action was taken
    (the text is None once purged, or when none was written)."""
    sql = (
        "SELECT f.id, d.action_text, d.purged_at IS NOT NULL FROM followups f "
        "LEFT JOIN followup_details d ON d.followup_id = f.id "
        "WHERE f.received_day BETWEEN ? AND ? AND f.kind IN ('comment', 'compliment', 'complaint') "
        "AND (f.action_taken = 1 OR d.action_text IS NOT NULL)"
    )
    args: list[Any] = [first_day, last_day]
    if site_id is not None:
        sql += " AND f.site_id = ?"
        args.append(site_id)
    return conn.execute(sql + " ORDER BY f.received_day, f.id", args).fetchall()
