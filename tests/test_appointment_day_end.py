"""An appointment after close of day, and the words for its states (trial 5: W4, C8).

- A resident who checked in (a ticket issued) and whose ticket the close of day closed as
  "office closed" came and was not seen: the appointment says so ("came, not seen (office
  closed)", stored ``not_seen``), as its ticket does, instead of "checked in (here)". They are
  not a no-show (they came) and not attended (not seen): the reports still count them as kept,
  and the kept and no-show figures are the appointments' own states, before and after.
- ``appointment list`` and ``show`` say the states in the words the appointments screen (F5)
  uses, from one home (``domain.appointments.STATUS_WORDS``); ``--json`` keeps the stored values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.appointments import STATUS_MARKS, STATUS_WORDS, AppointmentStatus
from oss_desk.domain.models import Ticket
from oss_desk.services.appointment_grid import day_grid
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now

from .appointments_site import make_office, service_at
from .conftest import Cli


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)  # Monday, GMT


def _figures(cli: Cli, now: str) -> tuple[int, int]:
    month = cli("--user", "tl", "report", "monthly", "--month", "2026-11", "--json", now=now)
    assert month.code == 0, month.err
    data = month.json()
    return data["appointments_kept"], data["appointments_no_show"]


def _states(cli: Cli, now: str) -> dict[str, str]:
    listed = cli("--user", "tl", "appointment", "list", "--date", "2026-11-23", "--json", now=now)
    assert listed.code == 0, listed.err
    return {a["ref"]: a["status"] for a in listed.json()}


def _rebooked(cli: Cli, ref: str, now: str) -> None:
    """Rebooked for the next morning: allowed (the council did not see them)."""
    rebooked = cli(
        *("--user", "tl", "appointment", "rebook", ref, "--start"),
        "2026-11-24T10:00:00Z",
        *("--desk", "greet-1", "--json"),
        now=now,
    )
    assert rebooked.code == 0, rebooked.err


def test_a_checked_in_resident_not_seen_by_close_of_day_came_and_was_not_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, now=at(9, 0), printer=f"capture://{tmp_path}/slips.bin")
    cli = Cli(db, monkeypatch)
    clock = FixedClock(at(9, 30))
    appointments, session = service_at(db, clock)
    queue = QueueService(session)
    try:
        seen, waited, away = (
            appointments.book("C", at(hour, minute), channel="slip", adviser="ana")
            for hour, minute in ((10, 0), (10, 30), (11, 0))
        )
        clock.set(at(9, 55))
        first = appointments.check_in(seen.ref)
        queue.call(first.id, "desk-1")
        queue.finish(first.id, "resolved")
        clock.set(at(10, 15))
        ticket = appointments.check_in(waited.ref)
        clock.set(at(11, 20))
        appointments.no_show(away.ref)
        before = _figures(cli, "2026-11-23T11:20:00Z")
        assert _states(cli, "2026-11-23T11:20:00Z")[waited.ref] == "checked_in"
        clock.set(at(11, 25))
        assert [t.code for t in close_now(session)] == [ticket.code]
        # F5's grid (the cells the appointments screen draws) no longer says "here".
        grid = day_grid(appointments, date(2026, 11, 23))
        ana = {t: grid.cells[r][0] for r, t in enumerate(grid.times)}
        assert ana["10:30"].appointment_id == waited.id
        assert ana["10:30"].text == f"{waited.ref} C {STATUS_MARKS[AppointmentStatus.NOT_SEEN]}"
        assert not ana["10:30"].text.endswith("here") and ana["10:00"].text.endswith("seen")
    finally:
        session.close()
    now = "2026-11-23T11:30:00Z"
    states = _states(cli, now)
    assert states == {seen.ref: "attended", waited.ref: "not_seen", away.ref: "no_show"}
    # Ticket and appointment agree: nobody will call the resident, who came.
    shown = cli("--user", "tl", "ticket", "show", ticket.code, now=now)
    assert "closed at close of day (office closed)" in shown.out
    one = cli("--user", "tl", "appointment", "show", waited.ref, now=now)
    assert one.out.splitlines()[0].endswith("  [came, not seen (office closed)]"), one.out
    # Kept (they came: every check-in) and no-shows, before the close and after it, are the
    # appointments' own states: the one not seen is kept, not a no-show.
    kept = sum(AppointmentStatus(s).kept for s in states.values())
    no_shows = sum(AppointmentStatus(s) is AppointmentStatus.NO_SHOW for s in states.values())
    assert before == _figures(cli, now) == (kept, no_shows) == (2, 1)
    # Checked in again: refused in words; rebooked: allowed (the council did not see them).
    again = cli("--user", "tl", "appointment", "check-in", waited.ref, now=now)
    assert again.code != 0 and "came and was not seen (office closed)" in again.err
    _rebooked(cli, waited.ref, now)
    assert _states(cli, now)[waited.ref] == "not_seen"


def test_appointment_list_says_the_states_in_the_desk_s_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, now=at(9, 0), printer=f"capture://{tmp_path}/slips.bin")
    cli = Cli(db, monkeypatch)
    clock = FixedClock(at(9, 30))
    appointments, session = service_at(db, clock)
    try:
        here, seen, booked = (
            appointments.book("C", at(hour, minute), channel="slip", adviser="ana")
            for hour, minute in ((10, 0), (10, 30), (11, 0))
        )
        clock.set(at(9, 55))
        appointments.check_in(here.ref)
        ticket = appointments.check_in(seen.ref)
        QueueService(session).call(ticket.id, "desk-1")
        QueueService(session).finish(ticket.id, "resolved")
    finally:
        session.close()
    now = "2026-11-23T10:05:00Z"
    listed = cli("--user", "tl", "appointment", "list", "--date", "2026-11-23", now=now)
    assert listed.code == 0, listed.err
    said = {line.split()[0]: line.rsplit("[", 1)[1].rstrip("]") for line in listed.out.splitlines()}
    assert said == {here.ref: "checked in (here)", seen.ref: "seen", booked.ref: "booked"}
    assert set(said.values()) <= set(STATUS_WORDS.values())
    assert _states(cli, now) == {here.ref: "checked_in", seen.ref: "attended", booked.ref: "booked"}


def test_a_history_over_more_than_one_day_gives_each_line_its_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trial 5 C7: booked on Friday, checked in on Monday: ``ticket history`` read "14:00
    booked ... 09:18 checked in" as one day out of order. Spanning more than one day, each line
    has its day (domain.calendar.time_said); a visit of one day keeps its times alone."""
    friday = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    db = make_office(tmp_path, now=friday, printer=f"capture://{tmp_path}/slips.bin")
    cli = Cli(db, monkeypatch)
    clock = FixedClock(friday)
    appointments, session = service_at(db, clock)
    try:
        booked = appointments.book("C", at(10, 0), channel="slip", adviser="ana")
        walk_in = QueueService(session).issue("W", print_ticket=False).ticket
        clock.set(at(9, 50))
        ticket = appointments.check_in(booked.ref)
    finally:
        session.close()
    now = "2026-11-23T09:55:00Z"
    history = cli("--user", "tl", "ticket", "history", ticket.code, now=now)
    assert history.code == 0, history.err
    lines = [x for x in history.out.splitlines() if x.startswith("  ") and x[2] != "("]
    assert len(lines) == 4 and all(re.match(r"  \w{3} \d\d \w{3} \d\d:\d\d  ", x) for x in lines)
    assert lines[0].startswith("  Mon 23 Nov 09:50  arrived for Council Tax"), history.out
    assert lines[2].startswith("  Fri 20 Nov 14:00  booked: Council Tax"), history.out
    assert lines[3].startswith("  Mon 23 Nov 09:50  checked in"), history.out
    one_day = cli("--user", "tl", "ticket", "history", walk_in.code, now="2026-11-20T14:05:00Z")
    assert one_day.code == 0, one_day.err
    assert one_day.out.splitlines()[1].startswith("  14:00  "), one_day.out


def test_a_checked_in_appointment_ends_as_its_ticket_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not there when called, or gone (the ticket cancelled as "left"): "came, left before being
    seen", not "checked in (here)"; a no-show taken back puts it back. Kept (they came), never a
    no-show of the appointment: the monthly kept and no-show figures are the states' own."""
    db = make_office(tmp_path, now=at(9, 0), printer=f"capture://{tmp_path}/slips.bin")
    cli = Cli(db, monkeypatch)
    clock = FixedClock(at(9, 30))
    appointments, session = service_at(db, clock)
    queue = QueueService(session)
    try:
        called, gone, back, away = (
            appointments.book("C", at(hour, minute), channel="slip", adviser="ana")
            for hour, minute in ((10, 0), (10, 30), (11, 0), (11, 30))
        )
        clock.set(at(9, 55))
        first = appointments.check_in(called.ref)
        second = appointments.check_in(gone.ref)
        queue.call(first.id, "desk-1")
        clock.set(at(10, 0))
        queue.no_show(first.id)
        queue.cancel(second.id, "left")
        third = appointments.check_in(back.ref)
        queue.call(third.id, "desk-1")
        clock.set(at(10, 5))
        queue.no_show(third.id)
        states = _states(cli, "2026-11-23T10:05:00Z")
        assert states[called.ref] == states[gone.ref] == states[back.ref] == "left_unseen"
        clock.set(at(10, 6))
        queue.undo_no_show(third.id)
        grid = day_grid(appointments, date(2026, 11, 23))
        ana = {t: grid.cells[r][0] for r, t in enumerate(grid.times)}
        left = STATUS_MARKS[AppointmentStatus.LEFT_UNSEEN]
        assert ana["10:00"].text == f"{called.ref} C {left}"
        assert ana["10:30"].text == f"{gone.ref} C {left}"
        assert ana["11:00"].text == f"{back.ref} C here"
        queue.finish(third.id, "resolved")
        clock.set(at(11, 50))
        appointments.no_show(away.ref)
    finally:
        session.close()
    now = "2026-11-23T12:00:00Z"
    states = _states(cli, now)
    assert states == {
        called.ref: "left_unseen",
        gone.ref: "left_unseen",
        back.ref: "attended",
        away.ref: "no_show",
    }
    for ref in (called.ref, gone.ref):
        one = cli("--user", "tl", "appointment", "show", ref, now=now)
        assert one.out.splitlines()[0].endswith("  [came, left before being seen]"), one.out
    listed = cli("--user", "tl", "appointment", "list", "--date", "2026-11-23", now=now)
    assert "checked in (here)" not in listed.out, listed.out
    # The three who came are kept (the no-show taken back is counted once); the one who never
    # came is the only no-show: the figures are the appointments' own states.
    kept = sum(AppointmentStatus(s).kept for s in states.values())
    no_shows = sum(AppointmentStatus(s) is AppointmentStatus.NO_SHOW for s in states.values())
    assert _figures(cli, now) == (kept, no_shows) == (3, 1)
    _rebooked(cli, gone.ref, now)


def _closed_at_close_of_day(queue: QueueService, moved: Ticket, clock: FixedClock) -> None:
    clock.set(at(11, 25))
    assert [t.code for t in close_now(queue.s)] == [moved.code]


def _gone_when_called(queue: QueueService, moved: Ticket, clock: FixedClock) -> None:
    queue.call(moved.id, "desk-1")
    queue.no_show(moved.id)


def _finished_there(queue: QueueService, moved: Ticket, clock: FixedClock) -> None:
    clock.set(at(10, 20))
    queue.call(moved.id, "desk-1")
    queue.finish(moved.id, "resolved")


@pytest.mark.parametrize(
    ("service", "ending"),
    [("H", _closed_at_close_of_day), ("W", _gone_when_called), ("H", _finished_there)],
)
def test_a_resident_seen_then_transferred_was_attended_however_the_new_ticket_ended(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    ending: Callable[[QueueService, Ticket, FixedClock], None],
) -> None:
    """Checked in as C001, seen at a desk, transferred: they reached a desk, so the appointment
    was attended however the new service's ticket ended. Closed at close of day, it said "came,
    not seen" (review); not there when called, "came, left before being seen"; finished there,
    it stayed "checked in (here)" on F5, as only the ticket it checked in with counted (the
    eighth new-user trial)."""
    db = make_office(tmp_path, now=at(9, 0), printer=f"capture://{tmp_path}/slips.bin")
    cli = Cli(db, monkeypatch)
    clock = FixedClock(at(9, 30))
    appointments, session = service_at(db, clock)
    queue = QueueService(session)
    try:
        booked = appointments.book("C", at(10, 0), channel="slip", adviser="ana")
        clock.set(at(9, 55))
        ticket = appointments.check_in(booked.ref)
        clock.set(at(10, 0))
        queue.call(ticket.id, "desk-1")
        queue.start(ticket.id)
        clock.set(at(10, 10))
        ending(queue, queue.transfer(ticket.id, service=service), clock)
    finally:
        session.close()
    assert _states(cli, "2026-11-23T11:30:00Z") == {booked.ref: "attended"}
