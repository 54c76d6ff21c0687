"""Appointments: slots, booking rules, moves, cancellations, no-shows, check-in, privacy."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.domain.appointments import AppointmentStatus, parse_reference
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.dbops import RetentionService
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session

from .appointments_site import NOW, make_office, service_at
from .procs import run_at_once


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A November 2026 instant (GMT: local time equals UTC)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def rows(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin")


@pytest.fixture
def mail_db(tmp_path: Path) -> Path:
    """An office that confirms by email (never sent here): the council's notice to a resident
    it can write to counts from the change (a slip-only resident's from the telling:
    tests/test_notice_by_hand.py)."""
    smtp = "smtp://127.0.0.1:9?starttls=off"
    return make_office(tmp_path, smtp_url=smtp, printer=f"capture://{tmp_path}/slips.bin")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def test_slots_follow_hours_patterns_rooms_and_holidays(db: Path, clock: FixedClock) -> None:
    svc, session = service_at(db, clock)
    monday = svc.slots("C", "2026-11-23", 1)
    ana = [s for s in monday if s.adviser == "ana"]
    # From now (10:00), on the 15-minute grid, not over lunch, ending by 17:00.
    assert ana[0].start == at(23, 10, 0)
    assert all(not (at(23, 12, 30) < s.end and s.start < at(23, 13, 30)) for s in ana)
    assert ana[-1].end <= at(23, 17)
    starts = [s.start for s in ana]
    # A 20-minute slot at 12:00 ends before lunch; one at 12:15 would run into it.
    assert at(23, 12) in starts and at(23, 12, 15) not in starts and at(23, 13, 30) in starts
    wednesday = svc.slots("C", "2026-11-25", 1)
    assert {s.adviser for s in wednesday} == {"ana"}  # Bob is off on Wednesdays
    # Housing needs a private room: the room comes with the slot.
    housing = svc.slots("H", "2026-11-24", 1)
    assert housing and all(s.room == "room-1" and s.adviser == "ana" for s in housing)
    # Weekends, bank holidays and local closures have no slots.
    assert svc.slots("C", "2026-11-28", 2) == []
    assert svc.slots("C", "2026-12-25", 1) == []  # Christmas Day
    assert svc.slots("C", "2026-12-28", 1) == []  # Boxing Day (substitute)
    with pytest.raises(RuleViolation, match="walk-in only"):
        svc.slots("W")
    session.close()


def test_booking_on_a_closed_day_says_why(db: Path, clock: FixedClock) -> None:
    """A bank holiday, a local closure or a weekend is named, not "not free" (the bank
    holidays are the ``holidays`` package's for the office's nation)."""
    svc, session = service_at(db, clock)
    with pytest.raises(RuleViolation) as christmas:
        svc.book("C", at(23, 12).replace(month=12, day=25), channel="slip")
    assert christmas.value.message == (
        "Fri 25 Dec is a bank holiday (Christmas Day): the office is closed; choose another day"
    )
    with pytest.raises(RuleViolation, match="Sat 28 Nov is a Saturday: the office is closed"):
        svc.book("C", at(28, 12), channel="slip")
    with pytest.raises(RuleViolation, match="is not free for Council Tax"):
        svc.book("C", at(24, 3), channel="slip")  # a working day, but no slot at 03:00
    assert svc.first_free_day("C", at(28, 12).date()) == at(30, 9).date()
    session.close()


def test_absences_remove_an_advisers_slots(db: Path, clock: FixedClock) -> None:
    svc, session = service_at(db, clock)
    svc.add_absence("bob", "2026-11-24", "2026-11-26", "annual leave")
    assert {s.adviser for s in svc.slots("C", "2026-11-24", 3)} == {"ana"}
    assert "bob" in {s.adviser for s in svc.slots("C", "2026-11-27", 1)}
    (absence,) = svc.absences()
    svc.remove_absence(absence.id)
    assert "bob" in {s.adviser for s in svc.slots("C", "2026-11-24", 1)}
    with pytest.raises(InvalidInput, match="ends before it starts"):
        svc.add_absence("bob", "2026-11-26", "2026-11-24", "training")
    with pytest.raises(InvalidInput, match="before this office's records begin"):
        svc.add_absence("bob", "2026-11-24", "2026-11-20", "training")
    with pytest.raises(InvalidInput, match="more than 100 years ahead"):
        svc.add_absence("bob", "2026-11-24", "9999-12-31", "training")
    with pytest.raises(NotFound):
        svc.add_absence("zed", "2026-11-24", "2026-11-25", "training")
    with pytest.raises(InvalidInput, match="before this office's records begin"):
        svc.add_absence("bob", "2026-11-02", "2026-11-03", "training")
    svc.add_absence("bob", "2026-11-30", "2026-12-02", "training")
    overlap = "Bob Adviser is already away from Mon 30 Nov to Wed 02 Dec (absence 1): remove"
    with pytest.raises(RuleViolation, match=re.escape(overlap)):
        svc.add_absence("bob", "2026-12-02", "2026-12-04", "annual leave")
    session.close()


def test_booking_holds_the_time_and_is_never_doubled(db: Path, clock: FixedClock) -> None:
    svc, session = service_at(db, clock)
    first = svc.book("H", at(24, 9), channel="slip", name="Ann Other")
    assert first.adviser == "ana" and first.room == "room-1"
    assert parse_reference(first.ref) == first.ref
    # Ana and the room are now busy 09:00-09:45: overlapping bookings are refused.
    with pytest.raises(RuleViolation, match="not free"):
        svc.book("H", at(24, 9, 30), channel="slip")
    with pytest.raises(
        RuleViolation, match="with Ana Adviser: Ana Adviser has a booking until 09:45"
    ):
        svc.book("C", at(24, 9, 15), channel="slip", adviser="ana")
    bobs = svc.book("C", at(24, 9, 15), channel="slip")  # Bob is free
    assert bobs.adviser == "bob"
    held = rows(db, "SELECT resource, count(*) FROM resource_units GROUP BY resource ORDER BY 1")
    assert held == [("adviser:ana", 9), ("adviser:bob", 4), ("room:room-1", 9)]
    # The slip went to the desk's printer, with the reference as text and QR.
    assert rows(db, "SELECT kind FROM print_jobs") == [("appointment_slip",), ("appointment_slip",)]
    session.close()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "2026-11-24T09:00:00"}, "no UTC offset"),
        ({"start": "2026-11-20T09:00:00Z"}, "that time has passed"),
        ({"start": "2027-06-01T09:00:00Z"}, "up to 56 days ahead"),
        ({"start": "2026-11-24T09:05:00Z"}, "not free"),
        ({"start": "2026-11-24T09:00:00Z", "channel": "email"}, "email is not set up"),
        ({"start": "2026-11-24T09:00:00Z", "channel": "text"}, "texts are not set up"),
        ({"start": "2026-11-24T09:00:00Z", "channel": "pigeon"}, "not a channel"),
        ({"start": "2026-11-24T09:00:00Z", "channel": "slip", "email": "nope"}, "not an email"),
        ({"start": "2026-11-24T09:00:00Z", "channel": "slip", "phone": "12"}, "does not start 0"),
        ({"start": "2026-11-24T09:00:00Z", "channel": "slip", "adviser": "zed"}, "unknown adviser"),
    ],
)
def test_booking_refusals(
    db: Path, clock: FixedClock, kwargs: dict[str, str], message: str
) -> None:
    svc, session = service_at(db, clock)
    start = kwargs.pop("start")
    kwargs.setdefault("channel", "slip")
    with pytest.raises((InvalidInput, RuleViolation, NotFound), match=message):
        svc.book("C", start, **kwargs)  # type: ignore[arg-type]
    assert rows(db, "SELECT count(*) FROM appointments") == [(0,)]
    session.close()


def test_move_releases_the_old_time(db: Path, clock: FixedClock) -> None:
    svc, session = service_at(db, clock)
    appt = svc.book("C", at(24, 9), channel="slip", adviser="ana")
    with pytest.raises(RuleViolation, match="at that time already"):
        svc.move(appt.ref, at(24, 9))
    moved = svc.move(appt.ref, at(25, 14), adviser="ana")
    assert moved.id == appt.id and moved.version == 2 and moved.starts_at == at(25, 14)
    again = svc.book("C", at(24, 9), channel="slip", adviser="ana")  # the old time is free
    assert again.adviser == "ana"
    kinds = [r[0] for r in rows(db, "SELECT kind FROM events WHERE appointment_id = ?", appt.id)]
    assert "appointment_rescheduled" in kinds
    session.close()


def test_council_cancellation_notice_rule(mail_db: Path, clock: FixedClock) -> None:
    svc, session = service_at(mail_db, clock)
    tomorrow = svc.book("C", at(24, 11), channel="email", email="ann@example.org")
    friday = svc.book("C", at(27, 11), channel="email", email="ann@example.org")
    # Monday 10:00 for Tuesday: Monday counts (before closing): 1 working day, no breach.
    resident = svc.cancel(friday.ref, "resident")
    assert (resident.cancelled_by, resident.notice_breach) == ("resident", False)
    ok = svc.cancel(tomorrow.ref, "council")
    assert (ok.notice_days, ok.notice_breach) == (1, False)
    # After closing on Monday for Tuesday: 0 days, so a reason is needed and a breach recorded.
    late = svc.book("C", at(24, 15), channel="email", email="ann@example.org")
    clock.set(at(23, 17, 30))
    with pytest.raises(RuleViolation, match=r"giving 0 working days' notice \(the standard is 1\)"):
        svc.cancel(late.ref, "council")
    breached = svc.cancel(late.ref, "council", reason="Adviser off sick")
    assert (breached.notice_days, breached.notice_breach) == (0, True)
    event = rows(
        mail_db, "SELECT data FROM events WHERE kind = 'appointment_cancelled' ORDER BY id DESC"
    )[0]
    assert '"breach":true' in str(event[0])
    with pytest.raises(RuleViolation, match="cancelled already"):
        svc.cancel(late.ref, "resident")
    session.close()


def test_no_shows_by_hand_and_after_the_grace_period(db: Path, clock: FixedClock) -> None:
    svc, session = service_at(db, clock)
    a = svc.book("C", at(23, 11), channel="slip", adviser="ana")
    b = svc.book("C", at(23, 11), channel="slip", adviser="bob")
    with pytest.raises(RuleViolation, match="has not started yet"):
        svc.no_show(a.ref)
    clock.set(at(23, 11, 5))
    assert svc.no_show(a.ref).status is AppointmentStatus.NO_SHOW
    clock.set(at(23, 11, 14))
    assert svc.auto_no_show() == []  # within the 15-minute grace
    clock.set(at(23, 11, 16))
    assert [x.ref for x in svc.auto_no_show()] == [b.ref]
    assert rows(db, "SELECT count(*) FROM events WHERE kind = 'appointment_no_show'") == [(2,)]
    session.close()


def test_check_in_sends_the_ticket_to_the_advisers_own_desk(tmp_path: Path) -> None:
    """Without a room, the ticket goes to the desk the configuration puts the adviser at (while
    it is not closed); other desks do not call it."""
    extra = '[[desks]]\nid = "desk-2"\nname = "Desk 2"\nperson = "bob"\n'
    db = make_office(tmp_path, extra=extra, printer=f"capture://{tmp_path}/slips.bin")
    clock = FixedClock(NOW)
    svc, session = service_at(db, clock)
    first = svc.book("C", at(23, 11), channel="slip", adviser="bob")
    second = svc.book("C", at(23, 11, 30), channel="slip", adviser="bob")
    clock.set(at(23, 10, 50))
    ticket = svc.check_in(first.ref)
    assert ticket.assigned_desk == "desk-2"
    other = QueueService(open_session(db=db, clock=clock, person="ana", desk_id="desk-1"))
    assert other.call_next("desk-1") is None  # not theirs
    own = QueueService(open_session(db=db, clock=clock, person="bob", desk_id="desk-2"))
    called = own.call_next("desk-2")
    assert called is not None and called.id == ticket.id
    own.finish(called.id, "resolved")
    own.set_desk_status("desk-2", "closed")
    assert svc.check_in(second.ref).assigned_desk is None  # a closed desk: any desk calls it
    session.close()


def test_check_in_makes_a_priority_ticket_for_the_room(db: Path, clock: FixedClock) -> None:
    svc, session = service_at(db, clock)
    queue = QueueService(session)
    walk_in = queue.issue("H").ticket  # waiting since 10:00
    appt = svc.book("H", at(23, 11), channel="slip")
    later = svc.book("C", at(23, 16), channel="slip")
    clock.set(at(23, 10, 50))
    # Hours early: no priority ticket yet (check-in opens appointments.early_check_in_minutes
    # before the start).
    with pytest.raises(RuleViolation, match="is at 16:00: check-in opens at 15:00"):
        svc.check_in(later.ref)
    with pytest.raises(RuleViolation, match="is on Tue 24 Nov, not today: move it instead, or"):
        svc.check_in(svc.book("C", at(24, 11), channel="slip").ref)  # as lines say days
    cancelled = svc.book("C", at(23, 12), channel="slip")
    svc.cancel(cancelled.ref, by="council", reason="room flooded")
    with pytest.raises(
        RuleViolation,
        match=r"was cancelled by the council at 10:50 today: it cannot be checked in \(issue",
    ):
        svc.check_in(cancelled.ref)  # never checked in: not "again"
    ticket = svc.check_in(f"OSSD-A:{appt.ref.lower()}")  # as a scanner types the QR payload
    assert ticket.priority == 1 and ticket.assigned_desk == "room-1"
    assert ticket.channel.value == "appointment"
    checked = svc.find(appt.ref)
    assert checked.status is AppointmentStatus.CHECKED_IN and checked.ticket_id == ticket.id
    # The room calls the checked-in appointment before the walk-in who came earlier.
    room = QueueService(open_session(db=db, clock=clock, person="ana", desk_id="room-1"))
    called = room.call_next("room-1")
    assert called is not None and called.id == ticket.id and walk_in.id != ticket.id
    # Checklist: what was brought; then finishing the ticket marks the appointment attended.
    svc.tick(appt.ref, ["Proof of address"])
    with pytest.raises(InvalidInput, match="not on the checklist"):
        svc.tick(appt.ref, ["A kitten"])
    room.finish(ticket.id, "resolved")
    assert svc.find(appt.ref).status is AppointmentStatus.ATTENDED
    assert svc.find(appt.ref).checklist_ticked == ("Proof of address",)
    with pytest.raises(RuleViolation, match="cannot be checked in again"):
        svc.check_in(appt.ref)
    session.close()


def test_attended_without_documents_leads_to_a_rebooking(db: Path, clock: FixedClock) -> None:
    svc, session = service_at(db, clock)
    appt = svc.book("C", at(23, 10, 30), channel="slip", name="Ann Other", adviser="ana")
    clock.set(at(23, 10, 25))
    ticket = svc.check_in(appt.ref)
    new = svc.rebook(appt.ref, at(25, 9), desk_id="greet-1")
    assert svc.find(appt.ref).status is AppointmentStatus.INCOMPLETE
    assert new.rebooked_from == appt.id and new.service == "C"
    assert QueueService(session).ticket(ticket.id).status.value == "cancelled"
    assert svc.contact(new).name == "Ann Other"  # type: ignore[union-attr]
    session.close()


def test_rebooking_rules(db: Path, clock: FixedClock) -> None:
    svc, session = service_at(db, clock)
    booked = svc.book("C", at(24, 11), channel="slip", adviser="bob")
    with pytest.raises(RuleViolation, match="is still booked: move it instead"):
        svc.rebook(booked.ref, at(25, 11))
    seen = svc.book("C", at(23, 10, 30), channel="slip", adviser="bob")
    clock.set(at(23, 10, 25))
    svc.check_in(seen.ref)
    again = svc.rebook(seen.ref, at(26, 10))
    assert again.adviser == "bob"  # the same adviser unless another is chosen
    with pytest.raises(RuleViolation, match=f"rebooked already, as {again.ref}"):
        svc.rebook(seen.ref, at(26, 11))
    svc.cancel(booked.ref, "resident")
    with pytest.raises(RuleViolation, match="was cancelled: book anew"):
        svc.rebook(booked.ref, at(27, 11))
    # Nothing offered beyond the booking horizon (56 days).
    edge = svc.slots("C", "2027-01-17", 3)  # Sun 17, Mon 18 (day 56), Tue 19 (too far)
    assert edge and {s.start.date().isoformat() for s in edge} == {"2027-01-18"}
    assert svc.slots("C", "2027-02-01", 5) == []
    session.close()


def test_texts_need_a_mobile_number(tmp_path: Path, clock: FixedClock) -> None:
    office = make_office(tmp_path, notify_url=f"capture://{tmp_path}/texts.txt")
    svc, session = service_at(office, clock)
    with pytest.raises(InvalidInput, match="does not start 07: a UK mobile number is 11 digits"):
        svc.book("C", at(27, 11), channel="text", phone="020 7946 0000")
    assert svc.book("C", at(27, 11), channel="text", phone="07700 900123").channel.value == "text"
    session.close()


def test_contacts_are_purged_after_the_retention_period(db: Path, clock: FixedClock) -> None:
    svc, session = service_at(db, clock)
    appt = svc.book("C", at(24, 9), channel="slip", name="Ann Other", phone="07700 900123")
    assert svc.contact(appt) is not None
    retention = RetentionService(session)
    clock.set(at(24, 9) + timedelta(days=30))
    assert retention.purge().counts["contacts"] == 0  # 30 days are kept
    clock.set(at(24, 9) + timedelta(days=31))
    assert retention.purge().counts["contacts"] == 1
    assert svc.contact(appt) is None
    assert rows(db, "SELECT name, email, phone FROM appointment_contacts") == [(None, None, None)]
    # The appointment and its figures remain.
    assert svc.find(appt.ref).status is AppointmentStatus.BOOKED
    session.close()


def _book_the_same_slot(db: str) -> str:
    svc, session = service_at(Path(db), FixedClock(NOW))
    try:
        appt = svc.book("H", at(24, 9), channel="slip")
        return f"booked {appt.ref}"
    except RuleViolation as exc:
        return f"refused: {exc.message}"
    finally:
        session.close()


def test_two_processes_booking_the_same_slot(db: Path) -> None:
    for _ in range(3):
        conn = sqlite3.connect(db)
        conn.execute("DELETE FROM resource_units")
        conn.commit()
        conn.close()
        results = run_at_once(_book_the_same_slot, [(str(db),), (str(db),)])
        assert sorted(r.split(" ", 1)[0] for r in results) == ["booked", "refused:"]
        refusal = next(r for r in results if r.startswith("refused"))
        assert "choose another" in refusal
    held = rows(db, "SELECT count(*) FROM resource_units")
    assert held == [(18,)]  # the last round's booking: ana and the room, 9 units each


def test_appointment_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from .conftest import Cli

    db = make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    cli = Cli(db, monkeypatch)
    now = format_instant(NOW)
    booked = cli(
        "appointment",
        "book",
        "--service",
        "C",
        "--start",
        "2026-11-23T11:00:00Z",
        "--desk",
        "greet-1",
        "--json",
        now=now,
    )
    assert booked.code == 0, booked.err
    appt = booked.json()
    assert {"id", "ref", "service", "start", "status"} <= set(appt)
    assert (appt["service"], appt["status"], appt["start"]) == (
        "C",
        "booked",
        "2026-11-23T11:00:00.000Z",
    )
    listed = cli("appointment", "list", "--json", now=now).json()
    assert [x["ref"] for x in listed] == [appt["ref"]]
    ticket = cli(
        "appointment",
        "check-in",
        "--desk",
        "greet-1",
        appt["ref"],
        "--json",
        now="2026-11-23T10:55:00Z",
    )
    assert (
        ticket.code == 0 and ticket.json()["status"] == "waiting" and ticket.json()["priority"] == 1
    )
    # Printed at the greeting desk's printer as a walk-in's ticket is; said as `ticket issue`
    # says it (no worker runs here: queued).
    assert ticket.json()["print_state"] == "queued" and ticket.json()["unserved"] is None
    assert rows(
        db, "SELECT kind, ticket_id FROM print_jobs WHERE id = ?", ticket.json()["print_job"]
    ) == [("ticket", ticket.json()["id"])]
    second = cli(
        "appointment",
        "book",
        "--service",
        "C",
        "--start",
        "2026-11-24T11:00:00Z",
        "--desk",
        "greet-1",
        "--json",
        now=now,
    ).json()
    late = cli(
        "appointment", "cancel", second["ref"], "--by", "council", now="2026-11-23T18:00:00Z"
    )
    assert late.code == 6 and "give a reason" in late.err
    ok = cli(
        "appointment",
        "cancel",
        second["ref"],
        "--by",
        "council",
        "--reason",
        "staff ill",
        "--json",
        now="2026-11-23T18:00:00Z",
    )
    # Booked by slip (no email or phone): the notice counts from telling them (by phone).
    assert ok.json()["notice_breach"] is False and ok.json()["untold_since"] is not None
    told = ("--user", "tl", "appointment", "told", second["ref"], "--how", "phone", "--json")
    assert cli(*told, now="2026-11-23T18:00:00Z").json()["notice_breach"] is True
    shown = cli("appointment", "show", second["ref"], now="2026-11-23T18:00:00Z")
    assert "cancelled by the council, 0 working days' notice" in shown.out
    assert "(reason held: --contact to see it)" in shown.out and "staff ill" not in shown.out
    as_json = cli(
        "appointment", "show", second["ref"], "--contact", "--json", now="2026-11-23T18:00:00Z"
    )
    assert as_json.json()["cancel_reason"] == "staff ill"

    bad = cli("appointment", "check-in", "QQQ-QQQ", now=now)
    assert bad.code == 5 and bad.err.count("\n") == 1
    third = cli(
        "appointment",
        "book",
        "--service",
        "C",
        "--start",
        "2026-11-25T14:00:00Z",
        "--adviser",
        "ana",
        "--desk",
        "greet-1",
        "--json",
        now=now,
    ).json()
    away = cli("absence", "add", "ana", "--from", "2026-11-25", "--to", "2026-11-26", now=now)
    assert away.code == 0 and f"{third['ref']}  C  Wed 25 Nov 14:00" in away.out
    more = cli(
        "absence", "add", "bob", "--from", "2026-11-27", "--to", "2026-11-27", "--json", now=now
    ).json()
    assert more["person"] == "bob" and more["still_booked"] == []
    gone = cli("absence", "remove", str(more["id"]), "--json", now=now)
    assert gone.out.count("\n") == 1 and gone.json() == {"id": more["id"], "removed": True}
    # The worker marks the appointment nobody came to, and says so.
    late = cli("worker", "--once", "--json", now="2026-11-25T16:00:00Z").json()
    assert late["no_shows"] == 1
    slots = cli("appointment", "slots", "--service", "H", "--date", "2026-11-24", "--json", now=now)
    assert slots.json()[0]["room"] == "room-1"


def test_day_and_week_grids(db: Path, clock: FixedClock) -> None:
    from datetime import date

    from oss_desk.services.appointment_grid import Cell, Grid, day_grid, week_grid

    svc, session = service_at(db, clock)
    housing = svc.book("H", at(23, 10, 30), channel="slip")
    svc.add_absence("bob", "2026-11-25", "2026-11-25", "training")
    day = day_grid(svc, date(2026, 11, 23))
    assert day.headings == ("Ana Adviser", "Bob Adviser", "Interview room 1")
    assert day.times[0] == "09:00" and day.times[-1] == "16:45"

    def column(grid: Grid, index: int) -> dict[str, Cell]:
        return {t: grid.cells[r][index] for r, t in enumerate(grid.times)}

    ana, bob, room = column(day, 0), column(day, 1), column(day, 2)
    assert ana["09:45"].kind == "past" and ana["10:00"].kind == "free"
    assert ana["10:30"].kind == "booked" and ana["10:30"].text == f"{housing.ref} H"
    assert [ana[t].kind for t in ("10:45", "11:00")] == ["cont", "cont"]
    assert ana["11:15"].kind == "free"
    assert room["10:30"].appointment_id == housing.id
    assert ana["12:45"].kind == "off" and ana["13:30"].kind == "free"  # Ana's Monday lunch
    assert bob["12:45"].kind == "free"
    week = week_grid(svc, date(2026, 11, 25), "adviser:bob")
    assert week.headings == ("Mon 23", "Tue 24", "Wed 25", "Thu 26", "Fri 27")
    wednesday = column(week, 2)
    assert wednesday["09:00"].text == "away" and wednesday["09:15"].text == ""
    assert {c.kind for c in wednesday.values()} == {"away"}
    christmas = week_grid(svc, date(2026, 12, 24), "room:room-1")
    assert christmas.headings[4] == "Fri 25"
    assert column(christmas, 4)["09:00"].text == "Christmas Day"
    assert column(christmas, 4)["10:00"].kind == "closed"
    assert column(christmas, 3)["09:00"].kind == "free"
    session.close()


def test_a_time_booked_again_after_a_no_show_shows_the_new_booking(
    db: Path, clock: FixedClock
) -> None:
    from datetime import date

    from oss_desk.services.appointment_grid import day_grid

    svc, session = service_at(db, clock)
    missed = svc.book("H", at(23, 10, 15), channel="slip")  # Ana and the room, to 11:00
    clock.set(at(23, 10, 40))
    svc.no_show(missed.ref)
    again = svc.book("C", at(23, 10, 45), channel="slip", adviser="ana")  # inside that time
    grid = day_grid(svc, date(2026, 11, 23))
    ana = {t: grid.cells[r][0] for r, t in enumerate(grid.times)}
    assert ana["10:15"].appointment_id == missed.id and ana["10:15"].text.endswith("gone")
    assert ana["10:45"].appointment_id == again.id and ana["10:45"].kind == "booked"
    session.close()


def test_cli_text_names_the_adviser_json_keeps_the_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff read names, not staff ids, in booking lines and slot lists; JSON keeps the id."""
    from .conftest import Cli

    db = make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    cli = Cli(db, monkeypatch)
    now = format_instant(NOW)
    slots = cli("appointment", "slots", "--service", "C", "--date", "2026-11-24", now=now)
    assert slots.code == 0, slots.err
    first = slots.out.splitlines()[0]
    assert "Ana Adviser" in first or "Bob Adviser" in first, first
    assert "  ana " not in slots.out and "  bob " not in slots.out
    booked = cli(
        "appointment",
        "book",
        "--service",
        "C",
        "--start",
        "2026-11-24T11:00:00Z",
        "--adviser",
        "ana",
        "--desk",
        "greet-1",
        now=now,
    )
    assert booked.code == 0, booked.err
    assert "with Ana Adviser" in booked.out and "with ana" not in booked.out
    listed = cli("appointment", "list", "--date", "2026-11-24", "--json", now=now).json()
    assert [x["adviser"] for x in listed] == ["ana"]


def test_a_council_move_gives_notice_of_the_sooner_time(mail_db: Path, clock: FixedClock) -> None:
    """Brought forward from Friday to this afternoon, the resident had hours of notice, not
    days: the move is a breach of the council's notice standard, as a late cancellation is."""
    svc, session = service_at(mail_db, clock)
    friday = svc.book("C", at(27, 11), channel="email", email="ann@example.org")
    later = svc.book("C", at(27, 14), channel="email", email="ann@example.org")
    forward = svc.move(friday.ref, at(23, 15), by="council")
    back = svc.move(later.ref, at(30, 11), by="council")  # later still: Friday's notice
    data = [
        json.loads(str(r[0]))
        for r in rows(
            mail_db, "SELECT data FROM events WHERE kind = 'appointment_rescheduled' ORDER BY id"
        )
    ]
    assert [(d["notice_working_days"], d["breach"]) for d in data] == [(0, True), (4, False)]
    assert (forward.starts_at, back.starts_at) == (at(23, 15), at(30, 11))
    session.close()
