"""Roles in the desk app: each person sees only their modes and keys; reads of contact details
are recorded once per booking, not on every refresh."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from oss_desk.clock import FixedClock
from oss_desk.domain.followups import Kind
from oss_desk.ui.commands import DeskCommands, issue_from_palette
from oss_desk.ui.dialogs import HelpScreen
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.appointments import AppointmentsScreen
from oss_desk.ui.screens.followups import FollowupsScreen
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.screens.reports import ReportsScreen
from oss_desk.ui.widgets.bars import TopBar
from oss_desk.ui.widgets.key_bar import KeyBar
from oss_desk.ui.widgets.queue_table import QueueTable

from ..test_access import NOW, Office, build_office
from .conftest import AppFactory, pressed_to, rows, said, settled, until


@pytest.fixture
def roles_office(tmp_path: Path) -> Office:
    return build_office(tmp_path)


def keys(app) -> set[str]:  # type: ignore[no-untyped-def]
    """The keys offered on the current screen (hidden ones are not among them)."""
    return set(app.screen.active_bindings)


def key_bar(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(KeyBar).render())


def header(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(TopBar).render())


def count(db: Path, sql: str) -> int:
    return int(rows(db, sql)[0][0])


async def test_the_adviser_sees_the_adviser_desk_only(
    roles_office: Office, make_app: AppFactory
) -> None:
    db = roles_office.db
    app = make_app(db, "desk-1", person="adv", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert isinstance(app.screen, AdviserScreen)
        await until(lambda: "Sam Patel (adviser)" in header(app))
        await until(lambda: "r" in keys(app))  # their own ticket C001 is called to desk-1
        offered = keys(app)
        assert {"f3", "f5", "r", "s", "f", "x", "t", "o", "c"} <= offered  # c: to their desk
        assert not {"f2", "f4"} & offered  # meet-and-greet, team leader
        bar = key_bar(app)
        assert "Greet" not in bar and "Leader" not in bar
        # The hidden keys do nothing (after entering the desk has logged them in).
        screen = app.screen
        await until(lambda: (state := screen.my_state()) is not None and state.login is not None)
        await settled(pilot)
        before = count(db, "SELECT count(*) FROM events")
        await pilot.press("f2")
        await pilot.press("f4")
        await settled(pilot)
        assert isinstance(app.screen, AdviserScreen)
        assert count(db, "SELECT count(*) FROM events") == before
        # F1 and Ctrl+P offer only what they may do.
        help_screen = await pressed_to(pilot, HelpScreen, "f1")
        described = {description for _, description, _ in help_screen.rows}
        assert "Call next" in described and "Recall" in described
        assert not {"Greet", "Leader"} & described
        await pressed_to(pilot, AdviserScreen, "f1")
        provider = DeskCommands(app.screen)
        commands = [name for name, _, _ in provider._entries()]
        assert any(name.startswith("Call next") for name in commands)
        assert not any(name.startswith("Issue ticket") for name in commands)
        # Their own work goes on.
        await pilot.press("r")
        await until(lambda: rows(db, "SELECT recalls FROM tickets WHERE id = 1") == [(1,)])


async def test_the_greeter_sees_meet_and_greet_and_appointments(
    roles_office: Office, make_app: AppFactory
) -> None:
    db = roles_office.db
    app = make_app(db, "greet-1", person="mg", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert isinstance(app.screen, GreetScreen)
        await until(lambda: "Mo Greeter (meet-and-greet)" in header(app))
        offered = keys(app)
        assert {"f2", "f5", "f8", "ctrl+r", "f7"} <= offered
        assert not {"f3", "f4", "f6"} & offered
        await pilot.press("f3", "f4", "f6")
        await settled(pilot)
        assert isinstance(app.screen, GreetScreen)
        await pressed_to(pilot, AppointmentsScreen, "f5")
        await until(lambda: "b" in keys(app))
        offered = keys(app)
        assert {"b", "c", "m", "x"} <= offered
        assert "n" not in offered  # an appointment's no-show is not theirs


async def test_the_demo_shows_every_mode_each_as_its_own_person(
    roles_office: Office, make_app: AppFactory
) -> None:
    """`oss-desk demo` opens as the greeter, yet the team leader's modes (F4, F6 Reports) are
    there, acting as the demo's team leader."""
    app = make_app(roles_office.db, "greet-1", person="mg", clock=FixedClock(NOW), demo=True)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert {"f2", "f4", "f5", "f6"} <= keys(app)
        await pilot.press("f6")
        await until(lambda: isinstance(app.screen, ReportsScreen) and app.screen.shown is not None)
        # The follow-ups too: as the team leader, who sees and answers complaints (as the
        # greeter the demo's complaints could not be tried at all)
        await pilot.press("ctrl+f")
        await until(lambda: isinstance(app.screen, FollowupsScreen))
        await until(lambda: "(team-leader)" in header(app))
        assert isinstance(app.screen, FollowupsScreen)
        assert Kind.COMPLAINT in app.screen.visible_kinds()


async def test_the_admin_reads_figures_and_does_no_queue_work(
    roles_office: Office, make_app: AppFactory
) -> None:
    db = roles_office.db
    app = make_app(db, None, person="adm", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert isinstance(app.screen, LeaderScreen)  # the first mode their role may use
        await until(lambda: "Al Admin (admin)" in header(app))
        offered = keys(app)
        assert {"f4", "f5"} <= offered
        assert not {"f2", "f3", "d", "t", "p", "x", "z", "f7"} & offered
        before = count(db, "SELECT count(*) FROM events")
        app.screen.query_one(QueueTable).focus()
        await pilot.press("x", "p", "d", "f2", "f3")
        await settled(pilot)
        assert isinstance(app.screen, LeaderScreen)
        assert count(db, "SELECT count(*) FROM events") == before
        # A refused action that gets through anyway (the palette's "Issue ticket", a scan) is a
        # notification, and the desk carries on.
        await issue_from_palette(app, "W")
        await until(lambda: said(app, "Al Admin (admin) may not issue a ticket"))
        app.scanned(f"OSSD-A:{roles_office.later_ref}")
        await until(lambda: said(app, "Al Admin (admin) may not check a resident in"))
        assert count(db, "SELECT count(*) FROM events") == before
        assert isinstance(app.screen, LeaderScreen)
        # The appointments grid, without the residents' details.
        screen = await pressed_to(pilot, AppointmentsScreen, "f5")
        await until(lambda: screen.highlighted_appointment() is not None)
        await settled(pilot)
        assert "Rita" not in str(screen.query_one("#appt-detail", Static).render())
        assert not {"b", "c", "m", "x", "n", "k", "r"} & keys(app)
        assert count(db, "SELECT count(*) FROM events WHERE kind = 'personal_data_viewed'") == 0


async def test_contact_details_read_once_per_booking(
    roles_office: Office, make_app: AppFactory
) -> None:
    db = roles_office.db
    app = make_app(db, "greet-1", person="tl", clock=FixedClock(NOW))

    def viewed() -> list[tuple[object, ...]]:
        return rows(
            db,
            "SELECT actor, desk_id, appointment_id, data FROM events "
            "WHERE kind = 'personal_data_viewed' ORDER BY id",
        )

    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        screen = await pressed_to(pilot, AppointmentsScreen, "f5")
        await until(lambda: screen.highlighted_appointment() is not None)
        first = screen.highlighted_appointment()
        assert first is not None
        detail = screen.query_one("#appt-detail", Static)
        await until(lambda: "Rita Resident" in str(detail.render()))
        await until(lambda: len(viewed()) == 1)
        actor, desk, appointment, data = viewed()[0]
        assert (actor, desk, appointment) == ("tl", "greet-1", first.id)
        assert json.loads(str(data)) == {
            "fields": ["name", "email", "phone"],
            "where": "appointments panel",
        }
        assert "Rita" not in str(data) and "rita@" not in str(data)
        # Refreshes redraw the panel; they read nothing again.
        refreshed = app.refresh_count
        for _ in range(3):
            await app.after_write()
        await until(lambda: app.refresh_count >= refreshed + 3)
        await settled(pilot)
        assert len(viewed()) == 1
        # Another booking is another read; coming back to the first is not.
        table = screen.query_one("#appt-grid", DataTable)
        table.focus()
        while (appt := screen.highlighted_appointment()) is None or appt.id == first.id:
            await pilot.press("down")
        await until(lambda: len(viewed()) == 2)
        assert viewed()[1][2] == screen.highlighted_appointment().id  # type: ignore[union-attr]
        while (appt := screen.highlighted_appointment()) is None or appt.id != first.id:
            await pilot.press("up")
        await settled(pilot)
        assert len(viewed()) == 2
