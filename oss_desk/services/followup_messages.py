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
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.calendar import local
from oss_desk.domain.followups import Followup
from oss_desk.domain.message_delivery import (
    NEVER_CONFIRMED,
    message_backoff,
    never_sent_again,
    notice_deadline,
    unconfirmed_at_most,
)
from oss_desk.domain.models import Actor, EventKind
from oss_desk.domain.sending import (
    SendResult,
    SendTally,
    dropped_unsure,
    next_try,
    referral_message_said,
    send_round,
)
from oss_desk.domain.wording import Wording
from oss_desk.services.current_senders import CurrentSenders
from oss_desk.services.events import record_event
from oss_desk.services.messages import Composed, email_lines, pick, sender_name
from oss_desk.services.outcome_writes import write_until_taken
from oss_desk.services.send_queues import handed_over, looked_up, settle_try
from oss_desk.services.senders import NotifySender, SendFault, SmtpSender
from oss_desk.services.session import Session
from oss_desk.storage import followups as store
from oss_desk.storage.accepted_notes import AcceptedNote, accepted, forget
from oss_desk.storage.sending import REFERRAL_MESSAGES

log = logging.getLogger("oss_desk.worker")


@dataclass(frozen=True, slots=True)
class ReferralWords:
    """What a referral's slip and message name, in the office's languages (Welsh first)."""

    wording: Wording
    council: tuple[str, ...]
    site: tuple[str, ...]
    label: tuple[str, ...]
    made: date
    """The day it was passed on (the office's date)."""


def referral_words(session: Session, f: Followup) -> ReferralWords:
    """The names a referral's slip and message give, in the office's languages."""
    from oss_desk.services import resident
    from oss_desk.services.wording import record_wording

    site = session.site_ever(f.site_id)
    wording = record_wording(session, site.id)
    return ReferralWords(
        wording,
        resident.council_names(session, wording),
        resident.site_names(session, wording, site.id),
        resident.label_names(session, wording, f.service) if f.service else (),
        local(f.received_at, site.timezone).date(),
    )


def message_reference(followup_id: int) -> str:
    """What the provider is given to find the message by: never personal."""
    return f"oss-f{followup_id}-ref-{secrets.token_hex(4)}"


def compose_referral(session: Session, f: Followup) -> Composed:
    """The referral's email and text, Welsh first in a bilingual office: the service, the day
    it was passed on, the day to expect an answer by and the reference; in the wording in
    force now (a configuration `init` loaded since the worker started is read first)."""
    session.refresh_directory()
    words = referral_words(session, f)
    wording = words.wording
    headings, subjects, bodies, texts = [], [], [], []
    for n, language in enumerate(wording.languages):
        say = partial(wording.one, language)
        label = pick(words.label, n) or say("referral.any")
        day = wording.date(language, words.made)
        expect = wording.date(language, f.due_day)
        heading = say("referral.title")
        closing = say("referral.closing")
        bodies.append(
            "\n".join(
                [
                    f"{heading}.",
                    "",
                    say("referral.sent", label=label, day=day),
                    say("referral.answer_by", day=expect),
                    "",
                    say("referral.reference", ref=f.ref),
                    closing,
                    *email_lines(session, wording, n),
                    "",
                    pick(words.council, n),
                ]
            )
        )
        texts.append(
            say("referral.text", heading=heading, label=label, day=day, expect=expect, ref=f.ref)
            + f" {closing}"
        )
        headings.append(heading)
        subjects.append(say("referral.subject", heading=heading, ref=f.ref))
    return Composed(
        " / ".join(dict.fromkeys(headings)),
        " / ".join(dict.fromkeys(subjects)),
        "\n\n".join(bodies),
        " ".join(texts),
        None,
        sender=sender_name(session, wording),
    )


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
        stop: threading.Event | None = None,
    ) -> None:
        self.s = session
        self.senders = CurrentSenders(session, smtp, notify)
        self.stop = stop
        """The worker's stop: an outcome the database cannot take yet is written again until
        then (:func:`oss_desk.services.outcome_writes.write_until_taken`)."""

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
        db, ref, handed_at = self.s.store.path, message.reference, message.handed_over_at
        noted = None
        if handed_at is not None:  # it may have gone: noted accepted as its worker stopped?
            noted = accepted(db, REFERRAL_MESSAGES, message.id, handed_at, ref)
        if noted is not None:  # accepted, and noted as the worker that sent it stopped
            self._finish(message, f, SendResult("sent", provider=noted or None), report)
            forget(db, REFERRAL_MESSAGES, message.id)
            return True
        sent_as = None  # an email's Message-ID: the one it was first handed over under
        if message.via == "smtp":
            sent_as = message.message_id or self.senders.smtp.message_id(message.reference)
        hand = handed_over(self.s, REFERRAL_MESSAGES, message.id, sent_as)
        if message.cancelled_by is not None:  # stopped after a try that may have reached it
            why = stopped_why(self.s, message)
            known = dropped_unsure("cancelled", why, message.via)
            if known is None:  # through Notify: asked, now the look-up wait is over
                known = looked_up(self.senders.notify, message.reference, "cancelled", why)
            self._finish(message, f, known, report)
            return True
        details = store.details_of(self.s.store.conn, f.id)
        to = details.email if message.channel == "email" else details.phone
        if not to:
            self._finish(message, f, SendResult("failed", "no contact details (deleted?)"), report)
            return True
        try:
            if message.via == "smtp":
                smtp = self.senders.smtp
                smtp.now = now
                composed = compose_referral(self.s, f)
                provider = smtp.send(to, composed, message.reference, hand, sent_as)
            else:  # an earlier uncertain try: looked up first (after the look-up wait)
                provider = self.senders.notify.send_once(
                    message.channel,
                    to,
                    lambda: compose_referral(self.s, f),
                    message.reference,
                    tried=message.handed_over_at is not None,
                    on_handover=hand,
                )
        except SendFault as fault:
            backoff = message_backoff(message.attempts)
            retry = next_try(self.s.clock.now(), backoff, fault.look_up_after)
            again = fault.retry and retry < self.deadline(message)
            result = SendResult.unsent(fault.reason, retry if again else None)
            # By mail, what an earlier try may have left stays possible whatever this try met
            # (a mail server cannot be asked; only a Notify look-up can settle it).
            earlier = message.via == "smtp" and message.handed_over_at is not None
            unconfirmed = unconfirmed_at_most(message.attempts, earlier, fault.uncertain)
            if fault.uncertain and never_sent_again(unconfirmed):
                # Sent as often as it may be, none confirmed: never again (each went to the
                # resident with the same Message-ID, and may have arrived). "May have been sent".
                result = SendResult("uncertain", NEVER_CONFIRMED)
            self._finish(message, f, result, report, may_have_left=fault.uncertain or earlier)
            return True
        note = None
        if hand.at is not None:
            note = AcceptedNote(db, REFERRAL_MESSAGES, message.id, hand.at, provider, ref)
        self._finish(message, f, SendResult("sent", provider=provider), report, note=note)
        return True

    def _finish(
        self,
        message: store.Message,
        f: Followup,
        result: SendResult,
        report: Sent,
        *,
        may_have_left: bool = False,
        note: AcceptedNote | None = None,
    ) -> None:
        """Record how the try went (``may_have_left``: the provider may have it, from this try
        or, by mail, an earlier one: it stays handed over; through Notify it is looked up before
        any resend). ``note``: of a message the provider accepted, left beside the database for
        the next owner should the worker stop before the database takes it (as the appointment
        messages': :mod:`oss_desk.storage.accepted_notes`)."""
        now = self.s.clock.now()
        site = self.s.site_ever(f.site_id)
        reason = {"reason": result.error} if result.error and not result.sent else {}

        def write() -> None:
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
                            **reason,
                        },
                    )

        what = f"referral message {message.id}"
        write_until_taken(write, what, result.status, self.stop, note)
        sent = f"sent referral {f.id} by {message.channel}"
        report.record(result, log, sent, f"referral message {message.id}")


def stopped_why(session: Session, message: store.Message) -> str:
    """Why a message the team leader stopped is not sent (after a try that may have reached
    the provider, what it is recorded with: :func:`oss_desk.domain.sending.dropped_unsure`)."""
    assert message.cancelled_by is not None
    return f"cancelled by {session.name_of(message.cancelled_by)}"


def message_said(session: Session, f: Followup, m: store.Message) -> str:
    """Where a referral's message stands, in words (:func:`referral_message_said`)."""
    timezone = session.site_ever(f.site_id).timezone
    cancelled = None
    if m.cancelled_by is not None and m.cancelled_at is not None:
        at = local(read_instant(m.cancelled_at), timezone)
        cancelled = f"{session.name_of(m.cancelled_by)} at {at:%H:%M}"
    sent = local(read_instant(m.sent_at or m.created_at), timezone)
    return referral_message_said(
        m.channel,
        m.status,
        when=f"{sent:%H:%M}",
        attempts=m.attempts,
        last_error=m.last_error,
        cancelled=cancelled,
    )
