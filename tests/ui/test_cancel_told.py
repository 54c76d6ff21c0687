"""A cancellation says how the resident hears of it, as far as is true then (an appointments
adviser's trial, finding 2): the desk said "Cancelled K7M-3QX; the resident is told" as the
key was pressed, before anything was sent, and the command line said nothing of it. Both now
say the words of ``domain.appointments.cancel_told_said``: the cancellation will be sent by
email or text (queued for the device worker), or, for a slip booking the resident cancelled,
that no message goes. Real SQLite, the desk app under its test pilot, the real command."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.dialogs.appointments import ReferenceDialog
from oss_desk.ui.screens.appointments import AppointmentsScreen

from ..appointments_site import NOW, office_toml
from ..conftest import Cli
from .conftest import AppFactory, kept_notices, office_db, pressed_to, rows, said, until
from .test_appointments_ui import at, book, open_appointments, open_move

BY_EMAIL = "the cancellation will be sent by email (the device worker sends it)"
BY_SLIP = "no message goes to them: booked by slip, and they asked for it"
SLIP_DROPPED = (
    "its slip (print job 1) will not print: the booking was cancelled, no new one to print"
)
"""The slip booking's slip, still waiting for the printer (no worker runs here), said settled."""


@pytest.fixture
def office(migrated: Path, tmp_path: Path) -> Path:
    toml = office_toml(
        printer=f"capture://{tmp_path}/slips.bin",
        smtp_url="capture://" + str(tmp_path / "mail"),
    )
    return office_db(migrated, tmp_path, toml, now=NOW)


async def test_the_desk_says_the_cancellation_will_be_sent_not_that_they_are_told(
    office: Path, make_app: AppFactory
) -> None:
    by_email = book(office, at(26, 11), channel="email", email="r@example.org")
    by_slip = book(office, at(26, 12))
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)

        def on(appt_id: int) -> bool:
            return (h := screen.highlighted_appointment()) is not None and h.id == appt_id

        for appt, told in ((by_email, BY_EMAIL), (by_slip, BY_SLIP)):
            await pressed_to(pilot, ReferenceDialog, "f7")
            await pilot.press(*appt.ref, "enter")
            await until(lambda: on(appt.id))  # noqa: B023
            await pressed_to(pilot, ChoiceDialog, "x")
            await pilot.press("r")  # the resident asked
            await until(lambda: said(app, f"Cancelled {appt.ref}"))  # noqa: B023
            assert said(app, f"Cancelled {appt.ref}; {told}")
            assert not said(app, "the resident is told")
        assert said(app, f"Cancelled {by_slip.ref}; {BY_SLIP} ({SLIP_DROPPED})")
    kinds = rows(office, "SELECT kind, status FROM messages WHERE appointment_id = ?", by_email.id)
    assert ("cancellation", "pending") in kinds  # queued, not sent: as the desk said


def test_the_command_line_says_the_same(office: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    by_email = book(office, at(26, 11), channel="email", email="r@example.org")
    by_slip = book(office, at(26, 12))
    cli = Cli(office, monkeypatch)
    now = NOW.isoformat()
    for appt, told in ((by_email, [BY_EMAIL]), (by_slip, [BY_SLIP, SLIP_DROPPED])):
        done = cli("--user", "tl", "appointment", "cancel", appt.ref, "--by", "resident", now=now)
        assert done.code == 0, done.err
        assert done.out.splitlines()[1:] == [f"  {line}" for line in told], done.out


async def test_the_desk_says_a_move_dropped_the_slip_still_to_print(
    office: Path, make_app: AppFactory
) -> None:
    """Moving a slip booking at the desk dropped its unprinted slip without a word: M says so,
    with how to print the new one."""
    by_slip = book(office, at(24, 11), adviser="bob")  # its slip waits: no worker runs here
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)
        dialog = await open_move(app, pilot, screen, by_slip.ref)
        words = kept_notices(app)  # (a toast gone before a stalled test looked was not seen)
        await pilot.press("enter")  # the first free slot
        await until(lambda: dialog.chosen is not None)
        await pressed_to(pilot, ChoiceDialog, "ctrl+s")
        await pressed_to(pilot, AppointmentsScreen, "r")  # the resident asked
        await until(lambda: any(f"Moved {by_slip.ref}: " in w for w in words))
        dropped = (
            "its slip (print job 1) will not print: print the new one with "
            f"`oss-desk appointment slip {by_slip.ref}`)"
        )
        assert any(dropped in w for w in words), words
