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
from collections.abc import Callable
from datetime import datetime
from typing import Any

from oss_desk.clock import read_instant
from oss_desk.domain.message_delivery import (
    message_deadline,
)
from oss_desk.domain.sending import SendTally
from oss_desk.services.messages import Composed, sender_name
from oss_desk.services.session import Session
from oss_desk.services.wording import wording_for
from oss_desk.storage.outbox import REPORT_MAILS
from oss_desk.storage.report_mails import ReportMail
from oss_desk.worker.leased import LeasedDelivery

log = logging.getLogger("oss_desk.worker")

LEASE_SECONDS = 15 * 60
LANE = "smtp"


ReportMailReport = SendTally
"""A round of report emails."""


class ReportMailDelivery(LeasedDelivery[ReportMail]):
    """Sends the due report emails; one session (so one thread)."""

    box = REPORT_MAILS
    lease_seconds = LEASE_SECONDS
    LANE = LANE
    WHAT = "report email"

    def row(self, claimed: dict[str, Any]) -> ReportMail:
        return ReportMail.of(claimed)

    def deadline(self, item: ReportMail) -> datetime:
        created = read_instant(item.created_at)
        hours = self.s.settings.messages.notice_hours
        return message_deadline("confirmation", created, created, notice_hours=hours)

    def send(self, item: ReportMail, now: datetime, handed_over: Callable[[], None]) -> str:
        # From the council, by name, as every email to a resident is (one home: sender_name).
        sender = sender_name(self.s, wording_for(self.s.settings))
        composed = Composed(item.subject, item.subject, item.body, item.body, None, sender=sender)
        smtp = self.senders.smtp
        smtp.now = now
        return smtp.send(item.recipient, composed, item.reference, handed_over, self.sent_as(item))

    def sent_as(self, item: ReportMail) -> str | None:
        return item.message_id or self.senders.smtp.message_id(item.reference)


def report_mails(session: Session, owner: str | None = None) -> ReportMailReport:
    """Send the due report emails; a fault is logged, never fatal."""
    return ReportMailDelivery.round(session, owner)


def next_report_mail_due(conn: sqlite3.Connection) -> str | None:
    return ReportMailDelivery.next_due(conn)
