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

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oss_desk.clock import FixedClock, format_instant
from oss_desk.domain.models import Channel, DeskKind, DeskStatus, Ticket
from oss_desk.domain.queue import (
    CALL_ORDER,
    Direction,
    call_key,
    can_call,
    in_call_order,
    plan_calls,
    waiting_for,
)
from oss_desk.errors import RuleViolation
from oss_desk.services.printouts import ticket_printout
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session, open_session
from oss_desk.storage.queue import CALL_ORDER_SQL

from .conftest import MONDAY_0930, TRAINING, Cli, make_db

# A site whose desks differ in every way the rules look at.
TYPICAL_MINUTES = {"C": 6, "B": 9, "H": 15, "W": 4}
DESKS: dict[str, tuple[DeskKind, frozenset[str], bool]] = {
    "desk-1": (DeskKind.ADVISER, frozenset("CBHW"), False),
    "desk-2": (DeskKind.ADVISER, frozenset("CW"), False),
    "desk-3": (DeskKind.ADVISER, frozenset("BH"), True),
    "desk-4": (DeskKind.ADVISER, frozenset("CB"), False),
    "room-1": (DeskKind.INTERVIEW_ROOM, frozenset("BH"), True),
}
PRIVATE_SERVICES = "BH"  # served somewhere with a private room
NOW = MONDAY_0930 + timedelta(minutes=30)


def site_toml() -> str:
    services = "".join(
        f'[[services]]\ncode = "{code}"\nname = "Service {code}"\ntypical_minutes = {minutes}\n'
        + ("private_room = true\n" if code == "H" else "")
        for code, minutes in TYPICAL_MINUTES.items()
    )
    desks = "".join(
        f'[[desks]]\nid = "{desk}"\nkind = "{kind.value}"\nservices = {sorted(served)!r}\n'
        f"private_room = {'true' if private else 'false'}\n"
        for desk, (kind, served, private) in DESKS.items()
    ).replace("'", '"')
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
"""


@dataclass(frozen=True)
class Waiting:
    service: str
    arrived_minutes_ago: int
    appointment: bool
    private: bool
    sent_to: str | None


@dataclass(frozen=True)
class DeskSetUp:
    status: DeskStatus
    busy: tuple[str, int, bool] | None
    """(service, minutes since the call, started serving) of its current resident."""


def may_call(desk: str, ticket: Ticket) -> bool:
    """The rules as the README states them, written apart from the domain's."""
    _kind, served, private = DESKS[desk]
    return (
        ticket.service in served
        and ticket.assigned_desk in (None, desk)
        and (private or "private-room" not in ticket.needs)
    )


@st.composite
def desk_set_ups(draw: st.DrawFn) -> dict[str, DeskSetUp]:
    result = {}
    for desk, (_kind, served, _private) in DESKS.items():
        status = draw(
            st.sampled_from([DeskStatus.OPEN, DeskStatus.OPEN, DeskStatus.BREAK, DeskStatus.CLOSED])
        )
        busy = None
        if status is not DeskStatus.CLOSED and draw(st.booleans()):
            busy = (
                draw(st.sampled_from(sorted(served))),
                draw(st.integers(0, 25)),
                draw(st.booleans()),
            )
        result[desk] = DeskSetUp(status, busy)
    return result


@st.composite
def waiting_tickets(draw: st.DrawFn) -> list[Waiting]:
    result = []
    for _ in range(draw(st.integers(0, 12))):
        service = draw(st.sampled_from(sorted(TYPICAL_MINUTES)))
        serving = [d for d, (_k, served, _p) in DESKS.items() if service in served]
        result.append(
            Waiting(
                service=service,
                arrived_minutes_ago=draw(st.integers(0, 40)),
                appointment=draw(st.booleans()) and draw(st.booleans()),
                private=service in PRIVATE_SERVICES and draw(st.integers(0, 4)) == 0,
                sent_to=draw(st.none() | st.none() | st.sampled_from(serving)),
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


def set_up(
    session: Session, clock: FixedClock, desks: dict[str, DeskSetUp], queue: list[Waiting]
) -> None:
    q = QueueService(session)
    for desk, plan in desks.items():
        if plan.busy is not None:
            service, minutes_ago, started = plan.busy
            clock.set(NOW - timedelta(minutes=minutes_ago + 50))
            ticket = q.issue(service, print_ticket=False).ticket
            clock.set(NOW - timedelta(minutes=minutes_ago))
            q.call(ticket.id, desk)
            if started:
                q.start(ticket.id)
    clock.set(NOW - timedelta(minutes=1))
    for item in queue:
        ticket = q.issue(
            item.service,
            needs="private-room" if item.private else None,
            priority=1 if item.appointment else 0,
            channel=Channel.APPOINTMENT if item.appointment else Channel.WALK_IN,
            arrived_at=NOW - timedelta(minutes=item.arrived_minutes_ago),
            assigned_desk=item.sent_to if item.appointment else None,
            print_ticket=False,
        ).ticket
        if item.sent_to is not None and not item.appointment:
            q.transfer(ticket.id, desk_id=item.sent_to)
    for desk, plan in desks.items():
        q.set_desk_status(desk, plan.status)
    clock.set(NOW)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(desks=desk_set_ups(), queue=waiting_tickets())
def test_the_queue_shown_is_the_queue_called(
    template: Path, copies: Path, desks: dict[str, DeskSetUp], queue: list[Waiting]
) -> None:
    """For any queue and desks: the first ticket of each open desk's list is what its "call
    next" claims, at every step while the desks empty the queue; every estimate is when it is
    called and every printed "people ahead" counts the tickets called at an earlier moment to
    desks that may also call it (desks calling as soon as they are free, in id order at the
    same moment, each visit taking its service's typical time)."""
    db = copies / f"{len(list(copies.iterdir()))}.sqlite"
    shutil.copy(template, db)
    clock = FixedClock(NOW)
    session = open_session(db=db, clock=clock, person="tl")
    try:
        set_up(session, clock, desks, queue)
        q = QueueService(session)
        shown = {e.ticket.id: e for e in q.queue() if e.position is not None}
        printed = {ticket_id: ticket_printout(session, e.ticket) for ticket_id, e in shown.items()}
        # Desks that do not call now refuse, and claim nothing.
        for desk in ("greet-1", *(d for d, p in desks.items() if p.status is not DeskStatus.OPEN)):
            with pytest.raises(RuleViolation):
                q.call_next(desk)
        # The open desks empty the queue.
        open_desks = [d for d, p in desks.items() if p.status is DeskStatus.OPEN]
        free: list[tuple[int, str]] = []
        for desk, plan in desks.items():
            if plan.status is not DeskStatus.OPEN:
                continue
            left = 0
            if plan.busy is not None:
                service, minutes_ago, _started = plan.busy
                left = max(60, (TYPICAL_MINUTES[service] - minutes_ago) * 60)
            free.append((left, desk))
        heapq.heapify(free)
        calls: list[tuple[Ticket, str, int]] = []
        while free:
            at, desk = heapq.heappop(free)
            clock.set(NOW + timedelta(seconds=at))
            current = q.current_ticket(desk)
            if current is not None:
                q.finish(current.id, "resolved")
            listed = waiting_for(session.desk(desk), q.queue())
            called = q.call_next(desk)
            assert (called.id if called else None) == (listed[0].ticket.id if listed else None)
            if called is None:
                continue
            calls.append((called, desk, at))
            heapq.heappush(free, (at + TYPICAL_MINUTES[called.service] * 60, desk))
        called_at = {t.id: (n, at) for n, (t, _desk, at) in enumerate(calls)}
        for ticket_id, entry in shown.items():
            paper = printed[ticket_id]
            if ticket_id not in called_at:
                assert not any(may_call(d, entry.ticket) for d in open_desks)
                assert entry.estimated_wait_seconds is None and entry.ahead is None
                assert paper.ahead is None and paper.estimate_minutes is None
                continue
            n, at = called_at[ticket_id]
            before = sum(
                1 for _t, desk, then in calls[:n] if then < at and may_call(desk, entry.ticket)
            )
            assert entry.estimated_wait_seconds == at
            assert entry.ahead == before
            assert paper.ahead == before
        # Nothing anyone may call is left waiting.
        left_over = [e.ticket for e in q.queue() if e.position is not None]
        assert not any(may_call(d, t) for d in open_desks for t in left_over)
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
        q.set_desk_status("desk-2", DeskStatus.OPEN)  # C and W only
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


def test_meet_and_greet_does_not_call(cli: Cli) -> None:
    assert cli("ticket", "issue", "--service", "C", "--no-print").code == 0
    refused = cli("ticket", "call-next", "--desk", "greet-1")
    assert refused.code == 6
    assert "meet-and-greet" in refused.err and refused.err.count("\n") == 1
    assert json.loads(cli("ticket", "show", "C001", "--json").out)["status"] == "waiting"


# The order itself ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: int
    service: str
    priority: int
    assigned_desk: str | None
    needs_private_room: bool
    queued_ms: int


items = st.builds(
    Item,
    id=st.integers(1, 10_000),
    service=st.sampled_from("CBH"),
    priority=st.integers(0, 1),
    assigned_desk=st.none() | st.sampled_from(["d1", "d2"]),
    needs_private_room=st.booleans(),
    queued_ms=st.integers(0, 3_000_000),
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
            "assigned_desk_id TEXT, queued_at TEXT)"
        )
        epoch = datetime(2026, 11, 23, tzinfo=UTC)
        conn.executemany(
            "INSERT INTO tickets VALUES (?, ?, ?, ?)",
            [
                (
                    t.id,
                    t.priority,
                    t.assigned_desk,
                    format_instant(epoch + timedelta(milliseconds=t.queued_ms)),
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
