"""An adviser desk's waiting count, the breakdown under it and the status bar ask one rule (what
the desk may call); the team leader's "Left" names the ticket it cancels; the adviser's help
says the call order as the queue's rules hold it."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Static

from oss_desk.domain.queue import CALL_ORDER_WORDS, waiting_for
from oss_desk.services.queue import QueueService
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs import ChoiceDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.widgets.bars import StatusBar
from oss_desk.ui.widgets.queue_table import QueueTable

from .conftest import AppFactory, acting, kept_notices, pressed_to, rows, until


def text_of(app: OssDeskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def code_of(db: Path, ticket_id: int) -> str:
    with acting(db, desk=None) as session:
        return QueueService(session).ticket(ticket_id).code


def counted(app: OssDeskApp) -> tuple[int, int, int]:
    """(the title's count, the breakdown's sum, the status bar's "Waiting")."""
    title = re.search(r"Waiting for Desk 1: (\d+)", text_of(app, "#waiting-title"))
    breakdown = re.findall(r"[A-Z] (\d+)·", text_of(app, "#queue-counts"))
    bar = re.search(r"Waiting: (\d+)", str(app.screen.query_one(StatusBar).render()))
    assert title is not None and bar is not None
    return int(title[1]), sum(int(n) for n in breakdown), int(bar[1])


async def test_the_waiting_count_its_breakdown_and_the_status_bar_agree(
    office: Path, make_app: AppFactory
) -> None:
    # C001 is sent to Desk 2: Desk 1 may not call it, so it counts nowhere on Desk 1.
    with acting(office, desk=None) as session:
        QueueService(session).transfer("C001", desk_id="desk-2")
    app = make_app(office, "desk-1")
    async with app.run_test(size=(120, 36), notifications=True):
        screen = app.screen
        assert isinstance(screen, AdviserScreen)
        await until(lambda: app.snapshot is not None and "·" in text_of(app, "#queue-counts"))
        await until(lambda: "Waiting: " in str(screen.query_one(StatusBar).render()))
        snap = app.snapshot
        assert snap is not None
        desk = screen.desk.names.desks["desk-1"]
        may_call = waiting_for(desk, snap.queue, snap.floor)
        assert len(snap.waiting) == 4 and len(may_call) == 3
        assert counted(app) == (3, 3, 3)


async def test_the_leader_s_left_names_the_ticket_it_cancels(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, LeaderScreen, "f4")
        leader = app.screen
        table = leader.query_one(QueueTable)
        await until(lambda: table.selected_ticket_id() is not None)
        table.focus()
        chosen = table.selected_ticket_id()
        assert chosen is not None
        ticket_code = code_of(office, chosen)
        await pressed_to(pilot, ChoiceDialog, "x")
        question = str(app.screen.heading)  # type: ignore[attr-defined]
        assert question.startswith(f"Cancel {ticket_code} (") and question.endswith("): why?")
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        await pilot.press("l")  # the resident left
        await until(
            lambda: (
                rows(office, "SELECT status FROM tickets WHERE id = ?", chosen) == [("cancelled",)]
            )
        )
        await until(lambda: any(f"{ticket_code} cancelled: the resident left" in m for m in told))


def test_the_adviser_help_says_the_call_order_of_the_queue_rules() -> None:
    assert f"N calls the next resident this desk may call: {CALL_ORDER_WORDS};" in (
        AdviserScreen.HELP
    )


async def test_find_shows_a_parked_ticket_as_parked_and_why(
    office: Path, make_app: AppFactory
) -> None:
    from oss_desk.ui.dialogs.counter import LookUpDialog, TicketDialog

    with acting(office, desk="desk-1") as session:
        queue = QueueService(session)
        queue.call("C001", "desk-1")
        queue.park("C001", "phone")
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, LookUpDialog, "f7")
        await pressed_to(pilot, TicketDialog, *"c1", "enter")
        shown = "\n".join(app.screen.lines)  # type: ignore[attr-defined]
        assert "Status:    parked at Desk 1" in shown
        assert "Parked:    at Desk 1 (making a phone call)" in shown
        assert "waiting" not in shown


async def test_find_names_no_desk_for_a_transferred_ticket_as_ticket_show(
    office: Path, make_app: AppFactory
) -> None:
    """F7's status names a desk only while the ticket is at one, as ``ticket show``'s first
    line does: a ticket transferred from Desk 1 to another service is "transferred", not
    "transferred at Desk 1"."""
    from oss_desk.services.views import ticket_line
    from oss_desk.ui.dialogs.counter import LookUpDialog, TicketDialog

    with acting(office, desk="desk-1") as session:
        queue = QueueService(session)
        queue.call("C001", "desk-1")
        queue.start("C001")
        queue.transfer("C001", service="B")
        moved = queue.ticket("C001")
        assert ticket_line(moved, session.directory) == "C001  Council Tax  transferred"
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, LookUpDialog, "f7")
        await pressed_to(pilot, TicketDialog, *"c1", "enter")
        lines: list[str] = app.screen.lines  # type: ignore[attr-defined]
        assert [line for line in lines if line.startswith("Status:")] == ["Status:    transferred"]
