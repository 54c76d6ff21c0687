"""A key that answers nothing in a box of a few answers says so, never silently: a letter not
in the transfer box or the service list, a desk's number not offered, a key other than y or n
in a question. Keys typed ahead still go where they were meant; a scanner's code typed into a
box is one notice, not one a key."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from oss_desk.clock import FixedClock
from oss_desk.domain.counter import not_an_answer
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs import ChoiceDialog, HelpScreen
from oss_desk.ui.dialogs.appointments import BookingDialog
from oss_desk.ui.dialogs.counter import QuestionDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.appointments import AppointmentsScreen

from ..appointments_site import NOW, make_office
from .conftest import AppFactory, call_next, kept_notices, pressed_to, settled, staffed, until


@asynccontextmanager
async def serving(
    db: Path, make_app: AppFactory
) -> AsyncIterator[tuple[OssDeskApp, Pilot[None], AdviserScreen, list[str]]]:
    """Ben at desk 1 with the first resident called, and what the desk says from then on."""
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, AdviserScreen)
        await until(lambda: staffed(screen), timeout=30)
        await call_next(pilot, screen)
        yield app, pilot, screen, kept_notices(app)


def test_a_key_that_answers_nothing_is_said_with_the_keys_that_do() -> None:
    assert not_an_answer("k", ["s", "d", "p"]) == "'k' is not one of S, D or P"
    assert not_an_answer("3", ["1", "2", "4"]) == "'3' is not one of 1, 2 or 4"
    assert not_an_answer("q", ["y", "n"]) == "'q' is not an answer: y or n, or Esc"


async def test_wrong_keys_in_the_transfer_boxes_and_the_question_are_said(
    counter_office: Path, make_app: AppFactory
) -> None:
    async with serving(counter_office, make_app) as (app, pilot, screen, said):
        # The transfer box: S, D or P.
        box = await pressed_to(pilot, ChoiceDialog, "t")
        await pilot.press("k")
        await until(lambda: "'k' is not one of S, D or P" in said)
        assert app.screen is box  # still asked
        # The service list: a letter no service has.
        services = await pressed_to(pilot, ChoiceDialog, "s")
        assert services is not box
        await pilot.press("z")
        await until(lambda: any(s.startswith("'z' is not one of ") for s in said))
        await pilot.press("escape")
        await until(lambda: app.screen is screen)
        # The question: y or n.
        await pressed_to(pilot, QuestionDialog, "x")
        await pilot.press("q")
        await until(lambda: "'q' is not an answer: y or n, or Esc" in said)
        assert isinstance(app.screen, QuestionDialog)
        await pressed_to(pilot, HelpScreen, "f1")  # the box's own keys still do their work
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, QuestionDialog))
        await pilot.press("n")  # they are here: start serving
        await until(lambda: app.screen is screen)
        await settled(pilot)
        assert said.count("'q' is not an answer: y or n, or Esc") == 1


async def test_a_scanner_s_code_typed_into_a_box_is_one_notice(
    counter_office: Path, make_app: AppFactory
) -> None:
    async with serving(counter_office, make_app) as (app, pilot, _screen, said):
        await pressed_to(pilot, QuestionDialog, "x")
        await pilot.press(*"K7M3QXA9")  # a code the scanner does not know: no prefix
        await pressed_to(pilot, HelpScreen, "f1")  # read after them: they were all handled
        assert said == ["'K' is not an answer: y or n, or Esc"]
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, QuestionDialog))  # still asked


async def test_a_letter_in_a_booking_form_away_from_its_service_list_is_not_called_wrong(
    tmp_path: Path, make_app: AppFactory
) -> None:
    """A review: on the booking form (F5, B), with the focus on the free slots, H said "'h' is
    not one of C or H", and a letter on the channel's buttons or the tick box said the same of
    the service list, which did not have the focus. Only the list with the focus is answered
    by its letters; the form's list still says a letter it has not."""
    office = make_office(tmp_path, smtp_url="capture://" + str(tmp_path / "mail"))
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f5")
        await until(lambda: isinstance(app.screen, AppointmentsScreen))
        dialog = await pressed_to(pilot, BookingDialog, "b")
        said = kept_notices(app)
        await pilot.press("c")
        await until(lambda: bool(dialog.slots))
        await pilot.press("enter")  # the date: the focus on the slots
        slots = dialog.query_one("#booking-slots")
        await until(lambda: slots.has_focus)
        away: list[str | None] = []
        while not (focused := dialog.focused) or focused.id != "booking-service":
            if not isinstance(focused, Input):
                away.append(focused.id if focused else None)
                # H is a service's letter, W is none: typed where no letter is taken
                await pilot.press("h" if focused is slots else "w")
            await pilot.press("tab")
            await until(moved_from(dialog, focused))  # the keys before it: read
        assert away == ["booking-slots", "booking-channel", "booking-follow-up"]
        assert said == [] and dialog.service == "C"
        await pilot.press("z")  # on the service list: said, with the letters it has
        await until(lambda: said == ["'z' is not one of C or H"])


def moved_from(dialog: BookingDialog, widget: Widget | None) -> Callable[[], bool]:
    """Whether the focus has left ``widget`` (Tab read, so the keys before it were too)."""
    return lambda: dialog.focused is not widget
