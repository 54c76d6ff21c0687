"""F5's grid gives every state a booking can be shown in a colour of its own, with its key in
F1 and the README: "came, not seen (office closed)" and "came, left before being seen" (the
states migrations 0041 and 0050 added) were drawn plain bold, like no state at all."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.appointments import STATUS_MARKS, AppointmentStatus
from oss_desk.services.appointment_grid import day_grid
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now
from oss_desk.ui.screens.appointments import AppointmentsScreen
from oss_desk.ui.widgets.appointment_grid import BOOKED_STYLES, cell_text, grid_key

from ..appointments_site import service_at
from ..conftest import ROOT
from .conftest import AppFactory, appointments_office, until


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)  # Monday, GMT


def test_every_state_shown_has_a_colour_of_its_own() -> None:
    shown = [s for s in AppointmentStatus if s is not AppointmentStatus.CANCELLED]
    assert sorted(BOOKED_STYLES) == sorted(shown)
    assert len(set(BOOKED_STYLES.values())) == len(shown)


def test_not_seen_and_left_unseen_are_drawn_in_their_colours(
    migrated: Path, tmp_path: Path
) -> None:
    db = appointments_office(
        migrated, tmp_path, now=at(9, 0), printer=f"capture://{tmp_path}/slips.bin"
    )
    clock = FixedClock(at(9, 30))
    appointments, session = service_at(db, clock)
    queue = QueueService(session)
    try:
        left, shut = (
            appointments.book("C", at(10, minute), channel="slip", adviser="ana")
            for minute in (0, 30)
        )
        clock.set(at(9, 55))
        gone = appointments.check_in(left.ref)
        appointments.check_in(shut.ref)
        queue.call(gone.id, "desk-1")
        clock.set(at(10, 0))
        queue.no_show(gone.id)  # came, left before being seen
        clock.set(at(11, 0))
        close_now(session)  # the other still waiting: came, not seen (office closed)
        grid = day_grid(appointments, date(2026, 11, 23))
    finally:
        session.close()
    ana = {t: grid.cells[r][0] for r, t in enumerate(grid.times)}
    accent = "#E0A526"
    for when, status in (
        ("10:00", AppointmentStatus.LEFT_UNSEEN),
        ("10:30", AppointmentStatus.NOT_SEEN),
    ):
        drawn = cell_text(grid, ana[when], accent)
        assert grid.appointments[ana[when].appointment_id or 0].status is status
        assert str(drawn.style) == BOOKED_STYLES[status] != "bold", (when, drawn.style)


async def test_f1_and_the_readme_give_the_key(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    key = grid_key()
    for status, style in BOOKED_STYLES.items():
        assert style.replace("$accent", "accent colour") in key, status
    # The mark is the first word of its words ("shut" was read as a slot the office closed).
    assert "; came, not seen (office closed): cyan;" in key and "shut" not in key
    assert STATUS_MARKS[AppointmentStatus.NOT_SEEN] == "came"
    app = make_app(
        appointments_office(migrated, tmp_path, now=at(9, 0)),
        "greet-1",
        clock=FixedClock(at(9, 30)),
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f5")
        await until(lambda: isinstance(app.screen, AppointmentsScreen))
        screen = app.screen
        assert isinstance(screen, AppointmentsScreen)
        said = screen.help_words()
        assert said.endswith(f" {key}") and "B books" in said  # after the keys' sentences
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert key in readme
