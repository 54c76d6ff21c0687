"""F4: the team leader sees the office's printers that are not working, each named by its
desk, and each printer's state beside its desk in the summary's printer picker (devices
trial 17: the leader saw only the printer of the desk they sat at, and picked a desk for the
summary blind)."""

from __future__ import annotations

from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.storage.lease import WorkerLock
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.widgets.bars import StatusBar

from ..appointments_site import NOW
from .conftest import AppFactory, appointments_office, pressed_to, until
from .test_sender_status_ui import worker_found


async def test_the_team_leader_sees_a_printer_with_its_cover_open(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    printer = f"capture://{tmp_path}/greet.bin"
    db = appointments_office(migrated, tmp_path, printer=printer)
    lock = WorkerLock.acquire(db)
    assert lock is not None
    try:
        worker_found(db, printer, "printer", "cover open")
        app = make_app(db, "desk-1", person="tl", clock=FixedClock(NOW))
        async with app.run_test(size=(160, 30)) as pilot:
            await until(lambda: app.snapshot is not None)
            await pilot.press("f4")
            await until(lambda: isinstance(app.screen, LeaderScreen))
            leader = app.screen
            assert isinstance(leader, LeaderScreen)
            greet = leader.desk.names.desks["greet-1"].name
            bar = app.screen.query_one(StatusBar)
            said = f"Printers: {greet} cover open"
            await until(lambda: said in str(bar.render()), timeout=10)
            picker = await pressed_to(pilot, ChoiceDialog, "s")
            assert picker.choices == [("greet-1", f"{greet} (cover open)")]
    finally:
        lock.release()
