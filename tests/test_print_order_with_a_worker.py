"""Tickets issued while `oss-desk worker` runs and their printer has tickets waiting for its next
try (it was off, or cannot print): each new one waits with them for that one try, instead of
being handed to the worker and tried at once on its own (a connection to the printer for every
ticket issued, each a timeout of the lane's time on a printer that does not answer). When the
printer is back they print together, in the order they were issued."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from oss_desk.services.delivery import print_job_said
from oss_desk.services.queue import QueueService

from .conftest import make_db, rows, site_toml
from .escpos_decoder import decode, text_lines
from .hardware.fakes import HEALTHY, PAPER_OUT, FakePrinter
from .test_delivery_handover import desk, until, worker_process

RETRY = 5.0
"""Seconds between the tries of a waiting ticket's paper here (one try, then it waits)."""


def test_tickets_issued_while_the_printer_is_out_wait_for_its_one_next_try(
    tmp_path: Path, printer: FakePrinter
) -> None:
    printer.replies = dict(PAPER_OUT)  # it answers, and cannot print
    extra = f"\n[printing]\nretry_seconds = {RETRY}\nattempts = 1\nstatus_every_seconds = 3600\n"
    db = make_db(tmp_path, site_toml(greet_printer=printer.url, extra=extra))
    session = desk(db)
    proc = worker_process(db)
    try:
        queue = QueueService(session)
        codes = [queue.issue("C").ticket.code]  # handed to the worker, tried at once: out
        until(
            lambda: rows(db, "SELECT status, attempts FROM print_jobs") == [("pending", 1)],
            what="C001 waits for its printer's next try",
        )
        # The lane asks its idle printer how it is once as it starts (then hourly here).
        until(lambda: printer.connections >= 2, what="C001's try and the lane's first question")
        asked, started = printer.connections, time.monotonic()
        said = []
        for _ in range(4):  # C002 to C005, as residents arrive
            issued = queue.issue("C")
            codes.append(issued.ticket.code)
            assert issued.print_job is not None
            said.append(print_job_said(session, issued.print_job))
            time.sleep(0.3)
        # The line after each issue says why it is not printing yet, from the printer's last try
        # (it said only "queued to print", as when no worker runs).
        behind = "queued behind the jobs waiting for the printer's next try (last try: "
        assert all(line.startswith(behind) for line in said), said
        quick = time.monotonic() - started < RETRY - 1  # (else C001's next try came between)
        assert printer.connections - asked <= (0 if quick else 1), "one connection a ticket"
        assert (
            rows(db, "SELECT status, attempts FROM print_jobs WHERE id > 1") == [("pending", 0)] * 4
        )  # none tried on its own: each waits for C001's next try
        ((tries,),) = rows(db, "SELECT count(DISTINCT next_attempt_at) FROM print_jobs")
        assert tries == 1  # one try for them all
        printer.replies.update(HEALTHY)  # paper in
        until(
            lambda: rows(db, "SELECT DISTINCT status FROM print_jobs") == [("done",)],
            timeout=RETRY * 4,
            what="all five printed",
        )
        printer.filed()
        on_paper = [
            line.strip()
            for job in printer.jobs
            for line in text_lines(decode(job))
            if line.strip() in codes
        ]
        assert on_paper == codes  # in the order they were issued, each once
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        session.close()
