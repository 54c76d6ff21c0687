"""A ticket whose paper prints late, after its resident was called (the printer was down),
sends them to the desk that called them: in the busy-counter trial B005 was called to Desk 1
while its paper waited, and the paper printed 20 seconds later said "Please watch the board for
your number." Read from the printer's bytes, decoded."""

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

WATCH = "Please watch the board for your number."


def test_a_ticket_printed_after_its_call_says_go_to_the_desk(tmp_path: Path) -> None:
    port = closed_port()  # the printer is off: connection refused
    db = make_db(tmp_path, site_toml(greet_printer=f"tcp://127.0.0.1:{port}?timeout=1"))
    clock = FixedClock(MONDAY_0930)
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    adviser = open_session(db=db, clock=clock, person="adviser", desk_id="desk-1")
    worker = open_session(db=db, clock=clock, person="worker", host=True)
    printer: FakePrinter | None = None
    try:
        queue = QueueService(greet)
        called = queue.issue("B").ticket
        waiting = queue.issue("C").ticket
        delivery = PrintDelivery(worker)
        delivery.deliver_due()  # refused: both papers wait to print
        now_called = QueueService(adviser).call_next("desk-1")  # its paper still waiting
        assert now_called is not None and now_called.code == called.code

        printer = FakePrinter(port=port)  # back
        clock.set(clock.now() + timedelta(minutes=1))
        delivery.deliver_due()
        assert rows(db, "SELECT status FROM print_jobs ORDER BY id") == [("done",), ("done",)]
        printer.filed()  # it keeps a job on its own thread once the line has closed
        assert len(printer.jobs) == 2
        papers = {}
        for job in printer.jobs:
            lines = text_lines(decode(job))
            papers[next(c for c in (called.code, waiting.code) if c in lines)] = lines
        assert "Please go to Desk 1 now" in papers[called.code]
        assert WATCH not in papers[called.code]
        assert WATCH in papers[waiting.code]  # still waiting: it watches the board
        assert not any("Desk" in line for line in papers[waiting.code])
    finally:
        worker.close()
        adviser.close()
        greet.close()
        if printer is not None:
            printer.close()
