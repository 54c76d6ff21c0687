"""A ticket's print job handed to the running owner of the devices as the ticket was issued, and
not sent yet when the ticket ended (cancelled, served, transferred): the lane settles it
unprinted with the reason, before any byte (or connection) goes to the printer, as it does for
a queued job it claims (one rule: ``domain.delivery.stale_ticket_job``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from oss_desk.domain.devices import PrinterURL
from oss_desk.hardware.printers import PrinterLink, PrinterStatus, Transport, open_transport
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.worker.printing import PrintDelivery

from .conftest import rows
from .hardware.fakes import FakePrinter
from .test_delivery_handover import JOB, handed_to_owner

Ended = Callable[[QueueService, int], object]

ENDINGS: dict[str, tuple[Ended, str]] = {
    "cancelled": (lambda q, t: q.cancel(t, reason="error"), "the ticket is cancelled"),
    "being served": (
        lambda q, t: (q.call(t, "desk-1"), q.start(t)),
        "the ticket is being served",
    ),
    "transferred": (
        lambda q, t: (q.call(t, "desk-1"), q.start(t), q.transfer(t, service="B")),
        "the ticket is transferred",
    ),
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_a_handed_job_of_an_ended_ticket_is_not_printed(
    tmp_path: Path, printer: FakePrinter, ending: str
) -> None:
    end, reason = ENDINGS[ending]
    with handed_to_owner(tmp_path, printer) as (db, clock, session, worker):
        ticket = QueueService(session).issue("C").ticket
        assert rows(db, JOB) == [("printing", "owner-1", 1, 1)]  # handed to owner-1
        leader = open_session(db=db, clock=clock, person="tl")
        try:
            end(QueueService(leader), ticket.id)
        finally:
            leader.close()
        delivery = PrintDelivery(worker, owner="owner-1")
        report = delivery.deliver_next(printer.url)
        assert report is True  # the lane took the job: settled, not left for later
        assert printer.jobs == []
        assert printer.connections == 0  # not even a connection for a ticket that is over
        assert rows(db, "SELECT status, owner, last_error, started_at FROM print_jobs") == [
            ("cancelled", None, reason, None)
        ]
        assert delivery.deliver_due().printed == 0  # nothing left to print
        assert printer.jobs == []


@dataclass
class EndsAsItConnects:
    """The real transport to the printer; as the lane connects, the ticket ends (a desk
    cancels it that moment, on its own connection to the database)."""

    real: Transport
    end: Callable[[], object]

    def __post_init__(self) -> None:
        self.url: PrinterURL = self.real.url

    @property
    def confirms(self) -> bool:
        return self.real.confirms

    def open(self) -> PrinterLink:
        self.end()
        return self.real.open()

    def status(self) -> PrinterStatus:
        return self.real.status()

    def send(self, data: bytes) -> PrinterStatus:
        return self.real.send(data)


def test_a_ticket_ended_while_the_printer_is_reached_is_not_drawn(
    tmp_path: Path, printer: FakePrinter
) -> None:
    with handed_to_owner(tmp_path, printer) as (db, clock, session, worker):
        ticket = QueueService(session).issue("C").ticket
        leader = open_session(db=db, clock=clock, person="tl")
        try:
            cancel = lambda: QueueService(leader).cancel(ticket.id, reason="error")  # noqa: E731
            delivery = PrintDelivery(
                worker, lambda url: EndsAsItConnects(open_transport(url), cancel), "owner-1"
            )
            assert delivery.deliver_next(printer.url)
        finally:
            leader.close()
        deadline = time.monotonic() + 10  # the fake counts a connection on its own thread
        while printer.connections != 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert printer.connections == 1
        assert printer.jobs == []  # the connection closed with nothing sent
        assert rows(db, "SELECT status, owner, last_error, started_at FROM print_jobs") == [
            ("cancelled", None, "the ticket is cancelled", None)
        ]
