"""Booking from "needs an appointment" (trial findings 19 and 20): on a day the office is
closed the form opens on the first day with free slots, with the focus on them; a prefilled
field is added to, not wiped, by typing; a bank holiday is named as one. Pilot, real SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import Input, Static

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import OutcomeDialog
from oss_desk.ui.dialogs.appointments import BookingDialog

from .conftest import (
    AppFactory,
    acting,
    adviser_desk,
    appointments_office,
    call_next,
    pressed_to,
    until,
)

SATURDAY = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


async def test_booking_on_a_closed_day_opens_on_the_next_free_day(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = appointments_office(migrated, tmp_path, now=SATURDAY)
    with acting(db, clock=SATURDAY) as session:
        QueueService(session).issue("C", needs="wheelchair", print_ticket=False)
    app = make_app(db, "desk-1", person="bob", clock=FixedClock(SATURDAY))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app)
        await call_next(pilot, screen)
        await pressed_to(pilot, OutcomeDialog, "f")
        dialog = await pressed_to(pilot, BookingDialog, "4")  # needs an appointment
        await until(lambda: bool(dialog.slots))
        # Not Saturday (no slots): Monday 30 November, its slots to choose from.
        assert dialog.query_one("#booking-date", Input).value == "2026-11-30"
        assert dialog.focused is not None and dialog.focused.id == "booking-slots"
        # Typing in the prefilled Needs adds to it.
        needs = dialog.query_one("#booking-needs", Input)
        needs.focus()
        await pilot.press(*",bsl")
        await until(lambda: needs.value == "wheelchair,bsl")
        # A bank holiday is named as one; the focus stays on the date to try another.
        date_box = dialog.query_one("#booking-date", Input)
        date_box.focus()
        await pilot.press(*["backspace"] * 10, *"2026-12-25", "enter")
        error = dialog.query_one("#booking-error", Static)
        await until(lambda: "bank holiday" in str(error.render()))
        assert "Fri 25 Dec is a bank holiday (Christmas Day)" in str(error.render())
        assert dialog.focused is date_box and dialog.slots == []
