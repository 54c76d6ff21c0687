"""The rules of a resident's message on its way: when to try it again, when it stops mattering,
when it raises an alert, and how a turn text that did not surely reach the resident is said.

Pure: no I/O. The worker, ``doctor``, ``alerts list`` and the desks ask these, so they agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from oss_desk.domain.delivery import backoff
from oss_desk.domain.device_faults import said_with
from oss_desk.domain.sending import MAY_HAVE_BEEN_SENT


def message_backoff(attempts: int, first: float = 15.0, cap: float = 300.0) -> float:
    """Seconds before the next try of a message: 15, 30, 60... up to 5 minutes."""
    return backoff(attempts, first, cap)


def message_deadline(
    kind: str,
    created_at: datetime,
    starts_at: datetime,
    *,
    notice_hours: float = 24.0,
    reminder_until_minutes: float = 0.0,
) -> datetime:
    """When a message stops mattering (and retrying ends): a reminder, the appointment's start
    (less ``reminder_until_minutes``); a confirmation, change or cancellation, ``notice_hours``
    after it was queued, and never after the appointment it is about."""
    if kind == "reminder":
        return starts_at - timedelta(minutes=reminder_until_minutes)
    later = created_at + timedelta(hours=notice_hours)
    return min(later, starts_at) if starts_at > created_at else later


def notice_deadline(created_at: datetime, notice_hours: float) -> datetime:
    """When a message about no appointment (a referral's reference, a report email) stops
    mattering: ``notice_hours`` after it was queued, like a confirmation."""
    return message_deadline("confirmation", created_at, created_at, notice_hours=notice_hours)


class AlertKind(StrEnum):
    LATE = "late"
    """Not delivered yet, and it matters soon."""
    FAILED = "failed"
    """Given up: will not be delivered."""
    UNCERTAIN = "uncertain"
    """No longer wanted after a try that may have reached the resident, which the provider
    could not be asked about (:data:`~oss_desk.domain.sending.MAY_HAVE_BEEN_SENT`): the
    resident may hold it (a confirmation of a booking since cancelled, say)."""

    @property
    def said(self) -> str:
        """The alert's state in words, as every list of alerts says it."""
        return ALERT_SAID[self]


ALERT_SAID = {
    AlertKind.LATE: "not sent yet",
    AlertKind.FAILED: "failed",
    AlertKind.UNCERTAIN: MAY_HAVE_BEEN_SENT,
}


def message_alert(
    status: str, deadline: datetime, now: datetime, alert_minutes: float = 30.0
) -> AlertKind | None:
    """Whether a message raises an alert for the team leader (until someone acknowledges it):
    late, failed for good, or (``uncertain``) perhaps sent; one alert a message, whatever its
    deadline, and none once it is sent or certainly not sent."""
    if status == "failed":
        return AlertKind.FAILED
    if status == "uncertain":
        return AlertKind.UNCERTAIN
    if status in ("pending", "sending") and now >= deadline - timedelta(minutes=alert_minutes):
        return AlertKind.LATE
    return None


TURN_TEXT_NAMES = {
    "nearly": "nearly-your-turn text",
    "called": "come-to-the-desk text",
    "closed": "office-closed text",
}
"""The texts a resident waiting elsewhere in the building may get, by kind (``turn_texts``)."""


def turn_text_failed_said(kind: str, reason: str | None) -> str:
    """A turn text that failed for good, as ``ticket show``, the desk that called and ``alerts
    list`` say it: which text and why, never the number ("come-to-the-desk text failed: Notify
    failed (500)"). The resident may not have been told: the desk calls the code aloud."""
    return said_with(f"{TURN_TEXT_NAMES.get(kind, 'text')} failed", reason)


def turn_text_unsure_said(kind: str, reason: str | None) -> str:
    """A turn text no longer needed after a try that may have reached Notify (``uncertain``),
    as ``ticket show`` says it: "come-to-the-desk text may have been sent: the ticket is done
    now; ..."."""
    return said_with(f"{TURN_TEXT_NAMES.get(kind, 'text')} {MAY_HAVE_BEEN_SENT}", reason)


@dataclass(frozen=True, slots=True)
class TextsSaid:
    """A visit's turn texts that did not surely reach the resident, in words, as ``ticket
    show`` and the desk serving them say them: ``not_sent`` (failed for good: the resident was
    not told, the desk calls the code aloud) apart from ``uncertain`` (may have been sent)."""

    not_sent: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()

    @classmethod
    def of(
        cls, failed: list[tuple[str, str | None]], unsure: list[tuple[str, str | None]]
    ) -> TextsSaid:
        """From the texts (kind, why) that failed, and those that may have been sent."""
        return cls(
            tuple(turn_text_failed_said(kind, why) for kind, why in failed),
            tuple(turn_text_unsure_said(kind, why) for kind, why in unsure),
        )

    @property
    def every(self) -> tuple[str, ...]:
        """Those not sent, then those that may have been."""
        return self.not_sent + self.uncertain


MAX_UNCONFIRMED_SENDS = 2
"""An email whose DATA may have been accepted (no reply) is sent again once, with the same
Message-ID; after a second such send it is not sent again (appointment messages and referral
references alike: :func:`never_sent_again`)."""


def never_sent_again(unconfirmed: int) -> bool:
    """Whether an email is not sent again: ``unconfirmed`` of its sends, this one included,
    may each have been accepted (no reply to their DATA), :data:`MAX_UNCONFIRMED_SENDS` or
    more. The one rule appointment messages and referral references both ask."""
    return unconfirmed >= MAX_UNCONFIRMED_SENDS


def unconfirmed_at_most(tries: int, earlier_unconfirmed: bool, uncertain: bool) -> int:
    """The unconfirmed sends of an email whose row keeps no count of them (a referral's
    reference), ``tries`` its tries so far, this one included: only whether some earlier send
    is still unconfirmed is kept (``earlier_unconfirmed``), so every earlier try counts, as it
    may have been one (at most that many: it is never sent more than
    :data:`MAX_UNCONFIRMED_SENDS` times unconfirmed, and a try refused between them may stop
    it one sooner); this try counts when it is ``uncertain``."""
    return (tries - 1 if earlier_unconfirmed else 0) + int(uncertain)


_SENDS = "twice" if MAX_UNCONFIRMED_SENDS == 2 else f"{MAX_UNCONFIRMED_SENDS} times"
NEVER_CONFIRMED = (
    f"the mail server never confirmed it (sent {_SENDS}, with the same Message-ID): it may "
    "have been delivered"
)
"""Why an email sent :data:`MAX_UNCONFIRMED_SENDS` times unconfirmed is not sent again."""
