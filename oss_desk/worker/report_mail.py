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
from datetime import datetime

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.delivery import notice_deadline
from oss_desk.domain.sending import SendResult, SendTally, send_round
from oss_desk.errors import OssDeskError
from oss_desk.services.messages import Composed
from oss_desk.services.senders import SendFault, SmtpSender
from oss_desk.services.session import Session
from oss_desk.storage import outbox as o
from oss_desk.storage.outbox import REPORT_MAILS
from oss_desk.storage.report_mails import ReportMail
from oss_desk.worker import leased
from oss_desk.worker.leased import LeasedSender, Outcome
from oss_desk.worker.printing import describe

log = logging.getLogger("oss_desk.worker")

LEASE_SECONDS = 15 * 60
LANE = "smtp"


class ReportMailReport(SendTally):
    """A round of report emails."""


class ReportMailDelivery(LeasedSender):
    """Sends the due report emails; one session (so one thread)."""

    box = REPORT_MAILS
    lease_seconds = LEASE_SECONDS

    def __init__(
        self, session: Session, smtp: SmtpSender | None = None, owner: str | None = None
    ) -> None:
        super().__init__(session, owner)
        self.smtp = smtp or SmtpSender(session.settings.email)

    def deadline(self, mail: ReportMail) -> datetime:
        return notice_deadline(read_instant(mail.created_at), self.s.settings.messages.notice_hours)

    def deliver_due(self, limit: int = 1000) -> ReportMailReport:
        return send_round(self.deliver_next, ReportMailReport(), limit)

    def deliver_next(self, report: ReportMailReport) -> bool:
        """Send the next due report email. False: none is due."""
        now = self.s.clock.now()
        claimed = self.claim(LANE, now)
        if claimed is None:
            return False
        mail = ReportMail.of(claimed)
        try:
            self._deliver(mail, now, report)
        except Exception as exc:  # one email never stops the others
            log.exception("report email %s failed unexpectedly", mail.id)
            self._finish(mail, SendResult("failed", f"unexpected: {describe(exc)}"), report)
        return True

    def _deliver(self, mail: ReportMail, now: datetime, report: ReportMailReport) -> None:
        deadline = self.deadline(mail)
        if now >= deadline:
            last = f" (last try: {mail.last_error})" if mail.last_error else ""
            self._finish(mail, SendResult("failed", "not delivered in time" + last), report)
            return
        composed = Composed(mail.subject, mail.subject, mail.body, mail.body, None)
        self.smtp.now = now
        try:
            provider = self.smtp.send(
                mail.recipient, composed, mail.reference, self.handed_over(mail.id)
            )
        except SendFault as fault:
            self._fault(mail, fault, deadline, report)
            return
        self._finish(mail, SendResult("sent", provider=provider), report)

    def _fault(
        self, mail: ReportMail, fault: SendFault, deadline: datetime, report: ReportMailReport
    ) -> None:
        out = leased.after_fault(fault, mail, deadline, self.s.clock.now())
        self._finish(mail, out, report)

    def _finish(self, mail: ReportMail, done: SendResult | Outcome, report: SendTally) -> None:
        stamp = format_instant(self.s.clock.now())
        out = Outcome.of(done)
        result = out.result
        with self.s.store.write() as conn:
            if not self.record(conn, mail.id, out, stamp):
                return
            self.record_sender(conn, LANE, out, stamp)
        sent = f"sent the {mail.kind} report email {mail.id}"
        report.record(result, log, sent, f"report email {mail.id}")

    def recover(self) -> int:
        """Report emails an earlier owner left mid-send. Not handed over yet: certainly not
        accepted, due again at once. Handed over: it may have been accepted, so it is sent again
        once more at most (same Message-ID)."""
        left = self.adopt_orphans()
        report = ReportMailReport()
        for row in left:
            mail = ReportMail.of(row)
            if mail.handed_over_at is None:
                again = SendResult(
                    "pending", leased.STOPPED_BEFORE_HANDING_OVER, retry=self.s.clock.now()
                )
                self._finish(mail, again, report)
            else:
                self._fault(mail, leased.lost_reply(), self.deadline(mail), report)
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
