"""The booking form's refusal (here: no way to confirm the booking) shows above the slot
chosen, which stays in view: a new user's trial found the refusal replacing the "Chosen: ..."
line."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Input, OptionList, Static

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
    until,
)


def said(dialog: BookingDialog) -> str:
    shown = dialog.query_one("#booking-error", Static).content
    return shown.plain if isinstance(shown, Text) else str(shown)


async def test_a_refusal_keeps_the_chosen_slot_in_view(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = appointments_office(migrated, tmp_path)
    with acting(db, clock=NOW) as session:
        QueueService(session).issue("C", print_ticket=False)
    app = make_app(db, "desk-1", person="bob")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app)
        await call_next(pilot, screen)
        await pressed_to(pilot, OutcomeDialog, "f")
        dialog = await pressed_to(pilot, BookingDialog, "4")  # needs an appointment
        await until(lambda: bool(dialog.slots))
        dialog.query_one("#booking-slots", OptionList).focus()
        await pilot.press("enter")  # the first free slot chosen
        await until(lambda: said(dialog).startswith("Chosen: "))
        chosen = said(dialog)
        dialog.query_one("#booking-email", Input).focus()
        await pilot.press(*"ann@", "ctrl+s")
        await until(lambda: said(dialog) != chosen)
        lines = said(dialog).splitlines()
        assert len(lines) == 2 and "no booking can be confirmed here" in lines[0], lines
        assert lines[1] == chosen  # still chosen, still said
