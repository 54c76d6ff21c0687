"""A late check-in says how late to the greeter, and a no-show's refusal offers the walk-in
ticket as the early refusal does (trial 4, C5): the real command line and, at meet-and-greet,
the check-in dialog (Pilot)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.domain.appointments import Appointment
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.session import open_session
from oss_desk.ui.dialogs.appointments import ChecklistDialog

from .appointments_site import NOW, make_office
from .conftest import Cli
from .ui.conftest import AppFactory, notices, until
from .ui.conftest import make_app as make_app  # the fixture

WALK_IN = "(issue a ticket if they want to be seen as a walk-in now)"


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)


def book(db: Path, start: datetime) -> Appointment:
    session = open_session(db=db, clock=FixedClock(NOW), person="tl", desk_id="greet-1")
    try:
        slip = f"capture://{db.parent}/slips.bin"
        return AppointmentService(session).book("C", start, channel="slip", print_to=slip)
    finally:
        session.close()


def test_a_late_check_in_says_how_late_and_a_no_show_offers_the_walk_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    late, on_time, missed = book(db, at(11)), book(db, at(11, 30)), book(db, at(12))
    out = cli("appointment", "check-in", late.ref, "--no-print", now="2026-11-23T11:25:00Z")
    assert out.code == 0, out.err
    assert out.out.startswith("Checked in: ticket C001 (priority), 25 min late; ")
    out = cli("appointment", "check-in", on_time.ref, "--no-print", now="2026-11-23T11:30:00Z")
    assert out.out.startswith("Checked in: ticket C002 (priority); "), out.out
    assert cli("appointment", "no-show", missed.ref, now="2026-11-23T12:20:00Z").code == 0
    out = cli("appointment", "check-in", missed.ref, now=format_instant(at(12, 25)))
    assert out.code == 6
    assert out.err.strip() == (
        f"oss-desk: {missed.ref} was a no-show: it cannot be checked in now {WALK_IN}"
    )  # never checked in: not "again" (an appointments adviser's trial)


async def test_the_greeter_sees_how_late(tmp_path: Path, make_app: AppFactory) -> None:
    db = make_office(tmp_path, printer=f"capture://{tmp_path}/paper.bin")
    appt = book(db, at(11))
    app = make_app(db, clock=FixedClock(at(11, 25)))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("slash", *appt.ref.lower(), "enter")
        await until(lambda: isinstance(app.screen, ChecklistDialog))
        first = app.screen.lines[0]  # type: ignore[attr-defined]
        assert first == "Ticket C001 (priority) for Council Tax at 11:00: 25 min late", first


def test_a_booking_for_another_day_or_cancelled_offers_the_walk_in_and_says_who_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new-user trial: "is on Thu 10 Dec, not today: move it instead" and "was cancelled: it
    cannot be checked in" left the greeter with a resident at the counter and no way forward,
    and did not say who cancelled nor when. Each now offers the walk-in's ticket, as the other
    refusals do; a cancelled one says by whom (the council or the resident) and when. The
    command line as a scanner types the booking (its QR payload)."""
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    tomorrow = book(db, datetime(2026, 11, 24, 11, tzinfo=UTC))
    by_council, by_resident = book(db, at(11)), book(db, at(11, 30))
    for appt, by, when in ((by_council, "council", "09:40"), (by_resident, "resident", "10:05")):
        args = ("appointment", "cancel", appt.ref, "--by", by, "--reason", "room flooded")
        done = cli(*args, now=f"2026-11-23T{when}:00Z")
        assert done.code == 0, done.err
    hint = WALK_IN.strip("()")
    cancelled = "was cancelled by the {} at {} today: it cannot be checked in " + WALK_IN
    for appt, said in (
        (tomorrow, f"is on Tue 24 Nov, not today: move it instead, or {hint}"),
        (by_council, cancelled.format("council", "09:40")),
        (by_resident, cancelled.format("resident", "10:05")),
    ):
        out = cli("appointment", "check-in", f"OSSD-A:{appt.ref}", now="2026-11-23T10:50:00Z")
        assert out.code == 6, out.err
        assert out.err.strip() == f"oss-desk: {appt.ref} {said}", out.err


async def test_the_desk_says_who_cancelled_and_offers_the_walk_in(
    tmp_path: Path, make_app: AppFactory
) -> None:
    """The desk's check-in (a scan, or the reference typed) gives the command line's words."""
    db = make_office(tmp_path, printer=f"capture://{tmp_path}/paper.bin")
    appt = book(db, at(11))
    session = open_session(db=db, clock=FixedClock(at(9, 40)), person="tl", desk_id="greet-1")
    try:
        AppointmentService(session).cancel(appt.ref, "council", "room flooded")
    finally:
        session.close()
    said = (
        f"{appt.ref} was cancelled by the council at 09:40 today: it cannot be checked in {WALK_IN}"
    )
    app = make_app(db, clock=FixedClock(at(10, 50)))
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        await pilot.press("slash", *appt.ref.lower(), "enter")
        await until(lambda: notices(app, said) == 1)


def test_a_scanned_booking_not_found_is_named_by_its_reference_as_the_desk_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`appointment check-in OSSD-A:ZZZ-ZZZ` said "no appointment 'OSSD-A:ZZZ-ZZZ'" where the
    desk's scan said "no appointment 'ZZZ-ZZZ'": the QR prefix is stripped in one place for
    both (the reference as typed at the desk, or the scan's payload, give the same words)."""
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    for typed in ("OSSD-A:ZZZ-ZZZ", "ossd-a:zzzzzz", "ZZZ-ZZZ"):
        out = cli("appointment", "check-in", typed, now="2026-11-23T10:50:00Z")
        assert (out.code, out.err) == (5, "oss-desk: no appointment 'ZZZ-ZZZ'\n"), out.err
