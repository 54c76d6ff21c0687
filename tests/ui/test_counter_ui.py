"""The adviser's counter in the desk app (issue 17), key by key with Pilot, checked in the
database and the event log: park and resume, recycle, several services in one visit, no-show
asked first and taken back, finish with an appointment booked, transfer to a colleague and the
log-in conflict (each with a second desk app process), F1 help and every table at 80x24."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.events import Key
from textual.widgets import DataTable, OptionList

from oss_desk.clock import FixedClock
from oss_desk.domain.delivery import AT_THE_DESK_INSTEAD, PAPER_AGAIN
from oss_desk.services.queue import QueueService
from oss_desk.ui.dialogs import ChoiceDialog, HelpScreen, InfoDialog, OutcomeDialog
from oss_desk.ui.dialogs.appointments import BookingDialog
from oss_desk.ui.dialogs.counter import LinesDialog, ParkDialog, QuestionDialog
from oss_desk.ui.dialogs.hold import KeyHold
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.appointments import AppointmentsScreen
from oss_desk.ui.screens.new_code import NewCodeDialog
from oss_desk.ui.widgets.big_code import BigCode
from oss_desk.ui.widgets.key_bar import KeyBar

from ..appointments_site import NOW
from ..conftest import MONDAY_0930, ROOT, make_db
from .conftest import (
    AppFactory,
    acting,
    adviser_desk,
    appointments_office,
    call_next,
    kept_notices,
    pressed_to,
    rows,
    said,
    settled,
    staffed,
    until,
)


def kinds(db: Path) -> list[str]:
    return [str(r[0]) for r in rows(db, "SELECT kind FROM events ORDER BY id")]


def ticket(db: Path, ticket_id: int) -> dict[str, object]:
    conn_rows = rows(
        db,
        "SELECT status, desk_id, parked_at, park_reason, queued_at, outcome, assigned_person "
        "FROM tickets WHERE id = ?",
        ticket_id,
    )
    keys = ("status", "desk", "parked_at", "park_reason", "queued_at", "outcome", "assigned")
    return dict(zip(keys, conn_rows[0], strict=True))


async def test_entering_the_desk_logs_in_and_staffs_it(
    counter_office: Path, make_app: AppFactory
) -> None:
    app = make_app(counter_office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await until(lambda: rows(counter_office, "SELECT desk_id, person FROM desk_sessions") != [])
        assert rows(counter_office, "SELECT desk_id, person FROM desk_sessions") == [
            ("desk-1", "ben")
        ]
        assert "desk_login" in kinds(counter_office)
        await adviser_desk(app, staffed)
        await pilot.press("n")
        await until(lambda: ticket(counter_office, 1)["status"] == "called")


async def test_park_resume_and_recycle(counter_office: Path, make_app: AppFactory) -> None:
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app, staffed)
        arrived = ticket(db, 1)["queued_at"]
        # Not heard: back into the queue at its place, then called first again.
        await call_next(pilot, screen)
        await pilot.press("q")
        await until(lambda: ticket(db, 1)["status"] == "waiting")
        assert ticket(db, 1)["queued_at"] == arrived
        assert "recycled" in kinds(db)
        await until(lambda: screen.my_ticket() is None)
        await pilot.press("n")
        await until(lambda: ticket(db, 1)["status"] == "called")
        await until(lambda: screen.my_ticket() is not None)
        await pilot.press("s")
        await until(lambda: ticket(db, 1)["status"] == "serving")
        await until(lambda: screen.my_ticket() is not None and screen.why_not("park") is None)
        # Park: why (neutral words), the desk is free, the parked line shows it.
        await pressed_to(pilot, ParkDialog, "p")
        assert str(app.screen.heading).startswith("Park C001")  # type: ignore[attr-defined]
        await pilot.press("1")
        await until(lambda: ticket(db, 1)["parked_at"] is not None)
        parked = ticket(db, 1)
        assert (parked["status"], parked["desk"], parked["park_reason"]) == (
            "waiting",
            "desk-1",
            "document",
        )
        assert parked["queued_at"] == arrived
        await until(lambda: screen.query_one(BigCode).code == "----")
        await until(lambda: "C001" in str(screen.query_one("#parked-line").render()))
        # Call next never takes a parked resident; P brings them back.
        await pilot.press("p")
        await until(lambda: ticket(db, 1)["status"] == "serving")
        assert ticket(db, 1)["parked_at"] is None and ticket(db, 1)["desk"] == "desk-1"
        assert kinds(db).count("parked") == 1 and "resumed" in kinds(db)


async def test_several_services_each_with_its_outcome(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app, staffed)
        await call_next(pilot, screen)
        await pilot.press("s")
        await until(lambda: ticket(db, 1)["status"] == "serving")
        await pressed_to(pilot, ChoiceDialog, "a")
        assert "C001" in str(app.screen.heading)  # type: ignore[attr-defined]
        offered = [key for key, _ in app.screen.choices]  # type: ignore[attr-defined]
        assert "C" not in offered and "W" in offered  # not the ticket's own service
        await pilot.press("w")
        await until(lambda: rows(db, "SELECT service_code FROM visit_services") == [("W",)])
        await until(lambda: "Waste" in str(screen.query_one("#now-info").render()))
        await pressed_to(pilot, ChoiceDialog, "a")  # nor one already added
        offered = [key for key, _ in app.screen.choices]  # type: ignore[attr-defined]
        assert "C" not in offered and "W" not in offered and offered
        await pilot.press("escape")
        await until(lambda: app.screen is screen)
        await pressed_to(pilot, OutcomeDialog, "f")
        assert str(app.screen.heading) == "Finish C001 · Council Tax: what was the outcome?"  # type: ignore[attr-defined]
        await pilot.press("1")
        await until(
            lambda: isinstance(app.screen, OutcomeDialog) and "Waste" in str(app.screen.heading)
        )
        await pilot.press("3")
        await until(lambda: ticket(db, 1)["status"] == "done")
        assert ticket(db, 1)["outcome"] == "resolved"
        assert rows(db, "SELECT service_code, outcome FROM visit_services") == [("W", "referred")]
        # One visit, not resolved at first contact: one of its services was referred.
        assert rows(
            db, "SELECT count(*) FROM visits WHERE id = (SELECT visit_id FROM tickets WHERE id = 1)"
        ) == [(1,)]


async def test_no_show_is_asked_first_and_taken_back(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, AdviserScreen)
        await until(lambda: staffed(screen), timeout=30)
        await pilot.press("u")  # nothing to undo: said, not silent
        await until(lambda: said(app, "No no-show"), timeout=30)
        await pilot.press("n")
        await until(lambda: screen.my_ticket() is not None, timeout=30)
        await pressed_to(pilot, QuestionDialog, "x", timeout=30)
        await pilot.press("escape")  # back: nothing changes
        await until(lambda: app.screen is screen, timeout=30)
        assert ticket(db, 1)["status"] == "called"
        await pressed_to(pilot, QuestionDialog, "x", timeout=30)
        await pilot.press("y")  # yes, they have not come
        await until(lambda: ticket(db, 1)["status"] == "no_show", timeout=30)
        await until(lambda: screen.my_ticket() is None, timeout=30)
        # The desk offers U once the no-show's own commit has returned (the database and the
        # live queue can show it first): wait for that, not for a fixed time.
        await until(lambda: screen.can_undo(), timeout=30)
        await pilot.press("u")
        await until(lambda: ticket(db, 1)["status"] == "called", timeout=30)
        assert ticket(db, 1)["desk"] == "desk-1"
        assert "no_show_undone" in kinds(db)
        await until(lambda: screen.query_one(BigCode).code == "C001", timeout=30)


@pytest.mark.parametrize("called_next", [False, True])
async def test_a_no_show_taken_back_to_the_queue_gets_its_paper_again(
    counter_office: Path, make_app: AppFactory, tmp_path: Path, called_next: bool
) -> None:
    """C001's paper is still queued (no worker runs) when Desk 1 marks it a no-show, which
    settles it unprinted. When Desk 1 called the next resident since, U puts C001 back first in
    its queue and queues the paper again, and says so; when it called nobody, U calls C001 at
    the desk again and queues no paper: the resident is at the desk (it queued one at the
    printer, "its paper never printed: queued to print again", for nobody to take)."""
    db = counter_office
    with acting(db) as session:
        QueueService(session).reprint(1, f"capture://{tmp_path}/paper.bin")
    app = make_app(db, "desk-1", person="ben")
    notices = kept_notices(app)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = app.screen
        assert isinstance(screen, AdviserScreen)
        await until(lambda: staffed(screen), timeout=30)
        await pilot.press("n")
        await until(lambda: screen.my_ticket() is not None, timeout=30)
        await pressed_to(pilot, QuestionDialog, "x", timeout=30)
        await pilot.press("y")
        await until(lambda: ticket(db, 1)["status"] == "no_show", timeout=30)
        if called_next:
            await until(lambda: screen.my_ticket() is None, timeout=30)
            await pilot.press("n")
            await until(lambda: ticket(db, 2)["status"] == "called", timeout=30)
        await until(lambda: screen.can_undo(), timeout=30)
        await pilot.press("u")
        paper = f"{PAPER_AGAIN}: queued to print again"
        back = (
            f"C001 is back: next here · {paper}"
            if called_next
            else "C001 is back: called here again"
        )
        await until(lambda: back in notices, timeout=30)
    assert not called_next or ticket(db, 1)["status"] == "waiting"
    settled = [(1, "cancelled", "the ticket is a no-show"), (2, "pending", None)]
    if not called_next:
        settled = [(1, "cancelled", AT_THE_DESK_INSTEAD)]
    assert rows(db, "SELECT id, status, last_error FROM print_jobs ORDER BY id") == settled


def one_ticket(db: Path) -> Path:
    """The office with one Council Tax ticket issued at meet-and-greet."""
    with acting(db, clock=NOW) as session:
        QueueService(session).issue("C", print_ticket=False)
    return db


async def leader_desks(app: Any, pilot: Any) -> DataTable[Any]:
    """F4: the team leader's desks table, once it lists the office's six desks (meet-and-greet
    with them)."""
    await pilot.press("f4")
    await until(lambda: type(app.screen).__name__ == "LeaderScreen")
    desks: DataTable[Any] = app.screen.query_one("#desks", DataTable)
    await until(lambda: desks.row_count == 6)
    return desks


async def finishing(app: Any, pilot: Any, db: Path) -> AdviserScreen:
    """Desk 1 calls the ticket, starts serving and presses F: the finish dialog is up."""
    screen = await adviser_desk(app)
    await call_next(pilot, screen)
    await pilot.press("s")
    await until(lambda: rows(db, "SELECT status FROM tickets") == [("serving",)])
    await pressed_to(pilot, OutcomeDialog, "f")
    return screen


async def test_a_key_pressed_twice_in_a_dialog_answers_once(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Two quick presses of "1" in the finish dialog: the first answers it; the second is not
    a second answer (which would pop the screen beneath and be a fault)."""
    db = appointments_office(migrated, tmp_path)
    app = make_app(one_ticket(db), "desk-1", person="bob", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await finishing(app, pilot, db)
        dialog = app.screen
        dialog.post_message(Key("1", "1"))
        dialog.post_message(Key("1", "1"))  # both queued before the first is handled
        await until(
            lambda: rows(db, "SELECT status, outcome FROM tickets") == [("done", "resolved")]
        )
        # The finish is one dialog and its save: the hold under it (which kept the second "1")
        # closes after the save, handing the key on. Wait for that, then for the key's work.
        await until(lambda: not isinstance(app.screen, (OutcomeDialog, KeyHold)))
        await settled(pilot)
        assert app.screen is screen and app.faults == []


async def test_needs_an_appointment_books_it_for_the_visit(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    # The confirmation is only queued here (nothing listens there): the booking is what counts.
    db = appointments_office(migrated, tmp_path, smtp_url="smtp://127.0.0.1:9")
    app = make_app(one_ticket(db), "desk-1", person="bob", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await finishing(app, pilot, db)
        dialog = await pressed_to(pilot, BookingDialog, "4")  # needs an appointment
        assert "C001" in str(dialog.heading)
        await until(lambda: dialog.service == "C" and bool(dialog.slots))
        assert dialog.focused is not None and dialog.focused.id == "booking-slots"
        await pilot.press("enter", "enter")  # the first free slot; the name stays empty
        await pilot.press(*"ann@example.org")
        await pilot.press("ctrl+s")
        await until(lambda: rows(db, "SELECT status FROM tickets") == [("done",)])
        (visit,) = rows(db, "SELECT visit_id, outcome FROM tickets")
        assert visit[1] == "appointment"
        assert rows(db, "SELECT service_code, arranged_in_visit FROM appointments") == [
            ("C", visit[0])
        ]


async def test_finish_with_an_appointment_can_go_back(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Esc in the booking asks; "go back" leaves the resident at the desk, nothing finished."""
    db = appointments_office(migrated, tmp_path)
    with acting(db, clock=NOW) as session:
        QueueService(session).issue("C", print_ticket=False)
    app = make_app(db, "desk-1", person="bob", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app)
        await call_next(pilot, screen)
        await pressed_to(pilot, OutcomeDialog, "f")
        await pressed_to(pilot, BookingDialog, "4")
        await pressed_to(pilot, QuestionDialog, "escape")
        await pilot.press("n")  # go back to the desk
        await until(lambda: app.screen is screen)
        assert rows(db, "SELECT status FROM tickets") == [("called",)]
        assert rows(db, "SELECT count(*) FROM appointments") == [(0,)]


# A second desk app process ---------------------------------------------------------------------

OTHER_DESK = textwrap.dedent(
    """
    import asyncio, sys
    from oss_desk.services.runner import SessionRunner
    from oss_desk.services.session import open_session
    from oss_desk.ui.app import OssDeskApp
    from oss_desk.ui.widgets.big_code import BigCode

    db, desk, person = sys.argv[1:4]

    async def main():
        runner = SessionRunner(lambda: open_session(db=db, desk_id=desk, person=person))
        runner.start()
        app = OssDeskApp(runner, desk_id=desk)
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            def staffed():
                state = app.screen.my_state() if app.snapshot is not None else None
                return state is not None and state.login is not None
            while not staffed():
                await asyncio.sleep(0.01)
            print("ready", flush=True)
            while (line := (await asyncio.to_thread(sys.stdin.readline)).strip()) != "quit":
                await pilot.press(line)
                code = app.screen.query_one(BigCode)
                for _ in range(500):
                    if code.code != "----":
                        break
                    await asyncio.sleep(0.01)
                print(code.code, flush=True)
        runner.close()

    asyncio.run(main())
    """
)


class OtherDesk:
    """Another desk app process (its own runner, connection and event loop)."""

    def __init__(self, db: Path, desk: str, person: str) -> None:
        self.child = subprocess.Popen(
            [sys.executable, "-c", OTHER_DESK, str(db), desk, person],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT), "OSS_DESK_NOW": "2026-11-23T09:30:00Z"},
        )

    async def line(self) -> str:
        assert self.child.stdout is not None
        return (await asyncio.wait_for(asyncio.to_thread(self.child.stdout.readline), 60)).strip()

    async def press(self, key: str) -> str:
        assert self.child.stdin is not None
        self.child.stdin.write(key + "\n")
        self.child.stdin.flush()
        return await self.line()

    def close(self) -> None:
        if self.child.poll() is None and self.child.stdin is not None:
            try:
                self.child.stdin.write("quit\n")
                self.child.stdin.flush()
                self.child.wait(timeout=20)
            except (OSError, subprocess.TimeoutExpired):
                self.child.kill()
        self.child.wait()


async def test_transfer_to_a_colleague_at_another_desk_app(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    other = OtherDesk(db, "desk-2", "dev")
    try:
        assert await other.line() == "ready"
        app = make_app(db, "desk-1", person="ben")
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            screen = app.screen
            assert isinstance(screen, AdviserScreen)
            await until(lambda: rows(db, "SELECT count(*) FROM desk_sessions") == [(2,)])
            await until(lambda: staffed(screen))
            await call_next(pilot, screen)
            await pressed_to(pilot, ChoiceDialog, "t")
            await pilot.press("p")  # a colleague
            await until(
                lambda: (
                    isinstance(app.screen, ChoiceDialog) and "colleague" in str(app.screen.heading)
                )
            )
            dialog = app.screen
            assert isinstance(dialog, ChoiceDialog)
            await until(lambda: bool(dialog.query(OptionList)))  # composed
            options = dialog.query_one(OptionList)
            labels = [
                str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
            ]
            assert any("Dev Patel" in label and "Desk 2" in label for label in labels)
            assert not any("Ben Walker" in label for label in labels)
            dev = next(i for i, label in enumerate(labels) if "Dev Patel" in label)
            options.highlighted = dev
            await pilot.press("enter")
            await until(lambda: ticket(db, 1)["assigned"] == "dev")
            assert ticket(db, 1)["status"] == "waiting"
            await until(lambda: said(app, "sent to Dev Patel"))
        # Dev's desk, another process, calls the resident sent to him first.
        assert await other.press("n") == "C001"
        assert rows(db, "SELECT desk_id FROM tickets WHERE id = 1") == [("desk-2",)]
    finally:
        other.close()


async def test_a_desk_someone_holds_is_refused_or_taken_over(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    other = OtherDesk(db, "desk-1", "ben")
    try:
        assert await other.line() == "ready"
        # An adviser: told who is there, refused, nothing changes.
        app = make_app(db, "desk-1", person="dev")
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await until(lambda: isinstance(app.screen, InfoDialog))
            shown = "\n".join(app.screen.lines)  # type: ignore[attr-defined]
            assert "Ben Walker" in shown
            await pressed_to(pilot, AdviserScreen, "escape")
            await pilot.press("n")  # says why, calls nothing
            await until(lambda: said(app, "Ben Walker is logged in"))
            assert rows(db, "SELECT desk_id, person FROM desk_sessions") == [("desk-1", "ben")]
            assert rows(db, "SELECT count(*) FROM tickets WHERE status = 'called'") == [(0,)]
        # The team leader: asked, and the take-over is recorded.
        app = make_app(db, "desk-1", person="tl")
        async with app.run_test(size=(120, 36), notifications=True) as pilot:
            await until(lambda: isinstance(app.screen, QuestionDialog))
            assert "in use" in str(app.screen.heading)  # type: ignore[attr-defined]
            await pilot.press("y")
            await until(
                lambda: (
                    rows(db, "SELECT person FROM desk_sessions WHERE desk_id = 'desk-1'")
                    == [("tl",)]
                )
            )
            (data,) = rows(db, "SELECT data FROM events WHERE kind = 'desk_logout'")[-1:]
            assert json.loads(str(data[0]))["taken_over_by"] == "tl"
    finally:
        other.close()


# 80x24 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode",
    [
        "greet",
        "desk",
        "leader",
        "leader-demo",
        "appointments",
        "appointments-week",
        "reports",
        "followups",
    ],
)
async def test_no_column_header_is_cut_at_80x24(
    counter_office: Path, make_app: AppFactory, mode: str, tmp_path: Path
) -> None:
    db = counter_office
    if mode == "leader-demo":  # the demo office's longer service names ("Waste and recycling")
        (tmp_path / "demo").mkdir()
        db = make_db(tmp_path / "demo")
        with acting(db, person="amina", desk=None) as session:
            for code in "CBHWTQ":
                QueueService(session).issue(code, print_ticket=False)
    demo = mode == "leader-demo"
    app = make_app(db, "greet-1" if demo else "desk-1", person="amina" if demo else "tl")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await app.switch_mode(mode.removesuffix("-week").removesuffix("-demo"))
        await pilot.pause()
        if mode == "appointments-week":
            screen = app.screen
            assert isinstance(screen, AppointmentsScreen)
            await until(lambda: screen.grid is not None)
            await pilot.press("w")  # the week of the highlighted adviser
            await until(lambda: screen.grid is not None and screen.grid_view[0] == "week")
            grid = screen.grid
            assert grid is not None
            assert [h.split()[0] for h in grid.headings] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
        if mode != "reports":  # its charts are no tables; its tables come with the figures
            await until(lambda: bool(app.screen.query(DataTable)))

        def shown_tables() -> list[DataTable[Any]]:
            return [t for t in app.screen.query(DataTable) if t.display and t.size.width]

        def in_view() -> bool:
            return all(t.virtual_size.width <= t.size.width for t in shown_tables())

        # Laid out and fitted (under load the first snapshot can come before the layout); if
        # never, the assertions below say which table and column.
        with contextlib.suppress(AssertionError):
            await until(in_view)
        for table in shown_tables():
            for column in table.columns.values():
                label = str(column.label)
                assert column.get_render_width(table) - 2 * table.cell_padding >= len(label), (
                    f"{mode}: {label!r} is cut"
                )
            # Every column is in view: the table never scrolls sideways.
            assert table.virtual_size.width <= table.size.width, (mode, table.id)
        if mode == "desk":
            headers = [
                str(c.label) for c in app.screen.query_one("#queue", DataTable).columns.values()
            ]
            assert "Needs" in headers and "Est." in headers


async def test_help_at_80x24_needs_no_sideways_scrolling(
    counter_office: Path, make_app: AppFactory
) -> None:
    app = make_app(counter_office, "desk-1", person="ben")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, HelpScreen, "f1")
        await pilot.pause(0.2)
        table = app.screen.query_one("#keys", DataTable)
        assert table.virtual_size.width <= table.size.width
        keys = {str(table.get_cell_at((row, 0))) for row in range(table.row_count)}  # type: ignore[arg-type]
        assert {"p", "q", "a", "u", "t", "h", "z"} <= keys


async def test_the_team_leader_sees_who_is_where_and_who_is_parked(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    clock = FixedClock(MONDAY_0930)
    with acting(db, person="ben", desk="desk-1", clock=clock) as session:
        queue = QueueService(session)
        queue.log_in("desk-1")
        called = queue.call_next("desk-1")
        assert called is not None
        queue.start(called.id)
        queue.park(called.id, "phone")
    clock.set(MONDAY_0930 + timedelta(minutes=7))
    app = make_app(db, "greet-1", person="tl", clock=clock)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        desks = await leader_desks(app, pilot)
        await until(lambda: str(desks.get_cell("desk-1", "person")) == "Ben Walker")
        doing = str(desks.get_cell("desk-1", "status"))
        assert doing.startswith("idle") and "C001 parked 7m" in doing
        assert str(desks.get_cell("desk-1", "since")) == "7 min"
        assert str(desks.get_cell("desk-2", "person")) == "-"
        assert str(desks.get_cell("desk-2", "status")) == "closed"  # nobody logged in


async def test_an_adviser_serving_at_80_columns_sees_every_key_that_acts_now(
    counter_office: Path, make_app: AppFactory
) -> None:
    with acting(counter_office, person="ben", desk="desk-1") as session:
        queue = QueueService(session)
        queue.log_in("desk-1")
        assert queue.call_next("desk-1") is not None
    app = make_app(counter_office, "desk-1", person="ben", clock=FixedClock(MONDAY_0930))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await until(
            lambda: isinstance(app.screen, AdviserScreen) and "f" in app.screen.active_bindings
        )
        bar = app.screen.query_one(KeyBar)
        # The bar is laid out again when the desk's state comes (its log-in, the called ticket):
        # wait for it to offer the finish (not a fixed pause), then read all it shows.
        await until(lambda: "f Finish" in str(bar.render()) and "r Recall" in str(bar.render()))
        shown = str(bar.render())
        assert len(shown.splitlines()) <= 3, shown  # three lines: nothing cut off below
        # Every key of the screen that acts now, then Help, the other screens, the palette.
        for words in ("r Recall", "s Start", "f Finish", "x No-show", "t Transfer", "f8 Desk…"):
            assert words in shown, (words, shown)
        assert "f1 Help" in shown and "^p All actions" in shown
        assert "f5 ^f Screens" in shown, shown  # an adviser: appointments and follow-ups
        await pilot.resize_terminal(120, 36)
        await until(lambda: "f5 Appointments" in str(bar.render()))  # room: each key named


async def test_the_team_leader_at_80_columns_sees_every_desk_row_and_the_day_a_state_began(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    clock = FixedClock(MONDAY_0930 - timedelta(days=3))  # Friday 09:30
    with acting(db, person="ben", desk="desk-2", clock=clock) as session:
        queue = QueueService(session)
        queue.log_in("desk-2")
        clock.set(MONDAY_0930 - timedelta(days=3) - timedelta(hours=-8))  # Friday 17:30
        queue.log_out("desk-2")
    clock.set(MONDAY_0930)
    app = make_app(db, "greet-1", person="tl", clock=clock)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        desks = await leader_desks(app, pilot)
        # Closed since Friday evening: the day it began, not 3,840 minutes.
        await until(lambda: str(desks.get_cell("desk-2", "since")) == "since Fri")
        await pilot.pause(0.2)
        assert desks.virtual_size.width <= desks.size.width  # no column runs off the table
        narrow = desks.size.width
        await pilot.resize_terminal(160, 36)
        await until(lambda: desks.size.width > narrow)
        # Wider: every desk's name whole, fitted to the new width without a new poll (at 80
        # columns the desks' table has the room the services' table does not need: the names
        # may be whole there already).
        await until(lambda: not any("…" in str(desks.get_cell(k, "desk")) for k in desks.rows))
        await pilot.pause(0.2)
        assert not any("…" in str(desks.get_cell(k, "desk")) for k in desks.rows)
        assert desks.virtual_size.width <= desks.size.width


async def test_the_team_leader_prints_the_summary_and_the_palette_finds_it(
    office: Path, make_app: AppFactory
) -> None:
    from textual.command import CommandPalette

    app = make_app(office, "greet-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("f4")
        await until(lambda: type(app.screen).__name__ == "LeaderScreen")
        await pressed_to(pilot, ChoiceDialog, "s")
        assert "summary" in str(app.screen.heading)  # type: ignore[attr-defined]
        await pilot.press("enter")  # the only desk with a printer: greet-1
        await until(lambda: rows(office, "SELECT kind FROM print_jobs") == [("daily_summary",)])
        assert "report_printed" in kinds(office)
        await until(lambda: said(app, "queued"))
        # Ctrl+P: the desk's own commands only, and "summary" finds this one.
        await pressed_to(pilot, CommandPalette, "ctrl+p")
        await pilot.press(*"summary")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        options = palette.query_one(OptionList)
        await until(lambda: options.option_count > 0)
        found = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("Print today's summary" in text for text in found)
        # Textual's own commands (the theme picker, screenshots) are not offered.
        for _ in "summary":
            await pilot.press("backspace")
        await pilot.press(*"theme")
        await pilot.pause(0.5)
        found = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert not any("theme" in text.lower() for text in found), found


# Kind to mistakes, timers, the next code, the history ------------------------------------------


async def test_a_key_that_does_nothing_says_why(counter_office: Path, make_app: AppFactory) -> None:
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await adviser_desk(app, staffed)
        before = kinds(db)
        await pilot.press("x")  # nobody at the desk
        await until(lambda: said(app, "Nobody is at Desk 1"))
        await pilot.press("9")
        await until(lambda: said(app, "not a key here"))
        assert kinds(db) == before


async def test_the_timers_run_on_the_clock(counter_office: Path, make_app: AppFactory) -> None:
    clock = FixedClock(MONDAY_0930)
    app = make_app(counter_office, "desk-1", person="ben", clock=clock)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app, staffed)
        await call_next(pilot, screen)
        timer = screen.query_one("#now-timer")
        await until(lambda: "called 0 min ago" in str(timer.render()))
        clock.set(MONDAY_0930 + timedelta(minutes=2))
        await until(lambda: "called 2 min ago" in str(timer.render()))
        await pilot.press("s")
        await until(lambda: "serving for 0 min" in str(timer.render()))
        clock.set(MONDAY_0930 + timedelta(minutes=14))
        await until(lambda: "serving for 12 min" in str(timer.render()))
        # The counts for the services this desk serves, with the longest wait.
        counts = str(screen.query_one("#queue-counts").render())
        assert "B 1" in counts and "W 1" in counts


async def new_code_box(app: Any, pilot: Any) -> tuple[AdviserScreen, NewCodeDialog]:
    """Ben at Desk 1 calls the next resident and transfers them to Waste (T, S, W): the desk,
    and the box that gives their new code, open."""
    screen = await adviser_desk(app, staffed)
    await call_next(pilot, screen)
    await pressed_to(pilot, ChoiceDialog, "t")
    await pilot.press("s")
    await until(
        lambda: isinstance(app.screen, ChoiceDialog) and "service" in str(app.screen.heading)
    )
    await pilot.press("w")
    await until(lambda: isinstance(app.screen, NewCodeDialog) and app.screen.is_mounted)
    dialog = app.screen
    assert isinstance(dialog, NewCodeDialog)
    return screen, dialog


async def test_a_new_code_stays_until_closed(counter_office: Path, make_app: AppFactory) -> None:
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen, dialog = await new_code_box(app, pilot)
        await until(
            lambda: bool(dialog.query("#new-code")) and bool(dialog.query("#new-code-print"))
        )
        assert str(dialog.heading) == "C001 is now W002: tell the resident"
        assert dialog.query_one("#new-code", BigCode).code == "W002"
        line = str(dialog.query_one("#new-code-print").render())
        # Said as it is, never "printed", in the command line's words (one wording).
        assert (
            line == "No printer here: tell the resident their new code W002 (they were told C001)"
        )
        await app.runner.call(lambda _session: None)  # everything sent to the database ran
        await pilot.pause()
        assert app.screen is dialog  # no timeout closes it
        await pilot.press("enter")
        await until(lambda: app.screen is screen)


async def test_the_visit_history_reads_notes_back_and_records_it(
    counter_office: Path, make_app: AppFactory
) -> None:
    db = counter_office
    app = make_app(db, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app, staffed)
        await call_next(pilot, screen)
        await pilot.press("o")
        await until(lambda: type(app.screen).__name__ == "TextDialog")
        await pilot.press(*"Brought payslips", "enter")
        await until(lambda: rows(db, "SELECT count(*) FROM visit_notes") == [(1,)])
        dialog = await pressed_to(pilot, LinesDialog, "h")
        assert str(dialog.heading) == "History of C001's visit"
        assert any("Brought payslips" in line for line in dialog.lines)
        assert any("C001 called  (Ben Walker, Desk 1)" in line for line in dialog.lines)
        assert "personal_data_viewed" in kinds(db)


async def test_enter_saves_the_adjustments(office: Path, make_app: AppFactory) -> None:
    from oss_desk.ui.dialogs.needs import NeedsDialog
    from oss_desk.ui.screens.greet import GreetScreen

    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, NeedsDialog, "c", "f9")
        # BSL ticked; Enter in the list saves
        await pressed_to(pilot, GreetScreen, "space", "enter")
        assert app.screen.needs == ("bsl",)  # type: ignore[attr-defined]
