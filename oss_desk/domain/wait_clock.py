"""The live queue's wait clock: how long a resident has waited so far, and whether they are past
the target, by the report's own rule, so the queue's "over the target" never counts a wait the
report does not.

The clock starts at arrival, or for an appointment at the later of check-in and the booked time
(:func:`oss_desk.domain.wait_target.clock_start`, the report's). A resident's wait is their time
in the queue on this visit, never their time at a desk: from the clock's start to their visit's
first contact (the contact the report rates), then, once sent on (:func:`sent_on`), from when
they were sent on: to another service (a new ticket, issued then), or back to the queue from an
adviser's desk, keeping their ticket, for a desk or a colleague of the same service
(:func:`joined`). Their place in the queue keeps the arrival either way. A resident who has had
their first contact is never past the target live (:func:`past_target`): the report has rated
that contact already.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from oss_desk.domain.epoch import epoch_ms
from oss_desk.domain.models import QueueEntry, Ticket, TicketStatus
from oss_desk.domain.wait_target import clock_start, over_target


def waited_seconds(
    arrived: datetime,
    booked: datetime | None,
    now: datetime,
    *,
    issued: datetime | None = None,
    seen: datetime | None = None,
) -> int:
    """A visitor's wait so far by the report's clock (:func:`clock_start`), in whole seconds,
    never below 0: what the live queue and the greet lists show.

    A resident sent on after their visit's first contact (``seen``) waited from the clock's
    start to that contact, and waits again from when they joined the queue they wait in now
    (``issued``: :func:`joined`; :func:`sent_on`): their time at the desk is no wait (a
    resident seen after a minute, served 13 minutes, then sent on 3 minutes ago has waited 4).
    """
    start_ms = clock_start(epoch_ms(arrived), None if booked is None else epoch_ms(booked))
    if seen is not None and (again := sent_on(issued, seen)) is not None:
        before = max(0, epoch_ms(seen) - start_ms)
        return (before + max(0, epoch_ms(now) - max(start_ms, epoch_ms(again)))) // 1000
    return max(0, (epoch_ms(now) - start_ms) // 1000)


def sent_on(issued: datetime | None, seen: datetime | None) -> datetime | None:
    """When a resident holding a ticket that joined the queue ``issued`` then was sent on after
    their visit's first contact (``seen``); None: they have not been (never seen yet, or this is
    the ticket they were seen on and it never went back to the queue from a desk, or moved while
    still waiting: their clock runs on from arrival)."""
    return issued if issued is not None and seen is not None and seen <= issued else None


def joined(issued: datetime, sent_back: datetime | None) -> datetime:
    """When a ticket joined the queue it waits in now: when it was issued (a new ticket, as after
    a transfer to another service), or, later, when an adviser ``sent_back`` it from their desk,
    keeping its number (to a desk or a colleague of the same service)."""
    return sent_back if sent_back is not None and sent_back > issued else issued


@dataclass(frozen=True, slots=True)
class WaitClock:
    """What the live queue's waits are counted from."""

    booked: Mapping[int, datetime] = field(default_factory=dict)
    """The booked start of the appointment each visit checked in for (by visit id)."""
    seen: Mapping[int, datetime] = field(default_factory=dict)
    """Each visit's first contact, the report's ``seen`` (by visit id)."""
    sent_back: Mapping[int, datetime] = field(default_factory=dict)
    """When an adviser last sent each ticket back to the queue from their desk, keeping its
    number (by ticket id)."""

    def waited(self, ticket: Ticket, now: datetime) -> int:
        """``ticket``'s wait at ``now`` (:func:`waited_seconds`)."""
        return waited_seconds(
            ticket.queued_at,
            self.booked.get(ticket.visit_id),
            now,
            issued=joined(ticket.issued_at, self.sent_back.get(ticket.id)),
            seen=self.seen.get(ticket.visit_id),
        )

    def was_seen(self, ticket: Ticket) -> bool:
        """Whether ``ticket``'s visit has had its first contact (the report's ``seen``)."""
        return ticket.visit_id in self.seen


def past_target(entry: QueueEntry, target_seconds: int) -> bool:
    """THE live "over the target": a resident waiting past the target who has had no first
    contact yet (one sent on after it has had the contact the report rates, however long they
    wait now): every desk's count, the command line's flag and the red wait ask this."""
    return not entry.seen and over_target(entry.wait_seconds, target_seconds)


def unseen_past_target(
    entries: Iterable[QueueEntry], seen: Mapping[int, datetime], target_seconds: int
) -> int:
    """The visitors waiting in the live queue past the target who have had no first contact
    (``seen``: :attr:`WaitClock.seen`): whatever happens now, each misses the target (the
    running figure counts them so, :func:`oss_desk.domain.report_figures.running_within`).
    A resident sent on after being seen is not one: their visit's contact is already rated."""
    return len(
        {
            e.ticket.visit_id
            for e in entries
            if e.ticket.status is TicketStatus.WAITING
            and e.ticket.visit_id not in seen
            and past_target(e, target_seconds)
        }
    )
