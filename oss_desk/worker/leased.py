"""The life every leased message lane shares: appointment messages
(:mod:`oss_desk.worker.messages`) and report emails (:mod:`oss_desk.worker.report_mail`).

A row is claimed with a lease; the hand-over (the end of DATA, or the request to Notify) is
committed before it goes; a fault becomes a retry with the message backoff (never past the
deadline) or a failure; a message the server may have accepted without answering is sent again
at most once; only the owner that claimed a row records its outcome; and the rows a worker that
died left mid-send are adopted by the next owner.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Protocol

from oss_desk.clock import format_instant
from oss_desk.domain.delivery import MAX_UNCONFIRMED_SENDS, message_backoff
from oss_desk.domain.sending import SendResult
from oss_desk.services.senders import SendFault
from oss_desk.services.session import Session
from oss_desk.storage import devices as d
from oss_desk.storage import outbox as o
from oss_desk.worker.printing import new_owner

NEVER_CONFIRMED = (
    "the mail server never confirmed it (sent twice, with the same Message-ID): it may have "
    "been delivered"
)
STOPPED_BEFORE_HANDING_OVER = "the worker stopped before handing it over"


def lost_reply() -> SendFault:
    """What became of a row left handed over by a worker that stopped: it may have been
    accepted, so it counts as one unconfirmed send."""
    return SendFault(
        "the worker stopped while waiting for the reply: it may have been accepted",
        retry=True,
        uncertain=True,
    )


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to record after a fault: the result, whether the sender's device shows it, and the
    count of sends the server may have accepted without answering (None: unchanged)."""

    result: SendResult
    alert: bool = False
    unconfirmed: int | None = None

    @classmethod
    def of(cls, done: SendResult | Outcome) -> Outcome:
        """A result alone: nothing for the device to show, the count unchanged."""
        return done if isinstance(done, Outcome) else cls(done)


class Tried(Protocol):
    """A row of a leased outbox: how often it was claimed, and sent without an answer."""

    @property
    def attempts(self) -> int: ...

    @property
    def unconfirmed(self) -> int: ...


def after_fault(
    fault: SendFault,
    tried: Tried,
    deadline: datetime,
    now: datetime,
    *,
    limit_unconfirmed: bool = True,
) -> Outcome:
    """A failed try: failed for good (the server never confirmed it twice, or the fault is
    final), else tried again after the message backoff, at the latest at ``deadline`` (one last
    look: then it has failed). ``limit_unconfirmed``: whether an unconfirmed send counts (SMTP;
    Notify is looked up by its reference instead)."""
    unconfirmed = tried.unconfirmed + int(fault.uncertain)
    if fault.uncertain and limit_unconfirmed and unconfirmed >= MAX_UNCONFIRMED_SENDS:
        return Outcome(SendResult("failed", NEVER_CONFIRMED), unconfirmed=unconfirmed)
    if not fault.retry:
        return Outcome(SendResult("failed", fault.reason), alert=fault.alert)
    retry = min(now + timedelta(seconds=message_backoff(tried.attempts)), deadline)
    return Outcome(SendResult("pending", fault.reason, retry=retry), unconfirmed=unconfirmed)


class LeasedSender:
    """One session's (so one thread's) sender of one leased outbox."""

    box: ClassVar[o.Outbox]
    lease_seconds: ClassVar[int] = 15 * 60

    def __init__(self, session: Session, owner: str | None = None) -> None:
        self.s = session
        self.owner = owner or new_owner()

    def claim(self, lane: str, now: datetime) -> dict[str, Any] | None:
        """The next due row of ``lane``, leased to this owner (None: nothing is due)."""
        with self.s.store.write() as conn:
            return o.claim_next_leased(
                conn,
                self.box,
                owner=self.owner,
                lane=lane,
                now=now,
                lease_seconds=self.lease_seconds,
            )

    def handed_over(self, row_id: int) -> Callable[[], None]:
        """What the sender calls just before the message may be accepted."""

        def commit() -> None:
            with self.s.store.write() as conn:
                stamp = format_instant(self.s.clock.now())
                o.hand_over(conn, row_id, owner=self.owner, now=stamp, box=self.box)

        return commit

    def due_again(self) -> SendResult:
        """For a row left before it was handed over: certainly not accepted, due again now."""
        return SendResult("pending", STOPPED_BEFORE_HANDING_OVER, retry=self.s.clock.now())

    def adopt_orphans(self) -> list[dict[str, Any]]:
        """The rows an earlier owner left mid-send, now this owner's to finish."""
        with self.s.store.write() as conn:
            left = o.orphans(conn, self.box, owner=self.owner)
            for row in left:
                o.adopt(conn, self.box, row["id"], owner=self.owner)
        return left

    def record(self, conn: sqlite3.Connection, row_id: int, out: Outcome, stamp: str) -> bool:
        """Record ``out`` for a row this owner claimed. False: it was not this owner's."""
        result, unconfirmed = out.result, out.unconfirmed
        values: dict[str, object] = {"last_error": result.last_error}
        if result.provider is not None:
            values["provider_id"] = result.provider
        if result.sent:
            values["sent_at"] = stamp
        if result.retry is not None:
            values["next_attempt_at"] = format_instant(result.retry)
            values["handed_over_at"] = None
        if unconfirmed is not None:
            values["unconfirmed"] = unconfirmed
        return o.finish(conn, self.box, row_id, owner=self.owner, status=result.status, **values)

    @staticmethod
    def record_sender(conn: sqlite3.Connection, via: str, out: Outcome, stamp: str) -> None:
        """The sender (``smtp`` or ``notify``) answered: ok once it accepted a message, failed
        when its fault wants the team leader's attention."""
        if out.alert or out.result.sent:
            d.record_device(
                conn,
                url=via,
                kind="mail" if via == "smtp" else "notify",
                status="failed" if out.alert else "ok",
                detail=out.result.error if out.alert else None,
                now=stamp,
            )
