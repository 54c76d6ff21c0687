"""A ticket the printer confirmed while the disk filled up is recorded once space returns, from
what the worker kept in memory: it is not printed again (marked COPY), and the log says the true
reason (the outcome could not be recorded: disk full), not that the lane stopped mid-job."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oss_desk.errors import StorageFull
from oss_desk.services.session import open_session
from oss_desk.worker.owner import new_owner
from oss_desk.worker.printing import PrintDelivery

from .conftest import make_db, rows, site_toml
from .hardware.fakes import FakePrinter
from .test_faults import fill, oss_desk, small_fs

__all__ = ["small_fs"]  # the fixture, used by name


def deliver_next(db: Path, owner: str, lane: str) -> bool:
    """One turn of the printer's lane, as the worker's lane runs it (a session of its own: a
    lane that hit a fault opens the database afresh, with the same owner token)."""
    session = open_session(db=db, person="worker", host=True)
    try:
        return PrintDelivery(session, owner=owner).deliver_next(lane)
    finally:
        session.close()


class Said(logging.Handler):
    """What the worker's log says, whatever earlier tests did to the logging setup."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def worker_log() -> Iterator[Said]:
    logger = logging.getLogger("oss_desk.worker")
    said, level, disabled = Said(), logger.level, logger.disabled
    logger.addHandler(said)
    logger.setLevel(logging.INFO)
    logger.disabled = False
    try:
        yield said
    finally:
        logger.removeHandler(said)
        logger.setLevel(level)
        logger.disabled = disabled


def test_a_confirmed_ticket_is_recorded_once_the_disk_allows_not_printed_again(
    small_fs: Path, worker_log: Said
) -> None:
    filled: list[Path] = []
    printer = FakePrinter()
    db = make_db(small_fs, site_toml(greet_printer=printer.url))

    def disk_fills_before_the_answer() -> None:
        # "sent" is committed while the printer prints; then the disk is full.
        deadline = time.monotonic() + 10
        while rows(db, "SELECT sent_at FROM print_jobs") != [] and rows(
            db, "SELECT sent_at IS NOT NULL FROM print_jobs"
        ) != [(1,)]:
            assert time.monotonic() < deadline, "sent_at never committed"
            time.sleep(0.01)
        filled.append(fill(small_fs))

    printer.before_answer = disk_fills_before_the_answer
    try:
        issued = oss_desk(db, "ticket", "issue", "--service", "C", "--desk", "greet-1")
        assert issued.returncode == 0, issued.stderr
        owner = new_owner()
        with pytest.raises(StorageFull):
            deliver_next(db, owner, printer.url)
        assert rows(db, "SELECT status, printed_at FROM print_jobs") == [("printing", None)]
        filled[0].unlink()  # space again
        assert deliver_next(db, owner, printer.url)
    finally:
        printer.close()
    assert printer.job_arrived.wait(5)  # the printer's thread files the job as the line closes
    assert len(printer.jobs) == 1 and b"COPY" not in printer.jobs[0]
    ((status, printed, reprints),) = rows(
        db, "SELECT status, printed_at IS NOT NULL, auto_reprints FROM print_jobs"
    )
    assert (status, printed, reprints) == ("done", 1, 0)
    said = "\n".join(worker_log.lines)
    assert "could not be recorded when the printer answered: disk full" in said, said
    assert "stopped mid-job" not in said


def test_a_job_whose_claim_could_not_be_written_prints_once_space_returns(
    small_fs: Path,
) -> None:
    """The disk full as the worker claims a queued job: nothing left for the printer (the claim
    is committed before any byte), so once space returns it prints, once, not marked COPY."""
    printer = FakePrinter()
    db = make_db(small_fs, site_toml(greet_printer=printer.url))
    try:
        issued = oss_desk(db, "ticket", "issue", "--service", "C", "--desk", "greet-1")
        assert issued.returncode == 0, issued.stderr
        owner = new_owner()
        session = open_session(db=db, person="worker", host=True)  # open while there is room
        try:
            filler = fill(small_fs)
            with pytest.raises(StorageFull):
                PrintDelivery(session, owner=owner).deliver_next(printer.url)
        finally:
            session.close()
        assert rows(db, "SELECT status FROM print_jobs") == [("pending",)]
        assert printer.jobs == []
        filler.unlink()
        assert deliver_next(db, owner, printer.url)
        assert rows(db, "SELECT status, printed_at IS NOT NULL FROM print_jobs") == [("done", 1)]
    finally:
        printer.close()
    assert printer.job_arrived.wait(5)  # the printer's thread files the job as the line closes
    assert len(printer.jobs) == 1 and b"COPY" not in printer.jobs[0]
