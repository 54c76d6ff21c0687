"""Messages to residents: delivered through outages, never twice by our doing, never in silence.

Each way of sending (SMTP, GOV.UK Notify) is a lane of its own. A transient failure (connection
refused, a timeout before the message was handed over, a 4xx reply, Notify's 429 or 5xx) is
retried with backoff until the message stops mattering (a reminder: the appointment; a
confirmation, change or cancellation: ``messages.notice_hours``); then it has failed, and the
team leader is alerted. The moment a message is handed over (the end of DATA, or the request to
Notify) is committed first: a message that may have been accepted without a reply is sent again
at most once, with the same Message-ID (Notify: looked up by its reference after the look-up
wait, :func:`oss_desk.domain.sending.look_up_wait`, and sent again only when not found).
"""

from __future__ import annotations

import logging
from datetime import datetime

from oss_desk.clock import format_instant
from oss_desk.domain.appointments import REMINDER_WAITS, Appointment
from oss_desk.domain.sending import SendResult, SendTally, dropped_unsure, send_round
from oss_desk.errors import StorageError
from oss_desk.services.demo_messages import DemoPast, demo_past
from oss_desk.services.message_fates import deadline_of, fate_of, held_until, record_settled
from oss_desk.services.messages import compose
from oss_desk.services.send_queues import looked_up
from oss_desk.services.senders import NotifySender, SendFault, SmtpSender
from oss_desk.storage import appointments as ap
from oss_desk.storage import outbox as o
from oss_desk.storage.outbox import MESSAGES
from oss_desk.worker import leased
from oss_desk.worker.leased import LeasedSender, Outcome
from oss_desk.worker.owner import unexpected

log = logging.getLogger("oss_desk.worker")

MESSAGE_LEASE_SECONDS = 15 * 60
LANES = ("smtp", "notify")


class MessageReport(SendTally):
    """A round of appointment messages (dropped: the appointment moved, was cancelled or has
    passed)."""


class MessageDelivery(LeasedSender):
    """Sends due confirmations, reminders and notices; one session (so one thread)."""

    box = MESSAGES
    lease_seconds = MESSAGE_LEASE_SECONDS

    _demo_past: DemoPast | bool | None = False
    """The demo's simulated past (None: none; False: not looked up yet)."""

    def _senders(self, appt: Appointment) -> tuple[SmtpSender, NotifySender]:
        """The demo's own mailbox and phone for an appointment of its simulated past (see
        :mod:`oss_desk.services.demo_messages`), whatever the settings say; else ours."""
        if self._demo_past is False:
            self._demo_past = demo_past(self.s)
        past = self._demo_past
        found = past.senders(appt.booked_at) if isinstance(past, DemoPast) else None
        return found or (self.senders.smtp, self.senders.notify)

    def deliver_due(self, limit: int = 10_000) -> MessageReport:
        def every_lane(report: MessageReport) -> bool:
            return any([self.deliver_next(lane, report) for lane in LANES])

        return send_round(every_lane, MessageReport(), limit)

    def deliver_next(self, lane: str, report: MessageReport | None = None) -> bool:
        """Send the next due message of ``lane`` (smtp or notify). False: none is due."""
        report = report if report is not None else MessageReport()
        now = self.s.clock.now()
        claimed = self.claim(lane, now)
        if claimed is None:
            return False
        message = ap.Message.of(claimed)
        try:
            self._deliver(message, now, report)
        except StorageError as exc:  # never "failed": nothing went, or it may have been accepted
            self._finish(message, None, self.after_storage_fault(message.id, exc), report)
        except Exception as exc:  # one message never stops the others
            log.exception("message %s failed unexpectedly", message.id)
            self._finish(message, None, SendResult("failed", unexpected(exc)), report)
        return True

    def _deliver(self, message: ap.Message, now: datetime, report: MessageReport) -> None:
        appt = ap.get_appointment(self.s.store.conn, id=message.appointment_id)
        if appt is None:
            self._finish(message, None, SendResult("failed", "the appointment is gone"), report)
            return
        deadline = deadline_of(self.s, message, appt)
        fate = fate_of(self.s, message, appt, now, deadline)
        if fate is not None:  # past its deadline (failed), or no longer needed
            self._finish(message, appt, self._dropped(message, appt, *fate), report)
            return
        later = held_until(self.s, message, appt, now)
        if later is not None:  # a reminder never goes before its confirmation
            self._hold(message, later)
            return
        contact = ap.contact_of(self.s.store.conn, appt.id)
        to = (contact.email if message.channel == "email" else contact.phone) if contact else None
        if not to:
            self._finish(
                message, appt, SendResult("failed", "no contact details (deleted?)"), report
            )
            return
        smtp, notify = self._senders(appt)
        sent_as = message.message_id or smtp.message_id(message.reference)
        handed_over = self.handed_over(message.id, sent_as if message.via == "smtp" else None)
        try:
            if message.via == "smtp":
                smtp.now = now
                composed = compose(self.s, appt, message.kind)
                provider = smtp.send(to, composed, message.reference, handed_over, sent_as)
            else:  # an earlier uncertain try: looked up first (after the look-up wait)
                provider = notify.send_once(
                    message.channel,
                    to,
                    lambda: compose(self.s, appt, message.kind),
                    message.reference,
                    tried=bool(message.unconfirmed) or message.attempts > 1,
                    on_handover=handed_over,
                )
        except SendFault as fault:
            self._fault(message, appt, fault, deadline, report)
            return
        self._finish(message, appt, SendResult("sent", provider=provider), report)

    def _hold(self, message: ap.Message, until: datetime) -> None:
        """A reminder held back for its confirmation (:func:`reminder_wait`): due again at
        ``until``, this turn not counted as a try (nothing went)."""
        with self.s.store.write() as conn:
            o.finish(
                conn,
                MESSAGES,
                message.id,
                owner=self.owner,
                status="pending",
                next_attempt_at=format_instant(until),
                last_error=REMINDER_WAITS,
                attempts=message.attempts - 1,
            )
        log.info("reminder %s %s: looked at again at %s", message.id, REMINDER_WAITS, until)

    def _dropped(self, message: ap.Message, appt: Appointment, status: str, why: str) -> SendResult:
        """A message ``status`` (failed, or no longer needed) for ``why``: after a try that may
        have reached the provider, never said cancelled on a guess (its turn came after the
        look-up wait: Notify is asked; :func:`oss_desk.domain.sending.dropped_unsure`)."""
        if not message.unconfirmed:
            return SendResult(status, why)
        known = dropped_unsure(status, why, message.via)
        if known is not None:
            return known
        return looked_up(self._senders(appt)[1], message.reference, status, why)

    def _fault(
        self,
        message: ap.Message,
        appt: Appointment,
        fault: SendFault,
        deadline: datetime,
        report: MessageReport,
    ) -> None:
        now = self.s.clock.now()
        out = leased.after_fault(
            fault, message, deadline, now, limit_unconfirmed=message.via == "smtp"
        )
        self._finish(message, appt, out, report)

    def _finish(
        self,
        message: ap.Message,
        appt: Appointment | None,
        done: SendResult | Outcome,
        report: MessageReport,
    ) -> None:
        now = self.s.clock.now()
        stamp = format_instant(now)
        out = Outcome.of(done)
        result = out.result
        status, error = result.status, result.error
        recorded = False

        def write() -> None:
            nonlocal recorded
            with self.s.store.write() as conn:
                recorded = self.record(conn, message.id, out, stamp)
                if recorded and result.settled and appt is not None:
                    delivered = status == "sent"
                    record_settled(conn, self.s, appt, message, now, sent=delivered, reason=error)

        what = f"message {message.id}"
        self.write_outcome(write, what, status, result.provider, message.reference)
        if not recorded:
            return
        sent = f"sent {message.kind} {message.channel} (message {message.id})"
        report.record(result, log, sent, f"message {message.id}")

    def recover(self, report: MessageReport | None = None) -> int:
        """Messages an earlier owner left mid-send. Not handed over yet: certainly not accepted,
        due again. Handed over and noted accepted as its owner stopped: sent. Handed over (it
        may have been accepted): sent again once more at most. What was recorded is counted in
        ``report`` (a ``worker --once`` pass's summary), as a round's sends are."""
        left = self.adopt_orphans()
        report = report if report is not None else MessageReport()
        for row in left:
            message = ap.Message.of(row)
            appt = ap.get_appointment(self.s.store.conn, id=message.appointment_id)
            noted = self.noted_sent(message)
            if message.handed_over_at is None:
                again = SendResult(
                    "pending", leased.STOPPED_BEFORE_HANDING_OVER, retry=self.s.clock.now()
                )
                self._finish(message, appt, again, report)
            elif noted is not None:  # accepted, and noted as its owner stopped: not sent again
                self._finish(message, appt, noted, report)
                self.forget_note(message.id)
            elif appt is None:
                self._finish(message, None, SendResult("failed", "the appointment is gone"), report)
            else:
                deadline = deadline_of(self.s, message, appt)
                wait = leased.reply_wait(self.s, message.via)
                self._fault(message, appt, leased.lost_reply(wait), deadline, report)
        return len(left)
