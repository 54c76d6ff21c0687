"""Roles: every (role, action) pair against a real database, the CLI's refusal, reads recorded."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.access import MATRIX, Action, Scope, allows, refusal, scope_of
from oss_desk.domain.models import Actor, Role
from oss_desk.errors import Forbidden, NotFound, RuleViolation
from oss_desk.services.alerts import acknowledge_alerts
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.followups import FollowupService, Request
from oss_desk.services.queue import QueueService
from oss_desk.services.referral_cancel import cancel_message
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session, open_session
from oss_desk.services.site import initialise
from oss_desk.services.subject_access import SubjectAccessService

from .conftest import ROOT, TRAINING, Cli, db_content

# Monday 23 November 2026, 10:00 in London (GMT).
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
NOW_TEXT = "2026-11-23T10:00:00Z"

OFFICE = (
    TRAINING
    + """
[[sites]]
id = "hq"
name = "Civic Centre"

[[services]]
code = "C"
name = "Council Tax"
appointment_minutes = 20
checklist = ["Your bill", "Photo ID"]

[[services]]
code = "W"
name = "Waste"

[[desks]]
id = "greet-1"
kind = "meet-and-greet"
person = "mg"

[[desks]]
id = "desk-1"
person = "adv"

[[desks]]
id = "desk-2"
person = "adv2"

[[desks]]
id = "desk-3"

[[staff]]
id = "mg"
name = "Mo Greeter"
role = "meet-and-greet"

[[staff]]
id = "adv"
name = "Sam Patel"
role = "adviser"
appointments = ["C"]

[[staff]]
id = "adv2"
name = "Ada Second"
role = "adviser"
appointments = []

[[staff]]
id = "tl"
name = "Tia Leader"
role = "team-leader"

[[staff]]
id = "adm"
name = "Al Admin"
role = "admin"

[queue]
staffed_desks_only = false
"""
)

# Who plays each role, and at which desk.
PEOPLE: dict[Role, tuple[str, str | None]] = {
    Role.MEET_AND_GREET: ("mg", "greet-1"),
    Role.ADVISER: ("adv", "desk-1"),
    Role.TEAM_LEADER: ("tl", "desk-3"),
    Role.ADMIN: ("adm", None),
}


@dataclass(frozen=True)
class Office:
    """The template office: what each action is tried on."""

    db: Path
    called: int  # C001, called to desk-1 by Sam Patel (adviser), with a note
    waiting: int  # W001, waiting
    waiting_c: int  # C002, waiting
    due_ref: str  # booked with Sam Patel at 10:00 today (now): can be a no-show
    later_ref: str  # booked with Sam Patel at 11:00 today: can be moved, cancelled, checked in
    here_ref: str  # booked with Sam Patel at 10:30 today, checked in


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return build_office(tmp_path_factory.mktemp("access"))


def build_office(folder: Path) -> Office:
    """The office with one person of each role, a called ticket, two waiting, three bookings."""
    config = folder / "office.toml"
    config.write_text(
        OFFICE + f'\n[email]\nsmtp_url = "capture://{folder / "mail.mbox"}"\n', encoding="utf-8"
    )
    db = folder / "office.sqlite"
    clock = FixedClock(NOW)
    initialise(db, clock=clock, config_path=config)
    session = open_session(db=db, clock=clock, person="tl", host=True)
    try:
        greet = QueueService(session, Actor("mg", "greet-1"))
        first = greet.issue("C", print_ticket=False).ticket
        adviser = QueueService(session, Actor("adv", "desk-1"))
        called = adviser.call_next("desk-1")
        assert called is not None and called.id == first.id
        adviser.add_note(first.id, "Brought a letter from the bank")
        waiting = greet.issue("W", print_ticket=False).ticket
        waiting_c = greet.issue("C", print_ticket=False).ticket
        book = AppointmentService(session, Actor("mg", "greet-1"))

        def booked(hour: int, minute: int) -> str:
            start = datetime(2026, 11, 23, hour, minute, tzinfo=UTC)
            return book.book(
                "C",
                start,
                channel="email",
                name="Rita Resident",
                email="rita@example.org",
                phone="07700 900123",
                adviser="adv",
            ).ref

        clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
        due_ref = booked(10, 0)
        later_ref = booked(11, 0)
        here_ref = booked(10, 30)
        clock.set(NOW)
        book.check_in(here_ref)
        FollowupService(session, Actor("tl")).add(Request(kind="comment", category="service"))
    finally:
        session.close()
    return Office(db, called.id, waiting.id, waiting_c.id, due_ref, later_ref, here_ref)


@pytest.fixture
def office(template: Office, tmp_path: Path) -> Office:
    """A fresh copy of the template for one test."""
    db = tmp_path / "office.sqlite"
    shutil.copyfile(template.db, db)
    return Office(
        db,
        template.called,
        template.waiting,
        template.waiting_c,
        template.due_ref,
        template.later_ref,
        template.here_ref,
    )


def session_as(db: Path, person: str, desk: str | None) -> Session:
    return open_session(db=db, clock=FixedClock(NOW), person=person, desk_id=desk)


Try = Callable[[Session, Office, Path], Any]


def _desk(s: Session) -> str:
    return s.actor.desk_id or "desk-3"


def _calling_desk(s: Session) -> str:
    """The person's own desk when it calls tickets; a greeter's (meet-and-greet never calls,
    and says so before any role: test_call_order) is tried from an adviser's desk."""
    return "desk-3" if s.actor.desk_id in (None, "greet-1") else _desk(s)


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


# One use case per action, aimed at the person's own work where a role is allowed only its own.
TRIES: dict[Action, Try] = {
    Action.ISSUE_TICKET: lambda s, o, _: QueueService(s).issue("W", print_ticket=False),
    Action.QUICK_VISIT: lambda s, o, _: QueueService(s).quick_visit("W", "resolved"),
    Action.VIEW_QUEUE: lambda s, o, _: QueueService(s).queue(),
    Action.FIND_TICKET: lambda s, o, _: QueueService(s).look_up(o.called),
    Action.CALL_NEXT: lambda s, o, _: QueueService(s).call_next(_calling_desk(s)),
    Action.CALL_CHOSEN: lambda s, o, _: QueueService(s).call(o.waiting, _calling_desk(s)),
    Action.RECALL: lambda s, o, _: QueueService(s).recall(o.called),
    Action.START: lambda s, o, _: QueueService(s).start(o.called),
    Action.FINISH: lambda s, o, _: QueueService(s).finish(o.called, "resolved"),
    Action.NO_SHOW: lambda s, o, _: QueueService(s).no_show(o.called),
    Action.TRANSFER: lambda s, o, _: QueueService(s).transfer(o.called, service="W"),
    Action.REASSIGN: lambda s, o, _: QueueService(s).transfer(o.called, desk_id="desk-2"),
    Action.CANCEL_TICKET: lambda s, o, _: QueueService(s).cancel(o.waiting),
    Action.REPRINT: lambda s, o, tmp: QueueService(s).reprint(
        o.waiting, f"capture://{tmp / 'reprint.bin'}"
    ),
    Action.ADD_NOTE: lambda s, o, _: QueueService(s).add_note(o.called, "Will ring back"),
    Action.VIEW_NOTES: lambda s, o, _: QueueService(s).notes(o.called),
    Action.DESK_STATUS: lambda s, o, _: QueueService(s).set_desk_status(_desk(s), "break"),
    Action.VIEW_REPORTS: lambda s, o, _: ReportService(s).daily(),
    Action.VIEW_APPOINTMENTS: lambda s, o, _: AppointmentService(s).between(
        "2026-11-23", "2026-11-23"
    ),
    Action.BOOK_APPOINTMENT: lambda s, o, _: AppointmentService(s).book(
        "C", _at(23, 14), channel="email", email="rob@example.org"
    ),
    Action.MOVE_APPOINTMENT: lambda s, o, _: AppointmentService(s).move(o.later_ref, _at(23, 15)),
    Action.CANCEL_APPOINTMENT: lambda s, o, _: AppointmentService(s).cancel(
        o.later_ref, "resident"
    ),
    Action.CHECK_IN: lambda s, o, _: AppointmentService(s).check_in(o.later_ref),
    Action.TICK_CHECKLIST: lambda s, o, _: AppointmentService(s).tick(o.here_ref, ["Your bill"]),
    Action.APPOINTMENT_NO_SHOW: lambda s, o, _: AppointmentService(s).no_show(o.due_ref),
    Action.REBOOK: lambda s, o, _: AppointmentService(s).rebook(o.here_ref, _at(24, 10)),
    Action.VIEW_CONTACT: lambda s, o, _: AppointmentService(s).contact(
        AppointmentService(s).find(o.due_ref)
    ),
    Action.RECORD_ABSENCE: lambda s, o, _: AppointmentService(s).add_absence(
        "adv2", "2026-11-25", "2026-11-25", "training"
    ),
    # Configuration is loaded by the host-level `init`: there is no use case to refuse, only the
    # permission itself (for the documentation and any future admin screen).
    Action.MANAGE_CONFIG: lambda s, o, _: s.require(Action.MANAGE_CONFIG),
    Action.WORK_FOLLOWUPS: lambda s, o, _: FollowupService(s).add(
        Request(kind="ringback", service="C", phone="07700 900123")
    ),
    Action.RECORD_FEEDBACK: lambda s, o, _: FollowupService(s).add(
        Request(kind="complaint", category="staff")
    ),
    Action.VIEW_FEEDBACK: lambda s, o, _: FollowupService(s).work_list(["complaint"]),
    Action.ANSWER_FEEDBACK: lambda s, o, _: FollowupService(s).respond("OTR-0001"),
    # Every current alert (there are none in this office: nothing is written either way).
    Action.ACKNOWLEDGE_ALERT: lambda s, o, _: acknowledge_alerts(s, s.actor),
    Action.RESIDENT_DATA: lambda s, o, _: SubjectAccessService(s).find("email", "a@example.org"),
    Action.CANCEL_MESSAGE: lambda s, o, _: _stop_a_message(s),
}


def _stop_a_message(session: Session) -> None:
    """Stopping a referral's message to the resident: this office has none (no follow-up
    R-0999), so a role allowed to gets past its role to "not found"; nothing is written."""
    with pytest.raises(NotFound, match="R-0999"):
        cancel_message(session, "R-0999")


def test_every_action_has_a_try() -> None:
    assert set(TRIES) == set(Action)


@pytest.mark.parametrize("action", list(Action), ids=str)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_role_and_action(role: Role, action: Action, office: Office, tmp_path: Path) -> None:
    person, desk = PEOPLE[role]
    session = session_as(office.db, person, desk)
    try:
        before = db_content(office.db)
        if MATRIX[role].get(action) is None:
            with pytest.raises(Forbidden) as refused:
                TRIES[action](session, office, tmp_path)
            assert refused.value.exit_code == 9
            assert str(refused.value) == refusal(session.name_of(person), role, action)
            assert db_content(office.db) == before  # refused: nothing written
        elif role is Role.ADVISER and action in (Action.CALL_NEXT, Action.CALL_CHOSEN):
            # Allowed, but the office's state says no: the adviser's own desk is busy.
            with pytest.raises(RuleViolation, match="C001 is still at"):
                TRIES[action](session, office, tmp_path)
        else:
            TRIES[action](session, office, tmp_path)  # allowed: it works
    finally:
        session.close()


OWN_ONLY = [
    (role, action)
    for role, actions in MATRIX.items()
    for action, scope in actions.items()
    if scope is Scope.OWN
]


@pytest.mark.parametrize(("role", "action"), OWN_ONLY, ids=lambda x: str(x))
def test_own_only_is_refused_on_someone_elses(
    role: Role, action: Action, office: Office, tmp_path: Path
) -> None:
    """A role allowed only its own work: the same action on someone else's is refused."""
    # The other adviser, or (for the greeter's desk status) the greeter on an adviser's desk.
    person, desk = ("adv2", "desk-2") if role is Role.ADVISER else ("mg", "greet-1")
    session = session_as(office.db, person, desk)
    try:
        before = db_content(office.db)
        attempt: Try = TRIES[action]
        if action is Action.DESK_STATUS:
            attempt = lambda s, o, _: QueueService(s).set_desk_status("desk-1", "break")  # noqa: E731
        if action is Action.CALL_CHOSEN:
            attempt = lambda s, o, _: QueueService(s).call(o.waiting, "desk-3")  # noqa: E731
        with pytest.raises(Forbidden, match="may not"):
            attempt(session, office, tmp_path)
        assert db_content(office.db) == before
    finally:
        session.close()


def test_team_leader_works_on_any_desk(office: Office) -> None:
    session = session_as(office.db, "tl", "desk-3")
    try:
        QueueService(session).set_desk_status("desk-1", "break")
        QueueService(session).finish(office.called, "resolved")
    finally:
        session.close()


def test_a_desks_own_adviser_can_finish_what_someone_else_called_there(office: Office) -> None:
    """Ben calls to Dev's desk (say from the command line): the ticket at Dev's desk is Dev's
    to finish, so nobody else's slip blocks a desk."""
    other = session_as(office.db, "adv", "desk-2")
    try:
        called = QueueService(other).call_next("desk-2")
        assert called is not None and called.desk == "desk-2"
    finally:
        other.close()
    owner = session_as(office.db, "adv2", None)  # no terminal desk: the configured one counts
    try:
        assert QueueService(owner).finish(called.id, "resolved").status.value == "done"
    finally:
        owner.close()


def test_an_adviser_without_a_desk_finishes_the_ticket_they_called(office: Office) -> None:
    """On the command line (no --desk): the ticket they last called is theirs."""
    session = session_as(office.db, "adv", None)
    try:
        assert QueueService(session).finish(office.called, "resolved").status.value == "done"
    finally:
        session.close()


def test_the_matrix_follows_the_roles_note() -> None:
    """Spot checks of reliability.md section 5 (least privilege)."""
    assert allows(Role.MEET_AND_GREET, Action.ISSUE_TICKET)
    assert allows(Role.MEET_AND_GREET, Action.BOOK_APPOINTMENT)
    assert not allows(Role.MEET_AND_GREET, Action.CALL_NEXT)
    assert not allows(Role.MEET_AND_GREET, Action.VIEW_CONTACT)
    assert scope_of(Role.ADVISER, Action.FINISH) is Scope.OWN
    assert not allows(Role.ADVISER, Action.CANCEL_TICKET)
    # An adviser sends their own resident to a desk or a colleague, never someone else's.
    assert scope_of(Role.ADVISER, Action.REASSIGN) is Scope.OWN
    for action in Action:
        assert allows(Role.TEAM_LEADER, action) is (action is not Action.MANAGE_CONFIG)
    # The admin: configuration and figures, no queue work, no customer content.
    for action in (Action.VIEW_CONTACT, Action.VIEW_NOTES, Action.ADD_NOTE, Action.CALL_NEXT):
        assert not allows(Role.ADMIN, action)
    assert allows(Role.ADMIN, Action.MANAGE_CONFIG) and allows(Role.ADMIN, Action.VIEW_REPORTS)
    assert not allows(None, Action.VIEW_QUEUE)


def test_readme_table_is_the_matrix() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Roles\n")[1].split("\n## ")[0]
    found: dict[str, list[str]] = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            found[cells[0].strip("`")] = cells[-4:]
    expected = {
        action.value: [
            {Scope.ALL: "yes", Scope.OWN: "own", None: "-"}[MATRIX[role].get(action)]
            for role in Role
        ]
        for action in Action
    }
    assert found == expected


# Unlisted people ---------------------------------------------------------------------------


def test_unlisted_people_act_as_team_leaders_by_default(office: Office) -> None:
    session = session_as(office.db, "a-script", "greet-1")
    try:
        assert session.role_of("a-script") is Role.TEAM_LEADER
        QueueService(session).cancel(office.waiting)
    finally:
        session.close()


def test_unlisted_role_none_refuses_unknown_people(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OSS_DESK_ACCESS__UNLISTED_ROLE", "none")
    before = db_content(office.db)
    with pytest.raises(Forbidden, match="not on the staff list"):
        session_as(office.db, "nobody", None)
    listed = session_as(office.db, "tl", None)  # staff still work
    listed.close()
    # Host-level processes are never role-checked.
    host = open_session(db=office.db, clock=FixedClock(NOW), person="worker", host=True)
    host.close()
    assert db_content(office.db) == before


# The command line ----------------------------------------------------------------------------


def test_cli_refusal_is_one_line_and_exit_9(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office.db, monkeypatch)
    before = db_content(office.db)
    result = cli("--user", "adv", "ticket", "cancel", "W001", now=NOW_TEXT)
    assert result.code == 9
    assert result.err == "oss-desk: Sam Patel (adviser) may not cancel a ticket\n"
    assert result.out == ""
    result = cli(
        "--user", "adv2", "ticket", "finish", "C001", "--outcome", "resolved", now=NOW_TEXT
    )
    assert result.code == 9
    assert result.err == (
        "oss-desk: Ada Second (adviser) may not finish a ticket called to another desk\n"
    )
    result = cli("--user", "mg", "report", "daily", now=NOW_TEXT)
    assert result.code == 9 and "Mo Greeter (meet-and-greet) may not see the reports" in result.err
    assert db_content(office.db) == before
    # Allowed: the adviser finishes their own ticket.
    done = cli("--user", "adv", "ticket", "finish", "C001", "--outcome", "resolved", now=NOW_TEXT)
    assert done.code == 0, done.err


def test_cli_unknown_user_refused_when_unlisted_role_is_none(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office.db, monkeypatch)
    env = {"OSS_DESK_ACCESS__UNLISTED_ROLE": "none"}
    result = cli("--user", "who", "queue", now=NOW_TEXT, env=env)
    assert result.code == 9
    assert result.err.count("\n") == 1 and "'who' is not on the staff list" in result.err
    assert "--user" in result.err
    # Host-level commands (the service account's timers, the administrator at the host) still
    # run: the worker, backups, checks, the retention purge, the call import.
    assert cli("--user", "who", "worker", "--once", now=NOW_TEXT, env=env).code == 0
    for args in (("db", "backup"), ("db", "check", "--quick"), ("db", "purge", "--dry-run")):
        ran = cli("--user", "who", *args, now=NOW_TEXT, env=env)
        assert ran.code == 0, (args, ran.err)
    export = office.db.parent / "calls.csv"
    export.write_text("Call Start,Answered,Queue Time\n2026-11-20T10:00:00Z,Y,30\n")
    imported = cli("--user", "who", "import", "calls", str(export), now=NOW_TEXT, env=env)
    assert imported.code == 0, imported.err


# Reads of personal data --------------------------------------------------------------------


def viewed(db: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT actor, desk_id, appointment_id, visit_id, data FROM events "
            "WHERE kind = 'personal_data_viewed' ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def test_cli_show_contact_is_recorded_without_the_values(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office.db, monkeypatch)
    plain = cli("--user", "tl", "appointment", "show", office.due_ref, "--json", now=NOW_TEXT)
    assert plain.code == 0 and "contact" not in plain.json()
    assert "Rita" not in plain.out and viewed(office.db) == []
    shown = cli(
        "--user", "adv", "appointment", "show", office.due_ref, "--contact", "--json", now=NOW_TEXT
    )
    assert shown.code == 0, shown.err
    assert (
        shown.json()["contact"]
        == {
            "name": "Rita Resident",
            "email": "rita@example.org",
            "phone": "07700900123",
        }
        or shown.json()["contact"]["name"] == "Rita Resident"
    )
    [(actor, desk, appointment, _, data)] = viewed(office.db)
    assert actor == "adv" and desk is None and appointment is not None
    assert json.loads(data) == {"fields": ["name", "email", "phone"], "where": "appointment show"}
    for value in ("Rita", "rita@", "07700"):
        assert value not in data
    # The admin and the greeter may not read it; nothing is recorded for a refusal.
    for person in ("adm", "mg"):
        refused = cli(
            "--user", person, "appointment", "show", office.due_ref, "--contact", now=NOW_TEXT
        )
        assert refused.code == 9 and "contact details" in refused.err
    assert len(viewed(office.db)) == 1


def test_reading_notes_is_recorded(office: Office) -> None:
    session = session_as(office.db, "adv", "desk-1")
    try:
        notes = QueueService(session).notes(office.called)
        assert [text for _, _, text in notes] == ["Brought a letter from the bank"]
    finally:
        session.close()
    [(actor, desk, _, visit, data)] = viewed(office.db)
    assert (actor, desk) == ("adv", "desk-1") and visit is not None
    assert json.loads(data) == {"count": 1, "fields": ["notes"]}
    assert "bank" not in data
