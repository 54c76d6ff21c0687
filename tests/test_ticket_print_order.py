"""Tickets reach the paper in the order they were issued when their printer comes back: C001
waited for its next try (its tries spent, 30 s apart), C002 was issued and its first try failed
too; the printer came back and C002's next try, due first, printed C002 before C001. Now the
printer's older tickets go first."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.worker.printing import PrintDelivery

from .conftest import MONDAY_0930, make_db, rows, site_toml
from .escpos_decoder import decode, text_lines
from .hardware.fakes import FakePrinter, closed_port


def test_tickets_print_in_the_order_issued_when_the_printer_comes_back(tmp_path: Path) -> None:
    port = closed_port()
    db = make_db(tmp_path, site_toml(greet_printer=f"tcp://127.0.0.1:{port}?timeout=1"))
    clock = FixedClock(MONDAY_0930)
    desk = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    worker = open_session(db=db, clock=clock, person="worker", host=True)
    printer: FakePrinter | None = None
    try:
        queue = QueueService(desk)
        first = queue.issue("C").ticket
        delivery = PrintDelivery(worker)
        for _ in range(10):  # the printer stays off: C001's tries are spent
            delivery.deliver_due()
            clock.set(clock.now() + timedelta(seconds=31))
        delivery.deliver_due()  # tried again and failed: its next try in 30 s
        clock.set(clock.now() + timedelta(seconds=1))
        second = queue.issue("C").ticket
        (tried,) = rows(db, "SELECT attempts FROM print_jobs WHERE id = 1")[0]
        delivery.deliver_due()  # C001 goes first, then C002's first try: both fail
        # ... once each: C001 is not tried again and again ahead of C002 while the printer is off
        assert rows(db, "SELECT attempts FROM print_jobs ORDER BY id") == [(tried + 1,), (1,)]
        assert rows(db, "SELECT status, printed_at FROM print_jobs ORDER BY id") == [
            ("pending", None),
            ("pending", None),
        ]
        printer = FakePrinter(port=port)  # the printer is back
        clock.set(clock.now() + timedelta(seconds=4))  # C002's next try is due, C001's is not
        delivery.deliver_due()
        codes = (first.code, second.code)
        on_paper = [
            [line.strip() for line in text_lines(decode(job)) if line.strip() in codes]
            for job in printer.jobs
        ]
        assert on_paper == [[first.code], [second.code]], on_paper
        assert [status for (status,) in rows(db, "SELECT status FROM print_jobs")] == [
            "done",
            "done",
        ]
    finally:
        if printer is not None:
            printer.close()
        worker.close()
        desk.close()
