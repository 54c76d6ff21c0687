"""Messages to residents: delivered through outages, never twice by our doing, never in silence.

Each way of sending (SMTP, GOV.UK Notify) is a lane of its own. A transient failure (connection
refused, a timeout before the message was handed over, a 4xx reply, Notify's 429 or 5xx) is
retried with backoff until the message stops mattering (a reminder: the appointment; a
confirmation, change or cancellation: ``messages.notice_hours``); then it has failed, and the
team leader is alerted. The moment a message is handed over (the end of DATA, or the request to
Notify) is committed first: a message that may have been accepted without a reply is sent again
at most once, with the same Message-ID (Notify: looked up by its reference first).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.appointments import Appointment, AppointmentStatus
from oss_desk.domain.delivery import MAX_UNCONFIRMED_SENDS, message_backoff, message_deadline
from oss_desk.domain.models import Actor, EventKind
from oss_desk.domain.sending import SendResult, SendTally
from oss_desk.services.events import record_event
from oss_desk.services.messages import compose
from oss_desk.services.senders import NotifySender, SendFault, SmtpSender
from oss_desk.services.session import Session
from oss_desk.storage import appointments as ap
from oss_desk.storage import devices as d
from oss_desk.storage import outbox as o
from oss_desk.storage.outbox import MESSAGES
from oss_desk.worker.printing import describe, new_owner

log = logging.getLogger("oss_desk.worker")

MESSAGE_LEASE_SECONDS = 15 * 60
LANES = ("smtp", "notify")


class MessageReport(SendTally):
    """A round of appointment messages (dropped: the appointment moved, was cancelled or has
    passed)."""


def deadline_of(session: Session, message: ap.Message, appt: Appointment) -> datetime:
    settings = session.settings.messages
    return message_deadline(
        message.kind,
        read_instant(message.created_at),
        appt.starts_at,
        notice_hours=settings.notice_hours,
        reminder_until_minutes=settings.reminder_until_minutes,
    )


class MessageDelivery:
    """Sends due confirmations, reminders and notices; one session (so one thread)."""

    def __init__(
        self,
        session: Session,
        smtp: SmtpSender | None = None,
        notify: NotifySender | None = None,
        owner: str | None = None,
    ) -> None:
        self.s = session
        self.smtp = smtp or SmtpSender(session.settings.email)
        self.notify = notify or NotifySender(session.settings.notify)
        self.owner = owner or new_owner()

    def deliver_due(self, limit: int = 10_000) -> MessageReport:
        report = MessageReport()
        for _ in range(limit):
            if not any([self.deliver_next(lane, report) for lane in LANES]):
                break
        return report

    def deliver_next(self, lane: str, report: MessageReport | None = None) -> bool:
        """Send the next due message of ``lane`` (smtp or notify). False: none is due."""
        report = report if report is not None else MessageReport()
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            claimed = o.claim_next_leased(
                conn,
                MESSAGES,
                owner=self.owner,
                lane=lane,
                now=now,
                lease_seconds=MESSAGE_LEASE_SECONDS,
            )
        if claimed is None:
            return False
        message = ap.Message.of(claimed)
        try:
            self._deliver(message, now, report)
        except Exception as exc:  # one message never stops the others
            log.exception("message %s failed unexpectedly", message.id)
            self._finish(
                message, None, SendResult("failed", f"unexpected: {describe(exc)}"), report
            )
        return True

    def _deliver(self, message: ap.Message, now: datetime, report: MessageReport) -> None:
        appt = ap.get_appointment(self.s.store.conn, id=message.appointment_id)
        if appt is None:
            self._finish(message, None, SendResult("failed", "the appointment is gone"), report)
            return
        wanted = self._still_wanted(message, appt)
        if wanted is not None:
            self._finish(message, appt, SendResult(wanted, "no longer wanted"), report)
            return
        deadline = deadline_of(self.s, message, appt)
        if now >= deadline:
            too_late = self._too_late(message, deadline, appt)
            self._finish(message, appt, SendResult("failed", too_late), report)
            return
        contact = ap.contact_of(self.s.store.conn, appt.id)
        to = (contact.email if message.channel == "email" else contact.phone) if contact else None
        if not to:
            self._finish(
                message, appt, SendResult("failed", "no contact details (deleted?)"), report
            )
            return

        def handed_over() -> None:
            with self.s.store.write() as conn:
                o.hand_over(
                    conn, message.id, owner=self.owner, now=format_instant(self.s.clock.now())
                )

        try:
            if message.via == "notify" and (message.unconfirmed or message.attempts > 1):
                # An earlier try may have reached Notify (a timeout looks like a failure): look
                # it up by its reference before sending again, so it is never sent twice.
                earlier = self.notify.lookup(message.reference)
                if earlier is not None:
                    self._finish(message, appt, SendResult("sent", provider=earlier), report)
                    return
            composed = compose(self.s, appt, message.kind)
            self.smtp.now = now
            if message.via == "smtp":
                provider = self.smtp.send(to, composed, message.reference, handed_over)
            else:
                provider = self.notify.send(
                    message.channel, to, composed, message.reference, handed_over
                )
        except SendFault as fault:
            self._fault(message, appt, fault, deadline, report)
            return
        self._finish(message, appt, SendResult("sent", provider=provider), report)

    def _fault(
        self,
        message: ap.Message,
        appt: Appointment,
        fault: SendFault,
        deadline: datetime,
        report: MessageReport,
    ) -> None:
        now = self.s.clock.now()
        unconfirmed = message.unconfirmed + int(fault.uncertain)
        if fault.uncertain and message.via == "smtp" and unconfirmed >= MAX_UNCONFIRMED_SENDS:
            never = (
                "the mail server never confirmed it (sent twice, with the same Message-ID): it "
                "may have been delivered"
            )
            self._finish(
                message, appt, SendResult("failed", never), report, unconfirmed=unconfirmed
            )
            return
        if not fault.retry:
            self._finish(
                message, appt, SendResult("failed", fault.reason), report, alert=fault.alert
            )
            return
        retry = now + timedelta(seconds=message_backoff(message.attempts))
        if retry >= deadline:
            retry = deadline  # one last look at the deadline: then it has failed
        again = SendResult("pending", fault.reason, retry=retry)
        self._finish(message, appt, again, report, unconfirmed=unconfirmed)

    def _too_late(self, message: ap.Message, deadline: datetime, appt: Appointment) -> str:
        last = f" (last try: {message.last_error})" if message.last_error else ""
        if message.kind == "reminder" or deadline >= appt.starts_at:
            return "not delivered before the appointment" + last
        hours = self.s.settings.messages.notice_hours
        return f"not delivered within {hours:g} hours" + last

    def _still_wanted(self, message: ap.Message, appt: Appointment) -> str | None:
        """None to send; else the status to give it ('cancelled')."""
        if message.kind == "cancellation":
            return None
        if appt.version != message.for_version or appt.status is not AppointmentStatus.BOOKED:
            return "cancelled"
        return None

    def _finish(
        self,
        message: ap.Message,
        appt: Appointment | None,
        result: SendResult,
        report: MessageReport,
        *,
        alert: bool = False,
        unconfirmed: int | None = None,
    ) -> None:
        now = self.s.clock.now()
        stamp = format_instant(now)
        status, error = result.status, result.error
        values = o.outcome_columns(result, stamp, unconfirmed)
        with self.s.store.write() as conn:
            if not o.finish(conn, MESSAGES, message.id, owner=self.owner, status=status, **values):
                return
            site = self.s.directory.sites.get(appt.site_id) if appt is not None else None
            if result.settled and appt is not None and site is not None:
                record_event(
                    conn,
                    site,
                    now,
                    EventKind.MESSAGE_SENT if status == "sent" else EventKind.MESSAGE_FAILED,
                    Actor("worker"),
                    service_code=appt.service,
                    appointment_id=appt.id,
                    data={
                        "kind": message.kind,
                        "channel": message.channel,
                        "via": message.via,
                        **({"reason": error} if error and status == "failed" else {}),
                    },
                )
            if alert or status == "sent":
                d.record_device(
                    conn,
                    url=message.via,
                    kind="mail" if message.via == "smtp" else "notify",
                    status="failed" if alert else "ok",
                    detail=error if alert else None,
                    now=stamp,
                )
        report.count(status)
        if result.sent:
            log.info("sent %s %s (message %s)", message.kind, message.channel, message.id)
        elif status in ("pending", "failed"):
            what = "will be tried again" if status == "pending" else "failed"
            log.warning("message %s %s: %s", message.id, what, error)

    def recover(self) -> int:
        """Messages an earlier owner left mid-send. Not handed over yet: certainly not accepted,
        due again. Handed over (it may have been accepted): sent again once more at most."""
        with self.s.store.write() as conn:
            left = o.adopt_orphans(conn, MESSAGES, owner=self.owner)
        report = MessageReport()
        for row in left:
            message = ap.Message.of(row)
            appt = ap.get_appointment(self.s.store.conn, id=message.appointment_id)
            if message.handed_over_at is None:
                stopped = "the worker stopped before handing it over"
                again = SendResult("pending", stopped, retry=self.s.clock.now())
                self._finish(message, appt, again, report)
                continue
            fault = SendFault(
                "the worker stopped while waiting for the reply: it may have been accepted",
                retry=True,
                uncertain=True,
            )
            if appt is None:
                self._finish(message, None, SendResult("failed", "the appointment is gone"), report)
            else:
                self._fault(message, appt, fault, deadline_of(self.s, message, appt), report)
        return len(left)
