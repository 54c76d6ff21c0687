"""A ticket's paper job handed to the running owner of the devices as the ticket was issued, its
ticket ended before the lane drew it: settled cancelled, unprinted, with the reason, also when
the printer's lane holds a connection it opened ahead (a desk said a job was coming). The ended
ticket is not a try at the printer: a printer that cannot be reached then neither counts a failed
try against it nor keeps it pending for another."""

from __future__ import annotations

import socket
from pathlib import Path

from oss_desk.domain.devices import parse_printer_url
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.worker.printing import PrintDelivery

from .conftest import rows
from .hardware.fakes import FakePrinter, closed_port
from .test_delivery_handover import JOB, handed_to_owner, until


def _refused(port: int) -> bool:
    """A connection to the loopback ``port`` is refused (its listener is gone: the socket a
    thread was accepting on lives until that accept returns)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def test_an_ended_tickets_handed_job_is_cancelled_though_a_connection_was_opened_ahead(
    tmp_path: Path,
) -> None:
    port = closed_port()
    printer = FakePrinter(port=port)
    with handed_to_owner(tmp_path, printer) as (db, clock, session, worker):
        ticket = QueueService(session).issue("C").ticket
        assert rows(db, JOB) == [("printing", "owner-1", 1, 1)]  # handed to owner-1
        leader = open_session(db=db, clock=clock, person="tl")
        try:
            QueueService(leader).cancel(ticket.id, reason="error")
        finally:
            leader.close()
        printer.close()  # and the printer is off now: a connection is refused
        until(lambda: _refused(port), what="the printer refuses connections")
        delivery = PrintDelivery(worker, owner="owner-1")
        url = parse_printer_url(printer.url)
        delivery.ready.open(printer.url, url, delivery.transports(url))  # as a desk said
        assert delivery.ready.holds(printer.url)
        assert delivery.deliver_next(printer.url)
        assert rows(db, "SELECT status, owner, last_error, started_at FROM print_jobs") == [
            ("cancelled", None, "the ticket is cancelled", None)
        ]
        assert printer.jobs == []
