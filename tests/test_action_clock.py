"""A queue action reads the clock once: the instants it records and the business day it files
them under come from that one reading. With the real clock every look is also a read of the
event log (the clock held back when the host's clock steps back), so each look saved is a read
saved; and an issue at the last millisecond before midnight no longer files its ticket under the
next day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.calendar import business_day
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise

from .appointments_site import NOW, make_office
from .conftest import TRAINING

LAST_MS = datetime(2026, 11, 23, 23, 59, 59, 999000, tzinfo=UTC)  # London is on UTC in November


class Ticking:
    """A clock one millisecond further on at each look, counting its looks."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.looks = 0

    def now(self) -> datetime:
        self.looks += 1
        self.at += timedelta(milliseconds=1)
        return self.at - timedelta(milliseconds=1)


def office(tmp_path: Path) -> Path:
    config = tmp_path / "site.toml"
    config.write_text(
        TRAINING + '[[sites]]\nid = "hq"\nname = "HQ"\n'
        '[[services]]\ncode = "C"\nname = "Council Tax"\n'
        '[[desks]]\nid = "greet-1"\nkind = "meet-and-greet"\n'
        '[[desks]]\nid = "desk-1"\n'
        "[queue]\nstaffed_desks_only = false\n"
    )
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(LAST_MS - timedelta(hours=12)), config_path=config)
    return db


def test_a_ticket_issued_just_before_midnight_is_filed_under_its_own_day(tmp_path: Path) -> None:
    clock = Ticking(LAST_MS)
    session = open_session(db=office(tmp_path), clock=clock, person="lead", desk_id="greet-1")
    try:
        queue = QueueService(session)
        looks = clock.looks
        ticket = queue.issue("C", print_ticket=False).ticket
        assert clock.looks - looks == 1
        assert ticket.issued_at == LAST_MS
        assert ticket.business_day == business_day(LAST_MS, "Europe/London") == "2026-11-23"
        visit_day = session.store.conn.execute(
            "SELECT business_day FROM visits WHERE id = ?", [ticket.visit_id]
        ).fetchone()[0]
        assert visit_day == "2026-11-23"
    finally:
        session.close()


def test_call_next_reads_the_clock_once(tmp_path: Path) -> None:
    clock = Ticking(LAST_MS - timedelta(hours=12))
    session = open_session(db=office(tmp_path), clock=clock, person="lead", desk_id="desk-1")
    try:
        queue = QueueService(session)
        issued = queue.issue("C", print_ticket=False).ticket
        looks = clock.looks
        called = queue.call_next("desk-1")
        assert clock.looks - looks == 1
        assert called is not None and called.id == issued.id
    finally:
        session.close()


def test_a_check_in_reads_the_clock_once(tmp_path: Path) -> None:
    db = make_office(tmp_path, printer=f"capture://{tmp_path}/greet.bin")
    clock = Ticking(NOW)
    session = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    try:
        service = AppointmentService(session)
        booked = service.book("C", "2026-11-23T10:15:00+00:00", channel="slip", desk_id="greet-1")
        looks = clock.looks
        issued = service.arrive(booked.ref, print_ticket=False)
        assert clock.looks - looks == 1
        assert issued.ticket.issued_at == clock.at - timedelta(milliseconds=1)
    finally:
        session.close()
