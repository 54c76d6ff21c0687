"""A desk's state and the tickets sent to it (trial 4: W4, C4, C8, C2).

- A ticket sent to a desk (or to a person) goes back to the queue at its place when that desk
  closes or its person logs out, keeping its priority, and the closing says so; other desks
  then call it in its turn.
- A desk nobody is logged in to is closed wherever it is shown (``desks list``, the team
  leader's screen) and for check-in's routing (``queue.staffed_desks_only``).
- A check-in sent to an adviser's desk on a break says so.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.domain.models import Actor, DeskStatus
from oss_desk.errors import RuleViolation
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.desk_view import take_snapshot
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session, open_session
from oss_desk.services.unserved import unserved

from .conftest import MONDAY_0930, Cli, make_db, rows, run_cli_process, site_toml

STAFF = """
[[staff]]
id = "ben"
name = "Ben Walker"
role = "adviser"
appointments = ["C", "B"]

[[staff]]
id = "dev"
name = "Dev Patel"
role = "adviser"
appointments = ["C", "B"]
"""


def staffed_office(tmp_path: Path, extra: str = "") -> Path:
    """Desks 1-4 (every service), an interview room, Ben and Dev; only a desk someone is logged
    in to calls (the production default); Ben's own desk is Desk 1."""
    printer = f"capture://{tmp_path / 'greet-printer.bin'}"
    toml = site_toml(extra=STAFF + extra, greet_printer=printer).replace(
        "staffed_desks_only = false", "staffed_desks_only = true"
    )
    toml = toml.replace(
        'id = "desk-1"\nname = "Desk 1"\n', 'id = "desk-1"\nname = "Desk 1"\nperson = "ben"\n'
    )
    toml = toml.replace(
        'name = "Council Tax"\n', 'name = "Council Tax"\nappointment_minutes = 20\n'
    )
    return make_db(tmp_path, toml)


def at(db: Path, clock: FixedClock, person: str, desk: str | None = None) -> Session:
    return open_session(db=db, clock=clock, person=person, desk_id=desk)


def issue(session: Session, clock: FixedClock, services: str) -> list[str]:
    """One walk-in per letter, a minute apart: their codes."""
    codes = []
    for service in services:
        clock.set(clock.now() + timedelta(minutes=1))
        codes.append(QueueService(session).issue(service, print_ticket=False).ticket.code)
    return codes


def env(db: Path, clock: FixedClock) -> dict[str, str]:
    return {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": format_instant(clock.now())}


# W4: tickets sent to a desk go back to the queue when it closes ---------------------------------


def test_closing_a_desk_sends_its_tickets_back_to_their_place(tmp_path: Path) -> None:
    """The trial: the team leader sends a ticket to Desk 4, then closes Desk 4 from another
    process. The closing names it, it is back at its place, and Desk 1 (another process) calls it
    in its turn; nothing is left that no desk would call."""
    db = staffed_office(tmp_path)
    clock = FixedClock(MONDAY_0930)
    tl = at(db, clock, "tl", "greet-1")
    try:
        first, sent, last = issue(tl, clock, "CCC")
        QueueService(at(db, clock, "ben", "desk-1")).log_in("desk-1")
        QueueService(at(db, clock, "dev", "desk-4")).log_in("desk-4")
        QueueService(tl).transfer(sent, desk_id="desk-4")
    finally:
        tl.close()
    closed = run_cli_process("--user", "tl", "desks", "close", "desk-4", env=env(db, clock))
    assert closed.returncode == 0, closed.stderr
    assert closed.stdout.strip() == f"Desk 4: open -> closed; {sent} goes back to the queue"
    assert rows(db, "SELECT assigned_desk_id, priority FROM tickets WHERE id = 2") == [(None, 0)]
    (back,) = rows(db, "SELECT actor, ticket_id, data FROM events WHERE kind = 'sent_back'")
    assert back[:2] == ("tl", 2) and json.loads(back[2]) == {"from_desk": "desk-4"}
    called = run_cli_process(
        *("--user", "ben", "ticket", "call-next", "--desk", "desk-1", "--json"), env=env(db, clock)
    )
    assert json.loads(called.stdout)["code"] == first
    session = at(db, clock, "ben", "desk-1")
    try:
        queue = QueueService(session)
        queue.finish(first, "resolved")
        assert queue.call_next("desk-1").code == sent  # type: ignore[union-attr]
        queue.finish(sent, "resolved")
        assert queue.call_next("desk-1").code == last  # type: ignore[union-attr]
    finally:
        session.close()


def test_an_appointment_at_an_advisers_desk_goes_back_keeping_its_priority(
    tmp_path: Path, cli: Cli
) -> None:
    """Checked in to Ben's Desk 1; Ben logs out: the closing says so, and Dev's Desk 2 calls the
    appointment before the walk-ins who came earlier (its priority kept)."""
    db = staffed_office(tmp_path)
    cli.db = db
    clock = FixedClock(MONDAY_0930)
    tl = at(db, clock, "tl", "greet-1")
    try:
        walk_ins = issue(tl, clock, "CB")
        QueueService(at(db, clock, "ben", "desk-1")).log_in("desk-1")
        QueueService(at(db, clock, "dev", "desk-2")).log_in("desk-2")
        appointments = AppointmentService(tl)
        booked = appointments.book(
            "C", MONDAY_0930 + timedelta(minutes=30), channel="slip", adviser="ben"
        )
        ticket = appointments.check_in(booked.ref)
    finally:
        tl.close()
    assert ticket.assigned_desk == "desk-1" and ticket.priority == 1
    now = format_instant(clock.now())
    out = cli("--user", "ben", "desks", "logout", "desk-1", now=now)
    assert out.code == 0, out.err
    assert out.out.strip() == (
        f"Desk 1: Ben Walker logged out, closed; {ticket.code} goes back to the queue"
    )
    shown = json.loads(cli("queue", "--json", now=now).out)
    assert (shown[0]["code"], shown[0]["estimated_wait_min"]) == (ticket.code, 0)
    called = cli("--user", "dev", "ticket", "call-next", "--desk", "desk-2", "--json", now=now)
    assert called.json()["code"] == ticket.code
    assert called.json()["code"] not in walk_ins
    assert rows(db, "SELECT priority FROM tickets WHERE id = ?", ticket.id) == [(1,)]


def test_a_ticket_sent_to_a_person_goes_back_when_they_log_out_or_are_taken_over(
    tmp_path: Path,
) -> None:
    db = staffed_office(tmp_path)
    clock = FixedClock(MONDAY_0930)
    tl = at(db, clock, "tl", "greet-1")
    ben = QueueService(at(db, clock, "ben", "desk-1"))
    dev = QueueService(at(db, clock, "dev", "desk-2"))
    try:
        first, second, third = issue(tl, clock, "CCC")
        ben.log_in("desk-1")
        dev.log_in("desk-2")
        queue = QueueService(tl)
        queue.transfer(first, person="dev")
        queue.transfer(second, desk_id="desk-2")
        queue.transfer(third, desk_id="desk-1")
        # Dev moves to Desk 3: what was sent to him follows him, Desk 2's goes back.
        moved = QueueService(at(db, clock, "dev", "desk-3")).log_in("desk-3")
        assert [t.code for t in moved.sent_back] == [second]
        # The team leader takes Desk 3 over: Dev is logged in nowhere, his ticket goes back.
        taken = QueueService(at(db, clock, "tl", "desk-3")).log_in("desk-3", take_over=True)
        assert [t.code for t in taken.sent_back] == [first]
        # A break keeps what was sent to the desk (it comes back).
        ben.set_desk_status("desk-1", "break")
        assert rows(db, "SELECT assigned_desk_id FROM tickets WHERE id = 3") == [("desk-1",)]
        out = ben.log_out("desk-1")
        assert [t.code for t in out.sent_back] == [third]
        assert rows(
            db,
            "SELECT count(*) FROM tickets WHERE assigned_desk_id IS NOT NULL "
            "OR assigned_person IS NOT NULL",
        ) == [(0,)]
        kinds = rows(db, "SELECT actor, data FROM events WHERE kind = 'sent_back' ORDER BY id")
        assert [(a, json.loads(d)) for a, d in kinds] == [
            ("dev", {"from_desk": "desk-2"}),
            ("tl", {"from_person": "dev"}),
            ("ben", {"from_desk": "desk-1"}),
        ]
    finally:
        tl.close()


# C4 / C8: a desk nobody is logged in to is closed, wherever it is shown ------------------------


def test_a_desk_nobody_is_logged_in_to_is_closed_in_every_list(tmp_path: Path, cli: Cli) -> None:
    db = staffed_office(tmp_path)
    cli.db = db
    clock = FixedClock(MONDAY_0930)
    QueueService(at(db, clock, "dev", "desk-2")).log_in("desk-2")
    listed = {d["id"]: d["status"] for d in cli("desks", "list", "--json").json()}
    assert listed == {
        "greet-1": "open",  # meet-and-greet calls nobody: its own status
        "room-1": "closed",
        "desk-1": "closed",
        "desk-2": "open",
        "desk-3": "closed",
        "desk-4": "closed",
    }
    text = cli("desks", "list").out.splitlines()
    assert any(line.startswith("desk-3") and " closed " in line for line in text), text
    session = at(db, clock, "tl", "greet-1")
    try:
        snapshot = take_snapshot(session, actor=Actor("tl", "greet-1"))
        shown = {d.desk.id: d.status.value for d in snapshot.desks}
        assert shown == listed  # the leader's screen reads the same
        # Nobody would call a ticket sent to an unstaffed desk: refused, as at a closed one.
        code = issue(session, clock, "C")[0]
        with pytest.raises(RuleViolation, match="nobody is logged in to Desk 3"):
            QueueService(session).transfer(code, desk_id="desk-3")
    finally:
        session.close()


def test_a_break_at_a_desk_nobody_is_logged_in_to_is_refused_in_words_about_a_break(
    tmp_path: Path, cli: Cli
) -> None:
    cli.db = staffed_office(tmp_path)
    asked = cli("--user", "tl", "desks", "break", "desk-3")
    assert asked.code == 6
    assert "nobody is logged in to Desk 3: there is no one to put on a break" in asked.err
    opened = cli("--user", "tl", "desks", "open", "desk-3")
    assert "nobody is logged in to Desk 3: it opens when someone logs in there" in opened.err


def test_a_check_in_for_an_adviser_not_logged_in_is_not_sent_to_their_empty_desk(
    tmp_path: Path,
) -> None:
    """Ben's desk is "open" as stored but nobody is logged in to it: the ticket goes to the
    service's queue, and Dev's desk calls it."""
    db = staffed_office(tmp_path)
    clock = FixedClock(MONDAY_0930)
    QueueService(at(db, clock, "dev", "desk-2")).log_in("desk-2")
    assert rows(db, "SELECT status FROM desks WHERE id = 'desk-1'") == [("open",)]
    session = at(db, clock, "tl", "greet-1")
    try:
        svc = AppointmentService(session)
        booked = svc.book("C", MONDAY_0930 + timedelta(minutes=30), channel="slip", adviser="ben")
        ticket = svc.check_in(booked.ref)
        assert ticket.assigned_desk is None
        assert unserved(session, ticket) is None
    finally:
        session.close()
    called = QueueService(at(db, clock, "dev", "desk-2")).call_next("desk-2")
    assert called is not None and called.id == ticket.id


# C2: a check-in to a desk on a break says so -----------------------------------------------------


def test_a_check_in_to_a_desk_on_a_break_names_the_desk_and_the_break(
    tmp_path: Path, cli: Cli
) -> None:
    db = staffed_office(tmp_path)
    cli.db = db
    clock = FixedClock(MONDAY_0930)
    ben = QueueService(at(db, clock, "ben", "desk-1"))
    ben.log_in("desk-1")
    QueueService(at(db, clock, "dev", "desk-2")).log_in("desk-2")
    ben.set_desk_status("desk-1", DeskStatus.BREAK)
    session = at(db, clock, "tl", "greet-1")
    try:
        booked = AppointmentService(session).book(
            "C", MONDAY_0930 + timedelta(minutes=30), channel="slip", adviser="ben"
        )
    finally:
        session.close()
    out = cli(
        *("--user", "tl", "appointment", "check-in", booked.ref, "--desk", "greet-1"),
        "--no-print",
        now=format_instant(clock.now()),
    )
    assert out.code == 0, out.err
    assert "Warning: sent to Desk 1 (Ben Walker), on a break" in out.out
    assert "no open desk" not in out.out


def test_the_queue_and_the_ticket_say_a_ticket_waits_for_a_desk_on_a_break(
    tmp_path: Path, cli: Cli
) -> None:
    """``oss-desk queue`` and ``ticket show`` say why a ticket sent to a desk on a break has no
    estimate in the words check-in uses (the desk is open, its adviser away), not "no open desk
    serves this now"; a ticket no open desk may call still says that."""
    db = staffed_office(tmp_path)
    cli.db = db
    clock = FixedClock(MONDAY_0930)
    ben = QueueService(at(db, clock, "ben", "desk-1"))
    ben.log_in("desk-1")
    session = at(db, clock, "tl", "greet-1")
    try:
        (sent,) = issue(session, clock, "C")
        QueueService(session).transfer(sent, desk_id="desk-1")
    finally:
        session.close()
    ben.set_desk_status("desk-1", DeskStatus.BREAK)
    now = format_instant(clock.now())
    queue = cli("--user", "tl", "queue", now=now)
    assert queue.code == 0, queue.err
    (line,) = [x for x in queue.out.splitlines() if sent in x]
    assert line.endswith("min, sent to Desk 1 (Ben Walker), on a break"), line
    shown = cli("--user", "tl", "ticket", "show", sent, now=now)
    assert shown.out.startswith(
        f"{sent}  Council Tax  waiting, sent to Desk 1 (Ben Walker), on a break; "
    ), shown.out
    session = at(db, clock, "tl", "greet-1")
    try:  # sent to Ben himself (on a break at Desk 1): the same words
        QueueService(session).transfer(sent, person="ben")
    finally:
        session.close()
    queue = cli("--user", "tl", "queue", now=now)
    (line,) = [x for x in queue.out.splitlines() if sent in x]
    assert line.endswith("min, sent to Desk 1 (Ben Walker), on a break"), line
    ben.set_desk_status("desk-1", DeskStatus.OPEN)
    ben.log_out("desk-1")  # nobody at any desk: no open desk serves it, and it says so
    queue = cli("--user", "tl", "queue", now=now)
    (line,) = [x for x in queue.out.splitlines() if sent in x]
    assert line.endswith("no open desk serves this now"), line


# A resident parked at a desk that closes ---------------------------------------------------------


def test_a_parked_resident_of_a_closing_desk_goes_back_to_their_place(tmp_path: Path) -> None:
    """A resident seen at Desk 1 and parked (gone to fetch a document): when Desk 1 closes
    (the team leader's close from another process, or its adviser logging out) nobody there
    would resume them, so they go back to the queue at their place, and the closing says so
    (asked first at the desk: the snapshot names them); another desk calls them in their turn,
    before residents who came after them."""
    db = staffed_office(tmp_path)
    clock = FixedClock(MONDAY_0930)
    tl = at(db, clock, "tl", "greet-1")
    ben = QueueService(at(db, clock, "ben", "desk-1"))
    dev = QueueService(at(db, clock, "dev", "desk-2"))
    try:
        first, *_later = issue(tl, clock, "CCC")
        ben.log_in("desk-1")
        assert ben.call_next("desk-1").code == first  # type: ignore[union-attr]
        ben.start(first)
        ben.park(first, "document")
        assert take_snapshot(ben.s).sent_back_if_closed("desk-1") == [first]
    finally:
        tl.close()
    closed = run_cli_process("--user", "tl", "desks", "close", "desk-1", env=env(db, clock))
    assert closed.returncode == 0, closed.stderr
    assert closed.stdout.strip() == f"Desk 1: open -> closed; {first} goes back to the queue"
    assert rows(db, "SELECT status, parked_at, desk_id FROM tickets WHERE id = 1") == [
        ("waiting", None, None)
    ]
    (back,) = rows(db, "SELECT actor, data FROM events WHERE kind = 'sent_back'")
    assert back[0] == "tl" and json.loads(back[1]) == {"from_desk": "desk-1", "parked": "document"}
    dev.log_in("desk-2")
    assert dev.call_next("desk-2").code == first  # type: ignore[union-attr]
    # The adviser logging out with a resident parked: the same, said at once.
    dev.start(first)
    dev.park(first, "phone")
    out = dev.log_out("desk-2")
    assert [t.code for t in out.sent_back] == [first]
    ben.log_in("desk-1")
    assert ben.call_next("desk-1").code == first  # type: ignore[union-attr]


def test_logging_in_at_another_desk_says_the_one_left_closed(tmp_path: Path, cli: Cli) -> None:
    """One person, one desk: logging in at another desk logs them out of the first, which
    closes. The text said only the new desk ("logged in to Desk 2: open"; --json had
    moved_from), so a team leader moving desks from the shell did not learn Desk 1 had closed
    (a two-site office's trial)."""
    cli.db = staffed_office(tmp_path)
    first = cli("--user", "tl", "desks", "login", "desk-1")
    assert first.out.strip().endswith("logged in to Desk 1: open"), first.out
    moved = cli("--user", "tl", "desks", "login", "desk-2")
    assert moved.code == 0
    assert moved.out.strip().endswith("logged in to Desk 2: open; Desk 1 closed (they left it)")
    listed = {d["id"]: d["status"] for d in cli("desks", "list", "--json").json()}
    assert listed["desk-1"] == "closed" and listed["desk-2"] == "open"
