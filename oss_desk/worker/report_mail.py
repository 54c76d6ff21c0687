"""Delivering the report emails (``report_mails``): the daily summary and the monthly dashboard.

The same life as residents' messages (:mod:`oss_desk.worker.messages`), through the same outbox
functions: claimed with a lease, the hand-over (the end of DATA) committed before it goes, "sent"
only on the mail server's 250, retried with the message backoff through an outage for
``messages.notice_hours`` after it was queued, then failed (the mail device shows the fault). A
message the server may have accepted without answering is sent again at most once, with the
same Message-ID; one left mid-send by a worker that died is adopted by the next owner.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.delivery import MAX_UNCONFIRMED_SENDS, message_backoff, message_deadline
from oss_desk.errors import OssDeskError
from oss_desk.services.messages import Composed
from oss_desk.services.senders import SendFault, SmtpSender
from oss_desk.services.session import Session
from oss_desk.storage import devices as d
from oss_desk.storage import outbox as o
from oss_desk.storage.outbox import REPORT_MAILS
from oss_desk.storage.report_mails import ReportMail
from oss_desk.worker.printing import describe, new_owner

log = logging.getLogger("oss_desk.worker")

LEASE_SECONDS = 15 * 60
LANE = "smtp"


@dataclass
class ReportMailReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


class ReportMailDelivery:
    """Sends the due report emails; one session (so one thread)."""

    def __init__(
        self, session: Session, smtp: SmtpSender | None = None, owner: str | None = None
    ) -> None:
        self.s = session
        self.smtp = smtp or SmtpSender(session.settings.email)
        self.owner = owner or new_owner()

    def deadline(self, mail: ReportMail) -> datetime:
        created = read_instant(mail.created_at)
        hours = self.s.settings.messages.notice_hours
        return message_deadline("confirmation", created, created, notice_hours=hours)

    def deliver_due(self, limit: int = 1000) -> ReportMailReport:
        report = ReportMailReport()
        for _ in range(limit):
            if not self.deliver_next(report):
                break
        return report

    def deliver_next(self, report: ReportMailReport) -> bool:
        """Send the next due report email. False: none is due."""
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            claimed = o.claim_next_leased(
                conn,
                REPORT_MAILS,
                owner=self.owner,
                lane=LANE,
                now=now,
                lease_seconds=LEASE_SECONDS,
            )
        if claimed is None:
            return False
        mail = ReportMail.of(claimed)
        try:
            self._deliver(mail, now, report)
        except Exception as exc:  # one email never stops the others
            log.exception("report email %s failed unexpectedly", mail.id)
            self._finish(mail, "failed", report, error=f"unexpected: {describe(exc)}")
        return True

    def _deliver(self, mail: ReportMail, now: datetime, report: ReportMailReport) -> None:
        deadline = self.deadline(mail)
        if now >= deadline:
            last = f" (last try: {mail.last_error})" if mail.last_error else ""
            self._finish(mail, "failed", report, error="not delivered in time" + last)
            return

        def handed_over() -> None:
            with self.s.store.write() as conn:
                o.hand_over(
                    conn,
                    mail.id,
                    owner=self.owner,
                    now=format_instant(self.s.clock.now()),
                    box=REPORT_MAILS,
                )

        composed = Composed(mail.subject, mail.subject, mail.body, mail.body, None)
        self.smtp.now = now
        try:
            provider = self.smtp.send(mail.recipient, composed, mail.reference, handed_over)
        except SendFault as fault:
            self._fault(mail, fault, deadline, report)
            return
        self._finish(mail, "sent", report, provider=provider)

    def _fault(
        self, mail: ReportMail, fault: SendFault, deadline: datetime, report: ReportMailReport
    ) -> None:
        unconfirmed = mail.unconfirmed + int(fault.uncertain)
        if fault.uncertain and unconfirmed >= MAX_UNCONFIRMED_SENDS:
            error = (
                "the mail server never confirmed it (sent twice, with the same Message-ID): "
                "it may have been delivered"
            )
            self._finish(mail, "failed", report, error=error, unconfirmed=unconfirmed)
            return
        if not fault.retry:
            self._finish(mail, "failed", report, error=fault.reason, alert=fault.alert)
            return
        retry = self.s.clock.now() + timedelta(seconds=message_backoff(mail.attempts))
        self._finish(
            mail,
            "pending",
            report,
            error=fault.reason,
            retry=min(retry, deadline),
            unconfirmed=unconfirmed,
        )

    def _finish(
        self,
        mail: ReportMail,
        status: str,
        report: ReportMailReport,
        *,
        error: str | None = None,
        provider: str | None = None,
        retry: datetime | None = None,
        alert: bool = False,
        unconfirmed: int | None = None,
    ) -> None:
        stamp = format_instant(self.s.clock.now())
        values: dict[str, object] = {"last_error": error if status != "sent" else None}
        if provider is not None:
            values["provider_id"] = provider
        if status == "sent":
            values["sent_at"] = stamp
        if retry is not None:
            values["next_attempt_at"] = format_instant(retry)
            values["handed_over_at"] = None
        if unconfirmed is not None:
            values["unconfirmed"] = unconfirmed
        with self.s.store.write() as conn:
            if not o.finish(conn, REPORT_MAILS, mail.id, owner=self.owner, status=status, **values):
                return
            if alert or status == "sent":
                d.record_device(
                    conn,
                    url=LANE,
                    kind="mail",
                    status="failed" if alert else "ok",
                    detail=error if alert else None,
                    now=stamp,
                )
        if status == "sent":
            report.sent += 1
            log.info("sent the %s report email %s", mail.kind, mail.id)
        elif status == "pending":
            report.retried += 1
            log.warning("report email %s will be tried again: %s", mail.id, error)
        else:
            report.failed += 1
            log.warning("report email %s failed: %s", mail.id, error)

    def recover(self) -> int:
        """Report emails an earlier owner left mid-send. Not handed over yet: certainly not
        accepted, due again at once. Handed over: it may have been accepted, so it is sent again
        once more at most (same Message-ID)."""
        with self.s.store.write() as conn:
            left = o.orphans(conn, REPORT_MAILS, owner=self.owner)
            for row in left:
                o.adopt(conn, REPORT_MAILS, row["id"], owner=self.owner)
        report = ReportMailReport()
        for row in left:
            mail = ReportMail.of(row)
            if mail.handed_over_at is None:
                error = "the worker stopped before handing it over"
                self._finish(mail, "pending", report, error=error, retry=self.s.clock.now())
                continue
            fault = SendFault(
                "the worker stopped while waiting for the reply: it may have been accepted",
                retry=True,
                uncertain=True,
            )
            self._fault(mail, fault, self.deadline(mail), report)
        return len(left)


def report_mails(session: Session, owner: str | None = None) -> ReportMailReport:
    """Send the due report emails; a fault is logged, never fatal."""
    try:
        return ReportMailDelivery(session, owner=owner).deliver_due()
    except (OssDeskError, sqlite3.Error) as exc:
        log.warning("report emails not sent now: %s", exc)
        return ReportMailReport()


def next_report_mail_due(conn: sqlite3.Connection) -> str | None:
    return o.next_due(conn, REPORT_MAILS, LANE)
