"""Trial 7's desk findings: F8 to a desk someone else is at leaves the terminal where it was
(C4); F10 with no board configured says so and draws no empty board (P6); the booking form
offers only the channels that work at the desk (C2); Ctrl+N where texts are not set up says so
before asking for a number (C3); F1's words follow the keys the person has (C6); Ctrl+R while
the ticket still waits to print adds no paper."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import OptionList, RadioButton, RadioSet, Static

from oss_desk.clock import FixedClock
from oss_desk.domain.channel_words import texts_off_at_greet
from oss_desk.domain.channels import NONE_WORKS
from oss_desk.services.queue import QueueService
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs import ChoiceDialog, HelpScreen, InfoDialog
from oss_desk.ui.dialogs.appointments import BookingDialog
from oss_desk.ui.dialogs.resident_view import ResidentViewDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.appointments import AppointmentsScreen
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.widgets.bars import TopBar

from ..appointments_site import NOW
from ..conftest import site_toml
from .conftest import (
    AppFactory,
    acting,
    appointments_office,
    office_db,
    pressed_to,
    rows,
    said,
    settled,
    until,
)
from .test_browser_close import BrowserDesk
from .test_turn_text_ui import texting_office


def logins(db: Path) -> dict[str, str]:
    return {
        str(desk): str(person)
        for desk, person in rows(db, "SELECT desk_id, person FROM desk_sessions")
    }


async def test_a_refused_move_leaves_the_terminal_at_its_own_desk(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    with acting(db, person="dev", desk="desk-2") as session:
        QueueService(session).log_in("desk-2")
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: isinstance(app.screen, AdviserScreen))
        await until(lambda: logins(db) == {"desk-1": "ben", "desk-2": "dev"})
        await pressed_to(pilot, ChoiceDialog, "f8")
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index("desk-2")
        await pressed_to(pilot, InfoDialog, "enter")
        assert isinstance(app.screen, InfoDialog)
        assert str(app.screen.heading) == "Desk 2 is in use"
        await pressed_to(pilot, AdviserScreen, "escape")
        await settled(pilot)
        assert app.adviser_desk_id == "desk-1"
        top = app.screen.query_one(TopBar)._parts
        assert top is not None and top[2] == "Desk 1"
        assert logins(db) == {"desk-1": "ben", "desk-2": "dev"}
        await pilot.press("ctrl+q")
    # Closing the desk app from there logs its person out of their own desk.
    assert logins(db) == {"desk-2": "dev"}
    assert rows(db, "SELECT status FROM desks WHERE id = 'desk-1'") == [("closed",)]


async def test_the_residents_view_without_a_board_says_so_and_draws_no_board(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, ResidentViewDialog, "f10")
        board = app.screen.query_one("#board-lines", Static)
        assert str(board.render()) == "No display board is configured."


async def test_ctrl_r_while_the_ticket_waits_to_print_adds_no_paper(
    office: Path, make_app: AppFactory
) -> None:
    """No device worker runs here: the ticket's print job waits. Ctrl+R says so and queues no
    second job (the resident would get two tickets when the printer is back)."""
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("c", "enter")
        await until(lambda: rows(office, "SELECT count(*) FROM print_jobs") == [(1,)])
        await pilot.press("ctrl+r")
        await until(lambda: said(app, "C003 is still waiting to print (job 1)"))
        await settled(pilot)
        assert rows(office, "SELECT count(*) FROM print_jobs") == [(1,)]


async def test_the_booking_form_offers_only_the_channels_that_work_here(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """No email and no texts set up; a printer only at greet-1 (trial 7, C2)."""
    db = appointments_office(migrated, tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    # At greet-1: the slip is chosen already, email and text marked and not choosable.
    app = make_app(db, "greet-1", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, AppointmentsScreen, "f5")
        at_greet = await pressed_to(pilot, BookingDialog, "b")
        await until(lambda: bool(at_greet.query("#booking-channel RadioButton")))  # composed
        buttons = list(at_greet.query_one("#booking-channel", RadioSet).query(RadioButton))
        assert [(str(b.label), b.disabled, b.value) for b in buttons] == [
            ("Email (not set up here)", True, False),
            ("Text (not set up here)", True, False),
            ("Printed slip", False, True),
        ]
        await pilot.press("c")
        await until(lambda: bool(at_greet.slots))
        await pilot.press("enter", "enter")  # the date, then the first free slot
        await pilot.press("ctrl+s")
        await until(lambda: rows(db, "SELECT channel FROM appointments") == [("slip",)])
    # At Desk 1 (no printer) nothing works: each is marked, and what would is said.
    app = make_app(db, "desk-1", clock=FixedClock(NOW), person="ana")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, AppointmentsScreen, "f5")
        at_desk = await pressed_to(pilot, BookingDialog, "b")
        await until(lambda: bool(at_desk.query("#booking-channel RadioButton")))  # composed
        buttons = list(at_desk.query_one("#booking-channel", RadioSet).query(RadioButton))
        assert all(b.disabled and "(not set up here)" in str(b.label) for b in buttons)
        note = str(at_desk.query_one("#booking-no-channel", Static).render())
        assert note == NONE_WORKS
        await pilot.press("c")
        await until(lambda: bool(at_desk.slots))
        await pilot.press("enter", "enter", "ctrl+s")
        error = at_desk.query_one("#booking-error", Static)
        await until(lambda: "no booking can be confirmed here" in str(error.render()))
        assert rows(db, "SELECT count(*) FROM appointments") == [(1,)]


BROWSER_OR_TERMINAL = pytest.mark.parametrize(
    ("served", "key", "other"),
    [(True, "Ctrl+O", "Ctrl+N"), (False, "Ctrl+N", "Ctrl+O")],
    ids=["browser", "terminal"],
)
"""Text me's key: Ctrl+N in a terminal, Ctrl+O at a browser desk (a browser keeps Ctrl+N for a
new window): F1 and the refusal name the key the desk takes, never the other."""


@BROWSER_OR_TERMINAL
async def test_ctrl_n_where_texts_are_not_set_up_asks_for_no_number(
    migrated: Path, tmp_path: Path, make_app: AppFactory, served: bool, key: str, other: str
) -> None:
    """No Notify: Text me is not offered (key bar, F1), and pressing its key says why at once,
    naming it, before any number is asked (trial 7, C3)."""
    db = office_db(migrated, tmp_path, site_toml())
    app = make_app(db, "greet-1", app_class=BrowserDesk if served else OssDeskApp)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("c", "enter")
        await until(lambda: rows(db, "SELECT count(*) FROM tickets") == [(1,)])
        assert key.lower() not in app.screen.active_bindings
        await pilot.press(key.lower())
        await until(lambda: said(app, texts_off_at_greet(key)))
        await settled(pilot)
        assert isinstance(app.screen, GreetScreen)  # no dialog asked for a number
        assert not said(app, texts_off_at_greet(other))
        help_screen = await open_help(app, pilot)
        assert f"{key} after issuing" not in help_screen.about
        assert f"{texts_off_at_greet(key)}." in help_screen.about
        assert other not in help_screen.about.replace("Ctrl+N, Ctrl+T and Ctrl+W", "")
        assert not [row for row in help_screen.rows if "Text me" in row[1]]


@BROWSER_OR_TERMINAL
async def test_ctrl_n_where_texts_are_set_up_is_offered_and_explained(
    migrated: Path, tmp_path: Path, make_app: AppFactory, served: bool, key: str, other: str
) -> None:
    db = texting_office(migrated, tmp_path)
    app = make_app(db, "greet-1", app_class=BrowserDesk if served else OssDeskApp)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert key.lower() in app.screen.active_bindings
        help_screen = await open_help(app, pilot)
        assert f"{key} after issuing" in help_screen.about
        assert f"{other} after issuing" not in help_screen.about
        assert [row[1] for row in help_screen.rows if row[1] == "Text me"] == ["Text me"]


ADMIN = '\n[[staff]]\nid = "it"\nname = "Ian Tee"\nrole = "admin"\n'


@pytest.mark.parametrize(
    ("person", "described", "not_described"),
    [
        (
            "it",
            {"S prints"},
            {"D sends", "T moves", "X cancels", "Z closes", "P reprints", "E closes"},
        ),
        ("tl", {"D sends", "X cancels", "Z closes", "P reprints", "S prints", "E closes"}, set()),
    ],
    ids=["admin", "team-leader"],
)
async def test_the_leader_screen_s_f1_describes_only_the_keys_offered(
    migrated: Path,
    tmp_path: Path,
    make_app: AppFactory,
    person: str,
    described: set[str],
    not_described: set[str],
) -> None:
    """The words above F1's key table follow the keys the person has (trial 7, C6)."""
    db = office_db(migrated, tmp_path, site_toml(extra=ADMIN))
    app = make_app(db, "greet-1", person=person)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, LeaderScreen, "f4")
        leader = app.screen
        help_screen = await open_help(app, pilot)
        for words in described:
            assert words in help_screen.about, words
        for words in not_described:
            assert words not in help_screen.about, words
        # Each key the words describe is in the key table below them.
        assert isinstance(leader, LeaderScreen)
        keys = {row[0].lower() for row in help_screen.rows}
        for action in LeaderScreen.HELP_KEYS:
            key = next(
                b.key
                for b in LeaderScreen.BINDINGS
                if isinstance(b, Binding) and b.action == action
            )
            assert (LeaderScreen.HELP_KEYS[action] in help_screen.about) == (key in keys), action


def test_every_help_sentence_is_about_a_key_of_its_screen() -> None:
    from oss_desk.ui.screens.base import DeskScreen

    for screen in (GreetScreen, LeaderScreen, AppointmentsScreen):
        actions = {b.action for b in screen.BINDINGS if isinstance(b, Binding)}
        assert set(screen.HELP_KEYS) <= actions, screen
    assert DeskScreen.HELP_KEYS == {}


async def test_the_appointments_f1_leaves_out_what_the_admin_may_not_do(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = office_db(migrated, tmp_path, site_toml(extra=ADMIN))
    app = make_app(db, "greet-1", person="it")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, AppointmentsScreen, "f5")
        help_screen = await open_help(app, pilot)
        assert "The grid shows a day" in help_screen.about
        for words in ("B books", "C checks", "M moves", "X cancels", "N marks", "R rebooks"):
            assert words not in help_screen.about, words


async def open_help(app: OssDeskApp, pilot: Pilot[None]) -> HelpScreen:
    """F1 on the current screen."""
    await pressed_to(pilot, HelpScreen, "f1")
    assert isinstance(app.screen, HelpScreen)
    return app.screen
