"""Kind to mistakes (issue 17, item 7): a QR scan while a dialog is open is never lost, and a
booking dialog keeps what was typed when Tab moves on. Driven with Pilot on a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Input

from oss_desk.clock import FixedClock
from oss_desk.domain.appointments import Appointment
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import HelpScreen
from oss_desk.ui.dialogs.appointments import ChecklistDialog
from oss_desk.ui.dialogs.counter import TicketDialog
from oss_desk.ui.dialogs.needs import NeedsDialog
from oss_desk.ui.scanner import PREFIX
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.appointments import AppointmentsScreen
from oss_desk.ui.screens.greet import GreetScreen

from ..appointments_site import NOW
from .conftest import AppFactory, acting, appointments_office, pressed_to, rows, until
from .test_appointments_ui import booking_first_slot

KEY_NAMES = {"-": "minus", ":": "colon", "/": "slash", ".": "full_stop", "@": "at"}


def scan_keys(payload: str) -> list[str]:
    """The keys a USB scanner sends for a QR payload, then Enter."""
    return [KEY_NAMES.get(c, c) for c in payload] + ["enter"]


def book_at_ten_thirty(db: Path) -> Appointment:
    with acting(db, clock=NOW) as session:
        start = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
        return AppointmentService(session).book("C", start, channel="slip")


async def test_a_booking_scanned_while_a_dialog_is_open_checks_in_after_it_closes(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    office = appointments_office(migrated, tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    appt = book_at_ten_thirty(office)
    app = make_app(office, clock=FixedClock(NOW), scan_pause=5.0)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert isinstance(app.screen, GreetScreen)
        # the needs dialog: a list the scanner's letters would tick
        await pressed_to(pilot, NeedsDialog, "f9")
        needs = app.screen
        await pilot.press(*scan_keys(PREFIX + appt.ref))
        # Recognised and kept (a dialog's worker is waiting on it: no "settled" here).
        await until(lambda: len(app.scans.pending) == 1)
        await pilot.pause()
        # Not acted on behind the dialog, and none of its letters reached the dialog.
        assert app.screen is needs
        assert rows(office, "SELECT status FROM appointments") == [("booked",)]
        assert rows(office, "SELECT count(*) FROM tickets") == [(0,)]
        await pilot.press("escape")
        # Kept, and handled once the greet screen is on top again: checked in.
        await until(lambda: isinstance(app.screen, ChecklistDialog), timeout=10)
        assert rows(office, "SELECT status FROM appointments") == [("checked_in",)]
        assert rows(office, "SELECT count(*) FROM tickets WHERE channel = 'appointment'") == [(1,)]
        kinds = [str(r[0]) for r in rows(office, "SELECT kind FROM events ORDER BY id")]
        assert "appointment_checked_in" in kinds
        await pressed_to(pilot, GreetScreen, "escape")


async def test_a_ticket_scanned_while_help_is_open_opens_after_it_closes(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", scan_pause=5.0)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert isinstance(app.screen, AdviserScreen)
        await pressed_to(pilot, HelpScreen, "f1")
        before = rows(office, "SELECT kind FROM events ORDER BY id")
        # Caps Lock on: "n" would call next, "s" start, "x" a no-show.
        await pilot.press(*scan_keys("OSSD-T:hq:2026-11-23:C002".lower()))
        await until(lambda: len(app.scans.pending) == 1)
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)  # kept, not opened behind the help
        dialog = await pressed_to(pilot, TicketDialog, "escape", timeout=10)
        assert str(dialog.heading) == "Ticket C002"
        assert rows(office, "SELECT kind FROM events ORDER BY id") == before  # nothing acted
        await pressed_to(pilot, AdviserScreen, "escape")


async def test_two_scans_while_a_dialog_is_open_are_both_handled_in_order(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    office = appointments_office(migrated, tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    appt = book_at_ten_thirty(office)
    app = make_app(office, clock=FixedClock(NOW), scan_pause=5.0)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        with acting(office, clock=NOW) as session:
            QueueService(session).issue("C", print_ticket=False)
        await pressed_to(pilot, HelpScreen, "f1")
        await pilot.press(*scan_keys(PREFIX + appt.ref))
        await pilot.press(*scan_keys("OSSD-T:hq:2026-11-23:C001"))
        await until(lambda: len(app.scans.pending) == 2)
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pressed_to(pilot, ChecklistDialog, "escape", timeout=10)
        assert rows(office, "SELECT status FROM appointments") == [("checked_in",)]
        # the checklist closes: the ticket's scan is next
        dialog = await pressed_to(pilot, TicketDialog, "escape", timeout=10)
        assert str(dialog.heading) == "Ticket C001"


async def test_the_booking_dialog_keeps_what_was_typed_when_tab_moves_on(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    office = appointments_office(migrated, tmp_path, smtp_url="capture://" + str(tmp_path / "mail"))
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        dialog = await booking_first_slot(app, pilot)
        name = dialog.query_one("#booking-name", Input)
        await until(lambda: name.has_focus)
        # Tab between the fields (never Enter), and back with Shift+Tab.
        await pilot.press(*"Ann Other", "tab", *"ann@example.org", "tab", *"07700900123")
        await pilot.press("shift+tab", "shift+tab")
        await until(lambda: name.has_focus)
        await pilot.press("end", *" Smith", "tab", "tab", "tab", *"wheelchair")
        # All the way round the dialog (every field and list) and back to the name.
        for _ in range(20):
            await pilot.press("tab")
            if name.has_focus:
                break
        assert name.has_focus
        values = {
            key: dialog.query_one(f"#booking-{key}", Input).value
            for key in ("name", "email", "phone", "needs")
        }
        assert values == {
            "name": "Ann Other Smith",
            "email": "ann@example.org",
            "phone": "07700900123",
            "needs": "wheelchair",
        }
        await pressed_to(pilot, AppointmentsScreen, "ctrl+s", timeout=10)
    (row,) = rows(
        office,
        "SELECT c.name, c.email, c.phone, a.needs, a.channel, a.service_code FROM appointments a"
        " JOIN appointment_contacts c ON c.appointment_id = a.id",
    )
    assert row == (
        "Ann Other Smith",
        "ann@example.org",
        "+447700900123",  # stored in international form
        json.dumps(["wheelchair"]),
        "email",
        "C",
    )
