"""A waiting ticket's paper prints by itself once its printer is back, however long it was away,
as the desks are told: with the default settings the worker gave up after about a minute (six
tries), marked the job failed and the desk had to answer "Reprint it?". Now, its tries spent and
no fallback printer set, the job is tried every 30 seconds for as long as its ticket waits; a
ticket that ended meanwhile is never printed late; a slip still fails (the leader is asked)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import read_instant
from oss_desk.domain.delivery import WAITING_TICKET_RETRY_SECONDS
from oss_desk.services.queue import QueueService
from oss_desk.worker.printing import PrintDelivery

from .conftest import rows
from .escpos_decoder import decode, text_lines
from .hardware.fakes import FakePrinter, closed_port
from .test_ticket_print_order import greet_office


def test_a_waiting_tickets_paper_prints_once_the_printer_is_back_minutes_later(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = closed_port()  # the printer is off: connection refused
    db, clock, desk, worker = greet_office(tmp_path, f"tcp://127.0.0.1:{port}?timeout=1")
    printer: FakePrinter | None = None
    try:
        queue = QueueService(desk)
        kept = queue.issue("C").ticket
        ended = queue.issue("W").ticket
        delivery = PrintDelivery(worker)
        with caplog.at_level(logging.WARNING, logger="oss_desk.worker"):
            for _ in range(10):  # five minutes of tries, far past printing.attempts (6)
                delivery.deliver_due()
                clock.set(clock.now() + timedelta(seconds=31))
        # The worker's log says each job's retries up to its tries spent, then no more.
        said = [r.getMessage() for r in caplog.records if "job 1 " in r.getMessage()]
        assert len(said) == 6, said
        assert rows(db, "SELECT status, attempts > 6 FROM print_jobs ORDER BY id") == [
            ("pending", 1),
            ("pending", 1),
        ]
        ((next_try,),) = rows(db, "SELECT max(next_attempt_at) FROM print_jobs")
        wait = (read_instant(str(next_try)) - clock.now()).total_seconds()
        assert wait <= WAITING_TICKET_RETRY_SECONDS
        queue.cancel(ended.code, "left")  # its resident left: its paper must never print

        printer = FakePrinter(port=port)  # back
        clock.set(clock.now() + timedelta(seconds=WAITING_TICKET_RETRY_SECONDS))
        delivery.deliver_due()
        assert rows(db, "SELECT status FROM print_jobs ORDER BY id") == [("done",), ("cancelled",)]
        # The printer keeps a job on its own thread once the line has closed: wait for it.
        assert printer.job_arrived.wait(30), "the printer kept no job"
        printer.filed()
        assert len(printer.jobs) == 1
        lines = text_lines(decode(printer.jobs[0]))
        assert kept.code in lines and "COPY" not in lines
    finally:
        worker.close()
        desk.close()
        if printer is not None:
            printer.close()
