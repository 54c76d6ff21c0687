"""One way to finish everywhere (trial finding 10): a visit dealt with at meet-and-greet (F8)
and a service added at a desk ask "to which organisation?" when signposted, and F8 has the
finish dialog's W and O ticks, so the report's signposting and channel-shift figures count
them all; driven with Pilot, checked in the real database."""

from __future__ import annotations

import json
from pathlib import Path

from oss_desk.ui.dialogs import ChoiceDialog, OutcomeDialog
from oss_desk.ui.dialogs.scorecard import FinishDialog, SignpostDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.greet import GreetScreen

from .conftest import AppFactory, adviser_desk, call_next, pressed_to, rows, until


def finished(db: Path) -> list[dict[str, object]]:
    query = "SELECT data FROM events WHERE kind = 'finished' ORDER BY id"
    return [json.loads(str(r[0] or "{}")) for r in rows(db, query)]


async def test_f8_asks_where_to_and_has_the_ticks(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "greet-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert isinstance(app.screen, GreetScreen)
        dialog = await pressed_to(pilot, FinishDialog, "w", "f8")  # Waste, dealt with here
        await pilot.press("w", "o")  # helped online, could have been done online
        await until(lambda: dialog.flags == {"assisted_digital": True, "avoidable": True})
        await pressed_to(pilot, SignpostDialog, "2")  # signposted
        await pilot.press("1")  # the first organisation configured
        await until(lambda: len(finished(office)) == 1)
        (data,) = finished(office)
        assert data["at"] == "meet-and-greet"
        assert data["signposted_to"] == "county"  # the first organisation of the test office
        assert data["assisted_digital"] is True and data["avoidable"] is True


async def test_a_signposted_added_service_asks_where_to(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app)
        await call_next(pilot, screen)
        await pressed_to(pilot, ChoiceDialog, "a")
        await pilot.press("w")  # Waste, added to the visit
        await until(lambda: rows(office, "SELECT count(*) FROM visit_services") == [(1,)])
        await until(lambda: isinstance(app.screen, AdviserScreen))
        await pressed_to(pilot, FinishDialog, "f")
        await pilot.press("1")  # the ticket's own service: resolved
        await until(lambda: type(app.screen) is OutcomeDialog)
        await pressed_to(pilot, SignpostDialog, "2")  # Waste: signposted
        await pilot.press("1")
        await until(lambda: len(finished(office)) == 1)
        (data,) = finished(office)
        assert data["signposted_to"] == "county"  # the first organisation of the test office
        assert data["own_outcome"] == "resolved"
