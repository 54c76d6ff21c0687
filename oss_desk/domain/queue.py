"""The queue's rules: the one call order, which desk may call which ticket, and what the live
queue shows (places, estimated waits and the people ahead printed on the paper ticket).

Everything that orders or counts the queue asks this module: the statement that claims the
next ticket (``storage/queue.py`` spells :data:`CALL_ORDER` as its ``ORDER BY``), the live queue
(``oss-desk queue``, the desk screens, ``ticket show``, the paper ticket), the "Waiting for
Desk N" list and the history generator.

A desk calls the first waiting ticket of the day, in the call order, that it may call:

- it is an open adviser desk or interview room (meet-and-greet never calls from the queue; a
  desk on a break or closed does not call) with someone logged in to it (with
  ``queue.staffed_desks_only``; see :class:`Floor`);
- the ticket is in the queue, not parked at a desk (a parked ticket waits for its desk to
  resume it);
- it serves the ticket's service;
- the ticket was sent to no desk, or to this one; and to no person, or to the one logged in
  here;
- a ticket that needs a private room goes only to a desk that has one;
- **needs route**: a ticket whose needs only some desks meet (BSL, an interpreter language, a
  hearing loop, step-free access: ``domain.needs.requirement``) goes to a desk that meets them
  best among the desks someone is logged in to that may otherwise call it (:func:`fit`; a
  signer counts for more than all the rest together). So a ticket that needs BSL is never
  called to a desk with nobody who signs while someone who signs is logged in to a desk that
  may call it; when no such desk is staffed, any desk may.

Priority orders the rest: an urgent or vulnerable resident flagged at meet-and-greet
(:data:`PRIORITY_URGENT`) before checked-in appointments (:data:`PRIORITY_APPOINTMENT`, sent to
their room or their adviser's desk when they have one) before the other walk-ins, so neither
needs a rule of its own. A called ticket recycled (the resident did not hear the call) is
waiting again with its arrival time, so it is back at its place. So is a resident transferred
to another service, except at the desk that transferred them: its next call passes over them
while there is anyone else it may call (:func:`passed_over`). Residents who arrived in the same
instant are called in the order they were recorded, a transferred one's new ticket too.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import NamedTuple, Protocol, TypeVar

from oss_desk.domain import needs
from oss_desk.domain.models import Desk, DeskKind, DeskStatus, QueueEntry, Ticket, TicketStatus
from oss_desk.domain.needs import BSL
from oss_desk.domain.wait_clock import WaitClock
from oss_desk.domain.worded import Worded

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


URGENT_MARK = "Urgent"
"""How the staff's lists mark an urgent or vulnerable resident (the reason they are first).
Sensitive: never on the public board, the waiting-room screen or the printed ticket."""


def is_urgent(ticket: Ticket) -> bool:
    """Whether ``ticket`` was flagged urgent or vulnerable at meet-and-greet."""
    return ticket.priority >= PRIORITY_URGENT


FLAG_HEADING = "Flag"
"""What the staff's lists and panels call :func:`staff_marks`: a flag on the ticket, shown
apart from its needs (urgent is not an adjustment the resident asked for)."""


def staff_marks(ticket: Ticket) -> tuple[str, ...]:
    """The ticket's flags the staff see (under :data:`FLAG_HEADING`, apart from its needs):
    "Urgent" for an urgent resident."""
    return (URGENT_MARK,) if is_urgent(ticket) else ()


def marks_said(ticket: Ticket) -> str:
    """A ticket's flag and needs on one line of plain text, as the desk's panel shows them:
    "Flag: Urgent  Needs: BSL interpreter, Interpreter (Polish)" ("" when it has neither).
    For text with no columns (the command line's queue); tables show the flag in a column of
    its own and the needs by :func:`oss_desk.domain.needs.short_need`."""
    said = []
    if flags := ", ".join(staff_marks(ticket)):
        said.append(f"{FLAG_HEADING}: {flags}")
    if ticket.needs:
        said.append(f"Needs: {needs.needs_words(ticket.needs)}")
    return "  ".join(said)


class CancelReason(Worded):
    """Why the desk cancels a ticket (``ticket cancel --reason``; F4 X asks which), in the words
    the desk offers. The reports count each on its own line: a resident who left unseen is a
    walk-out (a miss after the target); a ticket issued in error had no visitor."""

    LEFT = "left", "Left: the resident went before being seen (a walk-out)"
    ERROR = "error", "Issued in error: there was no resident (not a walk-out)"

    @property
    def said(self) -> str:
        """How a notice says what was recorded: "the resident left", "issued in error"."""
        return "the resident left" if self is CancelReason.LEFT else "issued in error"


BUSY_AT_LEAST_SECONDS = 60.0
"""A desk with a resident is never expected to be free in less than a minute (it has not said
so)."""


def free_in(typical: float, since: float) -> float:
    """When a desk whose resident has been there ``since`` seconds, for a service that takes
    ``typical`` seconds, is expected to be free: the rest of the typical time, or half as long
    again as the visit has run, whichever is longer (a long visit tends to run on: a resident
    40 minutes into an 8-minute visit does not make the room's estimates say "about 1
    minute"); at least a minute. Continuous in ``since``: the estimates behind a desk never
    jump as a visit passes its typical time."""
    return max(BUSY_AT_LEAST_SECONDS, typical - since, since / 2)


class Queued(Protocol):
    """What the call order and the eligibility rules read of a waiting ticket."""

    @property
    def id(self) -> int: ...
    @property
    def visit_id(self) -> int: ...
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
    @property
    def assigned_person(self) -> str | None: ...
    @property
    def requires(self) -> frozenset[str]: ...
    @property
    def parked(self) -> bool: ...
    @property
    def passed_over_by(self) -> str | None: ...


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
    # then one sent to a person (only the desk they are logged in to may call it);
    OrderTerm("assigned_person", "assigned_person", Direction.SET_FIRST),
    # then urgent or vulnerable residents (priority 2), then checked-in appointments
    # (priority 1), before the other walk-ins;
    OrderTerm("priority", "priority", Direction.DESCENDING),
    # then the longest wait since arrival (kept across transfers);
    OrderTerm("queued_at", "queued_ms", Direction.ASCENDING),
    # then, arrived in the same instant, the resident recorded first: the visit, which a
    # transfer keeps (its new ticket is newer than those of residents recorded after it);
    OrderTerm("visit_id", "visit_id", Direction.ASCENDING),
    # then the ticket issued first.
    OrderTerm("id", "id", Direction.ASCENDING),
)
"""THE call order, first term first. Every desk's queue is this one order with the tickets it
may not call left out, so the order itself does not depend on the desk."""

CALL_ORDER_WORDS = (
    "tickets sent to this desk (or to the person at it), then urgent residents, then "
    "checked-in appointments, then the longest wait since arrival"
)
""":data:`CALL_ORDER` in words: the adviser's F1 and the README's ``ticket call-next`` say
them (tests hold them in the order's order, and the README to them)."""


def call_key(ticket: Queued) -> tuple[bool, bool, int, int, int, int]:
    """:data:`CALL_ORDER` as a sort key (written out for speed; a test holds the two equal)."""
    return (
        ticket.assigned_desk is None,
        ticket.assigned_person is None,
        -ticket.priority,
        ticket.queued_ms,
        ticket.visit_id,
        ticket.id,
    )


def in_call_order(tickets: Iterable[Q]) -> list[Q]:
    return sorted(tickets, key=call_key)


def passed_over(desk_id: str, ticket: Queued) -> bool:
    """Whether the next call at ``desk_id`` passes over ``ticket``: the resident was at that
    desk and was transferred from it to another service (``passed_over_by``). The adviser who
    has just sent a resident to, say, Housing expects the next resident, not the same one back:
    so that desk's next call takes every other ticket it may call first, and this one only when
    there is no other. Every other desk calls them at their kept place. The desk's next call
    (whichever ticket it takes) ends it: after that the desk calls them at their place too, so
    nobody waits behind a stream of later arrivals for having been transferred."""
    return ticket.passed_over_by == desk_id


def called_back_words(desk_name: str) -> str:
    """What "call next" says when it takes a resident the desk transferred (:func:`passed_over`):
    nobody else it may call was waiting."""
    return f"the resident this desk transferred; nobody else is waiting for {desk_name}"


def desk_order(desk_id: str, tickets: Iterable[Q]) -> list[Q]:
    """``tickets`` (in call order) in the order the next call at ``desk_id`` takes them: those
    it passes over (:func:`passed_over`) last."""
    return sorted(tickets, key=lambda t: passed_over(desk_id, t))


# Who may call what ------------------------------------------------------------------------------


def calls_tickets(kind: DeskKind) -> bool:
    """Adviser desks and interview rooms call tickets; meet-and-greet issues them, never calls."""
    return kind is not DeskKind.MEET_AND_GREET


def calls_from_queue(kind: DeskKind, status: DeskStatus) -> bool:
    """Whether a desk calls from the queue now: it calls tickets at all, and it is open (not on
    a break, not closed)."""
    return status is DeskStatus.OPEN and calls_tickets(kind)


@dataclass(frozen=True, slots=True)
class Floor:
    """Who is logged in to which desk of an office, and what each desk can meet: what the
    person and needs rules read besides the desk and the ticket. (No floor: nobody is logged
    in anywhere, and nothing is routed.)"""

    people: Mapping[str, str] = field(default_factory=dict)
    """Desk id to the person logged in to it."""
    capabilities: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Desk id to what it can meet: its facilities and its person's skills."""
    staffed: tuple[Caller, ...] = ()
    """The desks that call tickets and have someone logged in (open or on a break): those a
    ticket with requirements is routed among."""

    def person_at(self, desk_id: str) -> str | None:
        return self.people.get(desk_id)

    def can_meet(self, desk_id: str) -> frozenset[str]:
        return self.capabilities.get(desk_id, frozenset())


NOBODY = Floor()

BSL_WEIGHT = 10
"""In :func:`fit`, a signer counts for more than every other requirement a ticket can have
(at most one language, a loop and step-free access)."""


def fit(capabilities: frozenset[str], requires: frozenset[str]) -> int:
    """How well a desk that can meet ``capabilities`` meets a ticket's ``requires``: one point
    per requirement met, :data:`BSL_WEIGHT` for a signer."""
    met = requires & capabilities
    return len(met) + (BSL_WEIGHT - 1) * (BSL in met)


class Refusal(Enum):
    """Why a desk may not call a ticket."""

    PARKED = "the ticket is parked at a desk, to be resumed there"
    NOT_SERVED = "the desk does not serve the ticket's service"
    NO_PRIVATE_ROOM = "the ticket needs a private room and the desk has none"
    SENT_ELSEWHERE = "the ticket was sent to another desk"
    SENT_TO_SOMEONE = "the ticket was sent to a colleague who is not logged in here"
    NEEDS_ELSEWHERE = "another desk with someone logged in meets the ticket's needs better"


def never_called_at(desk: Caller, service: str, private_room: bool) -> Refusal | None:
    """Why a ticket of ``service`` (``private_room``: it needs one) is never called at
    ``desk``, whoever is there: the desk does not serve the service, or has no private room.
    A ticket sent there (a transfer, or to the colleague logged in there) would wait unseen:
    refused (``ticket transfer``, the desk's T), and sent back when it comes to that
    (:func:`oss_desk.domain.sent_to.sent_nowhere`). None when it may be."""
    if service not in desk.services:
        return Refusal.NOT_SERVED
    if private_room and not desk.private_room:
        return Refusal.NO_PRIVATE_ROOM
    return None


def _placed(desk: Caller, ticket: Queued, floor: Floor) -> Refusal | None:
    """Every rule but the needs routing."""
    if ticket.parked:
        return Refusal.PARKED
    if (never := never_called_at(desk, ticket.service, ticket.needs_private_room)) is not None:
        return never
    if ticket.assigned_desk is not None and ticket.assigned_desk != desk.id:
        return Refusal.SENT_ELSEWHERE
    if ticket.assigned_person is not None and floor.person_at(desk.id) != ticket.assigned_person:
        return Refusal.SENT_TO_SOMEONE
    return None


def best_fit(ticket: Queued, floor: Floor) -> int:
    """The best :func:`fit` for ``ticket`` among the staffed desks that may otherwise call it
    (0 when none)."""
    requires = ticket.requires
    return max(
        (
            fit(floor.can_meet(other.id), requires)
            for other in floor.staffed
            if _placed(other, ticket, floor) is None
        ),
        default=0,
    )


def refusal(desk: Caller, ticket: Queued, floor: Floor = NOBODY) -> Refusal | None:
    """Why ``desk`` (when it calls at all) may not call ``ticket``; None when it may: the
    ticket is not parked, the desk serves the service, the ticket was sent to no desk or to
    this one and to no person or to the one logged in here, a private-room need finds a
    private room, and no other staffed desk meets the ticket's needs better (see the module's
    rules)."""
    placed = _placed(desk, ticket, floor)
    if placed is not None:
        return placed
    requires = ticket.requires
    if requires and fit(floor.can_meet(desk.id), requires) < best_fit(ticket, floor):
        return Refusal.NEEDS_ELSEWHERE
    return None


def can_call(desk: Caller, ticket: Queued, floor: Floor = NOBODY) -> bool:
    """Whether ``desk`` (when it calls at all) may call ``ticket``: :func:`refusal` is None."""
    return refusal(desk, ticket, floor) is None


def next_for(desk: Caller, waiting: Iterable[Q], floor: Floor = NOBODY) -> Q | None:
    """The ticket "call next" at ``desk`` claims: the first of ``waiting`` (in call order) that
    it may call, passing over the residents it has just transferred (:func:`passed_over`)."""
    return next((t for t in desk_order(desk.id, waiting) if can_call(desk, t, floor)), None)


class Placed(Queued, Protocol):
    """A waiting ticket and the desk it is at (a parked one: the desk that parked it)."""

    @property
    def desk(self) -> str | None: ...


def calls_now(
    kind: DeskKind, status: DeskStatus, staffed: bool, *, staffed_only: bool = False
) -> bool:
    """Whether a desk calls from the queue now: it calls tickets, it is open, and (with
    ``staffed_only``: ``queue.staffed_desks_only``) someone is logged in to it."""
    return calls_from_queue(kind, status) and (staffed or not staffed_only)


# The plan behind estimates and "people ahead" ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlannedCall:
    desk_id: str
    after_seconds: float
    """When the ticket is expected to be called, from now."""
    ahead: int
    """The people ahead: see :func:`plan_calls`."""


def plan_calls(
    waiting: Sequence[Q],
    desks: Sequence[tuple[Caller, float]],
    seconds: Callable[[Q], float],
    floor: Floor = NOBODY,
) -> dict[int, PlannedCall]:
    """What will happen if nobody else arrives: every desk of ``desks`` (each with the seconds
    until it is free, 0 when free now) calls, as soon as it is free, the first waiting ticket it
    may call (:func:`next_for`, so its first call passes over those it transferred; desks free
    at the same moment call in the order of their ids),
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
    called = [False] * len(desks)  # its first call passes over those it transferred
    plan: dict[int, PlannedCall] = {}
    while heap and remaining:
        free_at, desk_id, index = heapq.heappop(heap)
        if free_at > now:  # the heap gives the moments in order
            earlier = [a + b for a, b in zip(earlier, at_now, strict=True)]
            at_now, now = [0] * len(desks), free_at
        desk = desks[index][0]
        order = remaining if called[index] else desk_order(desk.id, remaining)
        ticket = next((t for t in order if can_call(desk, t, floor)), None)
        if ticket is None:
            continue  # nothing it may call is waiting: it stays free
        del remaining[next(k for k, t in enumerate(remaining) if t is ticket)]
        called[index] = True
        ahead = sum(
            n
            for (by, _free), n in zip(desks, earlier, strict=True)
            if n and can_call(by, ticket, floor)
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
    floor: Floor = NOBODY,
    staffed_only: bool = False,
    clock: WaitClock | None = None,
    only: int | None = None,
) -> list[QueueEntry]:
    """The live queue of a site: the tickets at desks, then the waiting ones in call order, each
    waiting one with its place, its wait so far, and its estimated wait and people ahead (from
    :func:`plan_calls`; None when no open desk may call it), then the parked ones (no place).

    ``tickets`` are the site's waiting, called and serving tickets of the day; ``statuses`` the
    desks' current statuses; ``floor`` who is logged in where (with ``staffed_only``, only
    desks someone is logged in to call and count). A desk with a resident is expected to be
    free the service's typical time (``typical``, else ``default_seconds``) after the call, and
    in no less than a minute.

    Each wait runs from when the 15-minute clock started (``clock``, the report's rule:
    :mod:`oss_desk.domain.wait_clock`): arrival, for an appointment the later of check-in and
    the booked time, to their visit's first contact, then, for a resident sent on after it (to
    another service, or back to the queue from a desk), again from when they were sent on (the
    time at a desk is no wait); for a ticket at a desk, it ends at its call.

    ``only``: the line of that ticket alone (a printed ticket's, or a screen's for one
    resident), laid out from the same whole queue; the others' lines are not made.
    """
    _clock = clock or WaitClock()
    _waited, _seen = _clock.waited, _clock.was_seen

    def seconds(t: Queued) -> float:
        return typical.get(t.service, default_seconds)

    busy: dict[str, float] = {}
    for t in tickets:
        if t.status in AT_DESK and t.desk is not None:
            since = (now - (t.called_at or now)).total_seconds()
            busy[t.desk] = free_in(seconds(t), since)
    free = [
        (d, busy.get(d.id, 0.0))
        for d in desks
        if calls_now(
            d.kind,
            statuses.get(d.id, d.status),
            floor.person_at(d.id) is not None,
            staffed_only=staffed_only,
        )
    ]
    waiting = in_call_order(t for t in tickets if t.queued)
    plan = plan_calls(waiting, free, seconds, floor)
    entries = [  # at a desk: the wait until the call
        QueueEntry(
            t,
            position=None,
            wait_seconds=_waited(t, t.called_at or now),
            estimated_wait_seconds=None,
            seen=_seen(t),
        )
        for t in tickets
        if t.status in AT_DESK and only in (None, t.id)
    ]
    for place, t in enumerate(waiting, start=1):
        if only not in (None, t.id):
            continue
        planned = plan.get(t.id)
        entries.append(
            QueueEntry(
                t,
                position=place,
                wait_seconds=_waited(t, now),
                estimated_wait_seconds=None if planned is None else int(planned.after_seconds),
                ahead=None if planned is None else planned.ahead,
                seen=_seen(t),
            )
        )
    entries.extend(
        QueueEntry(
            t,
            position=None,
            wait_seconds=_waited(t, now),
            estimated_wait_seconds=None,
            seen=_seen(t),
        )
        for t in tickets
        if t.parked and only in (None, t.id)
    )
    return entries


def waiting_for(
    desk: Caller, entries: Iterable[QueueEntry], floor: Floor = NOBODY
) -> list[QueueEntry]:
    """The waiting tickets ``desk`` may call, in call order, each with its place in this
    desk's queue (the "Waiting for Desk N" list): the first is what its "call next" claims
    when it is open and free (those it has just transferred last: :func:`passed_over`)."""
    mine = (e for e in entries if e.ticket.queued and can_call(desk, e.ticket, floor))
    in_turn = sorted(mine, key=lambda e: passed_over(desk.id, e.ticket))
    return [replace(e, position=place) for place, e in enumerate(in_turn, start=1)]


def waiting_by_service(entries: Iterable[QueueEntry]) -> dict[str, tuple[int, int]]:
    """How many of ``entries`` wait per service and the longest wait (seconds), in the order
    the services first appear: the breakdown under a desk's "Waiting for Desk N" list, given
    that list (:func:`waiting_for`), so the two always add up."""
    counts: dict[str, tuple[int, int]] = {}
    for e in entries:
        n, longest = counts.get(e.ticket.service, (0, 0))
        counts[e.ticket.service] = (n + 1, max(longest, e.wait_seconds))
    return counts


def parked_here(desk_id: str, entries: Iterable[QueueEntry]) -> list[QueueEntry]:
    """The tickets parked at a desk, longest parked first."""
    mine = [e for e in entries if e.ticket.parked and e.ticket.desk == desk_id]
    return sorted(mine, key=lambda e: (e.ticket.parked_at, e.ticket.id))
