"""How one try to send a message or a text went, what a round of sending did, and when a send
that may have reached GOV.UK Notify is looked up before it is sent again: the same for
appointment messages, referral messages, follow-up texts and turn texts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from logging import Logger
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SendResult:
    """``sent`` (``provider``: the provider's id for it), ``pending`` (tried again at ``retry``),
    ``failed``, no longer wanted (``cancelled``: never sent), or no longer wanted after a try
    that may have reached the provider (``uncertain``: :func:`may_have_been_sent`); ``error``
    says why it was not sent."""

    status: str
    error: str | None = None
    provider: str | None = None
    retry: datetime | None = None

    @classmethod
    def unsent(cls, error: str, retry: datetime | None = None) -> SendResult:
        """Not sent: to be tried again at ``retry``, or (none) failed for good."""
        return cls("failed" if retry is None else "pending", error, retry=retry)

    @property
    def sent(self) -> bool:
        return self.status == "sent"

    @property
    def settled(self) -> bool:
        """Sent or failed for good: what the event log records."""
        return self.status in ("sent", "failed")

    @property
    def last_error(self) -> str | None:
        """The error to keep with it (none once sent)."""
        return None if self.sent else self.error


MAY_HAVE_BEEN_SENT = "may have been sent"


def may_have_been_sent(reason: str, unknown: str) -> SendResult:
    """A message no longer wanted when its turn came (``reason``: the ticket is done now) after
    an earlier try that may have reached Notify, whose look-up could not say whether it did
    (``unknown``: why): recorded ``uncertain`` and said as such, never ``cancelled`` (which
    says it certainly was not sent). A look-up that finds it records it sent; one that does not,
    cancelled."""
    return SendResult(
        "uncertain",
        f"{reason}; an earlier try may have reached Notify, and Notify could not be asked "
        f"whether it did ({unknown})",
    )


MAIL_SERVER_UNSURE = (
    "an earlier try may have reached the mail server, which did not answer (a mail server "
    "cannot be asked whether it took it)"
)
"""Why an email no longer wanted after an unanswered try is said to have maybe been sent."""


def dropped_unsure(status: str, reason: str, via: str) -> SendResult | None:
    """A message ``status`` ``cancelled`` (no longer wanted) or ``failed`` (past its deadline)
    for ``reason`` after a try that may have reached the provider, as known before anyone asks
    it: never "cancelled" on a guess. Via Notify, None: it is looked up first
    (:func:`after_look_up`), when its turn comes after the look-up wait. By mail (no server can
    be asked): a cancelled one may have been sent (recorded ``uncertain``); a failed one stays
    failed, its alert wanted (the resident may not have it)."""
    if via == "notify":
        return None
    if status == "cancelled":
        return SendResult("uncertain", f"{reason}; {MAIL_SERVER_UNSURE}")
    return SendResult(status, reason)


def after_look_up(
    status: str, reason: str, found: str | None, unknown: str | None = None
) -> SendResult:
    """What a message ``status`` for ``reason`` (:func:`dropped_unsure`) is recorded as once
    Notify was asked for it: found (``found``: Notify's id), sent; not found, ``status`` as it
    was; the look-up failing (``unknown``: why), a cancelled one may have been sent
    (:func:`may_have_been_sent`), a failed one stays failed (its alert wanted)."""
    if found is not None:
        return SendResult("sent", provider=found)
    if unknown is not None and status == "cancelled":
        return may_have_been_sent(reason, unknown)
    return SendResult(status, reason)


LOOK_UP_FIRST = (
    "an earlier try may have reached the resident: Notify is asked whether it did before it is "
    "recorded"
)
"""What ``appointment show`` says of a message no longer needed that waits for its look-up."""


LOOK_UP_MARGIN_SECONDS = 10.0
"""Added to twice ``notify.timeout`` in :func:`look_up_wait`."""


def look_up_wait(timeout: float) -> float:
    """Seconds to wait, after a send to Notify ended without a sure answer (our client gave up
    after ``notify.timeout``; Notify, or a proxy in front of it, said 5xx; the worker stopped
    while waiting), before its reference is looked up: ``2 x notify.timeout + 10 s`` (30 s by
    default). Only when that look-up does not find it is it sent again (once).

    Why wait: giving up does not stop Notify. A request it received goes on being handled (the
    notification stored, then answered into a closed connection), and until it is stored a
    look-up finds nothing: looked up the moment the client gave up, a text still on its way was
    sent again, and the resident got it twice. Counted from the end of the try, a timed-out
    request has been with Notify for three times as long as we were ready to wait for its
    answer, and 10 s more (40 s by default), when it is looked up: longer than web servers
    commonly let a request run before they end it (30 s), so by then it has been stored or
    dropped. Twice the timeout (not a fixed
    time) keeps that true for an office that set a longer ``notify.timeout`` because its line is
    slow. It is not a proof: a request Notify held longer than that and then accepted arrives
    twice (the README says so)."""
    return 2 * timeout + LOOK_UP_MARGIN_SECONDS


def send_lease(timeout: float, at_least: float) -> float:
    """Seconds a sender holds a claimed message (``at_least``: the outbox's own lease): never
    less than one more try and its look-up wait, so a try left uncertain whose outcome could
    not be written (the database busy, the disk full) is not claimed again, and sent twice,
    while it may still be on its way to Notify (a ``notify.timeout`` of 120 s makes the look-up
    wait 250 s)."""
    return max(at_least, timeout + look_up_wait(timeout))


def next_try(now: datetime, backoff_seconds: float, look_up_after: float = 0.0) -> datetime:
    """When a failed try is tried again: ``backoff_seconds`` after ``now`` (the end of the try),
    and after a try that may have reached Notify no sooner than its look-up may be made
    (``look_up_after``: :func:`look_up_wait`, carried by the sender's fault)."""
    return now + timedelta(seconds=max(backoff_seconds, look_up_after))


@dataclass
class SendTally:
    """What one round of sending did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    """No longer wanted (the appointment moved or was cancelled, the ticket was called...)."""

    def record(self, result: SendResult, log: Logger, sent: str, what: str) -> None:
        """Count ``result`` and log it: ``sent`` when it was sent; else, when tried again or
        failed, ``what`` (the message) and the error."""
        self.count(result.status)
        if result.sent:
            log.info(sent)
        elif result.status in ("pending", "failed"):
            how = "will be tried again" if result.status == "pending" else "failed"
            log.warning("%s %s: %s", what, how, result.error)

    def count(self, status: str) -> None:
        if status == "sent":
            self.sent += 1
        elif status == "pending":
            self.retried += 1
        elif status == "failed":
            self.failed += 1
        else:
            self.dropped += 1


def send_round(send_next: Callable[[T], bool], report: T, limit: int) -> T:
    """One round of sending: ``send_next`` (counting into ``report``) until it says nothing more
    was due, at most ``limit`` times; returns ``report``."""
    for _ in range(limit):
        if not send_next(report):
            break
    return report


def referral_message_said(
    channel: str,
    status: str,
    *,
    when: str,
    attempts: int = 0,
    last_error: str | None = None,
    cancelled: str | None = None,
) -> str:
    """Where a referral's reference to the resident stands, as ``followup show`` and ``followup
    cancel-message`` say it: "reference by text: sent 10:02". ``when``: the time it was sent
    (or queued); ``cancelled``: who stopped it and when ("Tia Leader at 10:00"), while an
    earlier try that may have reached Notify is looked up, and after."""
    said = f"reference by {channel}: "
    if status == "sent":
        return said + f"sent {when}"
    if status == "cancelled":
        return said + f"not sent, cancelled by {cancelled}"
    if status == "uncertain":
        return said + f"{MAY_HAVE_BEEN_SENT}: {last_error}"
    if status == "failed":
        return said + f"failed: {last_error}"
    if cancelled is not None:  # stopped after a try that may have reached Notify
        return said + f"cancelled by {cancelled}; {LOOK_UP_FIRST}"
    if status == "sending":
        return said + "being sent now"
    tries = (
        f" (tried {attempts} time{'s' if attempts > 1 else ''}: {last_error})" if attempts else ""
    )
    return said + f"waiting to be sent{tries}"


def cancel_refused(status: str, stopped: bool) -> str | None:
    """Why a message to the resident in ``status`` (``stopped``: by someone already) cannot be
    stopped, after "R-0042's reference by text " (None: it can: it has not gone)."""
    if stopped or status == "cancelled":
        return "was cancelled already"
    return {
        "sent": "was sent already: it cannot be stopped",
        "sending": "is being sent at this moment: look again in a minute",
        "failed": "failed: it was never sent, there is nothing to stop",
        "uncertain": f"{MAY_HAVE_BEEN_SENT} already: it cannot be stopped",
    }.get(status)
