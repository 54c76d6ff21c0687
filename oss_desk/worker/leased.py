"""The life every leased message lane shares: appointment messages
(:mod:`oss_desk.worker.messages`), report emails (:mod:`oss_desk.worker.report_mail`) and
follow-up texts (:mod:`oss_desk.worker.feedback_texts`).

A row is claimed with a lease; the hand-over (the end of DATA, or the request to Notify) is
committed before it goes; a fault becomes a retry with the message backoff (never past the
deadline) or a failure; a message the server may have accepted without answering is sent again
at most once; only the owner that claimed a row records its outcome; and the rows a worker that
died left mid-send are adopted by the next owner.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from oss_desk.clock import format_instant
from oss_desk.domain.message_delivery import (
    NEVER_CONFIRMED,
    message_backoff,
    never_sent_again,
)
from oss_desk.domain.sending import SendResult, SendTally, look_up_wait, next_try, send_round
from oss_desk.errors import DatabaseGone, OssDeskError, StorageError
from oss_desk.services.current_senders import CurrentSenders
from oss_desk.services.outcome_writes import write_until_taken
from oss_desk.services.senders import NotifySender, SendFault, SmtpSender
from oss_desk.services.session import Session
from oss_desk.storage import accepted_notes as notes
from oss_desk.storage import outbox as o
from oss_desk.storage.hand_over import hand_over
from oss_desk.worker.owner import new_owner, unexpected

log = logging.getLogger("oss_desk.worker")

STOPPED_BEFORE_HANDING_OVER = "the worker stopped before handing it over"
DATABASE_BEFORE_HANDING_OVER = "not sent yet: the database could not be written at the time"
"""Why a row is due again after a fault of the database before it was handed over (locked past
the busy timeout, the disk full): nothing went, so nothing is lost (no path, no "try again":
staff read it)."""


def lost_reply(look_up_after: float = 0.0) -> SendFault:
    """What became of a row left handed over by a worker that stopped: it may have been
    accepted, so it counts as one unconfirmed send (``look_up_after``: :func:`reply_wait`)."""
    return SendFault(
        "the worker stopped while waiting for the reply: it may have been accepted",
        retry=True,
        uncertain=True,
        look_up_after=look_up_after,
    )


def reply_wait(session: Session, via: str) -> float:
    """Seconds before a row of ``via`` left handed over may be looked up: Notify's look-up wait
    (the request may still be on its way), none for SMTP (sent again with the same
    Message-ID, which mail systems use to drop a duplicate)."""
    return look_up_wait(session.settings.notify.timeout) if via == "notify" else 0.0


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to record after a fault: the result, and the count of sends the server may have
    accepted without answering (None: unchanged). The sender's own state is kept as it is
    tried (:mod:`oss_desk.services.sender_states`)."""

    result: SendResult
    unconfirmed: int | None = None

    @classmethod
    def of(cls, done: SendResult | Outcome) -> Outcome:
        """A result alone: the count unchanged."""
        return done if isinstance(done, Outcome) else cls(done)


class Tried(Protocol):
    """A row of a leased outbox: how often it was claimed, and sent without an answer."""

    @property
    def attempts(self) -> int: ...

    @property
    def unconfirmed(self) -> int: ...


class Handed(Protocol):
    """A row that may have been handed over: the send a note speaks for."""

    @property
    def id(self) -> int: ...

    @property
    def handed_over_at(self) -> str | None: ...

    @property
    def reference(self) -> str: ...


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
    if fault.uncertain and limit_unconfirmed and never_sent_again(unconfirmed):
        return Outcome(SendResult("failed", NEVER_CONFIRMED), unconfirmed=unconfirmed)
    if not fault.retry:
        return Outcome(SendResult("failed", fault.reason))
    retry = min(next_try(now, message_backoff(tried.attempts), fault.look_up_after), deadline)
    return Outcome(SendResult("pending", fault.reason, retry=retry), unconfirmed=unconfirmed)


class LeasedSender:
    """One session's (so one thread's) sender of one leased outbox."""

    box: ClassVar[o.Outbox]
    lease_seconds: ClassVar[int] = 15 * 60

    def __init__(
        self,
        session: Session,
        owner: str | None = None,
        stop: threading.Event | None = None,
        *,
        smtp: SmtpSender | None = None,
        notify: NotifySender | None = None,
    ) -> None:
        self.s = session
        self.senders = CurrentSenders(session, smtp, notify)
        """What the lane sends with: ``smtp`` and ``notify`` where given (the demo's, a test's),
        else the office's own, built from the settings in force."""
        self.owner = owner or new_owner()
        self.stop = stop
        """The worker's stop (None: ``worker --once``, which waits at most
        :data:`~oss_desk.services.outcome_writes.ONCE_WAITS_SECONDS` for the database)."""
        self.handed: int | None = None
        """The row whose hand-over was committed last (from then on it may have been accepted)."""
        self.handed_at: str | None = None
        """When it was handed over (its ``handed_over_at``)."""
        self.given_up = False
        """An outcome of the row claimed last could not be written before the worker stopped."""

    def claim(self, lane: str, now: datetime) -> dict[str, Any] | None:
        """The next due row of ``lane``, leased to this owner (None: nothing is due)."""
        self.handed, self.handed_at, self.given_up = None, None, False
        with self.s.store.write() as conn:
            return o.claim_next_leased(
                conn,
                self.box,
                owner=self.owner,
                lane=lane,
                now=now,
                lease_seconds=self.lease_seconds,
            )

    def handed_over(self, row_id: int, sent_as: str | None = None) -> Callable[[], None]:
        """What the sender calls just before the message may be accepted (``sent_as``: an
        email's Message-ID, kept on its row from then on)."""

        def commit() -> None:
            with self.s.store.write() as conn:
                stamp = format_instant(self.s.clock.now())
                hand_over(conn, row_id, owner=self.owner, now=stamp, box=self.box, sent_as=sent_as)
            self.handed, self.handed_at = row_id, stamp

        return commit

    def write_outcome(
        self,
        write: Callable[[], None],
        what: str,
        status: str,
        provider: str | None = None,
        reference: str | None = None,
    ) -> None:
        """Record an outcome through ``write`` (one transaction) until the database takes it
        (:func:`oss_desk.services.outcome_writes.write_until_taken`); given up as the worker
        stops (the StorageError goes up, and the next owner's rule applies). A message the
        provider accepted (``status`` sent, with its ``provider`` id) is noted for the next
        owner first (:mod:`oss_desk.storage.accepted_notes`), which records it, never resends;
        the note names the row's ``reference``, so it speaks for this send only."""
        note = None
        if status == "sent" and self.handed is not None:
            table = self.box.table
            note = notes.AcceptedNote(
                self.s.store.path, table, self.handed, self.handed_at, provider, reference
            )
        try:
            write_until_taken(write, what, status, self.stop, note)
        except StorageError:
            self.given_up = True
            raise

    def after_storage_fault(self, row_id: int, exc: StorageError) -> SendResult:
        """What becomes of a claimed row after a fault of the database: before its hand-over,
        due again (nothing went); after it, the fault came from writing its outcome, which
        waited as long as it could (:meth:`write_outcome`): raised again, the row left as it
        is (never "failed": the provider may have accepted it)."""
        if isinstance(exc, DatabaseGone) or self.handed == row_id or self.given_up:
            raise exc
        log.warning("row %s of %s not sent now: %s", row_id, self.box.table, exc.message)
        return SendResult("pending", DATABASE_BEFORE_HANDING_OVER, retry=self.s.clock.now())

    def due_again(self) -> SendResult:
        """For a row left before it was handed over: certainly not accepted, due again now."""
        return SendResult("pending", STOPPED_BEFORE_HANDING_OVER, retry=self.s.clock.now())

    def noted_sent(self, row: Handed) -> SendResult | None:
        """A row left handed over that its earlier owner noted accepted as it stopped (the
        database locked: :mod:`oss_desk.storage.accepted_notes`): sent. None: no such note."""
        db, table = self.s.store.path, self.box.table
        provider = notes.accepted(db, table, row.id, row.handed_over_at, row.reference)
        return None if provider is None else SendResult("sent", provider=provider or None)

    def forget_note(self, row_id: int) -> None:
        """The row's outcome is recorded: its note (if any) is no longer needed."""
        notes.forget(self.s.store.path, self.box.table, row_id)

    def adopt_orphans(self) -> list[dict[str, Any]]:
        """The rows an earlier owner left mid-send, now this owner's to finish."""
        with self.s.store.write() as conn:
            return o.adopt_orphans(conn, self.box, owner=self.owner)

    def record(self, conn: sqlite3.Connection, row_id: int, out: Outcome, stamp: str) -> bool:
        """Record ``out`` for a row this owner claimed. False: it was not this owner's."""
        values = o.outcome_columns(out.result, stamp, out.unconfirmed)
        return o.finish(
            conn, self.box, row_id, owner=self.owner, status=out.result.status, **values
        )


R = TypeVar("R", bound=o.LeasedRow)
"""A claimed row of a lane :class:`LeasedDelivery` sends (each lane's record is a LeasedRow)."""


class LeasedDelivery(LeasedSender, Generic[R], ABC):
    """The whole life of one lane of a leased outbox a row at a time (report emails, follow-up
    texts): claim the next due row, check it is still wanted and not past its deadline, commit
    the hand-over before the request goes, record the outcome ("sent" only when the provider
    accepted it; a fault retried with the message backoff until the deadline). Each lane says
    how it sends and what else it records."""

    LANE: ClassVar[str]
    """The sender: ``smtp`` or ``notify`` (its device shows the outcome)."""
    WHAT: ClassVar[str]
    """What a row is, for the log (``report email``)."""
    LIMIT_UNCONFIRMED: ClassVar[bool] = True
    """Whether a send the provider never answered counts against sending again (SMTP); Notify
    is looked up by its reference instead."""

    # What each lane says ---------------------------------------------------------------------

    @abstractmethod
    def row(self, claimed: dict[str, Any]) -> R:
        """The claimed row as the lane's own record."""

    @abstractmethod
    def deadline(self, item: R) -> datetime:
        """When the row stops mattering: not delivered by then, it has failed."""

    def unwanted(self, item: R) -> str | None:
        """Why the row is no longer wanted (it is cancelled); None: send it."""
        return None

    def sent_as(self, item: R) -> str | None:
        """The Message-ID an email of ``item`` goes under (kept at its first hand-over), or None
        (not an email)."""
        return None

    @abstractmethod
    def send(self, item: R, now: datetime, handed_over: Callable[[], None]) -> str:
        """Send it (``handed_over()`` just before the request goes); the provider's id, or
        :class:`SendFault`."""

    def recorded(self, conn: sqlite3.Connection, item: R, result: SendResult) -> None:
        """What else the outcome records (events), in its transaction."""

    # The one life ----------------------------------------------------------------------------

    @classmethod
    def round(
        cls, session: Session, owner: str | None = None, stop: threading.Event | None = None
    ) -> SendTally:
        """Send what is due in the lane; a fault is logged, never fatal."""
        try:
            return cls(session, owner=owner, stop=stop).deliver_due()
        except DatabaseGone:
            raise  # the whole worker stops
        except (OssDeskError, sqlite3.Error) as exc:
            log.warning("%ss not sent now: %s", cls.WHAT, exc)
            return SendTally()

    @classmethod
    def next_due(cls, conn: sqlite3.Connection) -> str | None:
        """When the lane's next pending row comes due."""
        return o.next_due(conn, cls.box, cls.LANE)

    def deliver_due(self, limit: int = 1000) -> SendTally:
        return send_round(self.deliver_next, SendTally(), limit)

    def deliver_next(self, report: SendTally) -> bool:
        """Send the next due row of the lane. False: none is due."""
        now = self.s.clock.now()
        claimed = self.claim(self.LANE, now)
        if claimed is None:
            return False
        item = self.row(claimed)
        try:
            self._deliver(item, now, report)
        except StorageError as exc:  # never "failed": nothing went, or it may have been accepted
            self.finish(item, self.after_storage_fault(item.id, exc), report)
        except Exception as exc:  # one row never stops the others
            log.exception("%s %s failed unexpectedly", self.WHAT, item.id)
            self.finish(item, SendResult("failed", unexpected(exc)), report)
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
        try:
            provider = self.send(item, now, self.handed_over(item.id, self.sent_as(item)))
        except SendFault as fault:
            self.fault(item, fault, deadline, report)
            return
        self.finish(item, SendResult("sent", provider=provider), report)

    def fault(self, item: R, fault: SendFault, deadline: datetime, report: SendTally) -> None:
        now = self.s.clock.now()
        out = after_fault(fault, item, deadline, now, limit_unconfirmed=self.LIMIT_UNCONFIRMED)
        self.finish(item, out, report)

    def finish(self, item: R, done: SendResult | Outcome, report: SendTally) -> None:
        out = Outcome.of(done)
        result = out.result
        stamp = format_instant(self.s.clock.now())
        recorded = False

        def write() -> None:
            nonlocal recorded
            with self.s.store.write() as conn:
                recorded = self.record(conn, item.id, out, stamp)
                if recorded:
                    self.recorded(conn, item, result)

        what = f"{self.WHAT} {item.id}"
        self.write_outcome(write, what, result.status, result.provider, item.reference)
        if not recorded:
            return
        report.record(result, log, f"sent {self.WHAT} {item.id}", f"{self.WHAT} {item.id}")

    def recover(self, report: SendTally | None = None) -> int:
        """Rows an earlier owner left mid-send: not handed over yet, due again at once; noted
        accepted as its owner stopped, sent; else handed over (it may have been accepted), an
        unconfirmed send. What was recorded is counted in ``report``, as a round's sends are."""
        left = self.adopt_orphans()
        report = report if report is not None else SendTally()
        for row in left:
            item = self.row(row)
            noted = self.noted_sent(item)
            if item.handed_over_at is None:
                self.finish(item, self.due_again(), report)
            elif noted is not None:
                self.finish(item, noted, report)
                self.forget_note(item.id)
            else:
                wait = reply_wait(self.s, self.LANE)
                self.fault(item, lost_reply(wait), self.deadline(item), report)
        return len(left)
