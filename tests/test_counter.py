"""The counter's use cases through the services on a real database, and what the reports make
of them: several services in one visit (first contact only when every service was), a no-show
taken back (not counted), recycle and park keeping the arrival time, an appointment arranged in
a visit; the command line's JSON for the same."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.models import TicketStatus
from oss_desk.errors import RuleViolation
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.session import open_session

from .appointments_site import NOW, make_office
from .cli_here import run_cli_here
from .conftest import rows


def test_a_counter_day_and_its_figures(tmp_path: Path) -> None:
    db = make_office(tmp_path, smtp_url="smtp://127.0.0.1:9")
    clock = FixedClock(NOW)
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    try:
        first, second, third = (
            QueueService(greet).issue(code, print_ticket=False).ticket for code in "CWC"
        )
    finally:
        greet.close()
    session = open_session(db=db, clock=clock, person="ana", desk_id="desk-1")
    try:
        q = QueueService(session)
        q.log_in("desk-1")
        # Council Tax, then a bin query in the same visit: the bin query is referred.
        called = q.call_next("desk-1")
        assert called is not None and called.id == first.id
        q.start(first.id)
        q.add_service(first.id, "W")
        q.finish(first.id, "resolved", {"W": "referred"})
        # A no-show taken back at once: called here again, and not counted.
        clock.set(NOW + timedelta(minutes=5))
        assert q.call_next("desk-1") is not None
        assert q.no_show(second.id).status is TicketStatus.NO_SHOW
        back = q.undo_no_show(second.id).ticket
        assert (back.status, back.desk) == (TicketStatus.CALLED, "desk-1")
        q.start(second.id)
        q.finish(second.id, "resolved")
        # Did not hear: recycled to its place; parked and resumed, its arrival time kept.
        clock.set(NOW + timedelta(minutes=10))
        assert q.call_next("desk-1") is not None
        recycled = q.recycle(third.id)
        assert (recycled.status, recycled.queued_at) == (TicketStatus.WAITING, third.queued_at)
        again = q.call_next("desk-1")
        assert again is not None and again.id == third.id
        q.start(third.id)
        parked = q.park(third.id, "document")
        assert parked.parked and parked.queued_at == third.queued_at
        assert q.call_next("desk-1") is None  # a parked resident is never called next
        with pytest.raises(RuleViolation):
            q.park(third.id, "document")  # parked already
        resumed = q.resume(third.id)
        assert (resumed.status, resumed.desk, resumed.parked) == (
            TicketStatus.SERVING,
            "desk-1",
            False,
        )
        done = q.finish(third.id, "appointment")
        # The next step, booked by the adviser for this visit.
        slot = AppointmentService(session).slots("C", limit=1)[0]
        AppointmentService(session).book(
            "C", slot.start, email="r@example.org", arranged_in_visit=done.visit_id
        )
    finally:
        session.close()
    leader = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    try:
        report = ReportService(leader).daily()
    finally:
        leader.close()
    figures = report.figures
    assert figures.finished == 3
    assert figures.services_delivered == 4  # three visits, one with a second service
    assert figures.finished_first_contact == 1  # only the second: the first's W was referred
    assert figures.no_shows == 0  # taken back
    assert figures.appointments_arranged == 1


def test_an_added_services_events_are_of_the_visit_and_that_service_at_the_desk(
    tmp_path: Path,
) -> None:
    """A service added to a visit, one taken off again and one delivered at the finish: each
    event is of the visit and the added service (not the ticket's own), at the desk, by the
    adviser, the ticket named in its data; only the delivery has an outcome."""
    db = make_office(tmp_path)
    clock = FixedClock(NOW)
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    try:
        ticket = QueueService(greet).issue("C", print_ticket=False).ticket
    finally:
        greet.close()
    session = open_session(db=db, clock=clock, person="ana", desk_id="desk-1")
    try:
        q = QueueService(session)
        q.log_in("desk-1")
        q.call_next("desk-1")
        q.start(ticket.id)
        q.add_service(ticket.id, "H")
        q.remove_service(ticket.id, "H")
        q.add_service(ticket.id, "W")
        q.finish(ticket.id, "resolved", {"W": "referred"})
    finally:
        session.close()
    found = rows(
        db,
        "SELECT kind, service_code, outcome, visit_id, ticket_id, desk_id, actor, data "
        "FROM events WHERE kind LIKE 'service_%' ORDER BY id",
    )
    at_desk = (ticket.visit_id, None, "desk-1", "ana", {"ticket": ticket.id})
    assert [(*row[:7], json.loads(row[7])) for row in found] == [
        ("service_added", "H", None, *at_desk),
        ("service_removed", "H", None, *at_desk),
        ("service_added", "W", None, *at_desk),
        ("service_delivered", "W", "referred", *at_desk),
    ]


def command_line(db: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``oss-desk`` on ``db`` at NOW, as a person (``person=``, default ana): the real entry
    point run here (tests/cli_here.py), answering with its exit status, stdout and stderr."""
    env = {"OSS_DESK_NOW": NOW.isoformat(), "OSS_DESK_DB": str(db)}

    def run(*args: str, person: str = "ana") -> subprocess.CompletedProcess[str]:
        return run_cli_here("--db", str(db), "--user", person, *args, env=env)

    return run


def test_the_command_line_counter(tmp_path: Path) -> None:
    run = command_line(make_office(tmp_path))
    issued = run("ticket", "issue", "--service", "C", "--no-print", "--json", person="tl")
    assert issued.returncode == 0, issued.stderr
    assert run("desks", "login", "desk-1", "--json").returncode == 0
    held = run("desks", "login", "desk-1", person="bob")
    assert held.returncode == 6 and "Ana Adviser" in held.stderr
    assert held.stderr.count("\n") == 1 and "Traceback" not in held.stderr
    called = run("ticket", "call-next", "--desk", "desk-1", "--json")
    assert json.loads(called.stdout)["code"] == "C001"
    parked = run("ticket", "park", "C001", "--reason", "phone", "--json")
    assert parked.returncode == 0, parked.stderr
    bad = run("ticket", "park", "C001", "--reason", "phone")
    assert bad.returncode == 6 and bad.stderr.startswith("oss-desk: ")
    assert run("ticket", "resume", "C001", "--json").returncode == 0
    away = run("ticket", "transfer", "C001", "--to", "bob")  # nobody would call it
    assert away.returncode == 6 and "Bob Adviser is not logged in" in away.stderr
    assert run("desks", "login", "room-1", person="bob").returncode == 0
    sent = run("ticket", "transfer", "C001", "--to", "bob", "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["assigned_person"] == "bob"


def test_taking_a_service_off_says_what_was_wrong_and_what_is_left(tmp_path: Path) -> None:
    """`ticket remove-service`: the ticket's own service, one never added, and one added by
    mistake, each answered in words (service names, not codes)."""
    run = command_line(make_office(tmp_path))
    assert run("ticket", "issue", "--service", "C", "--no-print", person="tl").returncode == 0
    for step in (
        ("desks", "login", "desk-1"),
        ("ticket", "call-next", "--desk", "desk-1"),
        ("ticket", "start", "C001"),
        ("ticket", "add-service", "C001", "--service", "W"),
    ):
        done = run(*step)
        assert done.returncode == 0, (step, done.stderr)
    own = run("ticket", "remove-service", "C001", "--service", "C")
    assert own.returncode == 2 and "C001 is for Council Tax" in own.stderr, own.stderr
    never = run("ticket", "remove-service", "C001", "--service", "H")
    assert never.returncode == 5, never.stderr
    assert "Housing - homelessness was not added to C001's visit" in never.stderr
    taken = run("ticket", "remove-service", "C001", "--service", "W")
    assert taken.returncode == 0, taken.stderr
    assert taken.stdout == "C001: Waste taken off; no other service added\n"
    again = run("ticket", "remove-service", "C001", "--service", "W")
    assert again.returncode == 5 and "Waste was not added" in again.stderr


def test_a_command_naming_no_desk_acts_as_the_person_at_the_tickets_desk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The host login (not on the staff list) starts and finishes a ticket called to Desk 1
    without saying --desk: each line of its history is Amina's, like the call, not the login's."""
    from .conftest import Cli, make_db, rows, site_toml

    staff = '\n[[staff]]\nid = "amina"\nname = "Amina Khan"\nrole = "adviser"\n'
    db = make_db(tmp_path, site_toml(extra=staff))
    cli = Cli(db, monkeypatch)
    assert cli("--user", "amina", "desks", "login", "desk-1").code == 0
    assert cli("ticket", "issue", "--service", "C", "--no-print").code == 0
    assert cli("ticket", "call-next", "--desk", "desk-1").code == 0
    started = cli("ticket", "start", "C001")
    assert started.code == 0, started.err
    finished = cli("ticket", "finish", "C001", "--outcome", "resolved")
    assert finished.code == 0, finished.err
    acted = rows(db, "SELECT kind, actor, desk_id FROM events WHERE ticket_id IS NOT NULL")
    by_kind = {kind: (actor, desk) for kind, actor, desk in acted}
    assert by_kind["called"] == ("amina", "desk-1"), acted
    assert by_kind["serving"] == ("amina", "desk-1"), acted
    assert by_kind["finished"] == ("amina", "desk-1"), acted


def test_naming_no_desk_never_makes_another_desks_ticket_yours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bob, named with --user, is still Bob at no desk: he may not finish Amina's ticket."""
    from .conftest import Cli, make_db, rows, site_toml

    staff = "".join(
        f'\n[[staff]]\nid = "{p}"\nname = "{p.title()}"\nrole = "adviser"\n'
        for p in ("amina", "bob")
    )
    db = make_db(tmp_path, site_toml(extra=staff))
    cli = Cli(db, monkeypatch)
    assert cli("--user", "amina", "desks", "login", "desk-1").code == 0
    assert cli("ticket", "issue", "--service", "C", "--no-print").code == 0
    assert cli("ticket", "call-next", "--desk", "desk-1").code == 0
    refused = cli("--user", "bob", "ticket", "finish", "C001", "--outcome", "resolved")
    assert refused.code != 0 and refused.err.count("\n") == 1, refused
    assert rows(db, "SELECT count(*) FROM events WHERE kind = 'finished'") == [(0,)]
