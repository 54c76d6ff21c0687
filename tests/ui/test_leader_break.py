"""The team leader pauses a desk from their own screen (a new user's trial found F4 offered Z,
close, and no break: a break needed ``oss-desk desks break``). B on the highlighted desk puts it
on a break, asking first when a resident waits for it, and says what ``desks break`` says; B
again opens it. F1 says how an adviser serves other services for the day."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from oss_desk.services.queue import QueueService
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs import ConfirmDialog, HelpScreen
from oss_desk.ui.screens.leader import LeaderScreen

from ..conftest import Cli, site_toml
from .conftest import (
    ADVISERS,
    AppFactory,
    acting,
    four_waiting,
    office_db,
    pressed_to,
    rows,
    said,
    settled,
    until,
)


@pytest.fixture
def staffed(migrated: Path, tmp_path: Path) -> Path:
    """Ben logged in to Desk 1, four residents waiting, C002 sent to Desk 1."""
    db = four_waiting(office_db(migrated, tmp_path, site_toml(extra=ADVISERS)), "CCBW")
    with acting(db, person="ben", desk="desk-1") as session:
        QueueService(session).log_in("desk-1")
    with acting(db) as session:
        QueueService(session).transfer("C002", desk_id="desk-1")
    return db


def status(db: Path, desk: str) -> str:
    [(found,)] = rows(db, "SELECT status FROM desks WHERE id = ?", desk)
    return str(found)


async def on_desk_row(app: OssDeskApp, pilot: Pilot[Any], desk: str) -> None:
    """The team leader's screen (F4), its desks table focused on ``desk``'s row."""
    await until(lambda: app.snapshot is not None)
    await pressed_to(pilot, LeaderScreen, "f4")
    desks = app.screen.query_one("#desks", DataTable)
    desks.focus()
    desks.move_cursor(row=desks.get_row_index(desk))


async def test_b_pauses_the_highlighted_desk_and_opens_it_again(
    staffed: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(staffed, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await on_desk_row(app, pilot, "desk-1")
        # C002 waits for Desk 1: asked first, naming it; "no" changes nothing.
        asked = await pressed_to(pilot, ConfirmDialog, "b")
        assert str(asked.heading) == (
            "Put Desk 1 on a break?\nC002 waits for Desk 1 until it opens again."
        )
        await pressed_to(pilot, LeaderScreen, "n")
        await settled(pilot)
        assert status(staffed, "desk-1") == "open"
        await pressed_to(pilot, ConfirmDialog, "b")
        await pilot.press("y")
        await until(lambda: status(staffed, "desk-1") == "break")
        on_break = "Desk 1: open -> break; C002 waits for Desk 1 until it opens again"
        await until(lambda: said(app, on_break))
        # B again: open again, without a question (nothing to lose).
        await pilot.press("b")
        await until(lambda: status(staffed, "desk-1") == "open")
        await until(lambda: said(app, "Desk 1: break -> open"))
        # F1 offers B, and says how an adviser serves other services for the day.
        shown = await pressed_to(pilot, HelpScreen, "f1")
        assert any(row[0] == "b" for row in shown.rows)
        assert "they log in to a desk that serves them (F8 at their desk)" in shown.about
    # Recorded as the team leader's, and the command line says the same words.
    assert rows(staffed, "SELECT actor, data FROM events WHERE kind = 'desk_status'") == [
        ("tl", '{"from":"open","to":"break"}'),
        ("tl", '{"from":"break","to":"open"}'),
    ]
    cli = Cli(staffed, monkeypatch)
    by_command = cli("--user", "tl", "desks", "break", "desk-1", now="2026-11-23T09:31:00Z")
    assert by_command.out == on_break + "\n"


async def test_b_on_a_desk_with_nothing_waiting_asks_nothing(
    staffed: Path, make_app: AppFactory
) -> None:
    """Desk 2 (Dev logged in, nothing sent to it): B puts it on a break at once."""
    with acting(staffed, person="dev", desk="desk-2") as session:
        QueueService(session).log_in("desk-2")
    app = make_app(staffed, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await on_desk_row(app, pilot, "desk-2")
        await pilot.press("b")
        await until(lambda: status(staffed, "desk-2") == "break")
        await until(lambda: said(app, "Desk 2: open -> break"))
        assert isinstance(app.screen, LeaderScreen)
