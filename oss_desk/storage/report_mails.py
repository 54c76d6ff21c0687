"""The report emails' outbox (``report_mails``): queued by ``oss-desk report send``, delivered by
the device worker through :mod:`oss_desk.storage.outbox` (claim, hand-over, finish)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from oss_desk.storage.outbox import LeasedRow
from oss_desk.storage.rows import of_row, row_dicts

ALL_SITES = "*"
"""The scope of a report of every site of the office (else a site's id)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportMail(LeasedRow):
    kind: str
    period: str
    scope: str
    recipient: str
    round: int
    subject: str
    body: str
    queued_by: str
    cancelled_at: str | None = None
    cancelled_by: str | None = None
    """Who withdrew it before it went (a staff id; ``status`` is then ``cancelled``)."""
    message_id: str | None = None
    """The Message-ID it was handed over under (kept from its first hand-over on)."""

    @classmethod
    def of(cls, row: dict[str, Any]) -> ReportMail:
        return of_row(cls, row)


def _rows(cur: sqlite3.Cursor) -> list[ReportMail]:
    return [ReportMail.of(row) for row in row_dicts(cur)]


def queue(
    conn: sqlite3.Connection,
    *,
    kind: str,
    period: str,
    scope: str,
    recipient: str,
    subject: str,
    body: str,
    reference: str,
    now: str,
    queued_by: str,
    again: bool,
) -> tuple[ReportMail, bool]:
    """Queue one report email, at most once per report, scope and recipient: ``(row, True)``
    when queued now; ``(the latest row, False)`` when it already was (one cancelled before it
    went does not count: :func:`cancel`). ``again`` queues a further round whatever was queued
    before. A round's number is never taken twice: a cancelled one keeps its own."""
    key = [kind, period, scope, recipient]
    before = latest(conn, kind=kind, period=period, scope=scope, recipient=recipient)
    if before is not None and not again:
        return before, False
    last = conn.execute(
        "SELECT max(round) FROM report_mails WHERE kind = ? AND period = ? AND scope = ? "
        "AND recipient = ?",
        key,
    ).fetchone()[0]
    round_ = 1 if last is None else int(last) + 1
    made = _rows(
        conn.execute(
            "INSERT INTO report_mails (kind, period, scope, recipient, round, subject, body, "
            "reference, next_attempt_at, created_at, queued_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            [*key, round_, subject, body, reference, now, now, queued_by],
        )
    )
    return made[0], True


def latest(
    conn: sqlite3.Connection, *, kind: str, period: str, scope: str, recipient: str
) -> ReportMail | None:
    """The latest round of one report email that was not cancelled before it went (None: none
    was queued, or each was cancelled)."""
    found = _rows(
        conn.execute(
            "SELECT * FROM report_mails WHERE kind = ? AND period = ? AND scope = ? "
            "AND recipient = ? AND status != 'cancelled' ORDER BY round DESC LIMIT 1",
            [kind, period, scope, recipient],
        )
    )
    return found[0] if found else None


def of_period(
    conn: sqlite3.Connection, kind: str, period: str, scopes: list[str]
) -> list[ReportMail]:
    """Every round of a ``kind`` report of ``period`` queued for any of ``scopes``."""
    marks = ", ".join("?" * len(scopes))
    return _rows(
        conn.execute(
            f"SELECT * FROM report_mails WHERE kind = ? AND period = ? AND scope IN ({marks})"  # noqa: S608
            " ORDER BY id",
            [kind, period, *scopes],
        )
    )


def cancel(conn: sqlite3.Connection, mail_ids: list[int], *, now: str, by: str) -> int:
    """Withdraw report emails not sent yet (still pending: the worker claims none of them in
    this transaction), so none goes: each stays, ``cancelled`` at ``now`` by ``by`` (a staff
    id), the record of what was withdrawn; the number withdrawn."""
    marks = ", ".join("?" * len(mail_ids))
    return conn.execute(
        "UPDATE report_mails SET status = 'cancelled', cancelled_at = ?, cancelled_by = ?, "  # noqa: S608
        f"lease_until = NULL WHERE status = 'pending' AND id IN ({marks})",
        [now, by, *mail_ids],
    ).rowcount


def cancelled_before(conn: sqlite3.Connection, mail: ReportMail) -> ReportMail | None:
    """The round of ``mail``'s report, scope and recipient just before it, when that one was
    cancelled before it went (None: it was not, or there was none)."""
    found = _rows(
        conn.execute(
            "SELECT * FROM report_mails WHERE kind = ? AND period = ? AND scope = ? "
            "AND recipient = ? AND round < ? ORDER BY round DESC LIMIT 1",
            [mail.kind, mail.period, mail.scope, mail.recipient, mail.round],
        )
    )
    return found[0] if found and found[0].status == "cancelled" else None


def get(conn: sqlite3.Connection, mail_id: int) -> ReportMail | None:
    found = _rows(conn.execute("SELECT * FROM report_mails WHERE id = ?", [mail_id]))
    return found[0] if found else None


def queued_periods(conn: sqlite3.Connection, kind: str, scope: str) -> set[str]:
    """The periods a ``kind`` report of ``scope`` was ever queued for (to anyone), but for
    what was cancelled before it went."""
    return {
        str(r[0])
        for r in conn.execute(
            "SELECT DISTINCT period FROM report_mails WHERE kind = ? AND scope = ? "
            "AND status != 'cancelled'",
            [kind, scope],
        )
    }


def failed_unsettled(conn: sqlite3.Connection, since: str) -> list[ReportMail]:
    """Report emails queued since ``since`` that failed for good, that nobody acknowledged, and
    that no later round of the same report to the same recipient settled by being sent
    (``report send ... --again``, then delivered): the alerts of report emails."""
    return _rows(
        conn.execute(
            "SELECT * FROM report_mails AS f WHERE f.status = 'failed' "
            "AND f.acknowledged_at IS NULL AND f.created_at >= ? AND NOT EXISTS ("
            "SELECT 1 FROM report_mails AS r WHERE r.kind = f.kind AND r.period = f.period "
            "AND r.scope = f.scope AND r.recipient = f.recipient AND r.round > f.round "
            "AND r.status = 'sent') ORDER BY f.id",
            [since],
        )
    )
