"""Rebooking a booking already seen marks it "came without the documents": the desk asks first
(F5 R) and the command refuses without ``--incomplete`` (a tester's R relabelled a seen
booking with no question). One wording for both (``domain.appointments.rebook_seen_said``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.appointments import Appointment, AppointmentStatus, rebook_seen_said
from oss_desk.errors import RuleViolation
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session

from .appointments_site import make_office, service_at
from .conftest import Cli


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def seen_booking(db: Path, clock: FixedClock) -> tuple[AppointmentService, Appointment]:
    svc, _ = service_at(db, clock)
    appt = svc.book("C", at(23, 10, 30), channel="slip", name="Ann Other", adviser="ana")
    clock.set(at(23, 10, 25))
    ticket = svc.check_in(appt.ref)
    room = QueueService(open_session(db=db, clock=clock, person="ana", desk_id="room-1"))
    called = room.call_next("room-1")
    assert called is not None and called.id == ticket.id
    room.finish(ticket.id, "resolved")
    assert svc.find(appt.ref).status is AppointmentStatus.ATTENDED
    return svc, appt


def test_a_seen_booking_is_rebooked_only_when_said(tmp_path: Path) -> None:
    db = make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    svc, appt = seen_booking(db, FixedClock(at(23, 9)))
    with pytest.raises(RuleViolation) as refused:
        svc.rebook(appt.ref, at(25, 9))
    assert (
        refused.value.message
        == f"{appt.ref} was seen: rebooking marks it as came without the documents"
    )
    assert svc.find(appt.ref).status is AppointmentStatus.ATTENDED  # nothing changed
    again = svc.rebook(appt.ref, at(25, 9), seen_incomplete=True)
    assert again.rebooked_from == appt.id
    assert svc.find(appt.ref).status is AppointmentStatus.INCOMPLETE
    asked = rebook_seen_said(appt.ref, asking=True)
    assert asked == f"{appt.ref} was seen: mark it as came without the documents and rebook?"


def test_the_command_refuses_a_seen_booking_without_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    _, appt = seen_booking(db, FixedClock(at(23, 9)))
    cli = Cli(db, monkeypatch)
    now = "2026-11-23T11:00:00Z"
    start = "2026-11-25T09:00:00Z"
    refused = cli("--user", "tl", "appointment", "rebook", appt.ref, "--start", start, now=now)
    assert refused.code == 6
    assert refused.err == (
        f"oss-desk: {appt.ref} was seen: rebooking marks it as came without the documents "
        "(if so, add --incomplete)\n"
    )
    rebook = ("appointment", "rebook", appt.ref, "--start", start, "--desk", "greet-1")
    done = cli("--user", "tl", *rebook, "--incomplete", now=now)
    assert done.code == 0, done.err
