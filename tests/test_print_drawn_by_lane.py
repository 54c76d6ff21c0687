"""A ticket's paper is drawn by the printer's lane when it prints, from the ticket's record,
with its place in the queue as it is then: the desk that issues it draws nothing in the ticket's
commit (a job handed to the running owner of the devices, or one nobody was running to take)."""

from __future__ import annotations

import json
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.devices import parse_printer_url
from oss_desk.hardware.templates import render
from oss_desk.services.printouts import job_ticket
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.worker.printing import PrintDelivery

from .conftest import MONDAY_0930, make_db, rows, site_toml
from .escpos_decoder import decode, text_lines
from .hardware.fakes import FakePrinter
from .test_delivery_handover import desk, office, own_devices, until


def payloads(db: Path) -> list[dict[str, object]]:
    return [json.loads(p) for (p,) in rows(db, "SELECT payload FROM print_jobs ORDER BY id")]


def test_a_handed_ticket_is_drawn_by_its_lane_with_its_place_in_the_queue_as_it_prints(
    tmp_path: Path, printer: FakePrinter
) -> None:
    db = make_db(tmp_path, site_toml(desks=1, greet_printer=printer.url))
    clock = FixedClock(MONDAY_0930)
    session = desk(db, clock)
    lock = own_devices(db, "owner-1")
    worker = open_session(db=db, clock=clock, person="worker", host=True)
    try:
        queue = QueueService(session)
        first = queue.issue("C").ticket
        second = queue.issue("C", needs="large-print").ticket
        # Handed to the owner in the issue's commit, with nothing drawn in it.
        assert rows(db, "SELECT owner FROM print_jobs") == [("owner-1",), ("owner-1",)]
        assert payloads(db) == [{}, {}]
        assert job_ticket(worker, second.id, copy=False).ahead == 1  # as it was issued
        # The first resident is called before the lane takes the jobs: the second ticket's
        # paper says nobody is ahead, as the queue is when it prints.
        called = queue.call_next("desk-1")
        assert called is not None and called.id == first.id
        drawn = [job_ticket(worker, t.id, copy=False) for t in (first, second)]
        assert drawn[1].ahead == 0 and drawn[1].large_print and not drawn[0].large_print

        delivery = PrintDelivery(worker, owner="owner-1")
        assert delivery.deliver_next(printer.url)
        assert delivery.deliver_next(printer.url)
        profile = parse_printer_url(printer.url).profile
        # The fake printer keeps a job once its line has closed, in its own thread: the lane may
        # return first (a fresh clone's run saw one job kept of two).
        until(lambda: len(printer.jobs) == 2, what="the printer kept both tickets")
        assert printer.jobs == [render(d, profile) for d in drawn]
        assert [text_lines(decode(job))[0] != "COPY" for job in printer.jobs] == [True, True]
        assert rows(db, "SELECT status, printed_at IS NOT NULL FROM print_jobs") == [
            ("done", 1),
            ("done", 1),
        ]
    finally:
        worker.close()
        session.close()
        lock.release()


def test_a_job_nobody_was_running_to_take_is_drawn_when_it_prints(
    tmp_path: Path, printer: FakePrinter
) -> None:
    """No owner of the devices: the issue draws nothing either; the worker draws it from the
    record when it prints."""
    db = office(tmp_path, printer.url)
    session = desk(db)
    try:
        QueueService(session).issue("C")
        assert payloads(db) == [{}]
    finally:
        session.close()
