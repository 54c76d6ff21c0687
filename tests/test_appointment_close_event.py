"""Close of day moving a checked-in appointment ("came, not seen (office closed)") is in the
event log, the audit trail: the ticket's closing event says what became of the appointment.
Before, only the ticket's end was recorded; the appointment's status changed in no event."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now

from .appointments_site import make_office, service_at
from .conftest import rows


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)  # Monday, GMT


def test_the_close_of_day_records_what_became_of_the_appointment(tmp_path: Path) -> None:
    db = make_office(tmp_path, now=at(9, 0), printer=f"capture://{tmp_path}/slips.bin")
    clock = FixedClock(at(9, 30))
    appointments, session = service_at(db, clock)
    try:
        booked = appointments.book("C", at(10, 30), channel="slip", adviser="ana")
        clock.set(at(10, 15))
        ticket = appointments.check_in(booked.ref)
        other = QueueService(session).issue("C", print_ticket=False).ticket  # a walk-in
        clock.set(at(11, 25))
        assert sorted(t.code for t in close_now(session)) == sorted([ticket.code, other.code])
    finally:
        session.close()
    closed = {
        ticket_id: json.loads(data)
        for ticket_id, data in rows(
            db, "SELECT ticket_id, data FROM events WHERE kind = 'cancelled' ORDER BY id"
        )
    }
    assert closed[ticket.id]["appointment"] == "not_seen"
    assert closed[ticket.id]["appointment_id"] == booked.id
    assert "appointment" not in closed[other.id]
    status = rows(db, "SELECT status FROM appointments WHERE id = ?", booked.id)
    assert status == [("not_seen",)]
