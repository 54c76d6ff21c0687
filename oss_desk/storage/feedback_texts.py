"""The follow-up texts asking how a visit went (``schema/0026_feedback_texts.sql``): the
resident's consent with its mobile number, and the outbox of texts, delivered through
:mod:`oss_desk.storage.outbox` (claim, hand-over, finish) like the other messages."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from oss_desk.domain.models import Ticket
from oss_desk.storage import sending
from oss_desk.storage.outbox import LeasedRow
from oss_desk.storage.rows import of_row, row_dict, select_one
from oss_desk.storage.subject import clear_feedback_numbers


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedbackText(LeasedRow):
    visit_id: int

    @classmethod
    def of(cls, row: dict[str, Any]) -> FeedbackText:
        return of_row(cls, row)


@dataclass(frozen=True, slots=True)
class Consent:
    visit_id: int
    site_id: str
    business_day: str
    phone: str | None
    given_at: str
    given_by: str
    source: str


def give_consent(
    conn: sqlite3.Connection, ticket: Ticket, *, phone: str, now: str, by: str, source: str
) -> None:
    """Record (or correct) the consent and number of the follow-up text of ``ticket``'s visit."""
    conn.execute(
        "INSERT INTO feedback_consents (visit_id, site_id, business_day, phone, given_at,"
        " given_by, source) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (visit_id) DO UPDATE SET"
        " phone = excluded.phone, given_at = excluded.given_at, given_by = excluded.given_by,"
        " source = excluded.source, purged_at = NULL",
        [ticket.visit_id, ticket.site_id, ticket.business_day, phone, now, by, source],
    )


def consent_of(conn: sqlite3.Connection, visit_id: int) -> Consent | None:
    return select_one(conn, Consent, "FROM feedback_consents WHERE visit_id = ?", [visit_id])


def queue_text(
    conn: sqlite3.Connection, *, visit_id: int, reference: str, due: str, now: str
) -> int:
    """Queue the visit's follow-up text when it has a consent with a number (at most one per
    visit, whatever happens: UNIQUE). Returns how many were queued (0 or 1)."""
    return conn.execute(
        "INSERT INTO feedback_texts (visit_id, reference, next_attempt_at, created_at)"
        " SELECT visit_id, ?, ?, ? FROM feedback_consents WHERE visit_id = ?"
        " AND phone IS NOT NULL ON CONFLICT DO NOTHING",
        [reference, due, now, visit_id],
    ).rowcount


def text_of_visit(conn: sqlite3.Connection, visit_id: int) -> FeedbackText | None:
    cur = conn.execute("SELECT * FROM feedback_texts WHERE visit_id = ?", [visit_id])
    row = cur.fetchone()
    return FeedbackText.of(row_dict(cur, row)) if row else None


def answerable(conn: sqlite3.Connection, sent_since: str) -> list[tuple[int, str]]:
    """``(visit_id, sent_at)`` of the texts sent since ``sent_since`` (their links may answer)."""
    rows = conn.execute(
        "SELECT visit_id, sent_at FROM feedback_texts WHERE status = 'sent' AND sent_at >= ?"
        " ORDER BY id DESC",
        [sent_since],
    ).fetchall()
    return [(int(r[0]), str(r[1])) for r in rows]


def purge_numbers(conn: sqlite3.Connection, before_day: str, now: str, *, dry_run: bool) -> int:
    """Delete the numbers given for follow-up texts of visits before ``before_day``; texts not
    sent by then are cancelled (the consent's record stays, without the number)."""
    which = "SELECT visit_id FROM feedback_consents WHERE business_day < :day"
    args = {"day": before_day, "now": now}
    why = "the number was deleted (retention)"
    return clear_feedback_numbers(conn, which, args, why, dry_run=dry_run)


def purge_traces(conn: sqlite3.Connection, before: str, *, dry_run: bool) -> int:
    """Provider ids (Notify keeps the number and text under them) and error texts of follow-up
    texts finished before ``before``."""
    finished = ("sent", "failed", "cancelled")
    return sending.purge_traces(conn, "feedback_texts", finished, before, dry_run=dry_run)


def next_due(conn: sqlite3.Connection) -> str | None:
    row = conn.execute(
        "SELECT min(next_attempt_at) FROM feedback_texts WHERE status = 'pending'"
    ).fetchone()
    return row[0] if row else None


def agree_at_booking(conn: sqlite3.Connection, appointment_id: int, *, by: str, now: str) -> None:
    """The booking carries the resident's consent to a follow-up text (the number is the
    contact's phone)."""
    conn.execute(
        "UPDATE appointment_contacts SET feedback_text_by = ?, feedback_text_at = ?"
        " WHERE appointment_id = ?",
        [by, now, appointment_id],
    )


def booking_consent(conn: sqlite3.Connection, appointment_id: int) -> tuple[str, str] | None:
    """``(phone, who recorded the consent)`` of a booking that carries one (and still has its
    number)."""
    row = conn.execute(
        "SELECT phone, feedback_text_by FROM appointment_contacts WHERE appointment_id = ?"
        " AND feedback_text_by IS NOT NULL AND phone IS NOT NULL",
        [appointment_id],
    ).fetchone()
    return (str(row[0]), str(row[1])) if row else None
