"""A council move with less than the standard notice (``appointments.min_notice_working_days``)
is said at the desk as a short-notice cancellation is: "Moved ...: ... (short notice: recorded,
1 working day's notice)" (it said only "Moved ..."), and the appointment's panel says "Moved at
short notice". A resident's move owes no notice and says nothing of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from oss_desk.clock import FixedClock
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.screens.appointments import AppointmentsScreen

from ..appointments_site import NOW
from ..test_move_notice import strict_office as office_with_notice
from .conftest import AppFactory, pressed_to, said, until
from .test_appointments_ui import at, book, moved_to, open_appointments, open_move


@pytest.fixture
def strict_office(tmp_path: Path) -> Path:
    return office_with_notice(tmp_path)


@pytest.mark.parametrize(
    ("key", "note"),
    [
        ("c", " (short notice: recorded, 1 working day's notice)"),
        ("r", ""),
    ],
)
async def test_a_council_move_at_short_notice_says_so(
    strict_office: Path, make_app: AppFactory, key: str, note: str
) -> None:
    db = strict_office
    appt = book(db, at(24, 11), adviser="bob", channel="email", email="ann@example.org")
    app = make_app(db, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)
        await open_move(app, pilot, screen, appt.ref)
        await pilot.press("enter")  # the first free slot, Wednesday 09:00
        await pressed_to(pilot, ChoiceDialog, "ctrl+s")
        await pressed_to(pilot, AppointmentsScreen, key)
        await until(lambda: moved_to(db, appt.id)[1] == 2)
        await until(lambda: said(app, f"Moved {appt.ref}: Wed 25 Nov at 09:00{note}"))
        assert said(app, "short notice") == bool(note)
        # The booking's details (the cursor is on it): moved, not "Cancelled", at short notice.
        detail = screen.query_one("#appt-detail", Static)
        # (It showed the booking before the move: wait for it to show the new time.)
        await until(lambda: "Wed 25 Nov 09:00" in str(detail.render()))
        assert appt.ref in str(detail.render())
        assert ("Moved at short notice" in str(detail.render())) == bool(note)
        assert "Cancelled" not in str(detail.render())


async def test_a_council_move_of_a_slip_booking_says_to_tell_them(
    strict_office: Path, make_app: AppFactory
) -> None:
    """trial12 W3: the resident has no email or phone: the desk is told at once, as a warning,
    to tell them when they come in (nothing can be sent, no phone or email is held), not "the
    resident is told"."""
    db = strict_office
    appt = book(db, at(24, 11), adviser="bob")  # by slip
    app = make_app(db, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)
        await open_move(app, pilot, screen, appt.ref)
        await pilot.press("enter")
        await pressed_to(pilot, ChoiceDialog, "ctrl+s")
        await pressed_to(pilot, AppointmentsScreen, "c")
        await until(lambda: moved_to(db, appt.id)[1] == 2)
        untold = (
            "the resident was booked by slip (no message goes to them) and has not been told"
            " of this change"
        )
        await until(lambda: said(app, f"Moved {appt.ref}: Wed 25 Nov at 09:00 ({untold}"))
        assert said(app, f"oss-desk appointment told {appt.ref}")
        # No phone or email is held: told when they come in, not "phone or write to them".
        assert said(app, "no contact details held: tell them when they come in")
        assert [n.severity for n in app._notifications if untold in n.message] == ["warning"]
