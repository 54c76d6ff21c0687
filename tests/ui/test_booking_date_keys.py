"""Booking from "needs an appointment" at 80x24 (a new user's trial): the box opens with the
focus on the slots under "Date (YYYY-MM-DD)"; a date typed there went nowhere (the digits were
lost, Enter then chose a slot). A digit or '-' on the slots now starts a new date in the date
field, and the hint on the slots says so. Pilot, real SQLite."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual.widgets import Input, Static

from oss_desk.domain.slots import Slot
from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import OutcomeDialog
from oss_desk.ui.dialogs.appointments import BookingDialog

from ..appointments_site import NOW
from .conftest import (
    AppFactory,
    acting,
    adviser_desk,
    appointments_office,
    call_next,
    pressed_to,
    rows,
    until,
)


def chosen(dialog: BookingDialog) -> Slot | None:
    """The slot chosen with Enter, now."""
    return dialog.chosen


def hint(dialog: BookingDialog) -> str:
    shown = dialog.query_one(".hint", Static).content
    return shown.plain if isinstance(shown, Text) else str(shown)


async def test_a_date_typed_on_the_slots_goes_to_the_date_field(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = appointments_office(migrated, tmp_path, smtp_url="capture://" + str(tmp_path / "mail"))
    with acting(db, clock=NOW) as session:
        QueueService(session).issue("C", print_ticket=False)
    app = make_app(db, "desk-1", person="bob")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await adviser_desk(app)
        await call_next(pilot, screen)
        await pressed_to(pilot, OutcomeDialog, "f")
        dialog = await pressed_to(pilot, BookingDialog, "4")  # needs an appointment
        await until(lambda: bool(dialog.slots))
        slots = dialog.query_one("#booking-slots")
        date_box = dialog.query_one("#booking-date", Input)
        assert dialog.focused is slots and date_box.value == "2026-11-23"
        assert "digits: a new date" in hint(dialog)  # the keys on the slots
        await pilot.press(*"2026-12-09")
        await until(lambda: date_box.value == "2026-12-09")
        assert dialog.focused is date_box and "digits" not in hint(dialog)
        assert chosen(dialog) is None and rows(db, "SELECT count(*) FROM appointments") == [(0,)]
        await pilot.press("enter")  # that day's slots, the focus on them
        await until(lambda: dialog.focused is slots)
        assert dialog.slots and {s.start.date() for s in dialog.slots} == {date(2026, 12, 9)}
        assert chosen(dialog) is None and rows(db, "SELECT count(*) FROM appointments") == [(0,)]
        # Enter on a slot still chooses it (on to Name); Ctrl+S books it.
        await pilot.press("down", "enter")
        await until(lambda: chosen(dialog) is not None)
        assert chosen(dialog) == dialog.slots[1]
        await pilot.press("enter", *"ann@example.org", "ctrl+s")
        await until(lambda: rows(db, "SELECT count(*) FROM appointments") == [(1,)])
        assert rows(db, "SELECT business_day FROM appointments") == [("2026-12-09",)]
