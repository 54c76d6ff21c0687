"""A resident sent on to another service after being seen has waited their wait before that
contact and waits again from when they were sent on; their time at the desk is no wait
(``oss_desk.domain.wait_clock.waited_seconds``): the live queue's wait and the desk's "waited"
never count the desk's time (a tester saw "H 3·16m" for a resident seen after a minute), never
start again at "0m" (a tester saw "Wait 0m" for a resident who had waited 12 minutes), and
"over the target" never counts a resident the report has rated already. A resident moved to
another service while still waiting keeps the arrival's clock. A resident sent back to the
queue from a desk, keeping their ticket, for a desk or a colleague of the same service, waits
from the send too. On a real SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.wait_clock import joined, past_target, sent_on, waited_seconds
from oss_desk.domain.wait_target import WaitBand, entry_band, over_target
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session, open_session

from .appointments_site import make_office


@contextmanager
def greet_and_desk(
    tmp_path: Path, start: datetime
) -> Iterator[tuple[FixedClock, Session, QueueService, QueueService]]:
    """The office at ``start`` (a fixed clock), with the team leader at meet-and-greet and Ana
    at desk 1: the clock, the leader's session and both queues; closed when the block ends."""
    db = make_office(tmp_path)
    clock = FixedClock(start)
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    desk = open_session(db=db, clock=clock, person="ana", desk_id="desk-1")
    try:
        yield clock, greet, QueueService(greet), QueueService(desk)
    finally:
        greet.close()
        desk.close()


T0 = datetime(2026, 11, 23, 9, 45, tzinfo=UTC)
TARGET = 15 * 60


def test_a_transferred_resident_waits_from_being_sent_on_as_the_report_counts(
    tmp_path: Path,
) -> None:
    with greet_and_desk(tmp_path, T0 - timedelta(minutes=5)) as (clock, greet, at_greet, at_desk):
        waste = at_greet.issue("W", print_ticket=False).ticket  # 09:40, never called
        moved = at_greet.issue("W", print_ticket=False).ticket  # 09:40, moved while waiting
        clock.set(T0)
        tax = at_greet.issue("C", print_ticket=False).ticket  # 09:45
        clock.set(T0 + timedelta(minutes=1))
        at_desk.call(tax.id, "desk-1")
        at_desk.start(tax.id)
        clock.set(T0 + timedelta(minutes=14))  # served 13 min, sent on to Housing
        housing = at_desk.transfer(tax.id, service="H")
        moved_on = at_greet.transfer(moved.id, service="C")
        clock.set(T0 + timedelta(minutes=17))
        waiting = {e.ticket.id: e for e in at_desk.queue()}
        assert housing.queued_at == T0  # its place in the queue keeps the arrival
        assert waiting[housing.id].wait_seconds == 4 * 60  # 1 min, then 3: not 17 min
        assert waiting[waste.id].wait_seconds == 22 * 60
        assert waiting[moved_on.id].wait_seconds == 22 * 60  # never seen: the arrival's clock
        over = {t for t, e in waiting.items() if over_target(e.wait_seconds, TARGET)}
        assert over == {waste.id, moved_on.id}
        # The report: the resident sent on was seen within the target; the live "over" are the
        # ones the report rates a miss when they are seen now.
        report = ReportService(greet, rollup=False).daily("2026-11-23")
        assert (report.figures.seen, report.figures.seen_within_target) == (1, 1)
        for ticket_id in over:
            at_desk.call(ticket_id, "desk-1")
            at_desk.start(ticket_id)
            at_desk.transfer(ticket_id, service="H")  # (sent on: the desk is free again)
        report = ReportService(greet, rollup=False).daily("2026-11-23")
        missed = report.figures.seen - report.figures.seen_within_target
        assert missed == len(over)
        # At the desk that calls the resident sent on, "waited" is the wait for this service.
        at_desk.call(housing.id, "desk-1")
        clock.set(T0 + timedelta(minutes=25))
        (housing_called,) = [e for e in at_desk.queue() if e.ticket.id == housing.id]
        assert housing_called.position is None  # at the desk: the wait ended at the call
        assert housing_called.wait_seconds == 4 * 60


def test_the_clock_is_restarted_only_after_a_contact() -> None:
    arrived, issued = T0, T0 + timedelta(minutes=14)
    now = T0 + timedelta(minutes=20)
    assert waited_seconds(arrived, None, now) == 20 * 60
    seen = T0 + timedelta(minutes=1)
    assert sent_on(issued, seen) == issued
    assert waited_seconds(arrived, None, now, issued=issued, seen=seen) == 7 * 60  # 1 + 6
    assert sent_on(arrived, seen) is None  # the ticket they were seen on: arrival's clock
    assert waited_seconds(arrived, None, now, issued=arrived, seen=seen) == 20 * 60
    assert sent_on(issued, None) is None  # moved while still waiting: never seen
    assert waited_seconds(arrived, None, now, issued=issued, seen=None) == 20 * 60


@pytest.mark.parametrize(
    ("where", "parked"),
    [({"desk_id": "room-1"}, False), ({"person": "bob"}, False), ({"desk_id": "room-1"}, True)],
    ids=["to-a-desk", "to-a-colleague", "parked-then-sent"],
)
def test_a_resident_sent_to_a_desk_or_colleague_of_the_same_service_waits_from_the_send(
    tmp_path: Path, where: dict[str, str], parked: bool
) -> None:
    """Seen at desk 1 a minute after arriving, then sent to the interview room (or to Bob,
    logged in there) for the same service 13 minutes later, from the desk or after a spell
    parked there (filling in a form): one ticket all along, and its wait counts from the send,
    as after a transfer to another service; every desk showed 16 min ("over the target") for a
    resident the report counts as seen within 15 minutes."""
    db = make_office(tmp_path)
    clock = FixedClock(T0 - timedelta(minutes=5))
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    desk = open_session(db=db, clock=clock, person="ana", desk_id="desk-1")
    room = open_session(db=db, clock=clock, person="bob", desk_id="room-1")
    at_greet, at_desk, in_room = QueueService(greet), QueueService(desk), QueueService(room)
    in_room.log_in("room-1")
    waste = at_greet.issue("W", print_ticket=False).ticket  # 09:40, never called
    clock.set(T0)
    tax = at_greet.issue("C", print_ticket=False).ticket  # 09:45
    clock.set(T0 + timedelta(minutes=1))
    at_desk.call(tax.id, "desk-1")
    at_desk.start(tax.id)
    if parked:
        clock.set(T0 + timedelta(minutes=10))
        at_desk.park(tax.id, "form")
    clock.set(T0 + timedelta(minutes=14))  # served 13 min, sent on in the same service
    sent = at_desk.transfer(tax.id, **where)
    assert (sent.id, sent.code, sent.queued_at) == (tax.id, tax.code, T0)  # one ticket, its place
    clock.set(T0 + timedelta(minutes=17))
    waiting = {e.ticket.id: e for e in at_desk.queue()}
    assert waiting[tax.id].wait_seconds == 4 * 60  # 1 min, then 3: not 17 min
    assert waiting[waste.id].wait_seconds == 22 * 60
    over = {t for t, e in waiting.items() if over_target(e.wait_seconds, TARGET)}
    assert over == {waste.id}
    report = ReportService(greet, rollup=False).daily("2026-11-23")
    assert (report.figures.seen, report.figures.seen_within_target) == (1, 1)
    # In the room that calls them, "waited" is the wait since the send.
    in_room.call(tax.id, "room-1")
    clock.set(T0 + timedelta(minutes=25))
    (called,) = [e for e in in_room.queue() if e.ticket.id == tax.id]
    assert called.position is None and called.wait_seconds == 4 * 60
    for session in (greet, desk, room):
        session.close()


def test_a_waiting_ticket_sent_to_a_desk_keeps_its_clock(tmp_path: Path) -> None:
    """Sending a ticket that is waiting (not at a desk) to a desk is no new contact: a resident
    transferred to Housing after being seen waits from that transfer still, and one never seen
    from arrival, after the team leader sends either to the interview room."""
    with greet_and_desk(tmp_path, T0) as (clock, _greet, at_greet, at_desk):
        tax = at_greet.issue("C", print_ticket=False).ticket
        never_seen = at_greet.issue("C", print_ticket=False).ticket
        clock.set(T0 + timedelta(minutes=1))
        at_desk.call(tax.id, "desk-1")
        at_desk.start(tax.id)
        clock.set(T0 + timedelta(minutes=4))
        housing = at_desk.transfer(tax.id, service="H")
        clock.set(T0 + timedelta(minutes=10))
        at_greet.transfer(housing.id, desk_id="room-1")
        at_greet.transfer(never_seen.id, desk_id="room-1")
        clock.set(T0 + timedelta(minutes=20))
        waiting = {e.ticket.id: e.wait_seconds for e in at_desk.queue()}
        assert waiting == {housing.id: 17 * 60, never_seen.id: 20 * 60}  # 1 min, then 16


def test_a_ticket_joins_the_queue_again_when_sent_back_from_a_desk() -> None:
    issued, back = T0, T0 + timedelta(minutes=14)
    assert joined(issued, None) == issued
    assert joined(issued, back) == back
    seen, now = T0 + timedelta(minutes=1), T0 + timedelta(minutes=20)
    assert waited_seconds(T0, None, now, issued=joined(issued, back), seen=seen) == 7 * 60


def test_a_resident_sent_on_keeps_the_wait_before_their_first_call(tmp_path: Path) -> None:
    """Waited 12 minutes, served 5, then sent on to Housing: every view says 12 min at once
    (never "Wait 0m"), 19 min 7 minutes later, and none counts them past the target: the report
    rated their first contact within it. Their wait is amber, never red; one never seen who has
    waited as long is red and over."""
    with greet_and_desk(tmp_path, T0) as (clock, greet, at_greet, at_desk):
        tax = at_greet.issue("C", print_ticket=False).ticket
        never_seen = at_greet.issue("W", print_ticket=False).ticket
        clock.set(T0 + timedelta(minutes=12))
        at_desk.call(tax.id, "desk-1")
        at_desk.start(tax.id)
        clock.set(T0 + timedelta(minutes=17))
        housing = at_desk.transfer(tax.id, service="H")
        (sent,) = [e for e in at_desk.queue() if e.ticket.id == housing.id]
        assert (sent.wait_seconds, sent.seen) == (12 * 60, True)  # not "Wait 0m"
        clock.set(T0 + timedelta(minutes=24))
        waiting = {e.ticket.id: e for e in at_desk.queue()}
        assert waiting[housing.id].wait_seconds == 19 * 60
        assert waiting[never_seen.id].wait_seconds == 24 * 60
        assert [past_target(waiting[t], TARGET) for t in (housing.id, never_seen.id)] == [
            False,
            True,
        ]
        bands = [entry_band(waiting[t], 10 * 60, TARGET) for t in (housing.id, never_seen.id)]
        assert bands == [WaitBand.AMBER, WaitBand.RED]
        report = ReportService(greet, rollup=False).daily("2026-11-23")
        assert (report.figures.seen, report.figures.seen_within_target) == (1, 1)
