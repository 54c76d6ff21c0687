"""Tickets waiting for a printer that was off reach the paper in the order they were issued
once it is back: C001 waited for its next try (its tries spent, 30 s apart), the tickets issued
after it were tried sooner (2, 4, 8 s...), so the first try after the printer came back was a
newer ticket's and it printed first. A first fix made the older jobs due before each newer one
was tried: with the printer still off, every job took a connection of its own each round, the
older ones again and again. Now a printer is tried once for all its jobs due together, and when
it answers ready the jobs waiting for it go first, in the order they were queued. A ticket
issued while its printer's jobs wait for their next try is not tried before it: it waits for
that one try with them (``test_print_order_with_a_worker.py``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session, open_session
from oss_desk.worker.printing import PrintDelivery

from .conftest import MONDAY_0930, make_db, rows, site_toml
from .escpos_decoder import decode, text_lines
from .hardware.fakes import HEALTHY, PAPER_OUT, FakePrinter, closed_port


def greet_office(tmp_path: Path, printer_url: str) -> tuple[Path, FixedClock, Session, Session]:
    """An office whose meet-and-greet desk prints to ``printer_url``, at a fixed clock: its
    database, the clock, the greeter's session and the device worker's (close both)."""
    db = make_db(tmp_path, site_toml(greet_printer=printer_url))
    clock = FixedClock(MONDAY_0930)
    desk = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    worker = open_session(db=db, clock=clock, person="worker", host=True)
    return db, clock, desk, worker


def _codes_on_paper(printer: FakePrinter, codes: list[str]) -> list[str]:
    """The ticket codes on the printer's paper, job by job, in the order they came out."""
    return [
        line.strip()
        for job in printer.jobs
        for line in text_lines(decode(job))
        if line.strip() in codes
    ]


def test_five_tickets_print_in_issue_order_and_the_printer_is_asked_once_a_round(
    tmp_path: Path,
) -> None:
    printer = FakePrinter(replies=dict(PAPER_OUT))  # it answers, and cannot print
    db, clock, desk, worker = greet_office(tmp_path, printer.url)
    try:
        queue = QueueService(desk)
        first = queue.issue("C").ticket
        delivery = PrintDelivery(worker)
        for _ in range(10):  # the printer stays out of paper: C001's tries are spent
            delivery.deliver_due()
            clock.set(clock.now() + timedelta(seconds=31))
        delivery.deliver_due()  # tried again: its next try in 30 s
        assert printer.connections <= 11  # at most one a round
        clock.set(clock.now() + timedelta(seconds=1))
        later = [queue.issue("C").ticket for _ in range(4)]  # C002 to C005
        ended = later[1]
        for _ in range(6):  # the four are due together each time, C001 now and then
            before = printer.connections
            delivery.deliver_due()
            assert printer.connections - before <= 1  # one question for all, never one a job
            clock.set(clock.now() + timedelta(seconds=2))
        assert (
            rows(db, "SELECT status, printed_at FROM print_jobs ORDER BY id")
            == [("pending", None)] * 5
        )
        queue.cancel(ended.code, "left")  # its resident left while it waited: never printed

        printer.replies.update(HEALTHY)  # paper in: the newer tickets wait for C001's try
        ((c001_due, newer_due),) = rows(
            db,
            "SELECT (SELECT next_attempt_at FROM print_jobs WHERE id = 1), "
            "(SELECT min(next_attempt_at) FROM print_jobs WHERE id > 1 AND status = 'pending')",
        )
        assert str(newer_due) == str(c001_due)  # one try for them all
        clock.set(clock.now() + timedelta(seconds=31))
        delivery.deliver_due()
        printer.filed()
        kept = [first.code] + [t.code for t in later if t.code != ended.code]
        assert _codes_on_paper(printer, [first.code] + [t.code for t in later]) == kept
        assert len(printer.jobs) == 4  # each once
        assert rows(db, "SELECT status FROM print_jobs ORDER BY id") == [
            ("done",),
            ("done",),
            ("cancelled",),
            ("done",),
            ("done",),
        ]
    finally:
        printer.close()
        worker.close()
        desk.close()


def test_tickets_print_in_issue_order_when_a_switched_off_printer_comes_back(
    tmp_path: Path,
) -> None:
    port = closed_port()  # off: connection refused
    db, clock, desk, worker = greet_office(tmp_path, f"tcp://127.0.0.1:{port}?timeout=1")
    printer: FakePrinter | None = None
    try:
        queue = QueueService(desk)
        issued = [queue.issue("C").ticket]
        delivery = PrintDelivery(worker)
        for _ in range(10):
            delivery.deliver_due()
            clock.set(clock.now() + timedelta(seconds=31))
        delivery.deliver_due()
        clock.set(clock.now() + timedelta(seconds=1))
        issued += [queue.issue("C").ticket for _ in range(2)]
        delivery.deliver_due()  # C002 and C003 wait for C001's next try: not tried on their own
        assert rows(db, "SELECT attempts FROM print_jobs WHERE id > 1") == [(0,), (0,)]
        ((tries,),) = rows(db, "SELECT count(DISTINCT next_attempt_at) FROM print_jobs")
        assert tries == 1
        printer = FakePrinter(port=port)  # switched on
        clock.set(clock.now() + timedelta(seconds=31))  # the three due together
        delivery.deliver_due()
        printer.filed()
        codes = [t.code for t in issued]
        assert _codes_on_paper(printer, codes) == codes
        assert printer.connections == 3  # one a ticket
    finally:
        if printer is not None:
            printer.close()
        worker.close()
        desk.close()


def test_tickets_issued_seconds_apart_share_one_try_while_the_printer_is_off(
    tmp_path: Path,
) -> None:
    """A review: tickets issued a few seconds apart each kept a next try of their own, so a
    printer that was off (or silent, each try waiting out its timeout) was asked once per ticket
    every round. A failed try now holds the printer's other queued jobs back to its own next try:
    after the first rounds, one connection a round for them all; then, back, in issue order."""
    printer = FakePrinter(replies=dict(PAPER_OUT))
    db, clock, desk, worker = greet_office(tmp_path, printer.url)
    try:
        queue = QueueService(desk)
        delivery = PrintDelivery(worker)
        codes = []
        for _ in range(5):  # issued 3 s apart, each tried as it comes: each fails
            codes.append(queue.issue("C").ticket.code)
            delivery.deliver_due()
            clock.set(clock.now() + timedelta(seconds=3))
        asked = []
        for _ in range(120):  # ten minutes, a round a second
            before = printer.connections
            delivery.deliver_due()
            asked.append(printer.connections - before)
            clock.set(clock.now() + timedelta(seconds=1))
        assert max(asked) <= 1  # never one connection a job in a round
        later = asked[30:]  # once the first backoffs have met: all due together
        assert sum(later) <= 6, asked  # 3 here (a try every 30 s); one a job each: 14
        pending = rows(db, "SELECT count(*) FROM print_jobs WHERE status = 'pending'")
        assert pending == [(5,)]  # all still waiting, none given up on
        printer.replies = dict(HEALTHY)
        for _ in range(40):
            delivery.deliver_due()
            clock.set(clock.now() + timedelta(seconds=1))
        printer.filed()  # (each job is kept on the printer's thread once its connection closed)
        assert _codes_on_paper(printer, codes) == codes
    finally:
        desk.close()
        worker.close()
