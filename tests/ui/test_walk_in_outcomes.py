"""A walk-in-only service is never finished as "needs an appointment": neither meet-and-greet's
F8 nor the adviser's outcome list offers it, while a service that takes appointments keeps it
under the same key (trial 4, C9)."""

from __future__ import annotations

from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.domain.models import Outcome
from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import OutcomeDialog
from oss_desk.ui.dialogs.scorecard import FinishDialog, RatingPrompt
from oss_desk.ui.screens.greet import GreetScreen

from ..appointments_site import NOW
from .conftest import AppFactory, acting, adviser_desk, appointments_office, pressed_to, rows, until


def offered(dialog: object) -> dict[str, Outcome]:
    assert isinstance(dialog, OutcomeDialog)
    return dialog.answers


async def test_f8_for_a_walk_in_only_service_does_not_offer_an_appointment(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "greet-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert isinstance(app.screen, GreetScreen)
        await pressed_to(pilot, FinishDialog, "w", "f8")  # Waste (walk-in only), dealt with here
        dialog = app.screen
        assert offered(dialog) == {
            "1": Outcome.RESOLVED,
            "2": Outcome.SIGNPOSTED,
            "3": Outcome.REFERRED,
            "5": Outcome.CALLBACK,  # the same key as everywhere
        }
        await pilot.press("4")  # nothing: not offered
        await pilot.pause()  # the key is handled
        assert app.screen is dialog
        assert rows(office, "SELECT count(*) FROM visits WHERE outcome = 'appointment'") == [(0,)]


async def test_the_adviser_is_offered_an_appointment_only_where_one_can_be_booked(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = appointments_office(migrated, tmp_path)  # Council Tax takes appointments, Waste does not
    with acting(db, clock=NOW) as session:
        QueueService(session).issue("W", print_ticket=False)
        QueueService(session).issue("C", print_ticket=False)
    app = make_app(db, "desk-1", person="bob", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app)
        await pilot.press("n")
        await until(lambda: (t := screen.my_ticket()) is not None and t.service == "W")
        await pressed_to(pilot, OutcomeDialog, "f")
        assert Outcome.APPOINTMENT not in offered(app.screen).values()
        await pilot.press("1")
        await until(lambda: screen.my_ticket() is None and bool(screen.query(RatingPrompt)))
        await pilot.press("escape")  # not asked for a rating
        await until(lambda: not screen.query(RatingPrompt))
        await pilot.press("n")
        await until(lambda: (t := screen.my_ticket()) is not None and t.service == "C")
        await pressed_to(pilot, OutcomeDialog, "f")
        assert offered(app.screen)["4"] is Outcome.APPOINTMENT
