"""F4 X asks why a ticket is cancelled: the resident left (a walk-out), or it was issued in error
(no visitor), recorded as ``ticket cancel --reason`` records it (third new-user trial, C10)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Static

from oss_desk.services.reports import ReportService
from oss_desk.ui.dialogs import ChoiceDialog, HelpScreen
from oss_desk.ui.screens.leader import LeaderScreen

from .conftest import AppFactory, acting, leader_queue, pressed_to, rows, until

pytestmark = pytest.mark.usefixtures("quick_keys")  # every step waits for what its keys lead to


def cancelled(db: Path) -> dict[str, str]:
    """Each cancelled ticket's code and the reason its event recorded."""
    found = rows(
        db,
        "SELECT t.service_code || printf('%03d', t.number), e.data FROM events e"
        " JOIN tickets t ON t.id = e.ticket_id WHERE e.kind = 'cancelled'",
    )
    return {code: json.loads(data)["reason"] for code, data in found}


def daily_counts(db: Path) -> tuple[int, int]:
    """(issued in error, left before the target) in today's report."""
    with acting(db) as session:
        figures = ReportService(session).daily(None, None).figures
        return figures.issued_in_error, figures.left_before_target


async def test_x_asks_left_or_issued_in_error(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        table = await leader_queue(pilot, 4)
        # The highlight is on the first in the queue (C001); the last (W001) came 2 minutes ago.
        dialog = await pressed_to(pilot, ChoiceDialog, "down", "down", "down", "x")
        assert str(dialog.heading).startswith("Cancel W001 (Waste): why?")
        labels = [label for _, label in dialog.choices]
        assert labels[0].startswith("L  Left") and labels[1].startswith("E  Issued in error")
        await pilot.press("e")
        await until(lambda: "W001" in cancelled(office))
        assert cancelled(office) == {"W001": "error"}
        await until(lambda: table.row_count == 3)
        await pressed_to(pilot, ChoiceDialog, "up", "up", "up", "x")
        await pilot.press("l")
        await until(lambda: "C001" in cancelled(office))
        assert cancelled(office) == {"W001": "error", "C001": "left"}
        # The error ticket is no walk-out; C001 waited 16 minutes: a walk-out after the target.
        assert daily_counts(office) == (1, 0)
        # F1 says so.
        await until(lambda: isinstance(app.screen, LeaderScreen))
        await pressed_to(pilot, HelpScreen, "f1")
        said = " ".join(" ".join(row) for row in app.screen.rows)  # type: ignore[attr-defined]
        about = app.screen.about  # type: ignore[attr-defined]
        assert "issued in error" in said and "issued in error" in about


async def test_escape_keeps_the_ticket(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        table = await leader_queue(pilot, 4)
        await pressed_to(pilot, ChoiceDialog, "x")
        await pressed_to(pilot, LeaderScreen, "escape")
        await app.workers.wait_for_complete()
        assert cancelled(office) == {}
        assert table.row_count == 4


async def test_f1_at_the_question_explains_each_answer(office: Path, make_app: AppFactory) -> None:
    """Note 14: F1 in "Cancel C001: why?" gave the choice box's general words ("pick one of the
    list") under the question: now what L and E each mean comes first, and the hint says F1."""
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await leader_queue(pilot, 4)
        dialog = await pressed_to(pilot, ChoiceDialog, "x")
        assert str(dialog.query_one(".hint", Static).render()) == (
            "L or E, or arrows and Enter · Esc: keep the ticket · F1: help"
        )
        shown = await pressed_to(pilot, HelpScreen, "f1")
        assert shown.about.startswith(
            "L: Left: the resident went before being seen (a walk-out).\n"
            "E: Issued in error: there was no resident (not a walk-out).\n"
        ), shown.about
        assert "not among the day's arrivals" in shown.about
        assert shown.about.endswith(ChoiceDialog.HELP)  # then the box's own words
        await pilot.press("escape")  # back to the question, still asked
        await until(lambda: app.screen is dialog)
        await pilot.press("escape")
        await until(lambda: isinstance(app.screen, LeaderScreen))
        assert cancelled(office) == {}
