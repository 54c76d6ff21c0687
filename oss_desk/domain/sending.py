"""How one try to send a message or a text went, and what a round of sending did: the same for
appointment messages, referral messages and turn texts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from logging import Logger
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SendResult:
    """``sent`` (``provider``: the provider's id for it), ``pending`` (tried again at ``retry``),
    ``failed``, or no longer wanted (``cancelled``); ``error`` says why it was not sent."""

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
