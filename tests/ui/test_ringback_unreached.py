"""Closing a ring-back as not reached (an appointments adviser's trial, finding 5): one key, U,
after one try closed it for good and said "closed, could not reach the resident (1 attempt);
returned in time", though nobody was reached and the deadline was a day away. The council's
standard counts a try in time as returned, so the figure stays; the words now say what
happened and how it is counted ("closed unreached after 1 attempt; counted as returned in
time"), and while time is left the desk asks y/n first. Real SQLite, the desk under Pilot."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot

from oss_desk.clock import FixedClock
from oss_desk.ui.dialogs import ChoiceDialog, ConfirmDialog
from oss_desk.ui.screens.followups import FollowupsScreen

from ..conftest import MONDAY_0930
from .conftest import AppFactory, pressed_to, said, until
from .test_followups_ui import followups, office, open_followups  # noqa: F401 (a fixture)


async def tried_once(pilot: Pilot[None]) -> None:
    """T takes the highlighted ring-back, A then N records a try that was not answered."""
    await pilot.press("t")
    await pressed_to(pilot, ChoiceDialog, "a")
    await pilot.press("n")


async def test_closing_unreached_before_the_deadline_is_asked_first(
    office: Path,  # noqa: F811
    make_app: AppFactory,
) -> None:
    app = make_app(office, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        await tried_once(pilot)
        await until(lambda: followups(office)[0][6] == 1)
        await until(lambda: screen.check_action("unreachable", ()) is True)
        asked = await pressed_to(pilot, ConfirmDialog, "u")
        assert str(asked.heading) == (
            "CB-0001 has until Tue 24 Nov and 1 attempt so far: close it unreached now?"
        )
        await pressed_to(pilot, FollowupsScreen, "n")
        assert followups(office)[0][4] == "open"  # kept open, to try again
        await pressed_to(pilot, ConfirmDialog, "u")
        await pressed_to(pilot, FollowupsScreen, "y")
        await until(lambda: followups(office)[0][4] == "unreachable")
        await until(lambda: said(app, "CB-0001: closed unreached after 1 attempt"))
        assert said(app, "CB-0001: closed unreached after 1 attempt; counted as returned in time")
        assert not said(app, "could not reach the resident (1 attempt); returned")


async def test_past_the_deadline_it_closes_without_a_question(
    office: Path,  # noqa: F811
    make_app: AppFactory,
) -> None:
    clock = FixedClock(MONDAY_0930)
    app = make_app(office, "desk-1", person="ana", clock=clock)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        clock.set(MONDAY_0930 + timedelta(days=2))  # Wednesday: due Tuesday
        await tried_once(pilot)
        await until(lambda: followups(office)[0][6] == 1)
        await until(lambda: screen.check_action("unreachable", ()) is True)
        await pilot.press("u")
        await until(lambda: followups(office)[0][4] == "unreachable")
        # Said once the close is back from the database thread (after the row is written).
        await until(
            lambda: said(app, "CB-0001: closed unreached after 1 attempt; counted as returned late")
        )


async def test_a_ring_back_whose_last_try_reached_them_is_refused_before_any_question(
    office: Path,  # noqa: F811
    make_app: AppFactory,
) -> None:
    """The question came first and the refusal only after "y" (the command line refuses at
    once): the desk now says why not straight away, in the same words, and asks nothing."""
    app = make_app(office, "desk-1", person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_followups(app, pilot)
        await pilot.press("t")
        await pressed_to(pilot, ChoiceDialog, "a")
        await pilot.press("r")  # reached
        await until(lambda: followups(office)[0][6] == 1)
        await until(lambda: screen.check_action("unreachable", ()) is True)
        await pilot.press("u")
        await until(lambda: said(app, "the last try reached the resident: close it as done"))
        assert not isinstance(app.screen, ConfirmDialog)
        assert followups(office)[0][4] == "open"
