"""A resident sent on to another service after being seen waits for that service from when they
were sent on, by the report's own rule (``oss_desk.domain.standards.waited_seconds``): the
live queue's wait, its "over the target" and the desk's "waited" never count them as a long
wait the report does not (a tester saw "H 3·16m" and "Over 15 min: 1" for a resident seen
after a minute). A resident moved to another service while still waiting keeps the arrival's
clock. On a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.standards import over_target, sent_on, waited_seconds
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.session import open_session

from .appointments_site import make_office

T0 = datetime(2026, 11, 23, 9, 45, tzinfo=UTC)
TARGET = 15 * 60


def test_a_transferred_resident_waits_from_being_sent_on_as_the_report_counts(
    tmp_path: Path,
) -> None:
    db = make_office(tmp_path)
    clock = FixedClock(T0 - timedelta(minutes=5))
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    desk = open_session(db=db, clock=clock, person="ana", desk_id="desk-1")
    at_greet, at_desk = QueueService(greet), QueueService(desk)
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
    assert waiting[housing.id].wait_seconds == 3 * 60  # not 17 min
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
    assert housing_called.wait_seconds == 3 * 60
    greet.close()
    desk.close()


def test_the_clock_is_restarted_only_after_a_contact() -> None:
    arrived, issued = T0, T0 + timedelta(minutes=14)
    now = T0 + timedelta(minutes=20)
    assert waited_seconds(arrived, None, now) == 20 * 60
    seen = T0 + timedelta(minutes=1)
    assert sent_on(issued, seen) == issued
    assert waited_seconds(arrived, None, now, issued=issued, seen=seen) == 6 * 60
    assert sent_on(arrived, seen) is None  # the ticket they were seen on: arrival's clock
    assert waited_seconds(arrived, None, now, issued=arrived, seen=seen) == 20 * 60
    assert sent_on(issued, None) is None  # moved while still waiting: never seen
    assert waited_seconds(arrived, None, now, issued=issued, seen=None) == 20 * 60
