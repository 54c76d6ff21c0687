"""B on the appointment grid, the night the clocks go back: on the row of the second 01:30
("01:30 GMT"), the booking form offers that time, not the 01:30 an hour before (the rows are
read back to their own instant), and the time column is wide enough to say which. The real
desk app (Pilot) on a real database file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.site import initialise
from oss_desk.ui.dialogs.appointments import BookingDialog
from oss_desk.ui.screens.appointments import AppointmentsScreen

from ..test_appointment_repeated_hour import night_office
from .conftest import AppFactory, pressed_to, until


async def test_b_on_the_second_0130_books_that_time(tmp_path: Path, make_app: AppFactory) -> None:
    now = datetime(2026, 10, 24, 23, 10, tzinfo=UTC)  # Sunday 25 October, 00:10 BST
    db = tmp_path / "office.sqlite"
    config = night_office(tmp_path, "smtp://127.0.0.1:1?starttls=off")
    initialise(db, clock=FixedClock(now), config_path=config)
    app = make_app(db, "greet-1", person="tl", clock=FixedClock(now))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        screen = await pressed_to(pilot, AppointmentsScreen, "f5")
        await until(lambda: screen.grid is not None and "01:30 GMT" in screen.grid.times)
        grid = screen.grid
        assert grid is not None
        row = grid.times.index("01:30 GMT")
        column = grid.column_keys.index("adviser:ana") + 1  # after the time column
        assert grid.cells[row][column - 1].kind == "free"
        screen.table.move_cursor(row=row, column=column)
        await until(lambda: screen.highlighted_time() == "01:30 GMT")
        assert screen.table.columns["time"].width >= len("01:30 GMT")  # type: ignore[index]
        dialog = await pressed_to(pilot, BookingDialog, "b")
        assert dialog.preferred is not None
        assert (dialog.preferred.start, dialog.preferred.adviser) == (
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            "ana",
        )
