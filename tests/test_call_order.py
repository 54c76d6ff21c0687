"""The one call order: what the live queue shows (places, estimates, people ahead, the "Waiting
for Desk N" list, the paper ticket) is what "call next" does, on a real database file through
the real services."""

from __future__ import annotations

import heapq
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from oss_desk.clock import FixedClock, format_instant
from oss_desk.domain.models import Actor, Channel, DeskKind, DeskStatus, Ticket
from oss_desk.domain.queue import (
    CALL_ORDER,
    Direction,
    call_key,
    calls_tickets,
    can_call,
    in_call_order,
    never_called_at,
    next_for,
    plan_calls,
    waiting_for,
)
from oss_desk.errors import RuleViolation
from oss_desk.services.printouts import ticket_printout
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session, open_session
from oss_desk.storage.queue import CALL_ORDER_SQL

from .cli_here import run_cli_here
from .conftest import MONDAY_0930, TRAINING, Cli, make_db
from .conftest import site_toml as small_site

# A site whose desks differ in every way the rules look at.
TYPICAL_MINUTES = {"C": 6, "B": 9, "H": 15, "W": 4}
DESKS: dict[str, tuple[DeskKind, frozenset[str], bool, frozenset[str]]] = {
    # kind, services, private room, facilities
    "desk-1": (DeskKind.ADVISER, frozenset("CBHW"), False, frozenset({"hearing-loop"})),
    "desk-2": (DeskKind.ADVISER, frozenset("CW"), False, frozenset({"step-free"})),
    "desk-3": (DeskKind.ADVISER, frozenset("BH"), True, frozenset()),
    "desk-4": (DeskKind.ADVISER, frozenset("CB"), False, frozenset({"hearing-loop", "step-free"})),
    "room-1": (DeskKind.INTERVIEW_ROOM, frozenset("BH"), True, frozenset({"step-free"})),
}
PRIVATE_SERVICES = "BH"  # served somewhere with a private room
# Who may log in, and what they offer (the needs routing reads it).
STAFF: dict[str, frozenset[str]] = {
    "sia": frozenset({"bsl", "polish"}),  # signs, speaks Polish
    "lou": frozenset({"polish"}),
    "kim": frozenset(),
    "ravi": frozenset({"bsl"}),
    "max": frozenset(),
}
NEEDS = ("bsl", "hearing-loop", "wheelchair", "interpreter:polish", "large-print")
NOW = MONDAY_0930 + timedelta(minutes=30)


def site_toml() -> str:
    services = "".join(
        f'[[services]]\ncode = "{code}"\nname = "Service {code}"\ntypical_minutes = {minutes}\n'
        + ("private_room = true\n" if code == "H" else "")
        for code, minutes in TYPICAL_MINUTES.items()
    )
    desks = "".join(
        f'[[desks]]\nid = "{desk}"\nkind = "{kind.value}"\nservices = {sorted(served)!r}\n'
        f"private_room = {'true' if private else 'false'}\nfacilities = {sorted(facilities)!r}\n"
        for desk, (kind, served, private, facilities) in DESKS.items()
    ).replace("'", '"')
    staff = "".join(
        f'[[staff]]\nid = "{person}"\nname = "{person.title()}"\nrole = "adviser"\n'
        f"skills = {sorted(skills)!r}\n".replace("'", '"')
        for person, skills in STAFF.items()
    )
    return f"""{TRAINING}
[council]
name = "Test Council"

[[sites]]
id = "hq"
name = "Civic Centre"

{services}
[[desks]]
id = "greet-1"
kind = "meet-and-greet"

{desks}
{staff}
[[staff]]
id = "tl"
name = "Team Leader"
role = "team-leader"
"""


@dataclass(frozen=True)
class Waiting:
    service: str
    arrived_minutes_ago: int
    appointment: bool
    private: bool
    sent_to: str | None
    needs: tuple[str, ...] = ()
    sent_to_person: str | None = None
    then: str | None = None
    """``parked`` (called to a desk, then parked there), ``recycled`` (called, then back to
    the queue) or ``transferred`` (called in another service, then transferred to
    ``service``: that desk's next call passes over them), at ``via``."""
    via: str | None = None

    def parks_with(self, desks: dict[str, DeskSetUp]) -> bool:
        """Parked at a desk someone is logged in to (else at a desk the helper leaves)."""
        return self.then == "parked" and self.via is not None and desks[self.via].person is not None


@dataclass(frozen=True)
class DeskSetUp:
    status: DeskStatus
    busy: tuple[str, int, bool] | None
    """(service, minutes since the call, started serving) of its current resident."""
    person: str | None = None
    """Who is logged in to it (None: nobody: it does not call, whatever its status says)."""
    leaves: bool = False
    """The person logs out once the queue is set up: the desk closes, and what was sent to it
    (or to them) goes back to the queue."""

    @property
    def at_end(self) -> str | None:
        """Who is logged in to it when the desks start calling."""
        return None if self.leaves else self.person

    @property
    def calls(self) -> bool:
        return self.status is DeskStatus.OPEN and self.at_end is not None


# The rules as the README states them, written apart from the domain's ------------------------

REQUIRES = {"bsl": "bsl", "hearing-loop": "hearing-loop", "wheelchair": "step-free"}


def requirements_of(needs: tuple[str, ...]) -> set[str]:
    found = {REQUIRES[n] for n in needs if n in REQUIRES}
    found |= {n.split(":", 1)[1] for n in needs if n.startswith("interpreter:")}
    return found


def offers(desk: str, logged: dict[str, str]) -> set[str]:
    person = logged.get(desk)
    return set(DESKS[desk][3]) | set(STAFF.get(person, frozenset()) if person else ())


def placed(desk: str, ticket: Ticket, logged: dict[str, str]) -> bool:
    """Every rule but the needs routing."""
    _kind, served, private, _f = DESKS[desk]
    return (
        ticket.parked_at is None
        and ticket.service in served
        and ticket.assigned_desk in (None, desk)
        and ticket.assigned_person in (None, logged.get(desk))
        and (private or "private-room" not in ticket.needs)
    )


def may_call(desk: str, ticket: Ticket, logged: dict[str, str]) -> bool:
    """A desk may call a ticket it is placed for whose needs it meets as well as any staffed
    desk placed for it does: a signer first, then the most needs met."""
    if not placed(desk, ticket, logged):
        return False
    wanted = requirements_of(ticket.needs)
    if not wanted:
        return True

    def score(d: str) -> tuple[bool, int]:
        met = wanted & offers(d, logged)
        return ("bsl" in met, len(met))

    best = max((score(d) for d in logged if d in DESKS and placed(d, ticket, logged)), default=None)
    return best is None or score(desk) >= best


@st.composite
def desk_set_ups(draw: st.DrawFn) -> dict[str, DeskSetUp]:
    result = {}
    people = draw(st.permutations(sorted(STAFF)))
    for n, (desk, (_kind, served, _private, _f)) in enumerate(DESKS.items()):
        status = draw(
            st.sampled_from([DeskStatus.OPEN, DeskStatus.OPEN, DeskStatus.BREAK, DeskStatus.CLOSED])
        )
        # Nobody logged in to an open desk: its stored status says open, but it does not call.
        person = None if status is DeskStatus.CLOSED or draw(st.integers(0, 5)) == 0 else people[n]
        if person is None and status is DeskStatus.BREAK:
            status = DeskStatus.CLOSED  # a break is someone's: nobody, no break
        busy = None
        if person is not None and draw(st.booleans()):
            busy = (
                draw(st.sampled_from(sorted(served))),
                draw(st.integers(0, 25)),
                draw(st.booleans()),
            )
        leaves = person is not None and busy is None and draw(st.integers(0, 3)) == 0
        result[desk] = DeskSetUp(status, busy, person, leaves)
    return result


@st.composite
def waiting_tickets(draw: st.DrawFn) -> list[Waiting]:
    result = []
    for _ in range(draw(st.integers(0, 12))):
        service = draw(st.sampled_from(sorted(TYPICAL_MINUTES)))
        serving = [d for d, (_k, served, _p, _f) in DESKS.items() if service in served]
        then = draw(
            st.none()
            | st.none()
            | st.none()
            | st.sampled_from(["parked", "recycled", "transferred"])
        )
        result.append(
            Waiting(
                service=service,
                arrived_minutes_ago=draw(st.integers(0, 40)),
                appointment=draw(st.booleans()) and draw(st.booleans()),
                private=service in PRIVATE_SERVICES and draw(st.integers(0, 4)) == 0,
                sent_to=draw(st.none() | st.none() | st.sampled_from(serving)),
                needs=tuple(sorted(draw(st.sets(st.sampled_from(NEEDS), max_size=3))))
                if draw(st.integers(0, 2)) == 0
                else (),
                sent_to_person=draw(st.sampled_from(sorted(STAFF)))
                if draw(st.integers(0, 5)) == 0
                else None,
                then=then,
                via=draw(st.sampled_from(serving)) if then else None,
            )
        )
    return result


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_db(tmp_path_factory.mktemp("call-order"), site_toml())


@pytest.fixture
def copies(template: Path) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(dir=template.parent))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def as_person(session: Session, person: str, desk: str | None = None) -> QueueService:
    return QueueService(session, Actor(person=person, desk_id=desk))


def calls_it(session: Session, desk_id: str, ticket: Ticket) -> bool:
    """Whether ``desk_id`` may ever call ``ticket`` (a transfer there, or to the person at it,
    is refused otherwise: ``never_called_at``, and meet-and-greet calls nobody)."""
    desk = session.directory.desks[desk_id]
    never = never_called_at(desk, ticket.service, ticket.needs_private_room)
    return calls_tickets(desk.kind) and never is None


def set_up(
    session: Session, clock: FixedClock, desks: dict[str, DeskSetUp], queue: list[Waiting]
) -> list[int]:
    """The drawn office through the real services: people log in (a desk opens with them),
    residents called to desks, tickets called and parked or recycled, the queue, then the desks'
    statuses. Returns the visits in the order their residents were recorded arriving."""
    q = QueueService(session)  # the team leader
    arrivals: list[int] = []

    def issue(service: str, **given: Any) -> Ticket:
        ticket = q.issue(service, print_ticket=False, **given).ticket
        arrivals.append(ticket.visit_id)
        return ticket

    clock.set(NOW - timedelta(minutes=120))
    # Logs in where a ticket is called first, then out: the desk closes, so a resident parked
    # there goes back to the queue at their place (nobody there would resume them).
    helper = as_person(session, "tl")
    moved_on = [w for w in queue if w.then is not None and not w.parks_with(desks)]
    # They all arrive in the same instant before any is called: a resident transferred then
    # keeps their place before those recorded after them in that instant (their new ticket is
    # newer than those residents' tickets).
    first_tickets = []
    for item in moved_on:
        assert item.via is not None
        first = item.service
        if item.then == "transferred":  # from another service the desk serves
            first = min(s for s in DESKS[item.via][1] if s != item.service)
        first_tickets.append(issue(first, needs=",".join(item.needs) or None))
    for item, ticket in zip(moved_on, first_tickets, strict=True):
        desk = item.via
        assert desk is not None
        helper.log_in(desk)
        q.call(ticket.id, desk)
        if item.then == "parked":
            q.park(ticket.id, "document")
        elif item.then == "transferred":
            q.transfer(ticket.id, service=item.service)
        else:
            q.recycle(ticket.id)
        helper.log_out(desk)
    for desk, plan in desks.items():
        if plan.person is not None:
            as_person(session, plan.person, desk).log_in(desk)
    for item in queue:  # parked at a desk its adviser is logged in to (no needs: any desk)
        if item.parks_with(desks) and item.via is not None:
            ticket = issue(item.service)
            q.call(ticket.id, item.via)
            q.park(ticket.id, "document")
    for desk, plan in desks.items():
        if plan.busy is not None:
            service, minutes_ago, started = plan.busy
            clock.set(NOW - timedelta(minutes=minutes_ago + 50))
            ticket = issue(service)
            clock.set(NOW - timedelta(minutes=minutes_ago))
            q.call(ticket.id, desk)
            if started:
                q.start(ticket.id)
    clock.set(NOW - timedelta(minutes=1))
    for item in queue:
        if item.then is not None:
            continue
        ticket = issue(
            item.service,
            needs=",".join(("private-room", *item.needs) if item.private else item.needs) or None,
            priority=1 if item.appointment else 0,
            channel=Channel.APPOINTMENT if item.appointment else Channel.WALK_IN,
            arrived_at=NOW - timedelta(minutes=item.arrived_minutes_ago),
            # Checked in to a desk someone is logged in to (check-in sends none elsewhere).
            assigned_desk=item.sent_to
            if item.appointment and item.sent_to and desks[item.sent_to].person
            else None,
        )
        if item.sent_to is not None and not item.appointment:
            if not calls_it(session, item.sent_to, ticket):
                continue  # refused (nobody there would ever call it): it stays in the queue
            # A ticket is sent only to a desk that is open (nobody would call it at a closed
            # one); the desk may close afterwards, as the statuses set below arrange.
            closed = q.desk_statuses().get(item.sent_to) is DeskStatus.CLOSED
            if closed:
                helper.log_in(item.sent_to)
            q.transfer(ticket.id, desk_id=item.sent_to)
            if closed:
                helper.log_out(item.sent_to)
        elif item.sent_to_person is not None:
            # Sent only to someone logged in somewhere (else nobody would call it); they may
            # log out afterwards, as here when the drawn desks do not have them.
            person = item.sent_to_person
            held = q.logins()
            at = next((d for d, login in held.items() if login.person == person), None)
            away = at is None
            spare = next((d for d in sorted(desks) if d not in held), "greet-1")
            if not calls_it(session, spare if away else str(at), ticket):
                continue  # refused (nobody there would ever call it): it stays in the queue
            if away:
                as_person(session, person, spare).log_in(spare)
            q.transfer(ticket.id, person=person)
            if away:
                as_person(session, person, spare).log_out(spare)
    for desk, plan in desks.items():
        if plan.person is not None or plan.status is not DeskStatus.OPEN:
            q.set_desk_status(desk, plan.status)
    for desk, plan in desks.items():
        if plan.leaves and plan.person is not None:
            as_person(session, plan.person, desk).log_out(desk)
    clock.set(NOW)
    return arrivals


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(desks=desk_set_ups(), queue=waiting_tickets())
@example(  # transferred after a resident recorded in its instant: still ahead of them
    desks={
        desk: DeskSetUp(DeskStatus.OPEN, None, person)
        for desk, person in zip(DESKS, sorted(STAFF), strict=True)
    },
    queue=[
        Waiting("B", 5, False, False, None, then="transferred", via="desk-1"),
        Waiting("B", 5, False, False, None, then="recycled", via="desk-3"),
    ],
)
def test_the_queue_shown_is_the_queue_called(
    template: Path, copies: Path, desks: dict[str, DeskSetUp], queue: list[Waiting]
) -> None:
    """For any queue and desks: the first ticket of each open, staffed desk's list is what its
    "call next" claims, at every step while the desks empty the queue; every estimate is when
    it is called and every printed "people ahead" counts the tickets called at an earlier
    moment to desks that may also call it (desks calling as soon as they are free, in id order
    at the same moment, each visit taking its service's typical time). A desk nobody is logged
    in to calls nothing and counts in no estimate; a parked ticket is never called and has no
    place; a recycled one is back at its place, and so is one transferred to another service,
    except that the next call at the desk it was transferred from takes anyone else that desk
    may call first (and only that call); a ticket sent to a person goes only to the desk
    they are logged in to; a ticket sent to a desk that closed, or to a person who logged out,
    is back in the queue at its place; and a ticket whose needs some staffed desk meets better
    (BSL above all) never goes to a desk that meets them less well."""
    db = copies / f"{len(list(copies.iterdir()))}.sqlite"
    shutil.copy(template, db)
    clock = FixedClock(NOW)
    session = open_session(db=db, clock=clock, person="tl")
    try:
        arrivals = set_up(session, clock, desks, queue)
        q = QueueService(session)
        # The queue shown is the call order as the README words it, arrival by the order
        # residents were recorded (a transferred resident's too: equal instants are drawn).
        arrived = {visit: n for n, visit in enumerate(arrivals)}
        by_the_rule = [e.ticket for e in q.queue() if e.position is not None]
        assert by_the_rule == sorted(
            by_the_rule,
            key=lambda t: (
                t.assigned_desk is None,
                t.assigned_person is None,
                -t.priority,
                t.queued_at,
                arrived[t.visit_id],
            ),
        )
        logged = {desk: login.person for desk, login in q.logins().items()}
        assert logged == {d: p.at_end for d, p in desks.items() if p.at_end is not None}
        # A desk that closed (or whose person left) sent its tickets back to the queue at their
        # place: none waits for a closed desk, nor for someone logged in nowhere.
        for entry in q.queue():
            if entry.position is not None:
                sent, person = entry.ticket.assigned_desk, entry.ticket.assigned_person
                assert sent is None or (
                    desks[sent].status is not DeskStatus.CLOSED and desks[sent].at_end is not None
                ), entry.ticket
                assert person is None or person in logged.values(), entry.ticket
        shown = {e.ticket.id: e for e in q.queue() if e.position is not None}
        parked = [e.ticket for e in q.queue() if e.ticket.parked]
        # A ticket still parked was drawn parked, and is parked at a desk that (as the database
        # says, not the plan) someone is logged in to and is not closed. Which ones stay parked
        # is pinned by hand: test_a_parked_resident_stays_parked_only_where_someone_can_resume.
        statuses = q.desk_statuses()
        assert len(parked) <= sum(w.then == "parked" for w in queue)
        for ticket in parked:
            assert ticket.desk in logged and statuses[ticket.desk] is not DeskStatus.CLOSED
        assert all(e.ticket.parked_at is None for e in shown.values())
        printed = {ticket_id: ticket_printout(session, e.ticket) for ticket_id, e in shown.items()}
        # A ticket's own line (its paper's, its screen's: made alone) is its line in the queue.
        whole = q.queue()
        for e in whole:
            assert q.entry(e.ticket) == next(x for x in whole if x.ticket.id == e.ticket.id)
        # Desks that do not call now refuse, and claim nothing.
        calling = [d for d, p in desks.items() if p.calls]
        for desk in ("greet-1", *(d for d in desks if d not in calling)):
            with pytest.raises(RuleViolation):
                q.call_next(desk)
        # The open desks empty the queue.
        free: list[tuple[int, str]] = []
        for desk in calling:
            plan = desks[desk]
            left = 0
            if plan.busy is not None:
                service, minutes_ago, _started = plan.busy
                typical, ago = TYPICAL_MINUTES[service] * 60, minutes_ago * 60
                # The rest of its typical time, or half as long again as it has run.
                left = max(60, typical - ago, ago // 2)
            free.append((left, desk))
        heapq.heapify(free)
        calls: list[tuple[Ticket, str, int]] = []
        while free:
            at, desk = heapq.heappop(free)
            clock.set(NOW + timedelta(seconds=at))
            current = q.current_ticket(desk)
            if current is not None:
                q.finish(current.id, "resolved")
            listed = waiting_for(session.desk(desk), q.queue(), q.floor())
            mine = [e.ticket for e in q.queue() if e.position is not None]  # in call order
            mine = [t for t in mine if may_call(desk, t, logged)]
            # The desk's next call passes over the residents transferred from it, if it can.
            expected = [t for t in mine if t.passed_over_by != desk] or mine
            called = q.call_next(desk)
            assert (called.id if called else None) == (listed[0].ticket.id if listed else None)
            assert (called.id if called else None) == (expected[0].id if expected else None)
            if called is None:
                continue
            assert may_call(desk, called, logged), (desk, called)
            assert not any(e.ticket.passed_over_by == desk for e in q.queue())  # that call only
            calls.append((called, desk, at))
            heapq.heappush(free, (at + TYPICAL_MINUTES[called.service] * 60, desk))
        called_at = {t.id: (n, at) for n, (t, _desk, at) in enumerate(calls)}
        for ticket_id, entry in shown.items():
            paper = printed[ticket_id]
            if ticket_id not in called_at:
                assert not any(may_call(d, entry.ticket, logged) for d in calling)
                assert entry.estimated_wait_seconds is None and entry.ahead is None
                assert paper.ahead is None and paper.estimate_minutes is None
                continue
            n, at = called_at[ticket_id]
            before = sum(
                1
                for _t, desk, then in calls[:n]
                if then < at and may_call(desk, entry.ticket, logged)
            )
            assert entry.estimated_wait_seconds == at
            assert entry.ahead == before
            assert paper.ahead == before
        # Nothing anyone may call is left waiting, and the parked are still parked.
        left_over = [e.ticket for e in q.queue() if e.position is not None]
        assert not any(may_call(d, t, logged) for d in calling for t in left_over)
        assert {t.id for t in parked} <= {e.ticket.id for e in q.queue() if e.ticket.parked}
        assert not {t.id for t in parked} & set(called_at)
    finally:
        session.close()


def test_a_parked_resident_stays_parked_only_where_someone_can_resume(
    template: Path, copies: Path
) -> None:
    """Written out by hand: parked at a desk open or on a break with its adviser there, still
    parked; at a desk closed with its adviser still logged in, or whose adviser logged out, back
    in the queue at their place."""
    db = copies / "parked.sqlite"
    shutil.copy(template, db)
    clock = FixedClock(NOW)
    session = open_session(db=db, clock=clock, person="tl")
    desks = {
        "desk-1": DeskSetUp(DeskStatus.OPEN, None, person="sia"),
        "desk-2": DeskSetUp(DeskStatus.BREAK, None, person="lou"),
        "desk-3": DeskSetUp(DeskStatus.OPEN, None, person="kim", leaves=True),
        "desk-4": DeskSetUp(DeskStatus.CLOSED, None, person="max"),
    }
    queue = [
        Waiting(service, 0, False, False, None, then="parked", via=desk)
        for service, desk in (("C", "desk-1"), ("C", "desk-2"), ("B", "desk-3"), ("C", "desk-4"))
    ]
    try:
        set_up(session, clock, desks, queue)
        shown = QueueService(session).queue()
        assert sorted(e.ticket.code for e in shown if e.ticket.parked) == ["C001", "C002"]
        assert sorted(e.ticket.code for e in shown if e.position is not None) == ["B001", "C003"]
    finally:
        session.close()


def test_a_ticket_sent_to_a_desk_is_first_for_it_everywhere(cli: Cli) -> None:
    """The issue's probe: C001 and C002 waiting, C003 sent to desk-1."""
    for _ in range(3):
        assert cli("ticket", "issue", "--service", "C", "--no-print").code == 0
    assert cli("ticket", "transfer", "C003", "--desk", "desk-1").code == 0
    shown = json.loads(cli("queue", "--json").out)
    assert [(t["code"], t["position"], t["ahead"], t["estimated_wait_min"]) for t in shown] == [
        ("C003", 1, 0, 0),
        ("C001", 2, 0, 0),  # called at the same moment as C003, at another desk
        ("C002", 3, 0, 0),
    ]
    assert json.loads(cli("ticket", "show", "C003", "--json").out)["ahead"] == 0
    called = json.loads(cli("ticket", "call-next", "--desk", "desk-2", "--json").out)
    assert called["code"] == "C001"  # desk-2 may not call C003
    called = json.loads(cli("ticket", "call-next", "--desk", "desk-1", "--json").out)
    assert called["code"] == "C003"


def test_the_paper_ticket_counts_only_the_desks_that_may_call_it(
    template: Path, copies: Path
) -> None:
    db = copies / "paper.sqlite"
    shutil.copy(template, db)
    clock = FixedClock(NOW)
    session = open_session(db=db, clock=clock, person="tl")
    try:
        q = QueueService(session)
        for desk in DESKS:
            q.set_desk_status(desk, DeskStatus.CLOSED)
        as_person(session, "kim", "desk-2").log_in("desk-2")  # C and W only: it opens
        w = q.issue("W", print_ticket=False).ticket
        c = q.issue("C", print_ticket=False).ticket
        b = q.issue("B", print_ticket=False).ticket
        lines = {t.code: ticket_printout(session, t).say("wait") for t in (w, c, b)}
        assert lines == {
            "W001": ["Nobody ahead of you", "You will be called soon"],
            "C001": ["1 person ahead of you", "Wait about 4 minutes"],
            "B001": [],  # no open desk serves it: nothing is promised
        }
        listed = waiting_for(session.desk("desk-2"), q.queue())
        assert [(e.ticket.code, e.position) for e in listed] == [("W001", 1), ("C001", 2)]
        listed = waiting_for(session.desk("desk-3"), q.queue())  # closed: what it would call
        assert [(e.ticket.code, e.position) for e in listed] == [("B001", 1)]
    finally:
        session.close()


def test_a_tickets_own_line_is_made_alone(tmp_path: Path) -> None:
    """A printed ticket asks for its own line of the live queue (people ahead, estimated wait):
    the queue is laid out whole for it, but only its line is made (the lines of everyone
    waiting were made and thrown away on the way to the printer)."""
    from oss_desk.services.queue.view import read_live_queue

    db = make_db(tmp_path, site_toml())
    session = open_session(db=db, clock=FixedClock(NOW), person="tl")
    try:
        q = QueueService(session)
        as_person(session, "tl", "desk-1").log_in("desk-1")
        tickets = [q.issue(code, print_ticket=False).ticket for code in "CBCBH"]
        called = q.call_next("desk-1")
        assert called is not None
        site = session.site()
        with session.store.read() as conn:
            whole = read_live_queue(session, conn, site, NOW).entries
            for ticket in tickets:
                alone = read_live_queue(session, conn, site, NOW, only=ticket.id).entries
                assert alone == [e for e in whole if e.ticket.id == ticket.id]
                assert q.entry(ticket) == alone[0]
    finally:
        session.close()


def test_meet_and_greet_does_not_call(cli: Cli) -> None:
    assert cli("ticket", "issue", "--service", "C", "--no-print").code == 0
    refused = cli("ticket", "call-next", "--desk", "greet-1")
    assert refused.code == 6
    assert "meet-and-greet" in refused.err and refused.err.count("\n") == 1
    assert json.loads(cli("ticket", "show", "C001", "--json").out)["status"] == "waiting"


def test_a_greeter_calling_from_meet_and_greet_is_refused_for_the_desk(tmp_path: Path) -> None:
    """Busy-counter trial: the greeter's `ticket call-next --desk greet-1` was refused as a
    role question (exit 9, "may not call the next resident") where the README promises exit 6
    for a desk at meet-and-greet. The desk is the truer reason: it never calls, whoever asks.
    A greeter at an adviser's desk is still refused for the role (exit 9)."""
    greeter = '\n[[staff]]\nid = "gg"\nname = "Greta Greeter"\nrole = "meet-and-greet"\n'
    db = make_db(tmp_path, small_site(extra=greeter))
    env = {"OSS_DESK_DB": str(db)}
    assert run_cli_here("ticket", "issue", "--service", "C", "--no-print", env=env).returncode == 0
    for args, code, says in (
        (("call-next", "--desk", "greet-1"), 6, "is a meet-and-greet desk: it does not call"),
        (("call", "C001", "--desk", "greet-1"), 6, "is a meet-and-greet desk: it does not call"),
        (("call-next", "--desk", "desk-1"), 9, "(meet-and-greet) may not"),
    ):
        done = run_cli_here("--user", "gg", "ticket", *args, env=env)
        assert done.returncode == code, (args, done.stderr)
        assert says in done.stderr and done.stderr.count("\n") == 1, done.stderr


# The order itself ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: int
    service: str
    priority: int
    assigned_desk: str | None
    needs_private_room: bool
    queued_ms: int
    assigned_person: str | None = None
    requires: frozenset[str] = frozenset()
    parked: bool = False
    passed_over_by: str | None = None
    visit_id: int = 0


items = st.builds(
    Item,
    id=st.integers(1, 10_000),
    visit_id=st.integers(1, 20),  # a transfer's new ticket keeps its visit: often shared
    service=st.sampled_from("CBH"),
    priority=st.integers(0, 1),
    assigned_desk=st.none() | st.sampled_from(["d1", "d2"]),
    needs_private_room=st.booleans(),
    queued_ms=st.integers(0, 3_000_000) | st.sampled_from([0, 1_000]),  # equal instants
    assigned_person=st.none() | st.sampled_from(["ana", "bob"]),
)


@given(st.lists(items, max_size=30, unique_by=lambda i: i.id))
def test_the_key_is_the_order_terms(tickets: list[Item]) -> None:
    """``call_key`` is ``CALL_ORDER`` read term by term (storage spells the same terms)."""

    def by_terms(t: Item) -> tuple[int, ...]:
        values = []
        for term in CALL_ORDER:
            value = getattr(t, term.attribute)
            if term.direction is Direction.SET_FIRST:
                values.append(int(value is None))
            elif term.direction is Direction.DESCENDING:
                values.append(-value)
            else:
                values.append(value)
        return tuple(values)

    for t in tickets:
        assert call_key(t) == by_terms(t)
    assert [term.column for term in CALL_ORDER][-1] == "id"  # a total order


@settings(max_examples=30, deadline=None)
@given(st.lists(items, max_size=30, unique_by=lambda i: i.id))
def test_sqlite_sorts_like_the_key(tickets: list[Item]) -> None:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(
            "CREATE TABLE tickets (id INTEGER PRIMARY KEY, priority INTEGER, "
            "assigned_desk_id TEXT, queued_at TEXT, assigned_person TEXT, visit_id INTEGER)"
        )
        epoch = datetime(2026, 11, 23, tzinfo=UTC)
        conn.executemany(
            "INSERT INTO tickets VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    t.id,
                    t.priority,
                    t.assigned_desk,
                    format_instant(epoch + timedelta(milliseconds=t.queued_ms)),
                    t.assigned_person,
                    t.visit_id,
                )
                for t in tickets
            ],
        )
        rows = conn.execute(f"SELECT id FROM tickets t ORDER BY {CALL_ORDER_SQL}").fetchall()
        assert [r[0] for r in rows] == [t.id for t in in_call_order(tickets)]
    finally:
        conn.close()


# The plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanDesk:
    id: str
    services: frozenset[str]
    private_room: bool = False


def test_the_plan_is_a_list_schedule() -> None:
    desks = [
        (PlanDesk("d1", frozenset("CB")), 0.0),
        (PlanDesk("d2", frozenset("B")), 120.0),
    ]
    waiting = [Item(n, s, 0, None, False, n) for n, s in enumerate("CBBH", start=1)]
    times = {"C": 300.0, "B": 600.0}
    plan = plan_calls(waiting, desks, lambda t: times.get(t.service, 480.0))
    # C goes to d1 now; B to d2 when it frees (120 s); the next B to d1 after C (300 s): one
    # B went to a desk that may call it before, so one person is ahead of it.
    assert {k: (p.desk_id, p.after_seconds, p.ahead) for k, p in plan.items()} == {
        1: ("d1", 0.0, 0),
        2: ("d2", 120.0, 1),
        3: ("d1", 300.0, 2),
    }


def test_the_desk_a_resident_was_transferred_from_passes_over_them_once() -> None:
    """B1 was transferred from d1 (it keeps its place, first): d1's first call takes C2, the
    next one B1 at its place (if still waiting); d2 calls B1 at its place at once; d1 with
    nobody else it may call takes B1."""
    waiting = [
        Item(1, "B", 0, None, False, 1, passed_over_by="d1"),
        Item(2, "C", 0, None, False, 2),
        Item(3, "C", 0, None, False, 3),
    ]
    d1, d2 = PlanDesk("d1", frozenset("CB")), PlanDesk("d2", frozenset("B"))
    assert next_for(d1, waiting) == waiting[1] and next_for(d2, waiting) == waiting[0]
    assert next_for(d1, waiting[:1]) == waiting[0]
    plan = plan_calls(waiting, [(d1, 0.0)], lambda t: 300.0)
    assert {k: (p.after_seconds, p.ahead) for k, p in plan.items()} == {
        2: (0.0, 0),
        1: (300.0, 1),  # at its place again after that one call, before C3
        3: (600.0, 2),
    }
    plan = plan_calls(waiting, [(d1, 0.0), (d2, 60.0)], lambda t: 300.0)
    assert {k: (p.desk_id, p.after_seconds) for k, p in plan.items()} == {
        2: ("d1", 0.0),
        1: ("d2", 60.0),
        3: ("d1", 300.0),
    }


@given(
    services=st.lists(st.sampled_from("CBH"), min_size=1, max_size=40),
    desk_sets=st.lists(st.frozensets(st.sampled_from("CBH"), min_size=1), min_size=1, max_size=5),
    busy=st.lists(st.floats(min_value=0, max_value=3600), min_size=5, max_size=5),
)
def test_estimates_and_people_ahead_never_decrease_within_a_service(
    services: list[str], desk_sets: list[frozenset[str]], busy: list[float]
) -> None:
    desks = [(PlanDesk(f"d{i}", s), busy[i]) for i, s in enumerate(desk_sets)]
    waiting = [Item(i, s, 0, None, False, i) for i, s in enumerate(services)]
    times = {"C": 300.0, "B": 500.0, "H": 900.0}
    plan = plan_calls(waiting, desks, lambda t: times[t.service])
    for code in "CBH":
        mine = [plan.get(i) for i, s in enumerate(services) if s == code]
        if any(can_call(d, Item(0, code, 0, None, False, 0)) for d, _free in desks):
            assert all(p is not None for p in mine)
            starts = [p.after_seconds for p in mine if p is not None]
            ahead = [p.ahead for p in mine if p is not None]
            assert starts == sorted(starts)
            assert ahead == sorted(ahead)
        else:
            assert all(p is None for p in mine)


# Needs that route ------------------------------------------------------------------------------


def test_bsl_is_never_called_to_a_desk_without_a_signer_while_one_is_logged_in(
    template: Path, copies: Path
) -> None:
    """Desk 4 has a hearing loop and step-free access; Ravi, who signs, is at Desk 3, which has
    neither. A resident who needs BSL, a loop and step-free access waits for Ravi, even while
    Ravi is on a break, however much better Desk 4 meets the rest; once Ravi logs out, Desk 4
    calls them."""
    db = copies / "bsl.sqlite"
    shutil.copy(template, db)
    clock = FixedClock(NOW)
    session = open_session(db=db, clock=clock, person="tl")
    try:
        q = QueueService(session)
        for desk in DESKS:
            q.set_desk_status(desk, DeskStatus.CLOSED)
        as_person(session, "ravi", "desk-3").log_in("desk-3")
        as_person(session, "kim", "desk-4").log_in("desk-4")
        ticket = q.issue("B", needs="bsl,hearing-loop,wheelchair", print_ticket=False).ticket
        plain = q.issue("B", print_ticket=False).ticket
        assert q.call_next("desk-4") == q.ticket(plain.id)  # the one it may call
        q.finish(plain.id, "resolved")
        assert q.call_next("desk-4") is None
        with pytest.raises(RuleViolation, match="needs BSL"):
            q.call(ticket.id, "desk-4")
        q.set_desk_status("desk-3", DeskStatus.BREAK)  # still logged in: still waits for Ravi
        assert q.call_next("desk-4") is None
        entry = q.entry(ticket)
        assert entry is not None and entry.estimated_wait_seconds is None  # nobody calls now
        q.set_desk_status("desk-3", DeskStatus.OPEN)
        assert [e.ticket.id for e in waiting_for(session.desk("desk-3"), q.queue(), q.floor())] == [
            ticket.id
        ]
        as_person(session, "ravi", "desk-3").log_out("desk-3")
        called = q.call_next("desk-4")
        assert called is not None and called.id == ticket.id
    finally:
        session.close()


def test_an_interpreter_language_routes_to_a_speaker_of_any_language_name(
    tmp_path: Path,
) -> None:
    toml = site_toml().replace(
        'skills = ["polish"]', 'skills = ["Portuguese (Brazil)", "Tiếng Việt"]'
    )
    db = make_db(tmp_path, toml)
    session = open_session(db=db, clock=FixedClock(NOW), person="tl")
    try:
        q = QueueService(session)
        for desk in DESKS:
            q.set_desk_status(desk, DeskStatus.CLOSED)
        as_person(session, "lou", "desk-2").log_in("desk-2")
        as_person(session, "kim", "desk-1").log_in("desk-1")
        for language in ("portuguese (brazil)", "Tiếng Việt"):
            ticket = q.issue("C", needs=f"interpreter:{language}", print_ticket=False).ticket
            assert q.call_next("desk-1") is None  # Lou speaks it, at Desk 2
            called = q.call_next("desk-2")
            assert called is not None and called.id == ticket.id
            q.finish(called.id, "resolved")
        assert q.ticket(ticket.id).needs == ("interpreter:tiếng việt",)
    finally:
        session.close()


def test_the_queue_lines_up_under_a_long_service_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service name longer than the usual column does not push the waits out of line."""
    long_name = "Housing and Council Tax benefits"
    toml = site_toml().replace('name = "Service B"', f'name = "{long_name}"')
    cli = Cli(make_db(tmp_path, toml), monkeypatch)
    for service in ("C", "B", "W"):
        assert cli("ticket", "issue", "--service", service, "--no-print").code == 0
    shown = cli("queue")
    assert shown.code == 0, shown.err
    rows = [line for line in shown.out.splitlines() if " min, " in line]
    assert len(rows) == 3 and any(long_name in row for row in rows)
    assert len({row.index("waiting") for row in rows}) == 1, shown.out
