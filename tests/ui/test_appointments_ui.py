"""The Appointments mode and check-in by scanner, driven with Pilot on a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.widgets import Checkbox, DataTable, Input, RadioButton, RadioSet, Static

from oss_desk.clock import FixedClock
from oss_desk.domain.appointments import Appointment
from oss_desk.services.appointments import AppointmentService
from oss_desk.ui.dialogs import ChoiceDialog, ConfirmDialog
from oss_desk.ui.dialogs.appointments import BookingDialog, ChecklistDialog, ReferenceDialog
from oss_desk.ui.scanner import PREFIX, ScanCatcher
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.screens.appointments import AppointmentsScreen
from oss_desk.ui.screens.greet import GreetScreen

from ..appointments_site import NOW, office_toml
from .conftest import (
    AppFactory,
    acting,
    adviser_desk,
    kept_notices,
    office_db,
    pressed_to,
    rows,
    said,
    until,
)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def office(migrated: Path, tmp_path: Path) -> Path:
    toml = office_toml(
        printer=f"capture://{tmp_path}/slips.bin",
        smtp_url="capture://" + str(tmp_path / "mail"),
    )
    return office_db(migrated, tmp_path, toml, now=NOW)  # make_office's, from the migrated copy


def book(db: Path, start: datetime, service: str = "C", **kwargs: str) -> Appointment:
    with acting(db, clock=NOW) as session:
        kwargs.setdefault("channel", "slip")
        return AppointmentService(session).book(service, start, **kwargs)  # type: ignore[arg-type]


def scan_keys(payload: str) -> list[str]:
    """The keys a USB scanner sends for a QR payload, then Enter."""
    names = {"-": "minus", ":": "colon"}
    return [names.get(c, c) for c in payload] + ["enter"]


def ticket_count(db: Path) -> int:
    return int(rows(db, "SELECT count(*) FROM tickets")[0][0])


async def open_appointments(app, pilot) -> AppointmentsScreen:  # type: ignore[no-untyped-def]
    await until(lambda: app.snapshot is not None)
    await pilot.press("f5")
    await until(lambda: isinstance(app.screen, AppointmentsScreen) and app.screen.grid is not None)
    screen = app.screen
    assert isinstance(screen, AppointmentsScreen)
    return screen


async def test_book_from_the_grid(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)
        grid = screen.grid
        assert grid is not None and grid.headings == (
            "Ana Adviser",
            "Bob Adviser",
            "Interview room 1",
        )
        dialog = await pressed_to(pilot, BookingDialog, "b")
        await until(lambda: bool(dialog.query("#booking-channel RadioButton")))  # composed
        # How the confirmation goes, in Preferred's words and order (texts are not set up).
        channels = dialog.query_one("#booking-channel", RadioSet).query(RadioButton)
        assert [str(b.label) for b in channels] == [
            "Email",
            "Text (not set up here)",
            "Printed slip",
        ]
        await pilot.press("h")  # Housing: needs the room
        await until(lambda: dialog.service == "H" and bool(dialog.slots))
        await pilot.press(*"2026-11-24"[0:0], "enter")  # today's date is filled in: see slots
        await until(lambda: bool(dialog.slots) and dialog.slots[0].room == "room-1")
        await pilot.press("enter")  # the first free slot
        await pilot.press(*"Ann Other", "enter", *"ann@example.org", "enter", "enter")
        await pressed_to(pilot, AppointmentsScreen, *"wheelchair", "enter")  # the last field books
        (row,) = rows(
            office,
            "SELECT a.service_code, a.adviser_id, a.room_id, a.channel, a.needs, c.email, "
            "a.starts_at FROM appointments a "
            "JOIN appointment_contacts c ON c.appointment_id = a.id",
        )
        assert row[:5] == ("H", "ana", "room-1", "email", json.dumps(["wheelchair"]))
        assert row[5] == "ann@example.org" and row[6] == "2026-11-23T10:00:00.000Z"
        assert rows(office, "SELECT kind FROM messages ORDER BY id")[0] == ("confirmation",)
        # The grid shows it, on the adviser and the room, with the cursor on it.
        await until(lambda: screen.highlighted_appointment() is not None)
        appt = screen.highlighted_appointment()
        assert appt is not None and appt.service == "H"
        table = screen.query_one("#appt-grid", DataTable)
        ten = [str(c) for c in table.get_row_at(grid.times.index("10:00"))]
        assert ten[1].startswith(appt.ref) and ten[3].startswith(appt.ref)
        assert [str(c) for c in table.get_row_at(0)][1] == ""  # 09:00 has passed


async def booking_first_slot(app: Any, pilot: Any) -> BookingDialog:
    """F5, B, a Council Tax booking, its first date and first free slot chosen."""
    await open_appointments(app, pilot)
    dialog = await pressed_to(pilot, BookingDialog, "b")
    await pilot.press("c")
    await until(lambda: bool(dialog.slots))
    await pilot.press("enter", "enter")  # date, then the first slot
    return dialog


async def test_a_refused_booking_keeps_what_was_typed(office: Path, make_app: AppFactory) -> None:
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        dialog = await booking_first_slot(app, pilot)
        await pilot.press(*"Ann Other", "enter", *"not-an-email", "tab", "tab")
        await pilot.press("ctrl+s")
        error = dialog.query_one("#booking-error")
        await until(lambda: "not an email" in str(error.render()))
        assert isinstance(app.screen, BookingDialog)
        assert dialog.query_one("#booking-name", Input).value == "Ann Other"
        assert rows(office, "SELECT count(*) FROM appointments") == [(0,)]


async def test_a_booking_by_text_takes_only_a_mobile_number(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    """The booking form books by text only to a UK mobile number, refused in the words every
    text's number is (a 10-digit number was booked, its confirmation never delivered)."""
    notify = f"capture://{tmp_path}/notify.jsonl"
    office = office_db(migrated, tmp_path, office_toml(notify_url=notify), now=NOW)
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        dialog = await booking_first_slot(app, pilot)
        await pilot.press(*"Ann Other", "enter", "enter", *"0770090012")
        dialog.query_one("#channel-text", RadioButton).value = True
        await pilot.press("ctrl+s")
        error = dialog.query_one("#booking-error")
        await until(lambda: "is too short (10 digits)" in str(error.render()))
        assert "a UK mobile number is 11 digits starting 07" in str(error.render())
        assert rows(office, "SELECT count(*) FROM appointments") == [(0,)]
        phone = dialog.query_one("#booking-phone", Input)
        phone.value = "07700 900123"
        await pressed_to(pilot, AppointmentsScreen, "ctrl+s")
        assert rows(
            office,
            "SELECT a.channel, c.phone FROM appointments a JOIN "
            "appointment_contacts c ON c.appointment_id = a.id",
        ) == [("text", "+447700900123")]


async def test_the_follow_up_text_tick_box_reaches_the_booking(
    office: Path, make_app: AppFactory
) -> None:
    """The booking's "Follow-up text" tick (off by default, its state shown by a mark) goes
    with the booking: this office has no GOV.UK Notify, so ticked it is refused with the reason
    and what was typed stays; unticked, it books with no consent recorded."""
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        dialog = await booking_first_slot(app, pilot)
        await pilot.press(*"Ann Other", "enter", *"ann@example.org", "enter")
        await pilot.press(*"07700 900123", "enter")
        box = dialog.query_one("#booking-follow-up", Checkbox)
        assert not box.value and str(box.label) == "[ ] Follow-up text"
        assert box.region.bottom <= 24 and box.region.right <= 80  # in view at 80x24
        box.focus()
        await pilot.press("space")
        await until(lambda: box.value and str(box.label) == "[\u2713] Follow-up text")
        await pilot.press("ctrl+s")
        error = dialog.query_one("#booking-error")
        await until(lambda: "follow-up texts are not set up" in str(error.render()))
        assert dialog.query_one("#booking-phone", Input).value == "07700 900123"
        assert rows(office, "SELECT count(*) FROM appointments") == [(0,)]
        await pilot.press("space")  # untick
        await until(lambda: not box.value)
        await pressed_to(pilot, AppointmentsScreen, "ctrl+s")
        assert rows(office, "SELECT phone, feedback_text_by FROM appointment_contacts") == [
            ("+447700900123", None)
        ]  # kept for the appointment's messages only


async def test_scanning_a_qr_code_checks_in_at_meet_and_greet(
    office: Path, make_app: AppFactory
) -> None:
    appt = book(office, at(23, 10, 30), name="Ann Other")
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert isinstance(app.screen, GreetScreen)
        before = ticket_count(office)
        await pressed_to(pilot, ChecklistDialog, *scan_keys(PREFIX + appt.ref))
        # The scanner's letters picked no service and issued nothing: one ticket, priority.
        assert ticket_count(office) == before + 1
        ((priority, channel),) = rows(
            office, "SELECT priority, channel FROM tickets ORDER BY id DESC LIMIT 1"
        )
        assert (priority, channel) == (1, "appointment")
        await pressed_to(pilot, GreetScreen, "space", "ctrl+s")  # "Your bill", saved at once
        await until(
            lambda: (
                rows(office, "SELECT checklist_ticked FROM appointments")
                == [(json.dumps(["Your bill"]),)]
            )
        )
        assert rows(office, "SELECT status FROM appointments") == [("checked_in",)]


async def test_a_scan_at_the_adviser_desk_presses_no_desk_keys(
    office: Path, make_app: AppFactory
) -> None:
    appt = book(office, at(23, 10, 30))
    app = make_app(office, "desk-1", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        assert isinstance(app.screen, AdviserScreen)
        # In lower case, as a scanner with Caps Lock on types it: "n" would call next.
        await pressed_to(pilot, ChecklistDialog, *scan_keys((PREFIX + appt.ref).lower()))
        await pilot.press("escape")
        kinds = [r[0] for r in rows(office, "SELECT kind FROM events ORDER BY id")]
        # Checked in; nothing called, started, finished or closed by the letters of the payload.
        assert "appointment_checked_in" in kinds
        assert not {"ticket_called", "service_started", "desk_closed", "desk_break"} & set(kinds)


async def test_typing_a_reference_in_the_greet_search_checks_in(
    office: Path, make_app: AppFactory
) -> None:
    appt = book(office, at(23, 10, 30))
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, ChecklistDialog, "slash", *appt.ref.lower(), "enter")
        await pilot.press("escape")
        assert rows(office, "SELECT status FROM appointments") == [("checked_in",)]
        # Not today: a clear message, nothing changes.
        later = book(office, at(24, 11))
        await pilot.press("slash", *later.ref, "enter")
        await until(lambda: said(app, "not today"))
        assert rows(office, "SELECT count(*) FROM appointments WHERE status = 'booked'") == [(1,)]


async def test_a_capital_o_typed_by_a_person_still_arrives(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, clock=FixedClock(NOW), scan_pause=0.1)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("slash", "O", "S", "x")  # held back, then let through in order
        search = app.screen.query_one("#service-search", Input)
        await until(lambda: search.value == "OSx")
        await pilot.press("O")  # alone: let through after the pause
        await until(lambda: search.value == "OSxO")


def test_scan_catcher_rules() -> None:
    catcher: ScanCatcher[str] = ScanCatcher()
    assert catcher.feed("a", "a", "a") == "pass"
    verdicts = [catcher.feed(c, c, c) for c in PREFIX + "KM3-DJ4"]
    assert set(verdicts) == {"hold"}
    assert catcher.feed("enter", "enter", "\r") == "done"
    assert catcher.take() == "KM3-DJ4" and not catcher.active
    assert catcher.feed("O", "O", "O") == "hold"
    assert catcher.feed("k", "k", "k") == "release"
    assert catcher.release() == ["O"]


async def test_find_then_cancel_and_no_show(office: Path, make_app: AppFactory) -> None:
    first = book(office, at(26, 11), channel="email", email="r@example.org")
    second = book(office, at(23, 10, 15))
    clock = FixedClock(NOW)
    app = make_app(office, clock=clock)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)
        await pressed_to(pilot, ReferenceDialog, "f7")
        await pilot.press(*first.ref, "enter")
        await until(
            lambda: (a := screen.highlighted_appointment()) is not None and a.id == first.id
        )
        assert screen.grid is not None and screen.grid.days[0].isoformat() == "2026-11-26"
        await pressed_to(pilot, ChoiceDialog, "x")
        await pilot.press("r")  # the resident asked
        await until(
            lambda: (
                rows(office, "SELECT status, cancelled_by FROM appointments WHERE id = ?", first.id)
                == [("cancelled", "resident")]
            )
        )
        kinds = rows(
            office,
            "SELECT kind, status FROM messages WHERE appointment_id = ? ORDER BY id",
            first.id,
        )
        assert ("cancellation", "pending") in kinds and ("reminder", "cancelled") in kinds
        # Back to today: the 10:15 appointment; the resident did not come.
        await pilot.press("t")
        await until(
            lambda: (a := screen.highlighted_appointment()) is not None and a.id == second.id
        )
        assert screen.check_action("no_show", ()) is None  # 10:15 has not come yet
        clock.set(at(23, 10, 40))
        await pressed_to(pilot, ConfirmDialog, "n")
        await pilot.press("y")
        await until(
            lambda: (
                rows(office, "SELECT status FROM appointments WHERE id = ?", second.id)
                == [("no_show",)]
            )
        )


async def open_move(app: Any, pilot: Any, screen: AppointmentsScreen, ref: str) -> BookingDialog:
    """F7 finds ``ref`` on the grid; M opens the form to move it, on 25 November's slots."""
    await pressed_to(pilot, ReferenceDialog, "f7")
    await pilot.press(*ref, "enter")
    await until(lambda: screen.highlighted_appointment() is not None)
    dialog = await pressed_to(pilot, BookingDialog, "m")
    date_input = dialog.query_one("#booking-date", Input)
    date_input.value = "2026-11-25"
    date_input.focus()
    await pilot.press("enter")
    await until(lambda: bool(dialog.slots) and dialog.slots[0].start.day == 25)
    return dialog


def moved_to(db: Path, appointment_id: int) -> tuple[str, int]:
    ((starts, version),) = rows(
        db, "SELECT starts_at, version FROM appointments WHERE id = ?", appointment_id
    )
    return str(starts), int(version)


def move_events(db: Path) -> list[dict[str, object]]:
    found = rows(db, "SELECT data FROM events WHERE kind = 'appointment_rescheduled' ORDER BY id")
    return [json.loads(str(data)) for (data,) in found]


def note_of(dialog: BookingDialog) -> str:
    return str(dialog.query_one("#booking-error", Static).render())


@pytest.mark.parametrize(("key", "party"), [("r", "resident"), ("c", "council")])
async def test_move_enter_chooses_and_the_desk_says_who_asked(
    office: Path, make_app: AppFactory, key: str, party: str
) -> None:
    """Enter on a slot only chooses it (and says which); Ctrl+S asks who asked for the move,
    and the answer is the move's ``by`` (the council's notice standard sees its moves)."""
    appt = book(office, at(24, 11), adviser="bob", email="r@example.org", channel="email")
    at_eleven = moved_to(office, appt.id)[0]
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)
        dialog = await open_move(app, pilot, screen, appt.ref)
        words = kept_notices(app)  # (a toast gone before a stalled test looked was not seen)
        hint = str(dialog.hint)
        assert "Ctrl+S: move it there" in hint and "channel" not in hint
        await pilot.press("enter")  # chooses the first free slot, 09:00: nothing moves
        await until(lambda: note_of(dialog).startswith("Chosen: "))
        assert "09:00" in note_of(dialog) and "Ctrl+S: move it there" in note_of(dialog)
        assert app.screen is dialog and dialog.chosen == dialog.slots[0]
        assert moved_to(office, appt.id) == (at_eleven, 1)
        who = await pressed_to(pilot, ChoiceDialog, "ctrl+s")
        assert str(who.heading).startswith(f"Move {appt.ref} to Wed 25 Nov 09:00")
        assert moved_to(office, appt.id)[1] == 1  # asking is not moving
        await pressed_to(pilot, AppointmentsScreen, key)
        await until(lambda: moved_to(office, appt.id)[1] == 2)
        assert moved_to(office, appt.id)[0].startswith("2026-11-25T09:00")
        ((event,),) = [move_events(office)]
        assert event["by"] == party and ("breach" in event) == (party == "council")
        await until(lambda: any(f"Moved {appt.ref}: " in w for w in words))


async def test_move_esc_at_who_asked_changes_nothing(office: Path, make_app: AppFactory) -> None:
    appt = book(office, at(24, 11), adviser="bob", email="r@example.org", channel="email")
    queued = rows(office, "SELECT count(*) FROM messages")
    at_eleven = moved_to(office, appt.id)[0]
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)
        dialog = await open_move(app, pilot, screen, appt.ref)
        await pressed_to(pilot, ChoiceDialog, "ctrl+s")
        await pressed_to(pilot, BookingDialog, "escape")  # back to the slots
        await until(lambda: note_of(dialog).startswith("Nothing changed"))
        await pressed_to(pilot, AppointmentsScreen, "escape")
        assert moved_to(office, appt.id) == (at_eleven, 1)
        assert move_events(office) == []
        assert rows(office, "SELECT count(*) FROM messages") == queued  # no change notice


async def test_week_grid_and_checklist_keys(office: Path, make_app: AppFactory) -> None:
    appt = book(office, at(23, 10, 30), adviser="ana")
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)
        await until(lambda: screen.highlighted_appointment() is not None)
        await pilot.press("w")  # the highlighted adviser's week
        await until(lambda: screen.grid_view == ("week", "adviser:ana"))
        assert screen.grid is not None
        assert screen.grid.headings == ("Mon 23", "Tue 24", "Wed 25", "Thu 26", "Fri 27")
        await pilot.press("right_square_bracket")
        await until(lambda: screen.grid is not None and screen.grid.days[0].day == 30)
        await pilot.press("t")
        await until(lambda: screen.grid is not None and screen.grid.days[0].day == 23)
        await until(lambda: screen.highlighted_appointment() is not None)
        await pressed_to(pilot, ChecklistDialog, "k")
        await pilot.press("down", "space", "ctrl+s")
        await until(
            lambda: (
                rows(office, "SELECT checklist_ticked FROM appointments WHERE id = ?", appt.id)
                == [(json.dumps(["Photo ID"]),)]
            )
        )


async def test_a_tick_saved_straight_away_is_kept(office: Path, make_app: AppFactory) -> None:
    """Space then Ctrl+S typed faster than the screen updates (as in a real terminal)."""
    from textual import events

    appt = book(office, at(23, 10, 30))
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pressed_to(pilot, ChecklistDialog, *scan_keys(PREFIX + appt.ref))
        await pilot.pause(0.1)
        # Both keys queued before either is handled.
        app.post_message(events.Key("space", " "))
        app.post_message(events.Key("ctrl+s", None))
        await until(lambda: isinstance(app.screen, GreetScreen))
        await until(
            lambda: (
                rows(office, "SELECT checklist_ticked FROM appointments")
                == [(json.dumps(["Your bill"]),)]
            )
        )


async def test_the_adviser_ticks_the_checklist_of_the_resident_called(
    office: Path, make_app: AppFactory
) -> None:
    appt = book(office, at(23, 10, 30))
    with acting(office, clock=NOW) as session:
        AppointmentService(session).check_in(appt.ref)
    app = make_app(office, "desk-1", clock=FixedClock(NOW))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await adviser_desk(app)
        assert screen.check_action("checklist", ()) is None  # nobody called yet
        await pilot.press("n")
        line = screen.query_one("#now-appointment")
        await until(lambda: appt.ref in str(line.render()))
        assert "brought 0 of 2" in str(line.render())
        await pressed_to(pilot, ChecklistDialog, "k")
        await pilot.press("space", "down", "space", "ctrl+s")
        await until(lambda: "brought 2 of 2" in str(line.render()))
        assert rows(office, "SELECT checklist_ticked FROM appointments") == [
            (json.dumps(["Your bill", "Photo ID"]),)
        ]


async def test_the_diary_keys_stay_in_view_at_80x24(office: Path, make_app: AppFactory) -> None:
    """F5's title line names its keys; on an 80-column terminal it wraps rather than losing
    the last of them (the trial saw "T today ·" and nothing after)."""
    app = make_app(office, clock=FixedClock(NOW))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)
        title = screen.query_one("#appt-title")
        await until(lambda: "adviser/room" in str(title.render()))
        await pilot.pause()
        lines = [
            strip.text.replace("\u00a0", " ")
            for strip in title.render_lines(Region(0, 0, *title.size))
        ]
        for key in ("[ ] earlier/later", "T today", "W day/week", "A adviser/room"):
            assert any(key in line for line in lines), lines  # whole, on one line


async def test_after_close_of_day_a_checked_in_resident_is_not_shown_as_here(
    office: Path, make_app: AppFactory
) -> None:
    """Trial 5 W4: checked in (ticket issued), then the day closed with their ticket waiting:
    F5 shows them as come and not seen, never "here", and offers R to rebook them."""
    from oss_desk.services.queue.day_end import close_now

    booked = book(office, at(23, 10, 15))
    clock = FixedClock(NOW)
    with acting(office, clock=clock) as session:
        AppointmentService(session).check_in(booked.ref)
        clock.set(at(23, 10, 30))
        assert len(close_now(session)) == 1
    app = make_app(office, clock=clock)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)
        await pressed_to(pilot, ReferenceDialog, "f7")
        await pilot.press(*booked.ref, "enter")
        await until(
            lambda: (a := screen.highlighted_appointment()) is not None and a.id == booked.id
        )
        detail = str(screen.query_one("#appt-detail").render())
        assert "Status:  came, not seen (office closed)" in detail, detail
        assert "here" not in detail and "R rebook" in detail
        assert screen.grid is not None
        cells = [c.text for row in screen.grid.cells for c in row if c.appointment_id == booked.id]
        assert cells[0] == f"{booked.ref} C came", cells
        assert screen.check_action("rebook", ()) is True
        # R: Enter on a slot chooses it; Ctrl+S rebooks (the resident's own channel: no line).
        dialog = await pressed_to(pilot, BookingDialog, "r")
        assert "Ctrl+S: rebook" in str(dialog.hint) and "channel" not in str(dialog.hint)
        await until(lambda: bool(dialog.slots) and dialog.query_one("#booking-slots").has_focus)
        await pilot.press("enter")
        await until(lambda: note_of(dialog).startswith("Chosen: "))
        assert app.screen is dialog and rows(office, "SELECT count(*) FROM appointments") == [(1,)]
        await pressed_to(pilot, AppointmentsScreen, "ctrl+s")
        assert rows(office, "SELECT count(*) FROM appointments") == [(2,)]


async def test_rebooking_a_seen_booking_asks_first(office: Path, make_app: AppFactory) -> None:
    """R on a booking already seen asks before marking it "came without the documents" (it
    relabelled it with no question); n leaves it as it was."""
    from oss_desk.domain.appointments import AppointmentStatus
    from oss_desk.services.queue import QueueService
    from oss_desk.ui.dialogs.counter import QuestionDialog

    booked = book(office, at(23, 10, 15))
    clock = FixedClock(NOW)
    with acting(office, clock=clock) as session:
        ticket = AppointmentService(session).check_in(booked.ref)
    with acting(office, clock=clock, person="ana", desk="room-1") as session:
        QueueService(session).call(ticket.id, "room-1")
        QueueService(session).finish(ticket.id, "resolved")
    status = f"SELECT status FROM appointments WHERE id = {booked.id}"
    assert rows(office, status) == [(AppointmentStatus.ATTENDED.value,)]
    app = make_app(office, clock=clock)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen = await open_appointments(app, pilot)
        await pressed_to(pilot, ReferenceDialog, "f7")
        await pilot.press(*booked.ref, "enter")
        await until(
            lambda: (a := screen.highlighted_appointment()) is not None and a.id == booked.id
        )
        question = await pressed_to(pilot, QuestionDialog, "r")
        said = f"{booked.ref} was seen: mark it as came without the documents and rebook?"
        assert str(question.heading) == said
        await pressed_to(pilot, AppointmentsScreen, "n")
        assert rows(office, status) == [(AppointmentStatus.ATTENDED.value,)]
        await pressed_to(pilot, QuestionDialog, "r")
        dialog = await pressed_to(pilot, BookingDialog, "y")
        await until(lambda: bool(dialog.slots) and dialog.query_one("#booking-slots").has_focus)
        await pilot.press("enter")
        await pressed_to(pilot, AppointmentsScreen, "ctrl+s")
        assert rows(office, status) == [(AppointmentStatus.INCOMPLETE.value,)]
        assert rows(office, "SELECT count(*) FROM appointments") == [(2,)]
