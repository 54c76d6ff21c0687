"""A day the team leader closed by hand takes no more arrivals (the rule in
``oss_desk/domain/closed_day.py``): meet-and-greet's tickets and appointments' check-ins are
and visits dealt with at meet-and-greet are refused in one line that says who closed it and
when, until a team leader reopens the day.
Closing time by itself refuses nothing (an evening event is still served)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.errors import Forbidden, RuleViolation
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now, closed_today, left_open_now, reopen_now
from oss_desk.services.session import open_session

from .appointments_site import make_office, service_at
from .conftest import Cli, make_db, rows, site_toml

CLOSED = (
    r"^The day is closed \(by Team Leader at 14:00\): no tickets or check-ins until a team "
    r"leader reopens it$"
)


def at(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_a_day_closed_by_hand_refuses_tickets_and_check_ins_until_it_is_reopened(
    tmp_path: Path,
) -> None:
    db = make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    clock = FixedClock(at(13, 30))
    appointments, session = service_at(db, clock)
    queue = QueueService(session)
    try:
        booked = appointments.book("C", at(14, 30), channel="slip")
        queue.issue("C", print_ticket=False)
        clock.set(at(14, 0))
        assert [t.code for t in close_now(session)] == ["C001"]
        closed = closed_today(session)
        assert closed is not None and (closed.closed_by, closed.closed_at) == ("tl", at(14, 0))
        clock.set(at(14, 20))
        with pytest.raises(RuleViolation, match=CLOSED) as refused:
            queue.issue("C", print_ticket=False)
        assert refused.value.exit_code == 6
        with pytest.raises(RuleViolation, match=CLOSED):
            appointments.check_in(booked.ref)
        # A visit dealt with at meet-and-greet (F8, ``visit quick``) is an arrival too.
        with pytest.raises(RuleViolation, match=CLOSED) as quick:
            queue.quick_visit("C", "resolved")
        assert quick.value.exit_code == 6
        # Nothing was written by any refusal.
        assert rows(db, "SELECT count(*) FROM tickets") == [(1,)]
        assert rows(db, "SELECT count(*) FROM visits") == [(1,)]
        assert appointments.find(booked.ref).status.value == "booked"
        # Reopened: both work again; the ticket closed stays closed.
        assert reopen_now(session).closed.closed_at == at(14, 0)
        assert closed_today(session) is None
        assert queue.issue("C", print_ticket=False).ticket.code == "C002"
        assert appointments.check_in(booked.ref).status.value == "waiting"
        assert queue.quick_visit("C", "resolved").outcome is not None
        with pytest.raises(RuleViolation, match=r"The day is open at .*: nothing to reopen"):
            reopen_now(session)
        # Closed again, then the next day: a new day takes arrivals.
        close_now(session)
        clock.set(at(9, 30, day=24))
        assert closed_today(session) is None
        assert queue.issue("C", print_ticket=False).ticket.code == "C001"
    finally:
        session.close()


def test_closing_time_alone_refuses_no_arrival(tmp_path: Path) -> None:
    """An evening event after closing time (17:00) is still issued tickets: only the team
    leader's close of day refuses them."""
    db = make_db(tmp_path, site_toml())
    session = open_session(db=db, clock=FixedClock(at(18, 0)), person="tl", desk_id="greet-1")
    try:
        assert QueueService(session).issue("C", print_ticket=False).ticket.code == "C001"
        assert closed_today(session) is None
    finally:
        session.close()


def test_only_a_team_leader_reopens_the_day(tmp_path: Path) -> None:
    adviser = '[[staff]]\nid = "ann"\nname = "Ann Adviser"\nrole = "adviser"\n'
    db = make_db(tmp_path, site_toml(extra=adviser))
    clock = FixedClock(at(14, 0))
    leader = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    ann = open_session(db=db, clock=clock, person="ann", desk_id="desk-1")
    try:
        close_now(leader)
        with pytest.raises(Forbidden, match="may not reopen the day") as refused:
            reopen_now(ann)
        assert refused.value.exit_code == 9
        assert closed_today(leader) is not None
    finally:
        leader.close()
        ann.close()


def test_the_command_line_refuses_a_ticket_on_a_closed_day_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    leader = ("--user", "tl")
    assert cli(*leader, "ticket", "issue", "--service", "C", now="2026-11-23T13:00:00Z").code == 0
    closing = cli(*leader, "desks", "close-day", "--yes", now="2026-11-23T14:00:00Z")
    assert closing.code == 0, closing.err
    assert closing.out == "Day closed: 1 ticket closed as office closed (C001)\n"
    refused = cli(*leader, "ticket", "issue", "--service", "C", now="2026-11-23T14:05:00Z")
    assert refused.code == 6
    assert refused.out == ""
    assert refused.err == (
        "oss-desk: The day is closed (by Team Leader at 14:00): no tickets or check-ins until a "
        "team leader reopens it (oss-desk desks reopen-day)\n"
    )
    again = cli(*leader, "desks", "close-day", "--json", now="2026-11-23T14:06:00Z")
    assert again.json() == {
        "closed": [],
        "day_closed": {"by": "tl", "at": "2026-11-23T14:00:00.000Z"},
    }
    reopened = cli(*leader, "desks", "reopen-day", now="2026-11-23T14:10:00Z")
    assert reopened.code == 0, reopened.err
    # The ticket the close closed stays closed, and the line says so (a new user's trial
    # took the reopen for an undo).
    assert reopened.out == (
        "Day reopened (it was closed by Team Leader at 14:00): tickets and check-ins again. "
        "The 1 ticket it closed stays closed: issue the resident a new ticket.\n"
    )
    issued = cli(*leader, "ticket", "issue", "--service", "C", now="2026-11-23T14:11:00Z")
    assert issued.code == 0, issued.err
    nothing = cli(*leader, "desks", "reopen-day", now="2026-11-23T14:12:00Z")
    assert nothing.code == 6
    assert nothing.err == "oss-desk: The day is open at Civic Centre: nothing to reopen\n"


def test_the_reopen_says_how_many_tickets_its_close_closed_and_the_close_says_it_is_final(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reopening does not bring a closed ticket back: the close's question says so before, and
    the reopen's line counts the tickets that close closed (not an earlier close's), from the
    event log."""
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    leader = ("--user", "tl")
    for minute in range(3):
        issued = cli(*leader, "ticket", "issue", "--service", "C", now=f"2026-11-23T13:0{minute}Z")
        assert issued.code == 0, issued.err
    session = open_session(db=cli.db, clock=FixedClock(at(13, 30)), person="tl")
    try:
        question = left_open_now(session).question()
    finally:
        session.close()
    assert "reopening the day will not bring them back (their residents would need new " in (
        question
    )
    assert cli(*leader, "desks", "close-day", "--yes", now="2026-11-23T14:00:00Z").code == 0
    first = cli(*leader, "desks", "reopen-day", "--json", now="2026-11-23T14:10:00Z").json()
    assert first["tickets_closed"] == 3
    # Closed again with nothing open: the reopen names no ticket.
    assert cli(*leader, "desks", "close-day", "--yes", now="2026-11-23T14:20:00Z").code == 0
    second = cli(*leader, "desks", "reopen-day", now="2026-11-23T14:30:00Z")
    assert second.out == (
        "Day reopened (it was closed by Team Leader at 14:20): tickets and check-ins again\n"
    )
    # Two new tickets, closed: the reopen counts those two.
    for minute in (31, 32):
        again = cli(*leader, "ticket", "issue", "--service", "C", now=f"2026-11-23T14:{minute}Z")
        assert again.code == 0, again.err
    assert cli(*leader, "desks", "close-day", "--yes", now="2026-11-23T14:40:00Z").code == 0
    third = cli(*leader, "desks", "reopen-day", now="2026-11-23T14:50:00Z")
    assert third.out.endswith(". The 2 tickets it closed stay closed: issue them new tickets.\n")


def test_the_command_line_refuses_a_check_in_on_a_closed_day_with_the_same_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin")
    clock = FixedClock(at(13, 30))
    appointments, session = service_at(db, clock)
    try:
        booked = appointments.book("C", at(14, 30), channel="slip")
        clock.set(at(14, 0))
        close_now(session)
    finally:
        session.close()
    cli = Cli(db, monkeypatch)
    refused = cli("--user", "tl", "appointment", "check-in", booked.ref, now="2026-11-23T14:20:00Z")
    assert refused.code == 6
    assert refused.err == (
        "oss-desk: The day is closed (by Team Leader at 14:00): no tickets or check-ins until a "
        "team leader reopens it (oss-desk desks reopen-day)\n"
    )


def test_the_command_line_refuses_a_quick_visit_on_a_closed_day_with_the_same_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``visit quick`` (meet-and-greet's F8 from a script) asks the same rule as ``ticket
    issue``: refused in the same one line, exit 6, nothing recorded; accepted once reopened."""
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    leader = ("--user", "tl")
    closing = cli(*leader, "desks", "close-day", "--yes", now="2026-11-23T14:00:00Z")
    assert closing.code == 0, closing.err
    quick = (*leader, "visit", "quick", "--service", "C", "--outcome", "resolved")
    refused = cli(*quick, now="2026-11-23T14:05:00Z")
    assert (refused.code, refused.out) == (6, "")
    assert refused.err == (
        "oss-desk: The day is closed (by Team Leader at 14:00): no tickets or check-ins until a "
        "team leader reopens it (oss-desk desks reopen-day)\n"
    )
    assert rows(db, "SELECT count(*) FROM visits") == [(0,)]
    assert cli(*leader, "desks", "reopen-day", now="2026-11-23T14:10:00Z").code == 0
    accepted = cli(*quick, now="2026-11-23T14:11:00Z")
    assert accepted.code == 0, accepted.err
    assert rows(db, "SELECT count(*) FROM visits") == [(1,)]


def test_closing_the_day_leaves_a_parked_resident_with_their_adviser(tmp_path: Path) -> None:
    """A resident called, seen and parked (gone to fetch a document) is being served: closing
    the day leaves them with their adviser, as it leaves those at the desk, and does not count
    them as still waiting at closing (found by a new user's trial: a resident seen after 8
    minutes became a miss, and the question said 6 waiting where the desk showed 5)."""
    from oss_desk.domain.models import TicketStatus
    from oss_desk.services.queue.day_end import left_open_now

    db = make_db(tmp_path, site_toml())
    clock = FixedClock(at(10, 0))
    session = open_session(db=db, clock=clock, person="tl")
    try:
        queue = QueueService(session)
        queue.log_in("desk-1")
        seen = queue.issue("C", print_ticket=False).ticket
        queue.issue("C", print_ticket=False)
        clock.set(at(10, 8))
        assert queue.call_next("desk-1") is not None
        queue.start(seen.code)
        queue.park(seen.code, "document")
        clock.set(at(10, 30))
        asked = left_open_now(session)
        assert (asked.waiting, asked.called) == (1, 0)
        assert [t.code for t in close_now(session)] == ["C002"]
        parked = {t.code: t for t in queue.parked("desk-1")}
        assert parked[seen.code].status is TicketStatus.WAITING and parked[seen.code].parked
    finally:
        session.close()
