"""What a transfer says of the resident's place in the new service is where they really are
(trial 8 C3: a checked-in appointment's ticket went first in Benefits while the new-code dialog
said "same place in the queue"). The words come from one home
(``domain.counter.transferred_place``), which the adviser's new-code dialog and the team
leader's notice both ask; here they are held to the live queue after each transfer, on a real
database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.counter import transferred_place
from oss_desk.domain.models import Ticket, TicketStatus
from oss_desk.domain.queue import PRIORITY_WALK_IN, priority_for
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session

from .appointments_site import make_office, service_at
from .conftest import make_db, site_toml


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)  # Monday, GMT


def waiting_in(queue: QueueService, service: str) -> list[Ticket]:
    """The service's waiting tickets in the order the desks will call them."""
    return [
        e.ticket
        for e in sorted(queue.queue(), key=lambda e: e.position or 0)
        if e.ticket.service == service and e.ticket.status is TicketStatus.WAITING
    ]


def said_and_placed(queue: QueueService, ticket: Ticket, clock: FixedClock) -> tuple[str, Ticket]:
    """Call ``ticket`` to Desk 1, start, transfer it to Waste: the words, and the new ticket."""
    queue.call(ticket.id, "desk-1")
    queue.start(ticket.id)
    moved = queue.transfer(ticket.id, service="W")
    words = transferred_place("Waste", f"{ticket.queued_at:%H:%M}", moved.priority)
    return words, moved


def test_the_transfer_says_the_place_the_new_ticket_really_has(tmp_path: Path) -> None:
    db = make_office(tmp_path, now=at(9, 0), printer=f"capture://{tmp_path}/slips.bin")
    clock = FixedClock(at(9, 30))
    appointments, session = service_at(db, clock)
    queue = QueueService(session)
    try:
        booked = appointments.book("C", at(10, 0), channel="slip", adviser="ana")
        clock.set(at(9, 40))
        queue.issue("W", print_ticket=False)  # W001, 9:40
        clock.set(at(9, 45))
        walk_in = queue.issue("C", print_ticket=False).ticket  # 9:45
        clock.set(at(9, 50))
        queue.issue("W", print_ticket=False)  # W002, 9:50
        clock.set(at(9, 55))
        appointment = appointments.check_in(booked.ref)  # 9:55, an appointment's priority
        clock.set(at(9, 58))
        urgent = queue.issue("C", print_ticket=False, priority=priority_for(urgent=True)).ticket
        clock.set(at(10, 5))

        # A walk-in keeps its place by arrival: after W001 (9:40), before W002 (9:50).
        words, moved = said_and_placed(queue, walk_in, clock)
        assert words == "Waste, same place in the queue (arrived 09:45)"
        order = waiting_in(queue, "W")
        assert order == sorted(order, key=lambda t: t.queued_at)
        assert [t.code for t in order].index(moved.code) == 1

        # A checked-in appointment (arrived last of them) goes ahead of every walk-in.
        words, moved = said_and_placed(queue, appointment, clock)
        assert words == (
            "Waste, ahead of the walk-ins: an appointment keeps its priority (arrived 09:55)"
        )
        order = waiting_in(queue, "W")
        assert order[0].code == moved.code
        walk_ins = [t for t in order if t.priority == PRIORITY_WALK_IN]
        assert walk_ins and all(t.queued_at < moved.queued_at for t in walk_ins)

        # An urgent resident stays urgent: ahead of the appointment too.
        words, moved = said_and_placed(queue, urgent, clock)
        assert words == "Waste, ahead of the others: still urgent (arrived 09:58)"
        order = waiting_in(queue, "W")
        assert order[0].code == moved.code and len(order) == 5
    finally:
        session.close()


def test_a_transfer_keeps_its_place_against_a_later_arrival_of_the_same_instant(
    tmp_path: Path,
) -> None:
    """Two residents recorded in the same millisecond (two meet-and-greet desks, or a fast
    machine): C001 first, then B001. C001 transferred to Benefits becomes a newer ticket with
    C001's arrival: it is still the first of them to arrive, so the queue shows it first and
    Desk 2's next call takes it first (its newer ticket's id put it after B001)."""
    clock = FixedClock(at(9, 40))
    session = open_session(db=make_db(tmp_path, site_toml()), person="tl", clock=clock)
    queue = QueueService(session)
    try:
        first = queue.issue("C", print_ticket=False).ticket
        later = queue.issue("B", print_ticket=False).ticket
        assert first.queued_at == later.queued_at  # the same instant, C001 recorded first
        clock.set(at(9, 45))
        queue.call(first.id, "desk-1")
        moved = queue.transfer(first.id, service="B")
        assert moved.queued_at == later.queued_at
        assert [t.code for t in waiting_in(queue, "B")] == [moved.code, later.code]
        called = queue.call_next("desk-2")  # Desk 1 would pass over the resident it sent
        assert called is not None and called.code == moved.code
    finally:
        session.close()
