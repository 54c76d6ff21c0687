"""Keys typed in one burst (a scanner, a paste, someone who knows the desk) reach the desk in
the order typed, each exactly once (trial 8, P3), whatever they do on the way: move the focus,
open or close a dialog, start a save. The keys are put in the app's queue all at once, as the
terminal's driver does with a burst read in one go (Pilot's ``press`` waits after each key)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from textual.app import App
from textual.events import Key
from textual.widgets import Input, Static

from oss_desk.clock import FixedClock
from oss_desk.ui.dialogs import OutcomeDialog
from oss_desk.ui.dialogs.appointments import BookingDialog
from oss_desk.ui.dialogs.counter import ParkDialog
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.widgets.big_code import BigCode

from ..appointments_site import NOW
from .conftest import AppFactory, appointments_office, kept_notices, rows, settled, until
from .test_counter_ui import finishing, one_ticket
from .test_scorecard_ui import called_at_desk, prompt_shown, ratings

NAMED = {"\t": "tab", "\x7f": "backspace", "\r": "enter", "\x1b": "escape", "@": "at"}
NAMED |= {".": "full_stop", " ": "space", "\x13": "ctrl+s"}


def burst(app: App[Any], *typed: str) -> None:
    """Each character a key (``\\t`` Tab, ``\\x7f`` Backspace, ``\\r`` Enter), all queued
    before the app reads the first."""
    for char in typed:
        app.post_message(Key(NAMED.get(char, char), char))


async def booking_open(app: Any, pilot: Any, db: Path) -> BookingDialog:
    """Desk 1 finishes its resident as "needs an appointment": the booking form, slots shown."""
    await finishing(app, pilot, db)
    await pilot.press("4")
    await until(lambda: isinstance(app.screen, BookingDialog))
    dialog = app.screen
    assert isinstance(dialog, BookingDialog)
    await until(lambda: bool(dialog.slots))
    return dialog


def fields(dialog: BookingDialog) -> tuple[str, str, str]:
    name, email, phone = (
        dialog.query_one(f"#booking-{f}", Input).value for f in ("name", "email", "phone")
    )
    return name, email, phone


async def test_a_burst_in_the_booking_form_lands_field_by_field(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Enter on the slot, a name, Tab, an email with a typo taken back, Tab, a mobile: each key
    where it was typed (it was Email "abc0770090012": Backspace lost, digits before the Tab)."""
    db = appointments_office(migrated, tmp_path, smtp_url="smtp://127.0.0.1:9")
    app = make_app(one_ticket(db), "desk-1", person="bob", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        dialog = await booking_open(app, pilot, db)
        burst(app, "\r", *"Bob", "\t", *"ann@example.orgx", "\x7f", "\t", *"07700900123")
        await until(lambda: fields(dialog)[2] == "07700900123")
        assert fields(dialog) == ("Bob", "ann@example.org", "07700900123")


async def test_enter_after_tabbing_past_the_slots_chooses_the_slot(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Trial 8, C5: Tab (past the slots, already focused), Enter "on the slot", a name: the
    name lands in Name (Enter in the empty Name moved on to Email). The form says which slot
    is chosen. Once chosen, Enter in an empty Name moves on as before (the name is optional)."""
    db = appointments_office(migrated, tmp_path)
    app = make_app(one_ticket(db), "desk-1", person="bob", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        dialog = await booking_open(app, pilot, db)
        await pilot.press("tab", "enter", *"Bob")
        await until(lambda: fields(dialog)[0] == "Bob")
        assert fields(dialog) == ("Bob", "", "")
        shown = str(dialog.query_one("#booking-error", Static).render())
        assert shown == f"Chosen: {dialog.describe(dialog.slots[0])}"
        await pilot.press("ctrl+u", "enter", *"x@example.org")  # name wiped, Enter: next field
        await until(lambda: fields(dialog)[1] == "x@example.org")
        assert fields(dialog)[0] == ""
        # Another slot highlighted: the form no longer says the first is chosen.
        dialog.set_focus(dialog.query_one("#booking-slots"))
        await pilot.press("down")
        await until(lambda: dialog.chosen is None)
        assert str(dialog.query_one("#booking-error", Static).render()) == ""


async def test_the_booking_notice_says_when_and_with_whom(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """Trial 8, P4: the desk says the appointment's day, time and adviser (not the resident's
    name), in the one wording of a day and time (``domain.calendar.time_said``)."""
    db = appointments_office(migrated, tmp_path, smtp_url="smtp://127.0.0.1:9")
    app = make_app(one_ticket(db), "desk-1", person="bob", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        dialog = await booking_open(app, pilot, db)
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        burst(app, "\r", *"Ann Resident", "\t", *"ann@example.org", "\x13")  # Ctrl+S books
        await until(lambda: rows(db, "SELECT status FROM tickets") == [("done",)])
        del dialog
        ((ref, adviser, start),) = rows(db, "SELECT ref, adviser_id, starts_at FROM appointments")
        assert (adviser, str(start)[:16]) == ("ana", "2026-11-23T10:00")  # London is on GMT
        await until(lambda: any("booked for" in m for m in told))
        said = list(told)
        assert f"{ref} booked for C001's visit: Mon 23 Nov 10:00 with Ana Adviser" in said, said
        assert not any("Ann" in s for s in said)


async def test_a_rating_then_n_in_one_burst_rates_then_calls(
    office: Path, make_app: AppFactory
) -> None:
    """Trial 8, P3: "4 n" on the rating prompt called the next and then said '4' is not a key
    here (N, a desk key taken first, ran before the 4 had reached the prompt)."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        await pilot.press("f", "1")
        await until(lambda: prompt_shown(screen))
        told = kept_notices(app)  # kept: a toast gone would pass this test wrongly
        burst(app, "4", "n")
        await until(lambda: screen.query_one(BigCode).code == "B001")
        await until(lambda: ratings(office) == [(1, 4, "desk", "desk-1", "ben")])
        await settled(pilot)
        assert not any("not a key here" in m for m in told), told


async def test_keys_typed_before_a_dialog_opens_are_for_it(
    office: Path, make_app: AppFactory
) -> None:
    """F and the outcome's digit at once: the digit waits for the dialog F opens."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        burst(app, "f", "1")
        await until(
            lambda: rows(office, "SELECT outcome FROM tickets WHERE id = 1") == [("resolved",)]
        )
        await until(lambda: prompt_shown(screen, ready=False))
        assert not isinstance(app.screen, OutcomeDialog)


async def test_keys_typed_while_a_no_show_is_saved_go_to_the_desk_after_it(
    office: Path, make_app: AppFactory
) -> None:
    """X, y and N in one burst: the no-show is saved (and U may take it back), then N calls the
    next; N did not reach the desk while the no-show was being saved."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        assert isinstance(screen, AdviserScreen)
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        burst(app, "x", "y", "n")
        await until(lambda: screen.query_one(BigCode).code == "B001")
        assert rows(office, "SELECT id, status FROM tickets WHERE id IN (1, 2)") == [
            (1, "no_show"),
            (2, "called"),
        ]
        await until(screen.can_undo)
        await until(lambda: any("marked no-show" in m for m in told))
        said = list(told)
        assert "C001 marked no-show · U takes it back (2 minutes)" in said, said


async def test_the_park_dialog_says_what_the_desk_does(office: Path, make_app: AppFactory) -> None:
    """Trial 8, P1: parking calls nobody: the dialog said "the desk calls the next"."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await called_at_desk(app, pilot)
        await pilot.press("p")
        await until(lambda: isinstance(app.screen, ParkDialog))
        heading = str(app.screen.heading)  # type: ignore[attr-defined]
        assert (
            heading == "Park C001: they wait aside, N can call the next, P brings them back. Why?"
        )


async def test_n_typed_while_a_finish_saves_calls_the_next_after_it_is_said(
    office: Path, make_app: AppFactory
) -> None:
    """N typed while the finish was being saved started the next call then, which cut the
    finish short: the save was made, but never said, and the resident never asked to rate."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await called_at_desk(app, pilot)
        await pilot.press("f")
        await until(lambda: isinstance(app.screen, OutcomeDialog))
        busy = threading.Event()
        app.runner.submit(lambda _s: busy.wait(10))  # the finish's save waits its turn
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        burst(app, "1", "n")
        await until(lambda: not isinstance(app.screen, OutcomeDialog))
        busy.set()
        await until(lambda: screen.query_one(BigCode).code == "B001")
        said = list(told)
        assert any(m.startswith("C001 finished") for m in said), said
        assert rows(office, "SELECT id, status FROM tickets WHERE id IN (1, 2)") == [
            (1, "done"),
            (2, "called"),
        ]


async def test_two_tickets_typed_before_the_desk_has_its_queue_are_both_issued(
    office: Path, make_app: AppFactory
) -> None:
    """C Enter W Enter typed as the desk opened (a browser desk hands on the keys typed while it
    opened, all at once): the second Enter's issue cancelled the first's worker while its
    ticket still queued behind the desk's first look at the queue, and C was never issued."""
    before = rows(office, "SELECT count(*) FROM tickets")[0][0]
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True):
        assert app.snapshot is None  # the desk's first look at the queue is still on its way
        burst(app, "c", "\r", "w", "\r")
        await until(lambda: rows(office, "SELECT count(*) FROM tickets")[0][0] == before + 2)
        issued = rows(office, f"SELECT service_code FROM tickets WHERE id > {before} ORDER BY id")
        assert issued == [("C",), ("W",)]


async def test_ctrl_r_typed_right_after_enter_reprints_the_ticket_just_issued(
    office: Path, make_app: AppFactory
) -> None:
    """Enter (issue) opens no screen, so the key line let the next key go before the ticket
    was issued: Ctrl+R typed right after it said "No ticket issued here yet" (or reprinted
    the ticket before). The next key now waits until the ticket is issued and shown."""
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True):
        await until(lambda: app.snapshot is not None)
        before = rows(office, "SELECT max(id) FROM tickets")[0][0]
        told = kept_notices(app)  # kept: a toast gone by the time a slow machine looks
        app.post_message(Key("c", "c"))
        app.post_message(Key("enter", "\r"))
        app.post_message(Key("ctrl+r", "\x12"))
        await until(lambda: len(rows(office, "SELECT id FROM tickets")) == before + 1)
        ((service, number),) = rows(
            office, "SELECT service_code, number FROM tickets WHERE id = ?", before + 1
        )
        code = f"{service}{number:03d}"
        await until(lambda: any(code in m and "print" in m for m in told if "issued" not in m))
        said = list(told)
        assert not any("No ticket issued here yet" in m for m in said), said
