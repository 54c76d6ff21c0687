"""A desk whose transaction hands a ticket's job to the running worker tells that printer's lane
just before it commits: the lane connects and asks the printer how it is while the ticket
commits, and the job goes out on that connection. A word that no job follows (the commit
failed) leaves the connection closed with nothing sent on it but the status question; an issue
refused queues no job and says nothing."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from oss_desk.domain.delivery import PRINTER_READY_SECONDS
from oss_desk.errors import RuleViolation
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now, reopen_now
from oss_desk.storage.print_bell import bell_path, expect_print

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
    # ... and has recorded the answer (a write: not while a test holds a transaction open).
    recorded = "SELECT count(*) FROM device_status WHERE url = ?"
    until(lambda: rows(db, recorded, printer.url) == [(1,)], what="the printer's status")
    return printer.connections


def test_the_printer_is_connected_and_asked_while_the_ticket_commits(
    tmp_path: Path, printer: FakePrinter
) -> None:
    db = office(tmp_path, printer.url)
    session = desk(db)
    proc = worker_process(db)
    try:
        before = lane_listening(db, printer)
        with session.store.write():  # the desk's transaction, not yet committed
            code = QueueService(session).issue("C").ticket.code
            # The job is in it, handed to the worker: the lane has connected and asked the
            # printer already, with no job to be seen in the database yet.
            until(lambda: printer.connections == before + 1, what="a connection ahead of the job")
            assert rows(db, "SELECT count(*) FROM print_jobs") == [(0,)]
        until(lambda: len(printer.closings) == 1, what="the ticket printed")
        until(lambda: rows(db, "SELECT status FROM print_jobs") == [("done",)])
        assert printer.connections == before + 1  # the job went out on the one made ahead
        assert code.encode() in printer.jobs[0]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        session.close()


def test_a_word_no_job_follows_leaves_the_connection_closed_with_nothing_printed(
    tmp_path: Path, printer: FakePrinter
) -> None:
    """The desk said a job was coming and then none came (its commit failed): the connection
    is closed, nothing sent on it but the status question."""
    db = office(tmp_path, printer.url)
    proc = worker_process(db)
    try:
        before = lane_listening(db, printer)
        expect_print(db, printer.url)
        said_at = time.monotonic()
        until(lambda: printer.connections == before + 1, what="a connection as the desk said")
        until(lambda: printer.hung_up == before + 1, what="the unused connection closed")
        assert time.monotonic() - said_at < PRINTER_READY_SECONDS + 5
        assert printer.jobs == [] and printer.closings == []
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)


def test_a_refused_issue_says_nothing_to_the_printer(tmp_path: Path, printer: FakePrinter) -> None:
    """Refused (the day closed), the issue queues no job, so no lane is told of one: the next
    ticket, once the day is open again, is the printer's only connection since."""
    db = office(tmp_path, printer.url)
    session = desk(db)
    proc = worker_process(db)
    try:
        before = lane_listening(db, printer)
        close_now(session)
        with pytest.raises(RuleViolation):
            QueueService(session).issue("C")
        reopen_now(session)
        QueueService(session).issue("C")
        until(lambda: len(printer.closings) == 1, what="the next ticket printed")
        assert printer.connections == before + 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        session.close()
