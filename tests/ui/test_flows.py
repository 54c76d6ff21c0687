"""Every desk flow driven with Pilot, checked in the database and the event log."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Input, Static

from oss_desk.domain.models import DeskStatus
from oss_desk.services.queue import QueueService
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs import (
    ChoiceDialog,
    ConfirmDialog,
    HelpScreen,
    OutcomeDialog,
    TextDialog,
)
from oss_desk.ui.dialogs.counter import LookUpDialog, QuestionDialog, TicketDialog
from oss_desk.ui.dialogs.hold import KeyHold
from oss_desk.ui.dialogs.needs import NeedsDialog
from oss_desk.ui.dialogs.scorecard import SignpostDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.appointments import AppointmentsScreen
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.widgets.big_code import BigCode
from oss_desk.ui.widgets.queue_table import QueueTable
from oss_desk.worker.printing import PrintDelivery

from .conftest import (
    AppFactory,
    acting,
    events,
    leader_queue,
    office_db,
    pressed_to,
    rows,
    run_from_palette,
    said,
    settled,
    until,
)


def waiting_codes(db: Path) -> list[str]:
    return [
        str(r[0])
        for r in rows(
            db,
            "SELECT service_code || printf('%03d', number) FROM tickets "
            "WHERE status = 'waiting' ORDER BY id",
        )
    ]


# Meet and greet --------------------------------------------------------------------------------


async def test_issue_by_letter(office: Path, make_app: AppFactory) -> None:
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert isinstance(app.screen, GreetScreen)
        await pilot.press("b", "enter")
        await until(lambda: app.screen.query_one(BigCode).code == "B002")
        assert "B002" in waiting_codes(office)
        issued = events(office, "ticket_issued")[-1]
        assert issued[:2] == ("tl", "greet-1")
        # The new ticket appears in the live queue (by its key) with its place.
        table = app.screen.query_one(QueueTable)
        await until(lambda: len(table.rows) == 5)
        # The desk has a printer: a print job was committed with the ticket.
        assert rows(office, "SELECT kind, printer_url LIKE 'capture://%' FROM print_jobs") == [
            ("ticket", 1)
        ]


async def test_search_by_name_then_issue(office: Path, make_app: AppFactory) -> None:
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("slash", *"waste", "enter")
        await until(lambda: app.screen.query_one(BigCode).code == "W002")
        assert app.screen.query_one("#service-search", Input).value == ""


async def test_adjustments_are_recorded_with_the_ticket(office: Path, make_app: AppFactory) -> None:
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, NeedsDialog, "c", "f9")
        await pilot.press("space", "down", "down", "space")  # BSL, wheelchair
        await pressed_to(pilot, GreetScreen, "tab", *"Polish", "enter")
        line = str(app.screen.query_one("#needs-line").render())
        assert "BSL interpreter" in line and "Interpreter (Polish)" in line
        await pilot.press("enter")
        await until(lambda: app.screen.query_one(BigCode).code == "C003")
        needs = rows(office, "SELECT needs FROM tickets ORDER BY id DESC LIMIT 1")[0][0]
        assert json.loads(str(needs)) == ["bsl", "interpreter:polish", "wheelchair"]
        # Cleared after issuing, so the next resident does not inherit them.
        assert app.screen.needs == ()  # type: ignore[attr-defined]


async def test_dealt_with_here(office: Path, make_app: AppFactory) -> None:
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, OutcomeDialog, "w", "f8")
        # signposted: to which organisation (as at a desk)?
        await pressed_to(pilot, SignpostDialog, "2")
        await pilot.press("1")
        await until(lambda: len(events(office, "finished")) == 1)
        actor, desk, ticket, outcome = events(office, "finished")[0]
        assert (actor, desk, ticket, outcome) == ("tl", "greet-1", None, "signposted")
        assert rows(office, "SELECT status, outcome FROM visits ORDER BY id DESC LIMIT 1") == [
            ("done", "signposted")
        ]


async def test_find_a_ticket_by_code(office: Path, make_app: AppFactory) -> None:
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, LookUpDialog, "f7")
        await pressed_to(pilot, TicketDialog, *"c2", "enter")
        shown = "\n".join(app.screen.lines)  # type: ignore[attr-defined]
        # third in the call order, with desks free: nobody ahead, as its paper ticket says
        assert "Status:    waiting" in shown and "Place:     nobody ahead, waited" in shown
        await pilot.press("escape")
        # the next to be called: "now", as every list says it
        await pressed_to(pilot, LookUpDialog, "f7")
        await pressed_to(pilot, TicketDialog, *"c1", "enter")
        shown = "\n".join(app.screen.lines)  # type: ignore[attr-defined]
        assert "Place:     nobody ahead" in shown and "Estimate:  now" in shown
        await pilot.press("escape")
        await pressed_to(pilot, LookUpDialog, "f7")
        await pilot.press(*"Z999", "enter")
        await until(lambda: box_said(app) == "no ticket Z999 today")
        await pilot.press("escape")
        # Said under the flow's key hold, which closes after: then the greet screen is on top.
        await until(lambda: not isinstance(app.screen, KeyHold))
        await settled(pilot)
        assert isinstance(app.screen, GreetScreen)


def box_said(app: OssDeskApp) -> str:
    """What the Find box says in red of the code typed ("" for nothing)."""
    box = app.screen
    if not isinstance(box, LookUpDialog):
        return ""
    said = box.query_one("#look-up-error", Static).content
    return said.plain if isinstance(said, Text) else str(said)


async def test_find_keeps_a_mistyped_or_unknown_code_to_correct(
    office: Path, make_app: AppFactory
) -> None:
    """F7 and a code mistyped (an O for a 0) or of no ticket today: the box stays open, says why
    in red and keeps the text, to correct; no notification. Corrected, it opens the ticket.
    (A new user's trial: the box closed, the text was lost, and the notice read "Invalid
    input".)"""
    app = make_app(office)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        box = await pressed_to(pilot, LookUpDialog, "f7")
        text = box.query_one(Input)
        await pilot.press(*"c0o2", "enter")
        await until(lambda: "'c0o2' is not a ticket" in box_said(app))
        assert app.screen is box and text.value == "c0o2"
        await pilot.press("backspace", "backspace", *"99")  # typing clears the old reason
        await until(lambda: text.value == "c099" and box_said(app) == "")
        await pilot.press("enter")
        await until(lambda: box_said(app) == "no ticket C099 today")
        assert app.screen is box and text.value == "c099"
        assert not app._notifications  # said in the box, not in a notification
        await pilot.press("backspace", "backspace", *"02")
        ticket = await pressed_to(pilot, TicketDialog, "enter")
        assert str(ticket.heading) == "Ticket C002"


async def test_reprint_last_ticket(office: Path, make_app: AppFactory) -> None:
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("ctrl+r")  # nothing issued here yet: a message, nothing queued
        assert rows(office, "SELECT count(*) FROM print_jobs") == [(0,)]
        await pilot.press("c", "enter")
        await until(lambda: rows(office, "SELECT count(*) FROM print_jobs") == [(1,)])
        # it printed (a reprint of a ticket still waiting to print adds no paper)
        with acting(office, person="worker", desk=None) as worker:
            assert PrintDelivery(worker, owner="w").deliver_due().printed == 1
        await pilot.press("ctrl+r")
        await until(lambda: rows(office, "SELECT count(*) FROM print_jobs") == [(2,)])
        assert len(events(office, "reprint_requested")) == 1


async def test_waits_are_coloured_near_and_past_the_target(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True):
        await until(lambda: app.snapshot is not None)
        table = app.screen.query_one(QueueTable)
        await until(lambda: table.row_count == 4)
        colours = app.theme_variables
        waited = [table.get_cell_at(Coordinate(row, 3)) for row in range(4)]
        assert isinstance(waited[0], Text) and colours["error"] in str(waited[0].style)
        assert isinstance(waited[1], Text) and colours["warning"] in str(waited[1].style)
        assert isinstance(waited[3], Text) and str(waited[3].style) == ""


# The adviser desk -----------------------------------------------------------------------------


async def test_call_recall_start_finish(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        adviser = app.screen
        assert isinstance(adviser, AdviserScreen)
        screen: AdviserScreen = adviser
        await pilot.press("n")
        await until(lambda: screen.query_one(BigCode).code == "C001")
        assert rows(office, "SELECT status, desk_id FROM tickets WHERE id = 1") == [
            ("called", "desk-1")
        ]
        await until(lambda: screen.my_ticket() is not None)
        await pilot.press("r")
        await until(lambda: rows(office, "SELECT recalls FROM tickets WHERE id = 1") == [(1,)])
        await pilot.press("s")
        await until(
            lambda: rows(office, "SELECT status FROM tickets WHERE id = 1") == [("serving",)]
        )
        await pilot.press("f", "1")
        await until(
            lambda: (
                rows(office, "SELECT status, outcome FROM tickets WHERE id = 1")
                == [("done", "resolved")]
            )
        )
        for kind in ("called", "recalled", "serving", "finished"):
            actor, desk, ticket, _ = events(office, kind)[0]
            assert (actor, desk, ticket) == ("ben", "desk-1", 1), kind
        # (The finish's key hold is on top until its flow ends: the desk's own screen then.)
        await until(
            lambda: (
                isinstance(app.screen, AdviserScreen)
                and app.screen.query_one(BigCode).code == "----"
            )
        )


async def test_no_show_transfer_and_note(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        screen = app.screen
        await pilot.press("n")
        await until(lambda: screen.my_ticket() is not None)  # type: ignore[attr-defined]
        await pressed_to(pilot, QuestionDialog, "x")
        assert str(app.screen.heading) == "C001: the resident has not come?"  # type: ignore[attr-defined]
        await pilot.press("y")
        await until(
            lambda: rows(office, "SELECT status FROM tickets WHERE id = 1") == [("no_show",)]
        )
        await until(lambda: screen.my_ticket() is None)  # type: ignore[attr-defined]
        await pilot.press("n")  # B001
        await until(lambda: screen.my_ticket() is not None)  # type: ignore[attr-defined]
        await pressed_to(pilot, TextDialog, "o")
        await pilot.press(*"Brought payslips", "enter")
        await until(lambda: len(rows(office, "SELECT * FROM visit_notes")) == 1)
        note_event = rows(office, "SELECT data FROM events WHERE kind = 'note_added'")[0][0]
        assert "payslips" not in str(note_event)  # the note's text never enters the event log
        await pressed_to(pilot, ChoiceDialog, "t")
        await pilot.press("s")  # another service
        await until(
            lambda: isinstance(app.screen, ChoiceDialog) and "service" in str(app.screen.heading)
        )
        await pilot.press("h")  # Housing
        await until(lambda: "H001" in waiting_codes(office))
        assert rows(office, "SELECT status FROM tickets WHERE id = 2") == [("transferred",)]
        arrived = rows(office, "SELECT queued_at FROM tickets WHERE id IN (2, 5) ORDER BY id")
        assert arrived[0] == arrived[1]  # the transfer kept the arrival time


async def test_call_chosen_and_break(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        # The adviser's screen itself: while a key's action runs, a hold may be on top of it.
        adviser = app.screen
        assert isinstance(adviser, AdviserScreen)
        desk: AdviserScreen = adviser
        table = desk.query_one(QueueTable)
        await until(lambda: table.row_count == 4)
        table.focus()
        await pilot.press("down", "down")
        await pilot.press("c")
        await until(
            lambda: rows(office, "SELECT status FROM tickets WHERE id = 3") == [("called",)]
        )
        await until(lambda: desk.my_ticket() is not None)
        await pressed_to(pilot, OutcomeDialog, "f")
        await pilot.press("3")
        await until(lambda: desk.my_ticket() is None)
        await pilot.press("b")
        await until(
            lambda: rows(office, "SELECT status FROM desks WHERE id = 'desk-1'") == [("break",)]
        )
        await until(lambda: desk.my_status() is DeskStatus.BREAK)
        before = rows(office, "SELECT count(*) FROM events")
        await pilot.press("n")  # disabled on a break: nothing happens
        await pilot.pause(0.2)
        assert rows(office, "SELECT count(*) FROM events") == before
        await pilot.press("b")
        await until(
            lambda: rows(office, "SELECT status FROM desks WHERE id = 'desk-1'") == [("open",)]
        )
        await pressed_to(pilot, QuestionDialog, "z")
        assert str(app.screen.heading) == "Log out of Desk 1?"  # type: ignore[attr-defined]
        await pilot.press("y")
        await until(
            lambda: rows(office, "SELECT status FROM desks WHERE id = 'desk-1'") == [("closed",)]
        )
        assert rows(office, "SELECT count(*) FROM desk_sessions") == [(0,)]


async def test_a_lost_race_is_a_message_and_the_desk_carries_on(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ben")
    app.poll_interval = 60  # this desk has not yet seen the other desk's change
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None and app._listener.listening)
        app._listener.stop()  # nor heard it (as where there is no inotify): only the poll is left
        table = app.screen.query_one(QueueTable)
        await until(lambda: table.row_count == 4)
        # Entering the desk logs ben in; its own write refreshes the desk: wait for it first.
        await until(lambda: app.screen.my_state().login is not None)  # type: ignore[attr-defined]
        await settled(pilot)
        table.focus()
        # Another desk calls the highlighted ticket first.
        with acting(office, person="x", desk="desk-2") as other:
            QueueService(other).call(1, "desk-2")
        await pilot.press("c")
        await until(lambda: said(app, "only a waiting ticket"))
        assert rows(office, "SELECT desk_id FROM tickets WHERE id = 1") == [("desk-2",)]
        await pilot.press("n")  # the desk still works
        await until(
            lambda: rows(office, "SELECT desk_id FROM tickets WHERE id = 2") == [("desk-1",)]
        )


async def test_change_desk(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "greet-1", demo=False)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, AdviserScreen, "f3")
        before = app.adviser_desk_id  # the adviser desk this terminal starts as (not greet-1)
        await pressed_to(pilot, ChoiceDialog, "f8")
        await pilot.press("down", "down", "enter")
        await until(lambda: app.adviser_desk_id != before)  # the move is made after its log-in
        chosen = app.adviser_desk_id
        await pilot.press("n")
        await until(lambda: rows(office, "SELECT desk_id FROM tickets WHERE id = 1") == [(chosen,)])


async def test_n_typed_at_once_after_choosing_a_desk_calls_there(
    office: Path, make_app: AppFactory
) -> None:
    """F8, the desk chosen and N in one burst: the move's log-in holds N, which then calls to
    the desk chosen (while another process holds the database, the log-in waits for it)."""
    app = make_app(office, "greet-1", demo=False)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, AdviserScreen, "f3")
        await settled(pilot)  # entering desk-1 (and its log-in) done
        before = app.adviser_desk_id
        await pressed_to(pilot, ChoiceDialog, "f8")
        holder = sqlite3.connect(office, timeout=10)
        try:
            holder.execute("BEGIN IMMEDIATE")  # the log-in at the chosen desk waits
            await pilot.press("down", "down", "enter", "n")
            await asyncio.sleep(0.8)
        finally:
            holder.rollback()
            holder.close()
        await until(lambda: rows(office, "SELECT desk_id FROM tickets WHERE id = 1") != [(None,)])
        assert app.adviser_desk_id != before
        assert rows(office, "SELECT desk_id FROM tickets WHERE id = 1") == [(app.adviser_desk_id,)]


async def test_n_typed_at_once_on_entering_a_closed_desk_calls_after_its_log_in(
    office: Path, make_app: AppFactory
) -> None:
    """F3 and N at once, at a closed desk: entering logs the person in (and opens it) under a
    key hold, so N waits for it and calls, never refused as "closed" though the person saw
    the desk theirs (before: N was lost while another process held the database)."""
    with sqlite3.connect(office) as conn:
        conn.execute("UPDATE desks SET status = 'closed' WHERE id = 'desk-1'")
    conn.close()
    app = make_app(office, "greet-1", demo=False)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        holder = sqlite3.connect(office, timeout=10)
        try:
            holder.execute("BEGIN IMMEDIATE")  # the log-in on entering waits for the database
            await pilot.press("f3", "n")
            await asyncio.sleep(0.8)
        finally:
            holder.rollback()
            holder.close()
        await until(
            lambda: rows(office, "SELECT desk_id FROM tickets WHERE id = 1") == [("desk-1",)]
        )
        assert rows(office, "SELECT status FROM desks WHERE id = 'desk-1'") == [("open",)]


# The team leader ---------------------------------------------------------------------------------


async def test_leader_sees_desks_services_and_figures(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await pressed_to(pilot, LeaderScreen, "f4")
        await until(lambda: app.snapshot is not None and app.snapshot.figures is not None)
        figures = str(app.screen.query_one("#figures").render())
        # Nobody seen yet, and C001 has waited past the target: a miss already (not n/a).
        assert "arrivals 4" in figures and "within 15 min 0.0%" in figures
        services = app.screen.query_one("#by-service", DataTable)
        await until(lambda: services.row_count == 4)
        assert str(services.get_cell("C", "waiting")) == "2"
        assert str(services.get_cell("C", "over")) == "1"  # C001 has waited 16 minutes
        desks = app.screen.query_one("#desks", DataTable)
        assert {str(k.value) for k in desks.rows} == {
            "greet-1",
            "room-1",
            "desk-1",
            "desk-2",
            "desk-3",
            "desk-4",
        }


async def test_leader_send_reprint_close_and_cancel(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        table = await leader_queue(pilot, 4)
        table.focus()
        await pilot.press("down")  # B001
        await pressed_to(pilot, ChoiceDialog, "d")
        await pilot.press("down", "down", "enter")  # the third desk in the list
        await until(
            lambda: (
                rows(office, "SELECT assigned_desk_id IS NOT NULL FROM tickets WHERE id = 2")
                == [(1,)]
            )
        )
        await pilot.press("p")
        await until(lambda: rows(office, "SELECT count(*) FROM print_jobs") == [(1,)])
        await pressed_to(pilot, ChoiceDialog, "x")
        await pilot.press("l")  # the resident left
        await until(
            lambda: rows(office, "SELECT status FROM tickets WHERE id = 2") == [("cancelled",)]
        )
        await until(lambda: isinstance(app.screen, LeaderScreen))  # the cancel's key hold gone
        desks = app.screen.query_one("#desks", DataTable)
        desks.focus()
        desks.move_cursor(row=desks.get_row_index("desk-1"))
        await pressed_to(pilot, ConfirmDialog, "z")
        await pilot.press("y")
        await until(
            lambda: rows(office, "SELECT count(*) FROM desks WHERE status = 'closed'") == [(1,)]
        )
        actors = {
            r[0]
            for r in rows(
                office,
                "SELECT actor FROM events WHERE kind IN "
                "('transferred', 'cancelled', 'desk_status')",
            )
        }
        assert actors == {"tl"}


# Keys, help, palette, theme ---------------------------------------------------------------------


async def test_help_lists_the_keys_of_the_screen(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "desk-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, HelpScreen, "f1")
        keys = {row[0] for row in app.screen.rows}  # type: ignore[attr-defined]
        assert {"n", "r", "s", "f", "x", "t", "o", "b", "f1", "f2", "f5", "^t"} <= keys
        await pressed_to(pilot, AdviserScreen, "f1")


async def test_modes_and_high_contrast(office: Path, make_app: AppFactory) -> None:
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        for key, screen in (
            ("f3", AdviserScreen),
            ("f4", LeaderScreen),
            ("f5", AppointmentsScreen),
            ("f2", GreetScreen),
        ):
            await pilot.press(key)
            await until(lambda s=screen: isinstance(app.screen, s))  # type: ignore[misc]
        assert app.theme == "council"
        await pilot.press("ctrl+t")
        assert app.theme == "high-contrast"
        await pilot.press("ctrl+t")
        assert app.theme == "council"


async def test_keymap_from_the_configuration(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    from ..conftest import site_toml

    db = office_db(migrated, tmp_path, site_toml(extra='\n[keymap]\n"desk.call_next" = "space"\n'))
    with acting(db, desk=None) as session:
        QueueService(session).issue("C")
    app = make_app(db, "desk-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("space")
        await until(lambda: rows(db, "SELECT status FROM tickets") == [("called",)])


async def test_palette_reaches_services_and_actions(office: Path, make_app: AppFactory) -> None:
    from oss_desk.ui.commands import DeskCommands

    app = make_app(office, "desk-1")
    async with app.run_test(size=(120, 36), notifications=True):
        await until(lambda: app.snapshot is not None)
        provider = DeskCommands(app.screen)
        names = [name for name, _, _ in provider._entries()]
        assert "Issue ticket: Waste (W)" in names
        assert any(n.startswith("Call next") for n in names)
        assert any(n.startswith("Finish") for n in names)


async def test_resident_text_is_never_markup(office: Path, make_app: AppFactory) -> None:
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, LookUpDialog, "f7")
        await pilot.press(*"O[/b]Brien", "enter")
        await until(lambda: "'O[/b]Brien' is not a ticket" in box_said(app))
        await pressed_to(pilot, GreetScreen, "escape")
        await pilot.press("slash", *"[red]x[/red]")
        await pilot.pause(0.1)
        assert app.is_running


async def test_palette_issues_a_ticket_by_service_name(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, "desk-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await run_from_palette(pilot, "Issue ticket: Waste")
        await until(lambda: "W002" in waiting_codes(office))
        assert isinstance(app.screen, GreetScreen)


async def test_device_fault_shows_in_the_status_bar(office: Path, make_app: AppFactory) -> None:
    from datetime import UTC, datetime

    from oss_desk.clock import format_instant
    from oss_desk.storage.lease import WorkerLock, take_over
    from oss_desk.ui.widgets.bars import StatusBar

    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("c", "enter")
        await until(lambda: rows(office, "SELECT count(*) FROM print_jobs") == [(1,)])
        bar = app.screen.query_one(StatusBar)
        # Nobody runs a device worker in this test: the desk says so rather than waiting, and
        # claims nothing about the printer.
        await until(lambda: "no device worker running, 1 to print" in str(bar.render()))
        assert bar.has_class("-fault")
        assert "Printer: ok" not in str(bar.render())
        # A worker takes over (its lease and heartbeat) and finds the printer out of paper.
        lock = WorkerLock.acquire(office)
        assert lock is not None
        try:
            conn = sqlite3.connect(office)
            now = format_instant(datetime.now(UTC))
            take_over(conn, owner="w", role="service", pid=1, host="h", now=now)
            conn.execute(
                "INSERT INTO device_status (url, kind, status, detail, checked_at) "
                "SELECT printer_url, 'printer', 'paper out', 'printer paper out', "
                "'2026-11-23T09:30:00.000Z' FROM desks WHERE id = 'greet-1'"
            )
            conn.commit()
            conn.close()
            # Said once: the detail only repeats the status ("paper out (printer paper out)").
            await until(lambda: "Printer: paper out" in str(bar.render()))
            assert "printer paper out" not in str(bar.render())
            assert bar.has_class("-fault")
            # The worker gives up on the job: the desk that issued it is asked about it.
            conn = sqlite3.connect(office)
            conn.execute("UPDATE print_jobs SET status = 'failed', last_error = 'paper out'")
            conn.commit()
            conn.close()
            await until(lambda: isinstance(app.screen, ConfirmDialog))
            assert isinstance(app.screen, ConfirmDialog)
            question = str(app.screen.heading)
            assert question == "Ticket C003 was not printed (paper out). Reprint it?"
            await pilot.press("n")  # leave it: the status bar stops asking
            await until(lambda: rows(office, "SELECT acknowledged_by FROM print_jobs") == [("tl",)])
            await until(lambda: "Not printed" not in str(bar.render()))
        finally:
            lock.release()
        # The desk carries on issuing tickets.
        await pilot.press("b", "enter")
        await until(lambda: "B002" in waiting_codes(office))


async def test_storage_full_is_a_message_and_nothing_is_half_written(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        pages = await app.runner.call(
            lambda s: s.store.conn.execute("PRAGMA page_count").fetchone()[0]
        )
        await app.runner.call(lambda s: s.store.conn.execute(f"PRAGMA max_page_count = {pages}"))
        before = rows(office, "SELECT count(*) FROM tickets")
        for _ in range(40):  # fill the last free pages
            await pilot.press("c", "enter")
            if said(app, "disk full"):
                break
        # (Keys pressed faster than the desk issues: the refusal can come after the last.)
        await until(lambda: said(app, "disk full: "))
        (full,) = [n for n in app._notifications if n.message.startswith("disk full: ")][-1:]
        assert full.message.startswith(f"disk full: cannot write to {office}")
        # Said as not done, to press again: the desk does not retry it by itself (faults 17).
        assert full.message.endswith("Not done: press the key again once that is fixed.")
        assert app.is_running
        conn = sqlite3.connect(office)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        orphans = conn.execute(
            "SELECT count(*) FROM tickets t WHERE NOT EXISTS "
            "(SELECT 1 FROM events e WHERE e.ticket_id = t.id AND e.kind = 'ticket_issued')"
        ).fetchone()
        conn.close()
        assert orphans == (0,)
        assert rows(office, "SELECT count(*) FROM tickets")[0][0] >= before[0][0]
        # Space again: the desk works at once.
        await app.runner.call(lambda s: s.store.conn.execute("PRAGMA max_page_count = 1000000"))
        count = rows(office, "SELECT count(*) FROM tickets")[0][0]
        await pilot.press("w", "enter")
        await until(lambda: rows(office, "SELECT count(*) FROM tickets")[0][0] == count + 1)
