"""SQL of one print job's state, as a command reports it: the job it has just queued, or a
ticket's latest (kept out of ``outbox.py``, the delivery lanes' module)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from oss_desk.domain.counter import HeldCode
from oss_desk.domain.delivery import PrintRequest, stale_ticket_job
from oss_desk.domain.models import TicketStatus, format_code
from oss_desk.storage.rows import row_dicts

if TYPE_CHECKING:
    from oss_desk.domain.printouts import TicketPrintout


@dataclass(frozen=True, slots=True)
class StoredJob:
    """What the database holds of one print job's progress."""

    id: int
    status: str
    confirmed: bool
    """The printer confirmed it (``printed_at`` is set)."""
    error: str | None
    attempts: int
    """Tries begun by an owner of the devices (a job handed over as it was queued: 1)."""
    answered_at: str | None = None
    answered_by: str | None = None
    """When, and by whom, a desk answered "Reprint it?" about it (None: nobody has)."""


_JOB = (
    "SELECT id, status, printed_at IS NOT NULL, last_error, attempts, acknowledged_at, "
    "acknowledged_by FROM print_jobs "
)


def _job(
    row: tuple[int, str, int, str | None, int, str | None, str | None] | None,
) -> StoredJob | None:
    return None if row is None else StoredJob(row[0], row[1], bool(row[2]), *row[3:])


def job_state(conn: sqlite3.Connection, job_id: int) -> StoredJob | None:
    """Print job ``job_id`` (None: no such job)."""
    return _job(conn.execute(_JOB + "WHERE id = ?", [job_id]).fetchone())


def ticket_job(conn: sqlite3.Connection, ticket_id: int) -> tuple[StoredJob | None, bool]:
    """The latest print job of ticket ``ticket_id`` (None: it never had one), and whether an
    earlier copy of it went to a printer whole (``done``)."""
    latest = _job(
        conn.execute(
            _JOB + "WHERE ticket_id = ? AND kind = 'ticket' ORDER BY id DESC LIMIT 1",
            [ticket_id],
        ).fetchone()
    )
    if latest is None:
        return None, False
    earlier = conn.execute(
        "SELECT 1 FROM print_jobs WHERE ticket_id = ? AND kind = 'ticket' AND id < ? "
        "AND status = 'done' LIMIT 1",
        [ticket_id, latest.id],
    ).fetchone()
    return latest, earlier is not None


def slip_job(conn: sqlite3.Connection, reference: str) -> tuple[StoredJob | None, bool]:
    """The latest print job of the appointment slip of booking ``reference`` (None: none was
    printed), and whether an earlier one went to a printer whole (``done``)."""
    found = conn.execute(
        _JOB + "WHERE kind = 'appointment_slip' AND ticket_id IS NULL "
        "AND json_extract(payload, '$.reference') = ? ORDER BY id DESC",
        [reference],
    ).fetchall()
    if not found:
        return None, False
    return _job(found[0]), any(row[1] == "done" for row in found[1:])


def slip_printer(conn: sqlite3.Connection, reference: str) -> str | None:
    """The printer the latest slip of booking ``reference`` went to (None: none did)."""
    row = conn.execute(
        "SELECT printer_url FROM print_jobs WHERE kind = 'appointment_slip' "
        "AND ticket_id IS NULL AND json_extract(payload, '$.reference') = ? "
        "ORDER BY id DESC LIMIT 1",
        [reference],
    ).fetchone()
    return None if row is None else str(row[0])


def code_on_paper(conn: sqlite3.Connection, ticket_id: int, *, to_come: bool = False) -> HeldCode:
    """The code the resident holding ticket ``ticket_id`` has on paper: of the tickets it was
    transferred from (and itself), the newest whose ticket paper the printer confirmed (with
    ``to_come``, as a transfer asks the moment it queues the new code's paper: one still to
    print counts too, its job's state shown beside it), ``on_paper``; when none has, the first
    one's (the code they were given at the start, said to them or on a paper never confirmed),
    not ``on_paper``: no ticket of theirs is known to say it. A transfer printed nowhere, or
    whose paper never printed, leaves the resident holding the old code; a paper that failed,
    was settled unprinted or may not have printed is not one they surely hold. ("", False: no
    such ticket.)"""
    row = conn.execute(
        "WITH RECURSIVE chain (id, service, number, before, depth) AS ("
        "  SELECT id, service_code, number, transferred_from, 0 FROM tickets WHERE id = :id"
        "  UNION ALL SELECT t.id, t.service_code, t.number, t.transferred_from, chain.depth + 1"
        "  FROM tickets t JOIN chain ON t.id = chain.before"
        "), papers AS ("
        "  SELECT service, number, depth, EXISTS (SELECT 1 FROM print_jobs p"
        "    WHERE p.ticket_id = chain.id AND p.kind = 'ticket' AND (p.status = 'done'"
        "      OR (:to_come AND p.status IN ('pending', 'printing'))))"
        "    AS printed FROM chain"
        ") SELECT service, number, printed FROM papers "
        "ORDER BY printed DESC, CASE WHEN printed THEN depth ELSE -depth END LIMIT 1",
        {"id": ticket_id, "to_come": to_come},
    ).fetchone()
    if row is None:
        return HeldCode("", on_paper=False)
    return HeldCode(format_code(str(row[0]), int(row[1])), on_paper=bool(row[2]))


def try_now(conn: sqlite3.Connection, job_id: int, now: str) -> None:
    """Print job ``job_id``, waiting for its next try, is due at once (a reprint asked for it:
    the printer may be back). A job being printed is left as it is."""
    conn.execute(
        "UPDATE print_jobs SET next_attempt_at = min(next_attempt_at, ?) "
        "WHERE id = ? AND status = 'pending'",
        [now, job_id],
    )


def due_now(conn: sqlite3.Connection, printer_url: str, now: str) -> None:
    """The printer at ``printer_url`` took a job: the jobs waiting for their next try on it are
    due now (taken in order)."""
    conn.execute(
        "UPDATE print_jobs SET next_attempt_at = ? "
        "WHERE printer_url = ? AND status = 'pending' AND next_attempt_at > ?",
        [now, printer_url, now],
    )


def waiting_before(conn: sqlite3.Connection, printer_url: str, job_id: int, now: str) -> bool:
    """Whether the printer at ``printer_url`` has a job queued before job ``job_id`` that waits
    for its next try (not due at ``now``): once the printer answers, that one goes on paper
    first (:func:`due_now`), so tickets print in the order they were issued. One search of the
    printer's queued jobs (print_jobs_lane, schema/0014)."""
    found = conn.execute(
        "SELECT 1 FROM print_jobs WHERE printer_url = ? AND status = 'pending' AND id < ? "
        "AND next_attempt_at > ? LIMIT 1",
        [printer_url, job_id, now],
    ).fetchone()
    return found is not None


def next_try_waited(conn: sqlite3.Connection, printer_url: str, now: str) -> str | None:
    """When the printer at ``printer_url`` is next tried for the jobs queued for it that wait
    for their next try (not due at ``now``: it was off, or could not print); None: none waits.
    One search of the printer's queued jobs (print_jobs_lane, schema/0014)."""
    (found,) = conn.execute(
        "SELECT min(next_attempt_at) FROM print_jobs WHERE printer_url = ? "
        "AND status = 'pending' AND next_attempt_at > ?",
        [printer_url, now],
    ).fetchone()
    return None if found is None else str(found)


def waits_behind(conn: sqlite3.Connection, job_id: int, now: str) -> str | None:
    """When print job ``job_id`` waits behind jobs queued before it for its printer that wait
    for their next try (not due at ``now``), what the printer said to the last of them it
    tried ("": none was tried); None: none waits before it."""
    row = conn.execute(
        "SELECT j.last_error FROM print_jobs me JOIN print_jobs j "
        "ON j.printer_url = me.printer_url AND j.status = 'pending' AND j.id < me.id "
        "WHERE me.id = ? AND j.next_attempt_at > ? "
        "ORDER BY j.last_error IS NULL, j.id DESC LIMIT 1",
        [job_id, now],
    ).fetchone()
    return None if row is None else str(row[0] or "")


def due_beside(
    conn: sqlite3.Connection, printer_url: str, job_id: int, now: str
) -> list[dict[str, Any]]:
    """The jobs of the printer at ``printer_url`` other than ``job_id`` due at ``now``, in the
    order they were queued: what the printer just told ``job_id``'s try (it cannot be reached,
    or cannot print) is their try too, not one connection each."""
    return row_dicts(
        conn.execute(
            "SELECT * FROM print_jobs WHERE printer_url = ? AND status = 'pending' AND id != ? "
            "AND next_attempt_at <= ? ORDER BY id",
            [printer_url, job_id, now],
        )
    )


def hold_back(conn: sqlite3.Connection, printer_url: str, job_id: int) -> int:
    """The printer at ``printer_url`` just failed job ``job_id``'s try, which waits for its next
    one: the printer's other queued jobs due before then wait until then too (never sooner than
    they would), so that the next try is one connection for them all, not one for each job
    issued a few seconds apart (a review: five tickets issued 0.3 s apart kept a silent
    printer's lane busy one timeout each, every round). How many were held back."""
    return conn.execute(
        "UPDATE print_jobs SET next_attempt_at = (SELECT next_attempt_at FROM print_jobs "
        "  WHERE id = :job AND printer_url = :url AND status = 'pending') "
        "WHERE printer_url = :url AND status = 'pending' AND id != :job AND next_attempt_at < "
        "  (SELECT next_attempt_at FROM print_jobs "
        "   WHERE id = :job AND printer_url = :url AND status = 'pending')",
        {"job": job_id, "url": printer_url},
    ).rowcount


def settle_queued(conn: sqlite3.Connection, ticket_id: int, reason: str) -> int:
    """The print jobs of ticket ``ticket_id`` still queued (for a first or a next try: no owner
    of the devices holds them) are settled unprinted, ``cancelled`` with ``reason``, as its
    ticket ends; one being printed is its owner's to settle. Returns how many."""
    return conn.execute(
        "UPDATE print_jobs SET status = 'cancelled', last_error = ? "
        "WHERE ticket_id = ? AND kind = 'ticket' AND status = 'pending'",
        [reason, ticket_id],
    ).rowcount


def settle_slips(conn: sqlite3.Connection, ref: str, reason: str) -> list[int]:
    """The appointment slips of booking ``ref`` still queued (no owner of the devices holds
    them) are settled unprinted, ``cancelled`` with ``reason``
    (:func:`oss_desk.domain.slip_paper.stale_slip`); one being printed is its owner's. Returns
    their job ids."""
    return [
        int(row[0])
        for row in conn.execute(
            "UPDATE print_jobs SET status = 'cancelled', last_error = ? "
            "WHERE kind = 'appointment_slip' AND status = 'pending' "
            "AND json_extract(payload, '$.reference') = ? RETURNING id",
            [reason, ref],
        ).fetchall()
    ]


def settle_slip_questions(conn: sqlite3.Connection, ref: str, now: str) -> int:
    """The "Reprint it?" questions still open about booking ``ref``'s slips (one that may not
    have printed, or failed) are settled at ``now`` as the booking ends (cancelled, seen, not
    come): no slip can help its resident now, and nobody is asked about it any more (a review:
    the team leader was asked, and "y" printed the cancelled booking's day and time). Nobody is
    said to have answered (``acknowledged_by`` stays empty); the job keeps its own state.
    Returns how many."""
    return conn.execute(
        "UPDATE print_jobs SET acknowledged_at = ? "
        "WHERE kind = 'appointment_slip' AND status IN ('uncertain', 'failed') "
        "AND acknowledged_at IS NULL AND json_extract(payload, '$.reference') = ?",
        [now, ref],
    ).rowcount


def settle_ended(conn: sqlite3.Connection, ticket_id: int, status: TicketStatus) -> int:
    """Ticket ``ticket_id`` ends as ``status`` (finished, a no-show, transferred, cancelled):
    its paper still queued (the printer down, no worker running) is settled unprinted in the
    same transaction, with :func:`~oss_desk.domain.delivery.stale_ticket_job`'s reason (it no
    longer reads as waiting to print, nor counts as waiting for another try). Returns how
    many."""
    reason = stale_ticket_job("ticket", status)
    return 0 if reason is None else settle_queued(conn, ticket_id, reason)


def _settled_by_end(
    conn: sqlite3.Connection, ticket_id: int, status: TicketStatus
) -> tuple[Any, ...] | None:
    """Ticket ``ticket_id``'s latest ticket print job (id, printer, desk, payload without what
    a try kept) when its end as ``status`` settled it unprinted; else None."""
    reason = stale_ticket_job("ticket", status)
    row = conn.execute(
        "SELECT id, status, last_error, printer_url, desk_id, "
        "json_remove(payload, '$.printed') FROM print_jobs "
        "WHERE ticket_id = ? AND kind = 'ticket' ORDER BY id DESC LIMIT 1",
        [ticket_id],
    ).fetchone()
    if reason is None or row is None or (row[1], row[2]) != ("cancelled", reason):
        return None
    return tuple(row)


def settled_by_end(
    conn: sqlite3.Connection, ticket_id: int, status: TicketStatus
) -> PrintRequest | None:
    """The paper of ticket ``ticket_id`` that its end as ``status`` settled unprinted
    (:func:`settle_ended`), to be queued again now that the ticket is back in the queue (a
    no-show taken back): the resident never had it, and it would have printed had the ticket
    not ended. Its latest ticket print job, when that end cancelled it; None when that job
    printed, failed, may have printed or was settled otherwise (or it never had one). The
    request is for the same printer and desk, its payload without what a try kept."""
    row = _settled_by_end(conn, ticket_id, status)
    if row is None:
        return None
    return PrintRequest(
        "ticket", row[3], ticket_id=ticket_id, desk_id=row[4], payload=json.loads(row[5])
    )


def paper_again(conn: sqlite3.Connection, job_id: int) -> PrintRequest | None:
    """Print job ``job_id`` of no ticket (an appointment slip, a daily summary), to be queued
    again as it was asked for: the same kind, printer, desk and contents; marked COPY (when its
    kind says so) if the first may have printed. None: no such job, or a ticket's (a ticket is
    reprinted through its queue, which refuses one that is over)."""
    row = conn.execute(
        "SELECT kind, printer_url, desk_id, status, json_remove(payload, '$.printed') "
        "FROM print_jobs WHERE id = ? AND ticket_id IS NULL",
        [job_id],
    ).fetchone()
    if row is None:
        return None
    payload = json.loads(row[4])
    if "copy" in payload and row[3] == "uncertain":
        payload["copy"] = True
    return PrintRequest(row[0], row[1], desk_id=row[2], payload=payload)


def settled_unneeded(
    conn: sqlite3.Connection, ticket_id: int, status: TicketStatus, why: str
) -> None:
    """The paper of ticket ``ticket_id`` that its end as ``status`` settled unprinted stays
    unprinted, for the reason ``why`` now (a no-show taken back with its resident at the desk:
    the ticket is no longer a no-show, and ``ticket show`` says why no paper printed)."""
    row = _settled_by_end(conn, ticket_id, status)
    if row is not None:
        conn.execute("UPDATE print_jobs SET last_error = ? WHERE id = ?", [why, row[0]])


LIVE_TICKETS = tuple(s.value for s in TicketStatus if stale_ticket_job("ticket", s) is None)
"""The tickets whose paper is still printed (:func:`~oss_desk.domain.delivery.stale_ticket_job`)."""


def retrying_jobs(conn: sqlite3.Connection, since: str) -> tuple[int, str | None]:
    """How many print jobs queued since ``since`` wait for another try after a failed one, and
    the newest one's error (``(0, None)``: none); not a ticket's paper once the ticket is over
    (its worker settles it unprinted, never prints it)."""
    live = ", ".join("?" for _ in LIVE_TICKETS)
    sql = (
        "SELECT j.last_error FROM print_jobs j LEFT JOIN tickets t ON t.id = j.ticket_id "  # noqa: S608 - placeholders only
        "WHERE j.status = 'pending' AND j.last_error IS NOT NULL AND j.created_at >= ? "
        f"AND (j.kind != 'ticket' OR t.id IS NULL OR t.status IN ({live})) ORDER BY j.id"
    )
    found = conn.execute(sql, [since, *LIVE_TICKETS]).fetchall()
    return len(found), (found[-1][0] if found else None)


def record_printed(
    conn: sqlite3.Connection, job_id: int, printout: TicketPrintout | None, status: str
) -> None:
    """Keep with print job ``job_id``, settled as ``status``, the ticket its bytes were drawn
    from (what the resident was handed: the wait and places ahead of that moment), in its
    payload as ``printed``: when its bytes all left (``done``, ``uncertain``), else nothing."""
    if printout is None or status not in ("done", "uncertain"):
        return
    conn.execute(
        "UPDATE print_jobs SET payload = json_set(payload, '$.printed', json(?)) WHERE id = ?",
        [json.dumps(asdict(printout), sort_keys=True), job_id],
    )


def printed_copy(conn: sqlite3.Connection, ticket_id: int) -> tuple[int, dict[str, Any]] | None:
    """The latest print job of ticket ``ticket_id`` that went to a printer with its drawing
    kept (:func:`record_printed`), and that drawing (None: none did)."""
    row = conn.execute(
        "SELECT id, json_extract(payload, '$.printed') FROM print_jobs WHERE ticket_id = ? "
        "AND kind = 'ticket' AND json_extract(payload, '$.printed') IS NOT NULL "
        "ORDER BY id DESC LIMIT 1",
        [ticket_id],
    ).fetchone()
    return None if row is None else (row[0], json.loads(row[1]))
