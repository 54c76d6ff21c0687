"""One life for the outboxes the worker sends a row at a time with a lease: the report
emails (:mod:`oss_desk.worker.report_mail`) and the follow-up texts
(:mod:`oss_desk.worker.feedback_texts`).

Written once here: claim the next due row of the lane (``claim_next_leased``), check it is still
wanted and not past its deadline, commit the hand-over before the request goes, then record the
outcome: "sent" only when the provider accepted it; a transient fault is retried with the message
backoff until the deadline, then it has failed (an alert until acknowledged); a row an earlier
owner left mid-send is adopted: not handed over yet, due again at once; handed over (it may have
been accepted), treated as an unconfirmed send. Each lane says how it sends and what it records.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from oss_desk.clock import format_instant
from oss_desk.domain.delivery import message_backoff
from oss_desk.domain.sending import SendResult, SendTally
from oss_desk.errors import OssDeskError
from oss_desk.services.senders import SendFault
from oss_desk.services.session import Session
from oss_desk.storage import outbox as o
from oss_desk.worker.printing import describe, new_owner

log = logging.getLogger("oss_desk.worker")

STOPPED = "the worker stopped while waiting for the reply: it may have been accepted"


class Leased(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def attempts(self) -> int: ...
    @property
    def unconfirmed(self) -> int: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def handed_over_at(self) -> str | None: ...


R = TypeVar("R", bound=Leased)


class LeasedDelivery(Generic[R]):
    """Sends the due rows of one lane of ``BOX``; one session (so one thread)."""

    BOX: ClassVar[o.Outbox]
    LANE: ClassVar[str]
    WHAT: ClassVar[str]
    """What a row is, for the log (``report email``)."""
    LEASE_SECONDS: ClassVar[float] = 15 * 60

    def __init__(self, session: Session, owner: str | None = None) -> None:
        self.s = session
        self.owner = owner or new_owner()

    # What each lane says ---------------------------------------------------------------------

    def row(self, claimed: dict[str, Any]) -> R:
        raise NotImplementedError

    def deadline(self, item: R) -> datetime:
        """When the row stops mattering: not delivered by then, it has failed."""
        raise NotImplementedError

    def unwanted(self, item: R) -> str | None:
        """Why the row is no longer wanted (it is cancelled); None: send it."""
        return None

    def send(self, item: R, now: datetime, handed_over: Any) -> str:
        """Send it (``handed_over()`` just before the request goes); the provider's id, or
        :class:`SendFault`."""
        raise NotImplementedError

    def never_confirmed(self, item: R, unconfirmed: int) -> str | None:
        """After ``unconfirmed`` sends the provider never answered: why it is not sent again
        (None: it may be; e.g. Notify is asked by reference first)."""
        return None

    def recorded(
        self, conn: sqlite3.Connection, item: R, result: SendResult, alert: bool, stamp: str
    ) -> None:
        """What else the outcome records (events, the device's state), in its transaction."""

    # The one life ----------------------------------------------------------------------------

    @classmethod
    def round(cls, session: Session, owner: str | None = None) -> SendTally:
        """Send what is due in the lane; a fault is logged, never fatal."""
        try:
            return cls(session, owner=owner).deliver_due()
        except (OssDeskError, sqlite3.Error) as exc:
            log.warning("%ss not sent now: %s", cls.WHAT, exc)
            return SendTally()

    @classmethod
    def next_due(cls, conn: sqlite3.Connection) -> str | None:
        """When the lane's next pending row comes due."""
        return o.next_due(conn, cls.BOX, cls.LANE)

    def deliver_due(self, limit: int = 1000) -> SendTally:
        report = SendTally()
        for _ in range(limit):
            if not self.deliver_next(report):
                break
        return report

    def deliver_next(self, report: SendTally) -> bool:
        """Send the next due row of the lane. False: none is due."""
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            claimed = o.claim_next_leased(
                conn,
                self.BOX,
                owner=self.owner,
                lane=self.LANE,
                now=now,
                lease_seconds=self.LEASE_SECONDS,
            )
        if claimed is None:
            return False
        item = self.row(claimed)
        try:
            self._deliver(item, now, report)
        except Exception as exc:  # one row never stops the others
            log.exception("%s %s failed unexpectedly", self.WHAT, item.id)
            self.finish(item, SendResult("failed", f"unexpected: {describe(exc)}"), report)
        return True

    def _deliver(self, item: R, now: datetime, report: SendTally) -> None:
        deadline = self.deadline(item)
        if now >= deadline:
            last = f" (last try: {item.last_error})" if item.last_error else ""
            self.finish(item, SendResult("failed", "not delivered in time" + last), report)
            return
        reason = self.unwanted(item)
        if reason is not None:
            self.finish(item, SendResult("cancelled", reason), report)
            return

        def handed_over() -> None:
            with self.s.store.write() as conn:
                o.hand_over(
                    conn,
                    item.id,
                    owner=self.owner,
                    now=format_instant(self.s.clock.now()),
                    box=self.BOX,
                )

        try:
            provider = self.send(item, now, handed_over)
        except SendFault as fault:
            self.fault(item, fault, deadline, report)
            return
        self.finish(item, SendResult("sent", provider=provider), report)

    def fault(self, item: R, fault: SendFault, deadline: datetime, report: SendTally) -> None:
        unconfirmed = item.unconfirmed + int(fault.uncertain)
        never = self.never_confirmed(item, unconfirmed) if fault.uncertain else None
        if never is not None:
            self.finish(item, SendResult("failed", never), report, unconfirmed=unconfirmed)
            return
        if not fault.retry:
            self.finish(item, SendResult("failed", fault.reason), report, alert=fault.alert)
            return
        retry = self.s.clock.now() + timedelta(seconds=message_backoff(item.attempts))
        again = SendResult("pending", fault.reason, retry=min(retry, deadline))
        self.finish(item, again, report, unconfirmed=unconfirmed)

    def finish(
        self,
        item: R,
        result: SendResult,
        report: SendTally,
        *,
        alert: bool = False,
        unconfirmed: int | None = None,
    ) -> None:
        stamp = format_instant(self.s.clock.now())
        values = o.outcome_columns(result, stamp, unconfirmed)
        with self.s.store.write() as conn:
            if not o.finish(
                conn, self.BOX, item.id, owner=self.owner, status=result.status, **values
            ):
                return
            self.recorded(conn, item, result, alert, stamp)
        report.count(result.status)
        if result.sent:
            log.info("sent %s %s", self.WHAT, item.id)
        elif result.status == "pending":
            log.warning("%s %s will be tried again: %s", self.WHAT, item.id, result.error)
        elif result.status == "cancelled":  # no longer wanted: nothing is wrong
            log.info("%s %s not sent: %s", self.WHAT, item.id, result.error)
        else:
            log.warning("%s %s %s: %s", self.WHAT, item.id, result.status, result.error)

    def recover(self) -> int:
        """Rows an earlier owner left mid-send. Not handed over yet: certainly not accepted, due
        again at once. Handed over: it may have been accepted (an unconfirmed send)."""
        with self.s.store.write() as conn:
            left = o.adopt_orphans(conn, self.BOX, owner=self.owner)
        report = SendTally()
        for row in left:
            item = self.row(row)
            if item.handed_over_at is None:
                stopped = "the worker stopped before handing it over"
                self.finish(item, SendResult("pending", stopped, retry=self.s.clock.now()), report)
                continue
            fault = SendFault(STOPPED, retry=True, uncertain=True)
            self.fault(item, fault, self.deadline(item), report)
        return len(left)
