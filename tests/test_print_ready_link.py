"""A desk about to issue a ticket tells the running worker's lane for its printer, before its
write transaction: the lane connects and asks the printer how it is while the ticket commits,
and the job goes out on that connection. A word that no job follows (the issue refused) leaves
the connection closed with nothing sent on it but the status question."""

from __future__ import annotations

import fcntl
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from oss_desk.domain.delivery import PRINTER_READY_SECONDS
from oss_desk.errors import RuleViolation
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now
from oss_desk.storage.print_bell import bell_path
from oss_desk.storage.writelock import lock_path

from .conftest import make_db, rows, site_toml
from .hardware.fakes import FakePrinter
from .test_delivery_handover import desk, until, worker_process


def office(tmp_path: Path, url: str) -> Path:
    """An office whose meet-and-greet desk prints on ``url``; idle printers asked hourly (so
    that no status question of the lane's own comes in the middle of a test)."""
    extra = "\n[printing]\nstatus_every_seconds = 3600\n"
    return make_db(tmp_path, site_toml(greet_printer=url, extra=extra))


def lane_listening(db: Path, printer: FakePrinter) -> int:
    """Once the worker's lane for ``printer`` listens and has asked it how it is as it started
    (on a connection of its own, closed): the connections the printer has had."""
    until(bell_path(db).exists, what="the printer's lane listens")
    until(lambda: printer.hung_up >= 1, what="the lane's first status question")
    return printer.connections


@contextmanager
def turn_held(db: Path) -> Iterator[None]:
    """Another writer's turn to write: a desk that wants to write waits for it."""
    with open(lock_path(db), "a+b") as turn:
        fcntl.flock(turn, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(turn, fcntl.LOCK_UN)


def test_the_printer_is_connected_and_asked_while_the_ticket_commits(
    tmp_path: Path, printer: FakePrinter
) -> None:
    db = office(tmp_path, printer.url)
    proc = worker_process(db)
    issued: list[str] = []

    def issue() -> None:
        session = desk(db)
        try:
            issued.append(QueueService(session).issue("C").ticket.code)
        finally:
            session.close()

    try:
        before = lane_listening(db, printer)
        with turn_held(db):
            issuing = threading.Thread(target=issue)
            issuing.start()
            # The desk said the ticket is coming and waits for its turn to write: the lane has
            # connected and asked the printer already, with no job in the database yet.
            until(lambda: printer.connections == before + 1, what="a connection ahead of the job")
            assert rows(db, "SELECT count(*) FROM print_jobs") == [(0,)]
        issuing.join(30)
        until(lambda: len(printer.closings) == 1, what="the ticket printed")
        until(lambda: rows(db, "SELECT status FROM print_jobs") == [("done",)])
        assert printer.connections == before + 1  # the job went out on the one made ahead
        assert issued and issued[0].encode() in printer.jobs[0]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)


def test_a_refused_issue_leaves_the_connection_closed_with_nothing_printed(
    tmp_path: Path, printer: FakePrinter
) -> None:
    db = office(tmp_path, printer.url)
    session = desk(db)
    proc = worker_process(db)
    try:
        before = lane_listening(db, printer)
        close_now(session)
        with pytest.raises(RuleViolation):
            QueueService(session).issue("C")
        said_at = time.monotonic()
        until(lambda: printer.connections == before + 1, what="a connection as the desk said")
        until(lambda: printer.hung_up == before + 1, what="the unused connection closed")
        assert time.monotonic() - said_at < PRINTER_READY_SECONDS + 5
        assert printer.jobs == [] and printer.closings == []
        assert rows(db, "SELECT count(*) FROM print_jobs") == [(0,)]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        session.close()
