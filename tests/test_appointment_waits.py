"""An appointment holder's wait, live and reported, by one rule: the 15-minute clock starts at the
later of check-in and the booked time (``oss_desk.domain.wait_target.clock_start``). The live
queue's wait (which the greet lists, the team leader's "Over" and ``oss-desk queue``'s
"OVER TARGET" all show) must agree with the daily report's "seen within target" for a resident
who checks in early, on time or late (and the called ticket's "waited" at the desk is the same
wait, ended at the call); on real SQLite files."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oss_desk.clock import FixedClock
from oss_desk.domain.wait_target import over_target
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.session import open_session

from .appointments_site import make_office, service_at

BOOKED = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
TARGET = 15 * 60


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The office every example starts from, made once (creating a database is most of an
    example's time) and copied into each example's own folder; nothing prints in them."""
    folder = tmp_path_factory.mktemp("appointment-waits")
    return make_office(folder, printer=f"capture://{folder}/slips.bin")


@settings(max_examples=12, deadline=None)
@given(
    arrival=st.integers(-60 * 60, 14 * 60),  # seconds from the booked time: early to late
    call_after=st.integers(0, 45 * 60),  # seconds from check-in to the call
)
@example(arrival=-25 * 60, call_after=25 * 60)  # early: called 15:00 after the booked time
@example(arrival=-25 * 60, call_after=40 * 60 + 1)  # early: 15:01 after it (a miss)
@example(arrival=0, call_after=15 * 60)  # on time
@example(arrival=0, call_after=15 * 60 + 1)
@example(arrival=10 * 60, call_after=16 * 60)  # late: the clock starts at check-in
def test_the_live_wait_and_the_report_agree(office: Path, arrival: int, call_after: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / office.name
        for suffix in ("", "-wal"):  # the whole office, as it was left
            if Path(f"{office}{suffix}").exists():
                shutil.copyfile(f"{office}{suffix}", f"{db}{suffix}")
        clock = FixedClock(BOOKED - timedelta(hours=1))
        svc, greet = service_at(db, clock)
        appt = svc.book("C", BOOKED, channel="slip", adviser="ana")
        checked_in = BOOKED + timedelta(seconds=arrival)
        clock.set(checked_in)
        ticket = svc.check_in(appt.ref)
        called_at = checked_in + timedelta(seconds=call_after)
        clock.set(called_at)
        desk = open_session(db=db, clock=clock, person="ana", desk_id="desk-1")
        queue = QueueService(desk)
        (entry,) = [e for e in queue.queue() if e.ticket.id == ticket.id]
        live_over = over_target(entry.wait_seconds, TARGET)
        queue.call(ticket.id, "desk-1")
        clock.set(called_at + timedelta(minutes=7))  # at the desk: the wait ended at the call
        (at_desk,) = [e for e in queue.queue() if e.ticket.id == ticket.id]
        report = ReportService(greet, rollup=False).daily("2026-11-23")
        reported_within = report.figures.seen_within_target == 1
        desk.close()
        greet.close()
    started = max(checked_in, BOOKED)
    expected_within = called_at - started <= timedelta(seconds=TARGET)
    assert entry.wait_seconds == max(0, int((called_at - started).total_seconds()))
    assert at_desk.position is None and at_desk.wait_seconds == entry.wait_seconds
    assert reported_within is expected_within
    assert live_over is not reported_within
