"""The queue's rules: the one call order, which desk may call which ticket, and what the live
queue shows (places, estimated waits and the people ahead printed on the paper ticket).

Everything that orders or counts the queue asks this module: the statement that claims the
next ticket (``storage/queue.py`` spells :data:`CALL_ORDER` as its ``ORDER BY``), the live queue
(``oss-desk queue``, the desk screens, ``ticket show``, the paper ticket), the "Waiting for
Desk N" list and the history generator.

A desk calls the first waiting ticket of the day, in the call order, that it may call:

- it is an open adviser desk or interview room (meet-and-greet never calls from the queue; a
  desk on a break or closed does not call);
- it serves the ticket's service;
- the ticket was sent to no desk, or to this one;
- a ticket that needs a private room goes only to a desk that has one.

Priority orders the rest: an urgent or vulnerable resident flagged at meet-and-greet
(:data:`PRIORITY_URGENT`) before checked-in appointments (:data:`PRIORITY_APPOINTMENT`, sent to
their room or their adviser's desk when they have one) before the other walk-ins, so neither
needs a rule of its own.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import NamedTuple, Protocol, TypeVar

from oss_desk.domain.models import Desk, DeskKind, DeskStatus, QueueEntry, Ticket, TicketStatus

AT_DESK = (TicketStatus.CALLED, TicketStatus.SERVING)

PRIORITY_WALK_IN = 0
PRIORITY_APPOINTMENT = 1
"""A checked-in appointment: called before the walk-ins."""
PRIORITY_URGENT = 2
"""An urgent or vulnerable resident (flagged at meet-and-greet): called before everyone the
desk may call except a ticket sent to that desk."""


def priority_for(*, appointment: bool = False, urgent: bool = False) -> int:
    """A new ticket's priority: urgent first, then appointments, then walk-ins."""
    if urgent:
        return PRIORITY_URGENT
    return PRIORITY_APPOINTMENT if appointment else PRIORITY_WALK_IN


BUSY_AT_LEAST_SECONDS = 60.0
"""A desk whose resident has been there longer than usual is expected to be free in a minute,
never already free (it has not said so)."""


class Queued(Protocol):
    """What the call order and the eligibility rules read of a waiting ticket."""

    @property
    def id(self) -> int: ...
    @property
    def service(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def assigned_desk(self) -> str | None: ...
    @property
    def needs_private_room(self) -> bool: ...
    @property
    def queued_ms(self) -> int: ...


class Caller(Protocol):
    """What the eligibility rules read of a desk."""

    @property
    def id(self) -> str: ...
    @property
    def services(self) -> frozenset[str]: ...
    @property
    def private_room(self) -> bool: ...


Q = TypeVar("Q", bound=Queued)


# The call order ---------------------------------------------------------------------------------


class Direction(Enum):
    """How a term orders the tickets (``SET_FIRST``: rows where the column is set first)."""

    SET_FIRST = "set first"
    ASCENDING = "ascending"
    DESCENDING = "descending"


class OrderTerm(NamedTuple):
    """A ``tickets`` column (storage spells the ``ORDER BY`` from it), the same value's
    attribute on a :class:`Queued` ticket, and the direction."""

    column: str
    attribute: str
    direction: Direction


CALL_ORDER: tuple[OrderTerm, ...] = (
    # A ticket sent to a desk (only that desk may call it) before the others;
    OrderTerm("assigned_desk_id", "assigned_desk", Direction.SET_FIRST),
    # then urgent or vulnerable residents (priority 2), then checked-in appointments
    # (priority 1), before the other walk-ins;
    OrderTerm("priority", "priority", Direction.DESCENDING),
    # then the longest wait since arrival (kept across transfers);
    OrderTerm("queued_at", "queued_ms", Direction.ASCENDING),
    # then the ticket issued first.
    OrderTerm("id", "id", Direction.ASCENDING),
)
"""THE call order, first term first. Every desk's queue is this one order with the tickets it
may not call left out, so the order itself does not depend on the desk."""


def call_key(ticket: Queued) -> tuple[bool, int, int, int]:
    """:data:`CALL_ORDER` as a sort key (written out for speed; a test holds the two equal)."""
    return (ticket.assigned_desk is None, -ticket.priority, ticket.queued_ms, ticket.id)


def in_call_order(tickets: Iterable[Q]) -> list[Q]:
    return sorted(tickets, key=call_key)


# Who may call what ------------------------------------------------------------------------------


def calls_tickets(kind: DeskKind) -> bool:
    """Adviser desks and interview rooms call tickets; meet-and-greet issues them, never calls."""
    return kind is not DeskKind.MEET_AND_GREET


def calls_from_queue(kind: DeskKind, status: DeskStatus) -> bool:
    """Whether a desk calls from the queue now: it calls tickets at all, and it is open (not on
    a break, not closed)."""
    return status is DeskStatus.OPEN and calls_tickets(kind)


class Refusal(Enum):
    """Why a desk may not call a ticket."""

    NOT_SERVED = "the desk does not serve the ticket's service"
    NO_PRIVATE_ROOM = "the ticket needs a private room and the desk has none"
    SENT_ELSEWHERE = "the ticket was sent to another desk"


def refusal(desk: Caller, ticket: Queued) -> Refusal | None:
    """Why ``desk`` (when it calls at all) may not call ``ticket``; None when it may: it serves
    the service, the ticket was sent to no desk or to this one, and a private-room need finds a
    private room."""
    if ticket.service not in desk.services:
        return Refusal.NOT_SERVED
    if ticket.needs_private_room and not desk.private_room:
        return Refusal.NO_PRIVATE_ROOM
    if ticket.assigned_desk is not None and ticket.assigned_desk != desk.id:
        return Refusal.SENT_ELSEWHERE
    return None


def can_call(desk: Caller, ticket: Queued) -> bool:
    """Whether ``desk`` (when it calls at all) may call ``ticket``: :func:`refusal` is None."""
    return refusal(desk, ticket) is None


def next_for(desk: Caller, waiting: Iterable[Q]) -> Q | None:
    """The ticket "call next" at ``desk`` claims: the first of ``waiting`` (in call order) that
    it may call."""
    return next((t for t in waiting if can_call(desk, t)), None)


# The plan behind estimates and "people ahead" ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedCall:
    desk_id: str
    after_seconds: float
    """When the ticket is expected to be called, from now."""
    ahead: int
    """The people ahead: see :func:`plan_calls`."""


def plan_calls(
    waiting: Sequence[Q], desks: Sequence[tuple[Caller, float]], seconds: Callable[[Q], float]
) -> dict[int, PlannedCall]:
    """What will happen if nobody else arrives: every desk of ``desks`` (each with the seconds
    until it is free, 0 when free now) calls, as soon as it is free, the first waiting ticket it
    may call (:func:`next_for`; desks free at the same moment call in the order of their ids),
    and each visit takes ``seconds(ticket)``. ``waiting`` is in call order.

    For each ticket some desk may call, the plan says when it is called (``after_seconds``)
    and its **people ahead**: the number of waiting tickets called before it, at an earlier
    moment, to a desk that may also call it. (Tickets called at the same moment as it are not
    ahead of it, nor is one called to a desk that may not call it.) A ticket no desk in
    ``desks`` may call is not in the result: its wait is unknown.

    So the plan's first call is exactly what that desk's "call next" claims, and a ticket sent
    to a desk has only that desk's queue in front of it. ``tests/test_call_order.py`` empties
    real queues this way through the real services and finds every estimate and count true.
    """
    heap = [(max(0.0, free_in), desk.id, i) for i, (desk, free_in) in enumerate(desks)]
    heapq.heapify(heap)
    remaining = list(waiting)
    earlier = [0] * len(desks)  # calls planned per desk before the current moment
    at_now = [0] * len(desks)  # and at it
    now = 0.0
    plan: dict[int, PlannedCall] = {}
    while heap and remaining:
        free_at, desk_id, index = heapq.heappop(heap)
        if free_at > now:  # the heap gives the moments in order
            earlier = [a + b for a, b in zip(earlier, at_now, strict=True)]
            at_now, now = [0] * len(desks), free_at
        desk = desks[index][0]
        chosen = next((k for k, t in enumerate(remaining) if can_call(desk, t)), None)
        if chosen is None:
            continue  # nothing it may call is waiting: it stays free
        ticket = remaining.pop(chosen)
        ahead = sum(
            n for (by, _free), n in zip(desks, earlier, strict=True) if n and can_call(by, ticket)
        )
        plan[ticket.id] = PlannedCall(desk_id, free_at, ahead)
        at_now[index] += 1
        heapq.heappush(heap, (free_at + seconds(ticket), desk_id, index))
    return plan


# The live queue ---------------------------------------------------------------------------------


def live_queue(
    tickets: Sequence[Ticket],
    *,
    desks: Iterable[Desk],
    statuses: Mapping[str, DeskStatus],
    typical: Mapping[str, float],
    default_seconds: float,
    now: datetime,
) -> list[QueueEntry]:
    """The live queue of a site: the tickets at desks, then the waiting ones in call order, each
    waiting one with its place, its wait so far, and its estimated wait and people ahead (from
    :func:`plan_calls`; None when no open desk may call it).

    ``tickets`` are the site's waiting, called and serving tickets of the day; ``statuses`` the
    desks' current statuses. A desk with a resident is expected to be free the service's typical
    time (``typical``, else ``default_seconds``) after the call, and in no less than a minute.
    """

    def seconds(t: Queued) -> float:
        return typical.get(t.service, default_seconds)

    busy: dict[str, float] = {}
    for t in tickets:
        if t.status in AT_DESK and t.desk is not None:
            since = (now - (t.called_at or now)).total_seconds()
            busy[t.desk] = max(BUSY_AT_LEAST_SECONDS, seconds(t) - since)
    free = [
        (d, busy.get(d.id, 0.0))
        for d in desks
        if calls_from_queue(d.kind, statuses.get(d.id, d.status))
    ]
    waiting = in_call_order(t for t in tickets if t.status is TicketStatus.WAITING)
    plan = plan_calls(waiting, free, seconds)
    entries = [
        QueueEntry(t, position=None, wait_seconds=_waited(t, now), estimated_wait_seconds=None)
        for t in tickets
        if t.status in AT_DESK
    ]
    for place, t in enumerate(waiting, start=1):
        planned = plan.get(t.id)
        entries.append(
            QueueEntry(
                t,
                position=place,
                wait_seconds=_waited(t, now),
                estimated_wait_seconds=None if planned is None else int(planned.after_seconds),
                ahead=None if planned is None else planned.ahead,
            )
        )
    return entries


def _waited(ticket: Ticket, now: datetime) -> int:
    return max(0, int((now - ticket.queued_at).total_seconds()))


def waiting_for(desk: Caller, entries: Iterable[QueueEntry]) -> list[QueueEntry]:
    """The waiting tickets ``desk`` may call, in call order, each with its place in this
    desk's queue (the "Waiting for Desk N" list): the first is what its "call next" claims
    when it is open and free."""
    mine = (e for e in entries if e.ticket.status is TicketStatus.WAITING)
    callable_here = (e for e in mine if can_call(desk, e.ticket))
    return [replace(e, position=place) for place, e in enumerate(callable_here, start=1)]
