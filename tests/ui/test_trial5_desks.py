"""A new user's trial of the adviser, meet-and-greet and team-leader screens (trial 5): the
greeter's panel after a check-in made elsewhere, keys typed between two dialogs, what the
transfer list offers, what Z asks and says, the outcome keys offered, where a ticket was sent,
the leader's two tables and their widths, and toasts left from another screen. Pilot, real
SQLite files."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static

from oss_desk.clock import FixedClock
from oss_desk.domain.counter import (
    SentTo,
    keys_said,
    outcome_key_refused,
    outcome_keys_hint,
    sent_to,
)
from oss_desk.domain.models import Ticket, TicketStatus
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session, open_session
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs import ChoiceDialog, ConfirmDialog, HelpScreen
from oss_desk.ui.dialogs.appointments import BookingDialog, ChecklistDialog, ReferenceDialog
from oss_desk.ui.dialogs.counter import QuestionDialog
from oss_desk.ui.dialogs.followups import FollowupDialog
from oss_desk.ui.dialogs.hold import KeyHold
from oss_desk.ui.dialogs.scorecard import FinishDialog, MobileDialog
from oss_desk.ui.screens.appointments import AppointmentsScreen
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.screens.reports import ReportsScreen
from oss_desk.ui.widgets.big_code import BigCode
from oss_desk.ui.widgets.key_bar import KeyBar
from oss_desk.ui.widgets.queue_table import QueueTable

from ..appointments_site import NOW
from ..conftest import MONDAY_0930, site_toml
from .conftest import (
    AppFactory,
    acting,
    adviser_desk,
    appointments_office,
    call_next,
    kept_notices,
    office_db,
    pressed_to,
    rows,
    said,
    settled,
    until,
)
from .test_logged_out_elsewhere import as_leader

# The greeter's panel after a check-in at F5 ------------------------------------------------------


async def test_a_check_in_at_f5_is_the_ticket_the_greet_panel_shows_reprints_and_texts(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    key = tmp_path / "notify.key"  # texts set up (nothing is sent: the greeter only opens it)
    key.write_text("test-" + "a" * 36 + "-" + "b" * 36 + "\n")
    office = appointments_office(
        migrated,
        tmp_path,
        printer=f"capture://{tmp_path}/greet.bin",
        notify_url="http://127.0.0.1:9",
        key_file=str(key),
    )
    with acting(office, clock=NOW) as session:
        start = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
        slip = f"capture://{tmp_path}/slips.bin"
        appt = AppointmentService(session).book("C", start, channel="slip", print_to=slip)
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        greet = app.screen
        assert isinstance(greet, GreetScreen)
        await until(lambda: app.snapshot is not None)
        await pilot.press("w", "enter")  # a walk-in first: W001
        await until(lambda: greet.query_one(BigCode).code == "W001")
        await pressed_to(pilot, AppointmentsScreen, "f5")
        await pressed_to(pilot, ReferenceDialog, "c")
        await pressed_to(pilot, ChecklistDialog, *appt.ref, "enter")
        await pressed_to(pilot, AppointmentsScreen, "ctrl+s")
        ((checked_in,),) = rows(office, "SELECT id FROM tickets WHERE service_code = 'C'")
        await pilot.press("f2")
        await until(lambda: app.screen is greet)
        await until(lambda: greet.query_one(BigCode).code == "C001")
        assert "Ticket for Council Tax" in str(greet.query_one("#issued-title").render())
        await pilot.press("ctrl+r")  # acts on C001 (its first print still waits: no copy)
        await until(lambda: said(app, "C001 is still waiting to print"))
        assert rows(office, "SELECT ticket_id FROM print_jobs ORDER BY id")[-1] == (checked_in,)
        await pressed_to(pilot, MobileDialog, "ctrl+n")
        assert str(app.screen.heading) == "Texts for C001"  # type: ignore[attr-defined]


# Keys typed between the finish dialog and the booking form ----------------------------------------


def _serving(db: Path) -> None:
    session: Session = open_session(db=db, clock=FixedClock(NOW), person="tl", desk_id="greet-1")
    try:
        QueueService(session).issue("C", print_ticket=False)
    finally:
        session.close()


async def test_a_key_typed_before_the_booking_form_opens_never_acts_on_the_desk(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = appointments_office(migrated, tmp_path)
    _serving(db)
    app = make_app(db, "desk-1", person="bob", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app)
        await call_next(pilot, screen)
        await pressed_to(pilot, FinishDialog, "s", "f")
        # The database thread is busy a moment (another desk's snapshot, say): the booking
        # form waits for its first free day, and the adviser types on meanwhile.
        busy = threading.Event()
        app.runner.submit(lambda _s: busy.wait(10))
        await pilot.press("4")  # needs an appointment
        await until(lambda: not isinstance(app.screen, FinishDialog))
        await pilot.press("t")  # T on the desk would start a transfer (and end this finish)
        assert isinstance(app.screen, KeyHold)  # kept, for the form
        busy.set()
        await until(lambda: isinstance(app.screen, BookingDialog))
        await pilot.pause()  # the key kept went to the form (the finish still waits for it)
        await app.runner.call(lambda _session: None)
        await pilot.pause()
        assert isinstance(app.screen, BookingDialog)  # no transfer asked; the finish goes on
        assert not any(isinstance(s, ChoiceDialog) for s in app.screen_stack)
        await pilot.press("escape")  # back from the form: finish without booking?
        await until(lambda: "finish without booking" in str(getattr(app.screen, "heading", "")))
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        await pilot.press("y")
        await until(lambda: any("C001 finished: appointment" in m for m in told))
        await until(lambda: app.screen is screen)


async def test_a_key_typed_while_a_callback_finish_saves_waits_for_the_follow_up_form(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db = appointments_office(migrated, tmp_path)
    _serving(db)
    _serving(db)  # C002 waits: N on the desk would call it
    app = make_app(db, "desk-1", person="bob", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app)
        await call_next(pilot, screen)
        await pressed_to(pilot, FinishDialog, "s", "f")
        busy = threading.Event()  # the database thread is busy a moment: the save waits
        app.runner.submit(lambda _s: busy.wait(10))
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        await pilot.press("5")  # ring-back arranged: the follow-up form opens after the save
        await until(lambda: not isinstance(app.screen, FinishDialog))
        await pilot.press("n")  # N on the desk would call C002
        assert isinstance(app.screen, KeyHold)  # kept, for the form
        busy.set()
        await until(lambda: isinstance(app.screen, FollowupDialog))
        await until(lambda: any("C001 finished: callback" in m for m in told))
        assert screen.my_ticket() is None  # the finish is shown beneath the form
        await pilot.pause()  # the key kept went to the form (the finish still waits for it)
        await app.runner.call(lambda _session: None)
        await pilot.pause()
        assert isinstance(app.screen, FollowupDialog)  # the key went to the form, not the desk
        assert rows(db, "SELECT status FROM tickets ORDER BY id") == [("done",), ("waiting",)]
        await pilot.press("escape")  # no follow-up after all: the visit stays finished
        await until(lambda: app.screen is screen)
        await pilot.press("n")  # the desk's keys are the desk's again
        await until(lambda: rows(db, "SELECT status FROM tickets ORDER BY id")[1] == ("called",))


# The team leader's screen ---------------------------------------------------------------------

STAFF = """
[[staff]]
id = "fatima"
name = "Fatima Okoro"
role = "adviser"

[[staff]]
id = "gwen"
name = "Gwen Hughes"
role = "adviser"
"""


def leader_office(migrated: Path, tmp_path: Path) -> tuple[Path, dict[str, int]]:
    """Desk 1 (Fatima Okoro) has C001 called and B001 parked; Desk 2 (Gwen Hughes) is idle;
    C002 and W001 wait."""
    db = office_db(migrated, tmp_path, site_toml(extra=STAFF))
    clock = FixedClock(MONDAY_0930 - timedelta(minutes=20))
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    ids: dict[str, int] = {}
    try:
        for service in ("B", "C", "C", "W"):
            ticket = QueueService(greet).issue(service, print_ticket=False).ticket
            ids[ticket.code] = ticket.id
    finally:
        greet.close()
    for person, desk in (("fatima", "desk-1"), ("gwen", "desk-2")):
        with acting(db, person=person, desk=desk, clock=clock) as session:
            QueueService(session).log_in(desk)
            if desk == "desk-1":
                queue = QueueService(session)
                queue.call(ids["B001"], desk)
                queue.start(ids["B001"])
                queue.park(ids["B001"], "document")
                queue.call(ids["C001"], desk)
    return db, ids


def desk_cells(app: object, desk: str) -> list[str]:
    table = app.screen.query_one("#desks", DataTable)  # type: ignore[attr-defined]
    return [cell.plain for cell in table.get_row(desk)]


async def _leader(app: OssDeskApp, pilot: Pilot[None]) -> LeaderScreen:
    await until(lambda: app.snapshot is not None)
    await pressed_to(pilot, LeaderScreen, "f4")
    await until(lambda: app.snapshot is not None and app.snapshot.figures is not None)
    screen = app.screen
    assert isinstance(screen, LeaderScreen)
    await until(lambda: screen.query_one("#desks", DataTable).row_count == 6)
    return screen


async def test_the_leader_s_desks_include_meet_and_greet_and_what_it_does(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """README: F4 lists "every desk and what it is doing": meet-and-greet too (trial 8: only
    the adviser desks and the room): greeting while someone is logged in to it (its desk app
    logs its person in on opening, as an adviser's does: it said "open" with nobody there),
    and closed once they log out (here from another process)."""
    db, _ = leader_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    greeter = "SELECT person FROM desk_sessions WHERE desk_id = 'greet-1'"
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: rows(db, greeter) == [("tl",)])
        await _leader(app, pilot)
        await until(lambda: desk_cells(app, "greet-1")[1:3] == ["Team Leader", "greeting"])
        assert desk_cells(app, "greet-1")[0] == "greet-1"  # its name (this office gives none)
        await asyncio.to_thread(as_leader, db, "desks", "logout", "greet-1")
        await until(lambda: desk_cells(app, "greet-1")[1:3] == ["-", "closed"])


async def _highlighting(app: OssDeskApp, pilot: Pilot[None], ticket_id: int) -> QueueTable:
    """F4, and the team leader's queue with the ticket highlighted."""
    screen = await _leader(app, pilot)
    queue = screen.query_one(QueueTable)
    queue.focus()
    queue.move_cursor(row=queue.get_row_index(str(ticket_id)))
    return queue


async def _sending_to_desk_2(app: OssDeskApp, pilot: Pilot[None], ticket_id: int) -> QueueTable:
    """At F4, D on the ticket with Desk 2 highlighted in the list of desks (Enter sends it there);
    returns the queue."""
    queue = await _highlighting(app, pilot, ticket_id)
    await pressed_to(pilot, ChoiceDialog, "d")
    picks = app.screen.query_one(OptionList)
    picks.highlighted = next(
        i for i in range(picks.option_count) if picks.get_option_at_index(i).id == "desk-2"
    )
    return queue


async def test_the_leader_refuses_to_close_a_desk_with_a_resident_before_asking(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db, _ = leader_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _leader(app, pilot)
        desks = screen.query_one("#desks", DataTable)
        desks.focus()
        desks.move_cursor(row=desks.get_row_index("desk-1"))
        await pilot.press("z")
        await until(lambda: said(app, "Desk 1 still has C001: finish it before closing"))
        await settled(pilot)
        assert not any(isinstance(s, ConfirmDialog) for s in app.screen_stack)  # never asked
        assert rows(db, "SELECT status FROM desks WHERE id = 'desk-1'") == [("open",)]
        # The notice was about this screen: the next one (F6) opens without it over its chart.
        await pressed_to(pilot, ReportsScreen, "f6")
        await settled(pilot)
        assert not said(app, "still has C001")
        assert not [t for t in app.screen.query("Toast") if t.region]


async def test_a_ticket_sent_to_a_desk_says_so_in_the_queue(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db, ids = leader_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        queue = await _sending_to_desk_2(app, pilot, ids["W001"])
        await pilot.press("enter")
        await until(lambda: said(app, "Sent to Desk 2"))
        await until(lambda: str(queue.get_cell(str(ids["W001"]), "est")) == "for Desk 2")
        assert str(queue.get_cell(str(ids["C002"]), "est")) != "for Desk 2"  # the others: waits


async def test_the_leader_transfer_list_leaves_out_the_ticket_s_own_service(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db, ids = leader_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await _highlighting(app, pilot, ids["C002"])
        dialog = await pressed_to(pilot, ChoiceDialog, "t")
        assert [key for key, _ in dialog.choices] == ["B", "H", "W"]
        assert str(dialog.heading) == "Transfer C002 (now Council Tax) to which service?"


async def test_the_leader_s_two_tables_are_apart_and_use_the_width_there_is(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db, _ = leader_office(migrated, tmp_path)
    for size in ((120, 36), (80, 24)):
        app = make_app(db, "greet-1")
        async with app.run_test(size=size, notifications=True) as pilot:
            screen = await _leader(app, pilot)
            titles = [str(t.render()) for t in screen.query(".table-title")]
            assert titles == ["Desks", "Waiting by service"]
            desks = screen.query_one("#desks", DataTable)
            services = screen.query_one("#by-service", DataTable)
            await until(lambda: desks.region.right < services.region.x)  # noqa: B023
            assert services.region.x - desks.region.right >= 3  # a gap and a rule between
            await until(lambda: "Fatima" in desk_cells(app, "desk-1")[1])  # noqa: B023
            who, doing = desk_cells(app, "desk-1")[1:3]
            if size == (120, 36):  # room for every line whole
                assert who == "Fatima Okoro"
                assert doing == "called C001 · B001 parked 20m"
                assert desk_cells(app, "desk-2")[1] == "Gwen Hughes"
            else:  # 80 columns: names written shorter, never cut to a stub
                assert who in ("Fatima Okoro", "Fatima O.")
                assert desk_cells(app, "desk-2")[1] in ("Gwen Hughes", "Gwen H.")
            for desk in ("desk-1", "desk-2", "desk-3", "room-1"):
                assert "Fa…" not in desk_cells(app, desk)
            # The services' counts and headings whole, at both widths.
            heads = [str(c.label) for c in services.ordered_columns]
            assert heads == ["Service", "Wait", "Longest", "Over"]
            assert services.region.right <= screen.size.width


# The adviser's desk -----------------------------------------------------------------------------


def key_bar_text(app: object) -> str:
    content = app.screen.query_one(KeyBar).content  # type: ignore[attr-defined]
    return str(getattr(content, "plain", content))


async def test_the_desk_transfer_list_leaves_out_the_ticket_s_own_service(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app)
        await call_next(pilot, screen)
        ticket = screen.my_ticket()
        assert ticket is not None and ticket.service == "C"
        await pressed_to(pilot, ChoiceDialog, "t")
        await pilot.press("s")
        await until(lambda: "which service" in str(getattr(app.screen, "heading", "")))
        dialog = app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert [key for key, _ in dialog.choices] == ["B", "H", "W"]
        assert str(dialog.heading) == f"Transfer {ticket.code} (now Council Tax) to which service?"


async def test_after_logging_out_the_key_bar_offers_log_in(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app)
        state = screen.my_state
        await until(lambda: (s := state()) is not None and s.login is not None)
        await until(lambda: "z Log out" in key_bar_text(app))
        await pressed_to(pilot, QuestionDialog, "z")
        await pilot.press("y")
        await until(lambda: said(app, "Logged out: Desk 1 closed"))
        await until(lambda: "z Log in" in key_bar_text(app))
        assert "Log out" not in key_bar_text(app)
        help_screen = await pressed_to(pilot, HelpScreen, "f1")  # the help says so too
        assert ("z", "Log in") in [(key, does) for key, does, _ in help_screen.rows]


# Meet-and-greet's F8 for a service without appointments ----------------------------------------


async def test_the_outcome_keys_offered_are_the_ones_the_hint_names(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        dialog = await pressed_to(pilot, FinishDialog, "w", "f8")  # Waste: walk-ins only
        hint = str(dialog.query_one(".hint", Static).render())
        assert hint.startswith("1, 2, 3 or 5, or arrows and Enter · W: website helped")
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        await pilot.press("4")
        await until(lambda: any("4 (needs an appointment) is not offered" in m for m in told))
        assert app.screen is dialog  # still asked
        await pilot.press("1")
        await until(lambda: any("Visit recorded: Waste, resolved" in m for m in told))


def test_the_words_for_keys_offered_and_where_a_ticket_was_sent() -> None:
    assert keys_said(["1", "2", "3", "4", "5"]) == "1-5"
    assert keys_said(["1", "2", "3", "5"]) == "1, 2, 3 or 5"
    assert keys_said(["1", "2"]) == "1 or 2"
    assert outcome_keys_hint(True) == "1-5 or arrows and Enter"
    assert outcome_keys_hint(False) == "1, 2, 3 or 5, or arrows and Enter"
    assert outcome_key_refused("4", False) == (
        "4 (needs an appointment) is not offered: this service takes no appointments; 1, 2, 3 or 5"
    )
    assert outcome_key_refused("7", True) == "7 is not an outcome: 1-5"
    ticket = Ticket(
        id=1,
        visit_id=1,
        site_id="hq",
        service="C",
        business_day="2026-11-23",
        number=1,
        status=TicketStatus.WAITING,
        priority=0,
        needs=(),
        queued_at=NOW,
        issued_at=NOW,
        assigned_desk="desk-3",
    )
    assert sent_to(ticket) == SentTo(None, "desk-3")
    assert sent_to(replace(ticket, assigned_person="dev")) == SentTo("dev", None)
    assert sent_to(replace(ticket, parked_at=NOW)) is None
    assert sent_to(replace(ticket, assigned_desk=None)) is None


# The team leader's D, X and Z: a key typed while the change saves waits until it is saved -------


async def _typed_while_saving(
    app: OssDeskApp, pilot: Pilot[None], answer: str, typed: str, done: str
) -> None:
    """Answer the flow's one dialog while the database thread is busy (its save waits), type
    ``typed`` meanwhile: it is kept until the change is saved and said."""
    busy = threading.Event()
    app.runner.submit(lambda _s: busy.wait(10))
    await pressed_to(pilot, KeyHold, answer)
    await pilot.press(typed)
    assert isinstance(app.screen, KeyHold)  # kept: the flow still saves
    busy.set()
    await until(lambda: said(app, done))


async def test_a_key_typed_while_the_leader_sends_a_ticket_acts_after_it_is_sent(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db, ids = leader_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await _sending_to_desk_2(app, pilot, ids["W001"])
        # X typed as the desk is chosen: it would cancel the send before it was said
        await _typed_while_saving(app, pilot, "enter", "x", "Sent to Desk 2")
        await until(lambda: "Cancel W001" in str(getattr(app.screen, "heading", "")))
        assert rows(db, f"SELECT assigned_desk_id FROM tickets WHERE id = {ids['W001']}") == [
            ("desk-2",)
        ]


async def test_a_key_typed_while_the_leader_cancels_a_ticket_acts_after_it_is_cancelled(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db, ids = leader_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await _highlighting(app, pilot, ids["W001"])
        await pressed_to(pilot, ChoiceDialog, "x")
        await _typed_while_saving(app, pilot, "l", "x", "W001 cancelled")
        # The X kept acts on the queue as it is now (W001 has gone from it), never on W001.
        await until(lambda: not any(isinstance(s, KeyHold) for s in app.screen_stack))
        await pilot.pause()
        assert "W001" not in str(getattr(app.screen, "heading", ""))
        assert rows(db, f"SELECT status FROM tickets WHERE id = {ids['W001']}") == [("cancelled",)]


async def test_a_key_typed_while_the_leader_transfers_a_ticket_acts_after_it_is_transferred(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db, ids = leader_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await _highlighting(app, pilot, ids["W001"])
        await pressed_to(pilot, ChoiceDialog, "t")
        # X typed as the service is chosen: it cancelled the transfer, never made nor said
        await _typed_while_saving(app, pilot, "c", "x", "Transferred")
        # The X kept acts once W001 has moved on: it is told so, never asked to cancel W001
        await until(lambda: said(app, "W001 was moved to C"))
        assert "Cancel W001" not in str(getattr(app.screen, "heading", ""))
        assert rows(db, f"SELECT status FROM tickets WHERE id = {ids['W001']}") == [
            ("transferred",)
        ]


async def test_a_key_typed_while_the_leader_closes_a_desk_acts_after_it_is_closed(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db, _ = leader_office(migrated, tmp_path)
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _leader(app, pilot)
        desks = screen.query_one("#desks", DataTable)
        desks.focus()
        desks.move_cursor(row=desks.get_row_index("desk-2"))
        await pressed_to(pilot, ConfirmDialog, "z")
        # Z again as the close is confirmed: once it is closed, it opens it (never asks again)
        # (said as ``oss-desk desks close`` and ``open`` say it)
        await _typed_while_saving(app, pilot, "y", "z", "Desk 2: open -> closed")
        await until(lambda: said(app, "Desk 2: closed -> open"))
        await settled(pilot)
        assert app.screen is screen
        assert rows(db, "SELECT status FROM desks WHERE id = 'desk-2'") == [("open",)]


async def test_z_closing_a_desk_says_what_desks_close_says(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Z's notice is ``oss-desk desks close``'s line: the change, then the tickets sent back."""
    db, ids = leader_office(migrated, tmp_path)
    with acting(db) as session:
        QueueService(session).transfer(ids["W001"], desk_id="desk-2")
    app = make_app(db, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await _leader(app, pilot)
        desks = screen.query_one("#desks", DataTable)
        desks.focus()
        desks.move_cursor(row=desks.get_row_index("desk-2"))
        await pressed_to(pilot, ConfirmDialog, "z")
        await pilot.press("y")
        await until(lambda: said(app, "Desk 2: open -> closed"))
        assert [n.message for n in app._notifications if "Desk 2" in n.message] == [
            "Desk 2: open -> closed; W001 goes back to the queue"
        ]


async def test_where_a_ticket_was_sent_shows_at_80_columns_with_the_flag_column(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    db, ids = leader_office(migrated, tmp_path)
    with acting(db) as session:
        queue_service = QueueService(session)
        urgent = queue_service.issue("H", urgent=True, print_ticket=False).ticket  # the Flag column
        queue_service.transfer(ids["W001"], desk_id="desk-2")
    app = make_app(db, "desk-2", person="gwen")  # the adviser's queue, half the screen
    async with app.run_test(size=(80, 24), notifications=True):
        await until(lambda: app.snapshot is not None)
        queue = app.screen.query_one(QueueTable)
        await until(lambda: queue.row_count >= 3 and "flag" in queue.shown_columns)
        assert "est" not in queue.shown_columns  # it gives way at 80 columns
        # "→D2": the words "for Desk 2" would not fit (the table scrolled sideways)
        assert str(queue.get_cell(str(ids["W001"]), "flag")) == "→D2"
        assert str(queue.get_cell(str(urgent.id), "flag")) == "Urgent"
        assert str(queue.get_cell(str(ids["C002"]), "flag")) == ""
        assert queue.virtual_size.width <= queue.scrollable_content_region.width
