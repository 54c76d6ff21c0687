"""Outbox rows: committed in the same transaction as the change that causes them, delivered by
the one owner of the devices.

The outboxes (print jobs, board updates, messages, report emails, follow-up texts) share one
life, written here once:

- **claim**: the owner marks due rows of one lane (a printer, a board's site, a way of sending)
  as being delivered by it, in one statement (``UPDATE ... RETURNING``);
- **finish**: the owner that claimed a row records the outcome; a row claimed by another owner
  is left alone (the statement says so by changing nothing);
- **orphans**: rows a previous owner left mid-delivery. The lease says that owner is gone (the
  kernel released its lock), so the new owner decides what each one needs.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from oss_desk.clock import format_instant
from oss_desk.domain.delivery import PrintRequest, stale_ticket_job
from oss_desk.domain.models import TicketStatus
from oss_desk.domain.print_questions import SAME_PAPER
from oss_desk.domain.sending import SendResult
from oss_desk.storage.print_start import host_boot
from oss_desk.storage.rows import of_row, returned_int, row_dicts

# The outboxes ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outbox:
    table: str
    lane: str
    """The column that splits the box into lanes delivered independently of each other."""
    sending: str
    """The status of a row being delivered."""
    order: str
    timed: bool = True
    """Rows have attempts, next_attempt_at and lease_until (board updates do not)."""
    columns: frozenset[str] = frozenset()
    """Columns ``finish`` may set besides the status."""


_RETRIED = frozenset({"next_attempt_at", "last_error", "sent_at", "lease_until"})
"""What ``finish`` may set on any row that is retried with a lease."""

PRINT_JOBS = Outbox(
    "print_jobs",
    lane="printer_url",
    sending="printing",
    order="id",
    columns=_RETRIED | {"printer_url", "printed_at", "attempts", "auto_reprints", "started_at"},
)
MESSAGES = Outbox(
    "messages",
    lane="via",
    sending="sending",
    order="next_attempt_at, id",
    columns=_RETRIED | {"provider_id", "unconfirmed", "handed_over_at", "attempts"},
)
BOARD_UPDATES = Outbox(
    "board_updates",
    lane="site_id",
    sending="sending",
    order="id",
    timed=False,
    columns=frozenset({"done_at"}),
)
REPORT_MAILS = Outbox(
    "report_mails",
    lane="via",
    sending="sending",
    order="next_attempt_at, id",
    columns=MESSAGES.columns,
)
"""The daily summary and the monthly dashboard by email (the team leader's, not residents')."""
FEEDBACK_TEXTS = replace(REPORT_MAILS, table="feedback_texts")
"""The follow-up texts asking residents how their visit went (GOV.UK Notify)."""
BOXES = {
    box.table: box for box in (PRINT_JOBS, MESSAGES, BOARD_UPDATES, REPORT_MAILS, FEEDBACK_TEXTS)
}


@dataclass(frozen=True, slots=True, kw_only=True)
class LeasedRow:
    """What every row sent with a lease and a hand-over has (report emails, follow-up texts)."""

    id: int
    status: str
    reference: str
    attempts: int
    next_attempt_at: str
    created_at: str
    via: str = "smtp"
    handed_over_at: str | None = None
    unconfirmed: int = 0
    last_error: str | None = None
    provider_id: str | None = None
    sent_at: str | None = None


def _due(box: Outbox, lane: str | None, row_id: int | None) -> str:
    """The WHERE clause of the due rows (only names from the box spec are formatted in)."""
    where = "status = 'pending'"
    if box.timed:
        where += " AND next_attempt_at <= :now"
    if lane is not None:
        where += f" AND {box.lane} = :lane"
    if row_id is not None:
        where += " AND id = :id"
    return where


def claim_next_leased(
    conn: sqlite3.Connection,
    box: Outbox,
    *,
    owner: str,
    lane: str,
    now: datetime,
    lease_seconds: float,
) -> dict[str, Any] | None:
    """The next due row of ``lane``, claimed for ``owner`` with a lease of ``lease_seconds``
    from ``now`` (None: nothing is due). What each message sender asks at the start of a send."""
    claimed = claim(
        conn,
        box,
        owner=owner,
        now=format_instant(now),
        lane=lane,
        lease_until=format_instant(now + timedelta(seconds=lease_seconds)),
    )
    return claimed[0] if claimed else None


def claim(
    conn: sqlite3.Connection,
    box: Outbox,
    *,
    owner: str,
    now: str,
    lane: str | None = None,
    row_id: int | None = None,
    lease_until: str | None = None,
    everything: bool = False,
) -> list[dict[str, Any]]:
    """Mark the next due row of ``lane`` (or row ``row_id``, or with ``everything`` all due rows)
    as being delivered by ``owner``, and return it (empty: nothing due)."""
    sets = f"status = '{box.sending}', owner = :owner"
    if box.timed:
        sets += ", attempts = attempts + 1, lease_until = :lease"
    where = _due(box, lane, row_id)
    args = {"owner": owner, "now": now, "lane": lane, "id": row_id, "lease": lease_until}
    if everything:
        sql = f"UPDATE {box.table} SET {sets} WHERE {where} RETURNING *"  # noqa: S608 - names from BOXES
    else:
        sql = (
            f"UPDATE {box.table} SET {sets} WHERE id = (SELECT id FROM {box.table} "  # noqa: S608
            f"WHERE {where} ORDER BY {box.order} LIMIT 1) RETURNING *"
        )
    return sorted(row_dicts(conn.execute(sql, args)), key=lambda r: r["id"])


def handed_sql(box: Outbox) -> str:
    """The first row of lane ``:lane`` handed to ``:owner`` as it was queued (one index search:
    print_jobs_sending, schema/0029)."""
    return (
        f"SELECT * FROM {box.table} WHERE status = '{box.sending}' "  # noqa: S608 - BOXES
        f"AND owner = :owner AND {box.lane} = :lane ORDER BY id LIMIT 1"
    )


def peek(
    conn: sqlite3.Connection,
    box: Outbox,
    *,
    lane: str,
    now: str,
    owner: str | None = None,
    handed_only: bool = False,
) -> dict[str, Any] | None:
    """The row ``claim`` would take next in ``lane`` (without taking it); with ``owner``, or
    before it a row already handed to ``owner`` as it was queued (its status says it is being
    delivered: see :func:`queue_print_job`), whichever came first; ``handed_only``: only those."""
    args = {"now": now, "lane": lane, "owner": owner}
    found: list[dict[str, Any]] = []
    if owner is not None:
        found += row_dicts(conn.execute(handed_sql(box), args))
    if not handed_only:
        where = _due(box, lane, None)
        sql = f"SELECT * FROM {box.table} WHERE {where} ORDER BY {box.order} LIMIT 1"  # noqa: S608
        found += row_dicts(conn.execute(sql, args))
    return min(found, key=lambda row: int(row["id"])) if found else None


def finish(
    conn: sqlite3.Connection,
    box: Outbox,
    row_id: int,
    *,
    owner: str,
    status: str,
    **columns: object,
) -> bool:
    """Record the outcome of a delivery ``owner`` claimed (``columns``: what else to set).
    False: the row was not ``owner``'s to finish (nothing changed)."""
    unknown = set(columns) - box.columns
    if unknown:
        raise ValueError(f"{box.table}: cannot set {sorted(unknown)}")
    sets = ["status = :status", "owner = NULL"]  # the owner matters only while sending
    sets += [f"{name} = :{name}" for name in sorted(columns)]
    if box.timed and "lease_until" not in columns:
        sets.append("lease_until = NULL")
    if "handed_over_at" in box.columns and "handed_over_at" not in columns:
        sets.append("handed_over_at = NULL")
    sql = (
        f"UPDATE {box.table} SET {', '.join(sets)} "  # noqa: S608 - names from BOXES
        f"WHERE id = :row AND owner = :owner AND status = '{box.sending}'"
    )
    cur = conn.execute(sql, {"status": status, "row": row_id, "owner": owner, **columns})
    return cur.rowcount == 1


def orphans(conn: sqlite3.Connection, box: Outbox, *, owner: str) -> list[dict[str, Any]]:
    """Rows left mid-delivery by an earlier owner (one that is gone: we hold the lease)."""
    sql = (
        f"SELECT * FROM {box.table} WHERE status = '{box.sending}' "  # noqa: S608 - names from BOXES
        "AND (owner IS NULL OR owner != :owner) ORDER BY id"
    )
    return row_dicts(conn.execute(sql, {"owner": owner}))


def adopt(conn: sqlite3.Connection, box: Outbox, row_id: int, *, owner: str) -> bool:
    """Take over an orphan, so that ``finish`` may record what becomes of it."""
    sql = (
        f"UPDATE {box.table} SET owner = :owner WHERE id = :row "  # noqa: S608 - names from BOXES
        f"AND status = '{box.sending}'"
    )
    return conn.execute(sql, {"owner": owner, "row": row_id}).rowcount == 1


def outcome_columns(
    result: SendResult, stamp: str, unconfirmed: int | None = None
) -> dict[str, object]:
    """The columns :func:`finish` sets for a send's ``result`` at ``stamp`` (a message, a report
    email, a follow-up text): the error kept unless sent, the provider's id, when it was sent,
    when it is tried again (handed over no longer), how many sends went unconfirmed."""
    values: dict[str, object] = {"last_error": result.last_error}
    if result.provider is not None:
        values["provider_id"] = result.provider
    if result.sent:
        values["sent_at"] = stamp
    if result.retry is not None:
        values["next_attempt_at"] = format_instant(result.retry)
        values["handed_over_at"] = None
    if unconfirmed is not None:
        values["unconfirmed"] = unconfirmed
    return values


def adopt_orphans(conn: sqlite3.Connection, box: Outbox, *, owner: str) -> list[dict[str, Any]]:
    """Take over every row an earlier owner left mid-delivery (:func:`orphans`, :func:`adopt`):
    ``owner`` then decides what each needs, and records it with :func:`finish`."""
    left = orphans(conn, box, owner=owner)
    for row in left:
        adopt(conn, box, row["id"], owner=owner)
    return left


def failed_unacknowledged(
    conn: sqlite3.Connection, box: Outbox, since: str
) -> list[dict[str, Any]]:
    """Rows queued since ``since`` that failed for good and nobody acknowledged (the boxes whose
    rows carry ``acknowledged_at``: report emails, follow-up texts)."""
    sql = (
        f"SELECT * FROM {box.table} WHERE status = 'failed' AND acknowledged_at IS NULL"  # noqa: S608
        " AND created_at >= ? ORDER BY id"
    )
    return row_dicts(conn.execute(sql, [since]))


def acknowledge_failed(
    conn: sqlite3.Connection, box: Outbox, row_ids: list[int], *, by: str, now: str
) -> int:
    """Someone has seen to these failed rows: they stop being alerts."""
    sql = (
        f"UPDATE {box.table} SET acknowledged_at = ?, acknowledged_by = ?"  # noqa: S608
        " WHERE id = ? AND acknowledged_at IS NULL AND status = 'failed'"
    )
    return sum(conn.execute(sql, [now, by, row_id]).rowcount for row_id in row_ids)


def next_due(conn: sqlite3.Connection, box: Outbox, lane: str | None = None) -> str | None:
    """When the next pending row of ``lane`` (or of any lane) comes due."""
    if not box.timed:
        raise ValueError(f"{box.table} rows are due at once")
    where = "status = 'pending'" + (f" AND {box.lane} = :lane" if lane is not None else "")
    sql = f"SELECT min(next_attempt_at) FROM {box.table} WHERE {where}"  # noqa: S608
    row = conn.execute(sql, {"lane": lane}).fetchone()
    return row[0] if row else None


def lanes(conn: sqlite3.Connection, box: Outbox, owner: str | None = None) -> list[str]:
    """The lanes with rows waiting (e.g. every printer with a job queued); with ``owner``,
    also those with rows handed to ``owner`` as they were queued."""
    sql = f"SELECT DISTINCT {box.lane} FROM {box.table} WHERE status = 'pending'"  # noqa: S608
    if owner is not None:
        # Two searches (the queued rows, the rows being sent by ``owner``), not one scan of
        # every row kept: an OR of the two is read row by row (print_jobs: schema/0029, 0032).
        sql += (
            f" UNION SELECT {box.lane} FROM {box.table} "  # noqa: S608 - names from BOXES
            f"WHERE status = '{box.sending}' AND owner = :owner"
        )
    return sorted(r[0] for r in conn.execute(sql, {"owner": owner}))


# Print jobs --------------------------------------------------------------------------------------


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
    started_at: str | None = None
    sent_at: str | None = None
    auto_reprints: int = 0
    last_error: str | None = None
    printed_at: str | None = None
    boot: str | None = None

    @classmethod
    def of(cls, row: dict[str, Any]) -> PrintJob:
        return of_row(cls, row, payload=json.loads(row["payload"]))


def queue_print_job(
    conn: sqlite3.Connection,
    job: PrintRequest,
    *,
    created_at: str,
    owner: str | None = None,
    lease_until: str | None = None,
    due_at: str | None = None,
) -> int:
    """Queue ``job`` (first tried at ``due_at``, else now: ``created_at``); with ``owner`` (the
    live owner of the devices) it is handed to that owner at once: claimed (its first attempt)
    and started in this transaction, on this computer's boot, so the owner's lane sends it
    without a commit of its own; an owner that dies first leaves it to the next one, which
    prints it as the original when that owner's marks show no byte of it left
    (:mod:`oss_desk.storage.print_start`), else marked COPY
    (:meth:`oss_desk.worker.printing.PrintDelivery.recover`)."""
    handed = owner is not None
    return returned_int(
        conn,
        "INSERT INTO print_jobs (created_at, kind, ticket_id, desk_id, printer_url, "
        "next_attempt_at, payload, status, owner, attempts, lease_until, started_at, boot) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [
            created_at,
            job.kind,
            job.ticket_id,
            job.desk_id,
            job.printer_url,
            due_at or created_at,
            json.dumps(job.payload, sort_keys=True),
            PRINT_JOBS.sending if handed else "pending",
            owner,
            int(handed),
            lease_until if handed else None,
            created_at if handed else None,
            host_boot() if handed else None,
        ],
    )


def start_printing(conn: sqlite3.Connection, job: PrintJob, now: str, owner: str) -> str | None:
    """Bytes of ``job``, just claimed by ``owner`` (on this boot), are about to leave (committed
    before the first one does); unless it is a ticket's whose ticket is no longer waiting or called
    (:func:`oss_desk.domain.delivery.stale_ticket_job`): then it is settled unprinted
    (``cancelled``) in the same transaction, and the reason returned."""
    found = conn.execute("SELECT status FROM tickets WHERE id = ?", [job.ticket_id]).fetchone()
    stale = stale_ticket_job(job.kind, TicketStatus(found[0]) if found else None)
    if stale is not None:
        finish(conn, PRINT_JOBS, job.id, owner=owner, status="cancelled", last_error=stale)
        return stale
    conn.execute(
        "UPDATE print_jobs SET started_at = coalesce(started_at, ?), sent_at = NULL, boot = ? "
        "WHERE id = ?",
        [now, host_boot(), job.id],
    )
    return None


def bytes_left_before(conn: sqlite3.Connection, job: PrintJob) -> bool:
    """Whether bytes of this job (an earlier try) or of another job for the same ticket (or
    the same booking's slip) may already have reached a printer: then this copy says COPY."""
    if job.started_at is not None:
        return True
    if job.kind == "appointment_slip" and job.ticket_id is None:
        slip = conn.execute(
            "SELECT 1 FROM print_jobs WHERE kind = 'appointment_slip' AND ticket_id IS NULL "
            "AND json_extract(payload, '$.reference') = ? AND id != ? "
            "AND started_at IS NOT NULL LIMIT 1",
            [job.payload.get("reference"), job.id],
        ).fetchone()
        return slip is not None
    if job.ticket_id is None or job.kind != "ticket":
        return False
    row = conn.execute(
        "SELECT 1 FROM print_jobs WHERE ticket_id = ? AND kind = 'ticket' AND id != ? "
        "AND started_at IS NOT NULL LIMIT 1",
        [job.ticket_id, job.id],
    ).fetchone()
    return row is not None


def mark_ticket_printed(conn: sqlite3.Connection, job: PrintJob, now: str) -> None:
    if job.ticket_id is not None and job.kind == "ticket":
        conn.execute(
            "UPDATE tickets SET printed_at = coalesce(printed_at, ?) WHERE id = ?",
            [now, job.ticket_id],
        )


def last_printer_for_ticket(conn: sqlite3.Connection, ticket_id: int) -> str | None:
    row = conn.execute(
        "SELECT printer_url FROM print_jobs WHERE ticket_id = ? ORDER BY id DESC LIMIT 1",
        [ticket_id],
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


@dataclass(frozen=True, slots=True)
class PrintSummary:
    waiting: int
    """Jobs not yet printed (queued or being sent)."""
    failed: int
    """Jobs given up on (they can be reprinted)."""
    last_error: str | None
    uncertain: int = 0
    """Jobs that may not have printed, not yet answered at their desk."""
    by_printer: tuple[tuple[str, int], ...] = ()
    """``(printer_url, jobs waiting)`` for each printer with jobs waiting."""


def print_summary(conn: sqlite3.Connection, since: str) -> PrintSummary:
    waiting, failed, uncertain = conn.execute(
        "SELECT coalesce(sum(status IN ('pending', 'printing')), 0), "
        "coalesce(sum(status = 'failed' AND acknowledged_at IS NULL), 0), "
        "coalesce(sum(status = 'uncertain' AND acknowledged_at IS NULL), 0) "
        "FROM print_jobs WHERE created_at >= ?",
        [since],
    ).fetchone()
    error = conn.execute(
        "SELECT last_error FROM print_jobs WHERE created_at >= ? AND last_error IS NOT NULL "
        "ORDER BY id DESC LIMIT 1",
        [since],
    ).fetchone()
    by_printer = conn.execute(
        "SELECT printer_url, count(*) FROM print_jobs WHERE status IN ('pending', 'printing') "
        "AND created_at >= ? GROUP BY printer_url ORDER BY printer_url",
        [since],
    ).fetchall()
    return PrintSummary(
        waiting=waiting,
        failed=failed,
        last_error=error[0] if error else None,
        uncertain=uncertain,
        by_printer=tuple((r[0], r[1]) for r in by_printer),
    )


def recent_jobs(
    conn: sqlite3.Connection, limit: int = 50
) -> list[tuple[int, str, bool, str | None]]:
    """``[(id, status, confirmed, last_error), ...]`` of the latest print jobs."""
    return [
        (r[0], r[1], bool(r[2]), r[3])
        for r in conn.execute(
            "SELECT id, status, printed_at IS NOT NULL, last_error FROM print_jobs "
            "ORDER BY id DESC LIMIT ?",
            [limit],
        )
    ]


@dataclass(frozen=True, slots=True)
class JobNeedingAnswer:
    """A job that may not have printed, or failed: shown at the desk that queued it."""

    id: int
    kind: str
    status: str
    ticket_id: int | None
    code: str | None
    desk_id: str | None
    printer_url: str
    reason: str | None
    created_at: str
    ticket_status: str | None = None
    """The ticket's status now (None: a job of no ticket)."""
    reference: str | None = None
    """The booking reference of an appointment slip (None: another paper)."""


def _paper(job: str) -> str:
    """SQL of what makes print job ``job`` (an alias) of no ticket the same paper as another
    (:data:`~oss_desk.domain.print_questions.SAME_PAPER`); NULL for a kind never superseded."""
    whens = " ".join(
        f"WHEN '{kind}' THEN "
        + " || '|' || ".join(f"json_extract({job}.payload, '$.{f}')" for f in fields)
        for kind, fields in SAME_PAPER.items()
    )
    return f"(CASE {job}.kind {whens} END)"


def jobs_needing_answer(conn: sqlite3.Connection, since: str) -> list[JobNeedingAnswer]:
    """The jobs to ask about: a ticket's latest copy only (a later copy of the same ticket,
    whatever became of it, supersedes an earlier one: printed, it settles it; queued, it is
    on its way; failed or unsure, that is what to ask about); so for a slip or a summary, the
    latest of the same paper (:data:`~oss_desk.domain.print_questions.SAME_PAPER`). A copy
    queued from no desk (a reprint from the command line) is asked about at the desk that
    issued the ticket."""
    sql = (  # the paper's SQL is made of this module's own names, of no input
        "SELECT j.id, j.kind, j.status, j.ticket_id, "  # noqa: S608
        "  CASE WHEN t.id IS NOT NULL THEN t.service_code || printf('%03d', t.number) END, "
        "  coalesce(j.desk_id, (SELECT f.desk_id FROM print_jobs f WHERE f.ticket_id = "
        "    j.ticket_id AND f.desk_id IS NOT NULL ORDER BY f.id LIMIT 1)), "
        "  j.printer_url, j.last_error, j.created_at, t.status, "
        "  CASE j.kind WHEN 'appointment_slip' THEN json_extract(j.payload, '$.reference') END "
        "FROM print_jobs j LEFT JOIN tickets t ON t.id = j.ticket_id "
        "WHERE j.status IN ('uncertain', 'failed') AND j.acknowledged_at IS NULL "
        "  AND j.created_at >= ? "
        "  AND NOT EXISTS (SELECT 1 FROM print_jobs k WHERE k.kind = j.kind AND k.id > j.id "
        "    AND (k.ticket_id = j.ticket_id OR (j.ticket_id IS NULL AND k.ticket_id IS NULL "
        f"    AND {_paper('k')} = {_paper('j')}))) "
        "ORDER BY j.id"
    )
    rows = conn.execute(sql, [since]).fetchall()
    return [JobNeedingAnswer(*r) for r in rows]


def acknowledge_jobs(conn: sqlite3.Connection, job_ids: list[int], *, by: str, now: str) -> int:
    return sum(
        conn.execute(
            "UPDATE print_jobs SET acknowledged_at = ?, acknowledged_by = ? "
            "WHERE id = ? AND acknowledged_at IS NULL AND status IN ('uncertain', 'failed')",
            [now, by, job_id],
        ).rowcount
        for job_id in job_ids
    )
