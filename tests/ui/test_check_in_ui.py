"""Checking an appointment in at meet-and-greet, driven with Pilot on a real database: the
ticket is printed as a walk-in's is, the dialog says so (and says when no open desk serves it),
and the rebooking hint names a key that works."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.screen import Screen

from oss_desk.clock import FixedClock
from oss_desk.domain.appointments import Appointment
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs.appointments import ChecklistDialog
from oss_desk.ui.screens.appointments import AppointmentsScreen
from oss_desk.ui.screens.greet import GreetScreen

from ..appointments_site import NOW
from .conftest import (
    AppFactory,
    acting,
    appointments_office,
    kept_notices,
    pressed_to,
    rows,
    until,
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def book(db: Path, start: datetime, service: str = "C") -> Appointment:
    with acting(db, clock=NOW) as session:
        slip = f"capture://{db.parent}/booking-slips.bin"  # booked by phone, slip posted
        return AppointmentService(session).book(service, start, channel="slip", print_to=slip)


def keys_of(screen: type[Screen[Any]]) -> dict[str, str]:
    return {b.key: b.action for b in screen.BINDINGS if isinstance(b, Binding)}


@pytest.mark.parametrize("printer", [True, False])
async def test_a_checked_in_resident_gets_a_printed_ticket(
    migrated: Path, tmp_path: Path, make_app: AppFactory, printer: bool
) -> None:
    office = appointments_office(
        migrated, tmp_path, printer=f"capture://{tmp_path}/slips.bin" if printer else ""
    )
    appt = book(office, at(23, 10, 30))
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        dialog = await pressed_to(pilot, ChecklistDialog, "slash", *appt.ref.lower(), "enter")
        ((ticket_id, code),) = rows(office, "SELECT id, service_code || number FROM tickets")
        jobs = rows(office, "SELECT kind, ticket_id FROM print_jobs WHERE kind = 'ticket'")
        said = "\n".join(dialog.lines)
        if printer:  # the same print hand-off as a walk-in's ticket
            assert jobs == [("ticket", ticket_id)]
            # In the words of the line behind it (tests/ui/test_checkin_box.py): no worker.
            assert "Ticket waiting to print (job" in said
        else:
            assert jobs == []
            assert "No printer here: tell the resident their code" in said
        assert "no open desk serves this" not in said  # desk-1 and the room are open
        await pilot.press("escape")
        screen = app.screen
        assert isinstance(screen, GreetScreen)
        # The issued panel (and so F9 reprint and F10) now follow the checked-in ticket.
        assert screen.last_issued is not None and screen.last_issued.ticket.id == ticket_id
        assert code.startswith("C")


async def test_check_in_to_a_closed_room_warns(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    office = appointments_office(migrated, tmp_path)
    appt = book(office, at(23, 10, 30), service="H")  # in Interview room 1
    with acting(office, desk="room-1", clock=NOW) as session:
        QueueService(session).set_desk_status("room-1", "closed")
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        dialog = await pressed_to(pilot, ChecklistDialog, "slash", *appt.ref.lower(), "enter")
        # Accepted (the room may open), and said plainly, in the queue's words.
        assert "Warning: no open desk serves this now" in "\n".join(dialog.lines)
        assert rows(office, "SELECT status FROM appointments") == [("checked_in",)]


async def test_the_rebooking_hint_names_keys_that_work(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    office = appointments_office(migrated, tmp_path)
    appt = book(office, at(23, 10, 30))
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, ChecklistDialog, "slash", *appt.ref.lower(), "enter")
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        await pilot.press("space", "ctrl+s")  # "Your bill", not "Photo ID"
        await until(lambda: any("Not brought" in m for m in told))
        (hint,) = [m for m in told if "Not brought" in m]
        assert "F5" in hint and "R" in hint
        # The hint is true: greet has no R; F5 opens the appointments, whose R rebooks.
        assert "r" not in keys_of(GreetScreen)
        assert keys_of(AppointmentsScreen)["r"] == "rebook"
        await pressed_to(pilot, AppointmentsScreen, "f5")
