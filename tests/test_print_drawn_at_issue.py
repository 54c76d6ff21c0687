"""A ticket's paper drawn by the desk that issues it, in the ticket's own commit, when its job is
handed to the running owner of the devices: the owner's lane renders it without a read between
that commit and the first byte, and the paper is what the ticket's record draws. A job nobody
was running to take is drawn from the record when it prints, as before."""

from __future__ import annotations

import json
from pathlib import Path

from oss_desk.domain.devices import parse_printer_url
from oss_desk.domain.printouts import to_payload
from oss_desk.hardware.templates import render
from oss_desk.services.printouts import job_ticket
from oss_desk.services.queue import QueueService
from oss_desk.worker.printing import PrintDelivery

from .conftest import rows
from .escpos_decoder import decode, text_lines
from .hardware.fakes import FakePrinter
from .test_delivery_handover import desk, handed_to_owner, office


def payloads(db: Path) -> list[dict[str, object]]:
    return [json.loads(p) for (p,) in rows(db, "SELECT payload FROM print_jobs ORDER BY id")]


def test_a_handed_ticket_is_drawn_in_its_commit_and_sent_with_no_read_before_its_first_byte(
    tmp_path: Path, printer: FakePrinter
) -> None:
    with handed_to_owner(tmp_path, printer) as (db, _clock, session, worker):
        queue = QueueService(session)
        first = queue.issue("C").ticket
        second = queue.issue("C", needs="large-print").ticket
        profile = parse_printer_url(printer.url).profile
        # What the record draws now (nobody has been called: the same places ahead).
        drawn = [job_ticket(worker, t.id, copy=False) for t in (first, second)]
        stored = [p["printout"] for p in payloads(db)]
        assert stored == [json.loads(json.dumps(to_payload(d))) for d in drawn]
        assert drawn[1].large_print and not drawn[0].large_print

        statements: list[str] = []
        worker.store.conn.set_trace_callback(statements.append)
        delivery = PrintDelivery(worker, owner="owner-1")
        for _ in (first, second):
            statements.clear()
            assert delivery.deliver_next(printer.url)
            # Up to its first write (the outcome, after the printer answered), the lane read
            # only its next job (the peek): nothing of the ticket, the queue or the settings.
            before = []
            for sql in statements:
                if sql.startswith(("PRAGMA busy_timeout", "BEGIN")):
                    break
                before.append(" ".join(sql.split()))
            assert before and all(s.startswith("SELECT * FROM print_jobs") for s in before), before
        assert printer.jobs == [render(d, profile) for d in drawn]
        assert [text_lines(decode(job))[0] != "COPY" for job in printer.jobs] == [True, True]
        assert rows(db, "SELECT status, printed_at IS NOT NULL FROM print_jobs") == [
            ("done", 1),
            ("done", 1),
        ]


def test_a_job_nobody_was_running_to_take_is_drawn_when_it_prints(
    tmp_path: Path, printer: FakePrinter
) -> None:
    """No owner of the devices: the issue draws nothing (no work in its transaction for a job
    that may print much later); the worker draws it from the record when it prints."""
    db = office(tmp_path, printer.url)
    session = desk(db)
    try:
        QueueService(session).issue("C")
        assert payloads(db) == [{}]
    finally:
        session.close()
