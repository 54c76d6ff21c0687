"""F5 and F7 after a configuration change: someone who no longer takes appointments (their role
changed) still holds their bookings, and the desks must still see and find them (found by the
seventh new-user trial: the grid had no column for him, and F7 did nothing)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.site import initialise
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.dialogs.appointments import ReferenceDialog

from ..appointments_site import NOW, make_office, office_toml
from .conftest import AppFactory, pressed_to, until
from .test_appointments_ui import book, open_appointments

BOB = 'id = "bob"\nname = "Bob Adviser"\nrole = "adviser"\nappointments = ["C"]\n'


async def test_f7_finds_a_booking_held_by_someone_who_no_longer_takes_appointments(
    tmp_path: Path, make_app: AppFactory
) -> None:
    printer = f"capture://{tmp_path}/slips.bin"
    db = make_office(tmp_path, printer=printer)
    held = book(db, datetime(2026, 11, 24, 10, tzinfo=UTC), adviser="bob")
    config = tmp_path / "office.toml"
    text = office_toml(printer=printer)
    assert BOB in text
    config.write_text(text.replace(BOB, 'id = "bob"\nname = "Bob Adviser"\nrole = "team-leader"\n'))
    initialise(db, clock=FixedClock(NOW), config_path=config)
    app = make_app(db, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)
        await pressed_to(pilot, ReferenceDialog, "f7")
        await pilot.press(*held.ref, "enter")
        await until(lambda: (a := screen.highlighted_appointment()) is not None and a.id == held.id)
        grid = screen.grid
        assert grid is not None and grid.days[0].isoformat() == "2026-11-24"
        assert "Bob Adviser" in grid.headings
        assert "adviser:bob" in grid.column_keys
        # His week (W on his booking), and the next one, where he holds nothing.
        await pilot.press("w")
        await until(lambda: screen.grid_view == ("week", "adviser:bob"))
        await pilot.press("right_square_bracket")
        await until(lambda: screen.grid is not None and screen.grid.days[0].day == 30)
        assert screen.grid_view == ("week", "adviser:bob")
        # A ("whose week?") offers him on a day he holds a booking.
        dialog = await pressed_to(pilot, ChoiceDialog, "left_square_bracket", "a")
        assert any("Bob Adviser" in label for _, label in dialog.choices)
