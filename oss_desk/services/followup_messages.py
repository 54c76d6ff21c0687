"""A referral's reference sent by the resident's chosen channel (email or text).

What is sent says only what the slip says: the service's neutral label, the day it was passed
on, the day to expect an answer by, and the reference to quote. The recipient is read from the
follow-up's details when sending (nothing personal is stored in the outbox, and once the details
are purged nothing can be sent); the reference given to the provider is random. Delivery is the
device worker's, with the same senders, retries and Notify look-up as appointment messages.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.calendar import local
from oss_desk.domain.delivery import message_backoff, notice_deadline
from oss_desk.domain.followups import Followup
from oss_desk.domain.models import Actor, EventKind
from oss_desk.domain.printouts import REFERRAL_CLOSING
from oss_desk.domain.sending import SendResult, SendTally, next_try, send_round
from oss_desk.services.events import record_event
from oss_desk.services.messages import Composed
from oss_desk.services.send_queues import handed_over, settle_try
from oss_desk.services.senders import NotifySender, SendFault, SmtpSender
from oss_desk.services.session import Session
from oss_desk.storage import followups as store
from oss_desk.storage.sending import REFERRAL_MESSAGES

log = logging.getLogger("oss_desk.worker")

HEADING = "Your referral"


def message_reference(followup_id: int) -> str:
    """What the provider is given to find the message by: never personal."""
    return f"oss-f{followup_id}-ref-{secrets.token_hex(4)}"


def compose_referral(session: Session, f: Followup) -> Composed:
    site = session.site_ever(f.site_id)
    svc = session.directory.services.get(f.service or "")
    label = svc.label if svc else "your"
    made = local(f.received_at, site.timezone)
    passed = f"{made:%A} {made.day} {made:%B %Y}"
    expect = f"{f.due_day:%A} {f.due_day.day} {f.due_day:%B %Y}"
    council = session.settings.council.name
    body = "\n".join(
        [
            f"{HEADING}.",
            "",
            f"We passed your {label} enquiry to the team on {passed}.",
            f"Expect an answer by {expect}.",
            "",
            f"Please quote your reference: {f.ref}",
            REFERRAL_CLOSING,
            "",
            council,
        ]
    )
    sms = (
        f"{HEADING}: {label}, passed to the team on {passed}. Expect an answer by {expect}. "
        f"Please quote {f.ref}. {REFERRAL_CLOSING}"
    )
    return Composed(HEADING, f"{HEADING}: please quote {f.ref}", body, sms, None)


class Sent(SendTally):
    """A round of referral messages."""


LEASE_SECONDS = 15 * 60


class FollowupMessageDelivery:
    """Sends the due referral messages; one session (so one thread). Retried with the message
    backoff (:func:`oss_desk.domain.delivery.message_backoff`) until ``messages.notice_hours``
    after it was queued, like a confirmation; then it has failed."""

    def __init__(
        self,
        session: Session,
        *,
        smtp: SmtpSender | None = None,
        notify: NotifySender | None = None,
    ) -> None:
        self.s = session
        self.smtp = smtp or SmtpSender(session.settings.email)
        self.notify = notify or NotifySender(session.settings.notify)

    def deadline(self, message: store.Message) -> datetime:
        return notice_deadline(
            read_instant(message.created_at), self.s.settings.messages.notice_hours
        )

    def deliver_due(self, limit: int = 10_000) -> Sent:
        return send_round(self.deliver_one, Sent(), limit)

    def deliver_one(self, report: Sent) -> bool:
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            message = store.claim_message(
                conn,
                format_instant(now),
                format_instant(now + timedelta(seconds=LEASE_SECONDS)),
            )
        if message is None:
            return False
        f = store.get_followup(self.s.store.conn, message.followup_id)
        assert f is not None
        details = store.details_of(self.s.store.conn, f.id)
        to = details.email if message.channel == "email" else details.phone
        if not to:
            self._finish(message, f, SendResult("failed", "no contact details (deleted?)"), report)
            return True
        try:
            if message.via == "smtp":
                self.smtp.now = now
                provider = self.smtp.send(to, compose_referral(self.s, f), message.reference)
            else:  # an earlier uncertain try: looked up first (after the look-up wait)
                provider = self.notify.send_once(
                    message.channel,
                    to,
                    lambda: compose_referral(self.s, f),
                    message.reference,
                    tried=message.handed_over_at is not None,
                    on_handover=handed_over(self.s, REFERRAL_MESSAGES, message.id),
                )
        except SendFault as fault:
            backoff = message_backoff(message.attempts)
            retry = next_try(self.s.clock.now(), backoff, fault.look_up_after)
            again = fault.retry and retry < self.deadline(message)
            result = SendResult.unsent(fault.reason, retry if again else None)
            self._finish(message, f, result, report, may_have_left=fault.uncertain)
            return True
        self._finish(message, f, SendResult("sent", provider=provider), report)
        return True

    def _finish(
        self,
        message: store.Message,
        f: Followup,
        result: SendResult,
        report: Sent,
        *,
        may_have_left: bool = False,
    ) -> None:
        """Record how the try went (``may_have_left``: through Notify without a sure answer, so
        Notify may have it: it stays handed over, looked up before any resend)."""
        now = self.s.clock.now()
        site = self.s.site_ever(f.site_id)
        with self.s.store.write() as conn:
            settle_try(
                conn, REFERRAL_MESSAGES, message.id, result, now, may_have_left=may_have_left
            )
            if result.settled:
                record_event(
                    conn,
                    site,
                    now,
                    EventKind.MESSAGE_SENT if result.sent else EventKind.MESSAGE_FAILED,
                    Actor("worker"),
                    service_code=f.service,
                    data={
                        "followup": f.id,
                        "ref": f.ref,
                        "kind": "referral",
                        "channel": message.channel,
                        "via": message.via,
                        **({"reason": result.error} if result.error and not result.sent else {}),
                    },
                )
        sent = f"sent referral {f.id} by {message.channel}"
        report.record(result, log, sent, f"referral message {message.id}")
