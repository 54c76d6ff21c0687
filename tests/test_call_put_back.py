"""A call the resident did not hear, put back in the queue (the adviser's ``q``, ``oss-desk
ticket recycle``), is no contact: the 15-minute clock runs on to the call they came to, in
every figure (the live figures, the daily, monthly and annual reports, the stored days). A call
the resident answered (its ticket then started, parked, sent on or finished) is a contact,
whatever becomes of the ticket later (review 12: sent on to another desk, then closed with the
office).

One rule (``oss_desk/domain/standards.py`` :func:`contact_times`), spelt in SQL once: the view
``visit_calls`` (schema/0056), which the ``visit_facts`` triggers read, and the reading of an
older copy from its events alone (``oss_desk/storage/reports_visits.py``, as a TEMP view). The
property below drives the real queue service from two desks with arbitrary sequences of calls,
recalls, put-backs, no-shows and their undoing, starts, transfers, sends to the other desk or
adviser, parks and resumes, an adviser logging out and in, finishes and cancellations, then
perhaps the close of the day, and holds all three equal."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from oss_desk.clock import FixedClock
from oss_desk.domain.models import Outcome
from oss_desk.domain.standards import LoggedEvent, VisitFacts, contact_times
from oss_desk.domain.tally import DayTally, VisitTally
from oss_desk.errors import OssDeskError
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now
from oss_desk.services.session import open_session
from oss_desk.storage.reports import day_tallies

from .conftest import Cli, make_db, site_toml
from .test_visit_facts import assert_rows_are_the_events, assert_tallies_are_the_events

DAY = "2026-11-23"


def ok(cli: Cli, hhmm: str, *args: str) -> Any:
    result = cli(*args, "--json", now=f"{DAY}T{hhmm}:00Z")
    assert result.code == 0, result.err
    return result.json()


FIGURES = (
    "seen",
    "seen_within_target",
    "not_yet_seen",
    "measured",
    "within_15_min_pct",
    "wait_median_minutes",
    "walked_out_after_target",
    "left_before_target",
)


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    return {k: report[k] for k in FIGURES}


def test_a_call_not_heard_is_no_contact_in_every_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The trial's C002: arrived 09:00, called 09:10, put back 09:13 (did not hear), called
    again and at the desk at 09:26. While it waits it is not seen yet; then a miss (26
    minutes), never seen within 15 minutes at the unheard call."""
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    ok(cli, "09:00", "ticket", "issue", "--service", "C")  # C001
    ok(cli, "09:01", "ticket", "issue", "--service", "C")  # C002: seen at once, the control
    ok(cli, "09:02", "ticket", "call", "C002", "--desk", "desk-2")
    ok(cli, "09:10", "ticket", "call", "C001", "--desk", "desk-1")
    ok(cli, "09:13", "ticket", "recycle", "C001")
    waiting = ok(cli, "09:20", "report", "daily", "--date", DAY)
    assert (waiting["seen"], waiting["seen_within_target"], waiting["not_yet_seen"]) == (1, 1, 1)
    ok(cli, "09:26", "ticket", "call", "C001", "--desk", "desk-1")
    ok(cli, "09:26", "ticket", "start", "C001")
    ok(cli, "09:30", "ticket", "finish", "C001", "--outcome", "resolved")
    ok(cli, "09:31", "ticket", "finish", "C002", "--outcome", "resolved")
    daily = ok(cli, "18:00", "report", "daily", "--date", DAY)
    assert _figures(daily) == {
        "seen": 2,
        "seen_within_target": 1,
        "not_yet_seen": 0,
        "measured": 2,
        "within_15_min_pct": 50.0,
        "wait_median_minutes": 13.5,  # of 1 and 26 minutes (the unheard call: 5.5)
        "walked_out_after_target": 0,
        "left_before_target": 0,
    }
    monthly = ok(cli, "18:00", "report", "monthly", "--month", "2026-11")
    counted = cli("report", "daily", "--date", DAY, "--json", now="2026-11-24T08:00:00Z")
    stored = cli("report", "daily", "--date", DAY, "--json", now="2026-11-24T08:01:00Z")
    for report in (monthly, counted.json(), stored.json()):
        assert _figures(report) == _figures(daily)


def test_a_no_show_after_a_call_not_heard_waited_to_the_call_they_missed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Put back at 5 minutes (they were still there), then not there when called at 20: a
    walk-out after the target (a miss), not one who left before it."""
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    ok(cli, "09:00", "ticket", "issue", "--service", "C")
    ok(cli, "09:05", "ticket", "call", "C001", "--desk", "desk-1")
    ok(cli, "09:06", "ticket", "recycle", "C001")
    ok(cli, "09:20", "ticket", "call", "C001", "--desk", "desk-1")
    ok(cli, "09:22", "ticket", "no-show", "C001")
    daily = ok(cli, "18:00", "report", "daily", "--date", DAY)
    assert (daily["walked_out_after_target"], daily["left_before_target"]) == (1, 0)
    assert (daily["measured"], daily["seen"]) == (1, 0)


def test_the_live_figures_count_a_call_put_back_as_not_seen(tmp_path: Path) -> None:
    """The team leader's running figures (the snapshot the leader's screen shows)."""
    from oss_desk.render.json import as_json
    from oss_desk.services.desk_view import take_snapshot

    db = make_db(tmp_path, site_toml())
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    greet = open_session(db=db, clock=clock, person="greeter", desk_id="greet-1")
    desk = open_session(db=db, clock=clock, person="adviser", desk_id="desk-1")
    try:
        issued = QueueService(greet).issue("C", print_ticket=False).ticket
        clock.set(datetime(2026, 11, 23, 9, 5, tzinfo=UTC))
        QueueService(desk).call(issued.id)
        clock.set(datetime(2026, 11, 23, 9, 6, tzinfo=UTC))
        QueueService(desk).recycle(issued.id)
        clock.set(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
        figures = take_snapshot(greet, figures=True).figures
    finally:
        greet.close()
        desk.close()
    assert figures is not None
    live = as_json(figures)
    assert (live["seen"], live["seen_within_target"], live["not_yet_seen"]) == (0, 0, 1)


def test_an_older_database_is_recounted_when_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database whose rows were kept by the rule before schema/0049 (the unheard call
    counted): migrating works its rows out again."""
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    ok(cli, "09:00", "ticket", "issue", "--service", "C")
    ok(cli, "09:05", "ticket", "call", "C001", "--desk", "desk-1")
    ok(cli, "09:06", "ticket", "recycle", "C001")
    ok(cli, "09:40", "ticket", "call", "C001", "--desk", "desk-1")
    conn = sqlite3.connect(db)
    with conn:  # as the old rule kept it: seen at the unheard call
        conn.execute("UPDATE visit_facts SET first_call_ms = first_call_ms - 35 * 60000")
        conn.execute("UPDATE visit_facts SET attended_ms = first_call_ms")
        conn.execute(
            "DELETE FROM _sqlite_migrations WHERE name IN"
            " ('0049_visit_facts_call_put_back', '0056_visit_calls_reached_desk')"
        )
        conn.execute("DROP TRIGGER visit_facts_reached")
        conn.execute(
            "CREATE TRIGGER visit_facts_gone AFTER INSERT ON events WHEN 0 BEGIN SELECT 1; END"
        )
    conn.close()
    assert cli("init", now=f"{DAY}T09:45:00Z").code == 0  # the upgrade
    daily = ok(cli, "09:45", "report", "daily", "--date", DAY)
    assert (daily["seen"], daily["seen_within_target"]) == (1, 0)
    assert_rows_are_the_events(db, tmp_path)


# The property: arbitrary sequences of what desks do, through the real queue service.

STEPS = (
    "call",
    "call",
    "recall",
    "recycle",
    "recycle",
    "no_show",
    "undo_no_show",
    "start",
    "transfer",
    "send_desk",
    "send_person",
    "park",
    "resume",
    "leave",
    "finish",
    "cancel",
)
"""What a desk does to a ticket: ``send_desk`` and ``send_person`` send it on in its own
service (to the other desk, to the other adviser: it keeps its id, back in the queue);
``leave``: the adviser logs out and in again (what was parked at or sent to their desk goes
back to the queue)."""

ADVISERS = (("ann", "desk-1"), ("ben", "desk-2"))
STAFF = "".join(
    f'\n[[staff]]\nid = "{person}"\nname = "{person.title()}"\nrole = "adviser"\n'
    for person, _desk in ADVISERS
)

RUNS = count()


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_db(tmp_path_factory.mktemp("put-back"), site_toml(extra=STAFF))


def _act(queue: QueueService, step: str, ticket: int, other: int) -> int | None:
    """Adviser ``ADVISERS[1 - other]`` does ``step`` to ``ticket`` (``other``: the other
    adviser's place there); returns a new ticket's id (a transfer's)."""
    person, desk = ADVISERS[other]
    if step == "call":
        queue.call(ticket)
    elif step == "transfer":
        return queue.transfer(ticket, service="W").id
    elif step == "send_desk":
        queue.transfer(ticket, desk_id=desk)
    elif step == "send_person":
        queue.transfer(ticket, person=person)
    elif step == "park":
        queue.park(ticket, "document")
    elif step == "leave":
        own = ADVISERS[1 - other][1]
        queue.log_out(own)
        queue.log_in(own)
    elif step == "finish":
        queue.finish(ticket, Outcome.RESOLVED)
    elif step == "cancel":
        queue.cancel(ticket, "left")
    else:
        getattr(queue, step)(ticket)
    return None


def _facts_in_python(conn: sqlite3.Connection) -> list[tuple[str, str, VisitFacts]]:
    """Each visit's facts from its events, by the domain's rule (and what ended it)."""
    rows: list[tuple[str, str, VisitFacts]] = []
    visits = conn.execute(
        "SELECT visit_id, site_id, business_day, at FROM events WHERE kind = 'arrived'"
    ).fetchall()
    for visit_id, site, day, arrived in visits:
        events = conn.execute(
            "SELECT id, kind, ticket_id, at, json_extract(data, '$.reason') FROM events"
            " WHERE visit_id = ? ORDER BY id",
            [visit_id],
        ).fetchall()
        ms = {at: _ms(at) for _i, _k, _t, at, _r in events}
        first_call, attended = contact_times(
            LoggedEvent(kind, ticket, ms[at]) for _i, kind, ticket, at, _r in events
        )
        ends = [e for e in events if e[1] in ("finished", "no_show", "cancelled")]
        last = max(ends, key=lambda e: (e[3], e[0]), default=None)
        facts = VisitFacts(
            arrived_ms=_ms(arrived),
            seen_ms=attended,
            first_call_ms=first_call,
            ended=None if last is None else last[1],
            ended_reason=(last[4] or None) if last is not None and last[1] == "cancelled" else None,
            ended_ms=None if last is None else ms[last[3]],
        )
        rows.append((site, day, facts))
    return rows


def _ms(at: str) -> int:
    return round(datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() * 1000)


def _plain(tallies: dict[tuple[str, str], Any]) -> dict[tuple[str, str], dict[str, Any]]:
    out = {}
    for key, tally in tallies.items():
        visits = tally.visits if isinstance(tally, DayTally) else tally
        data = DayTally(visits=visits).plain()
        out[key] = {
            name: sorted(data[name])
            for name in ("waits_ms", "walk_outs_ms", "closed_ms", "appointment_waits_ms")
        } | {"not_yet": visits.not_yet, "seen": len(visits.waits_ms)}
    return out


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=3),
            st.sampled_from(STEPS),
            st.integers(min_value=0, max_value=9),
            st.integers(min_value=0, max_value=1),
        ),
        max_size=24,
    ),
    st.booleans(),
)
# Review 12's cases, always run: served, then sent on in the same service (to the other desk, to
# the other adviser) or parked and sent back when the adviser logged out, then closed at close
# of day; called, then sent on (another service, the other desk) without a start.
@example([(0, "call", 1, 0), (0, "start", 2, 0), (0, "send_desk", 3, 0)], True)
@example([(0, "call", 1, 0), (0, "start", 2, 0), (0, "send_person", 3, 0)], True)
@example([(0, "call", 1, 0), (0, "start", 2, 0), (0, "park", 3, 0), (0, "leave", 4, 0)], True)
@example([(0, "call", 1, 0), (0, "transfer", 3, 0)], True)
@example([(0, "call", 1, 1), (0, "send_desk", 3, 1)], True)
def test_the_figures_are_the_domain_rule_for_any_sequence(
    blank: Path, tmp_path: Path, steps: list[tuple[int, str, int, int]], closed: bool
) -> None:
    """Any sequence, then (``closed``) the team leader closes the day: every ticket still
    waiting or called is closed as "office closed", those sent on or parked after their
    resident was served among them."""
    db = tmp_path / f"run-{next(RUNS)}.sqlite"
    shutil.copy(blank, db)
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    clock = FixedClock(start)
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    desks = [open_session(db=db, clock=clock, person=p, desk_id=d) for p, d in ADVISERS]
    try:
        queues = [QueueService(desk) for desk in desks]
        for queue, (_person, desk_id) in zip(queues, ADVISERS, strict=True):
            queue.log_in(desk_id)
        tickets = [QueueService(greet).issue("C", print_ticket=False).ticket.id for _ in "abc"]
        for which, step, minutes, who in steps:
            clock.set(clock.now() + timedelta(minutes=minutes, milliseconds=1))
            try:
                moved = _act(queues[who], step, tickets[which % len(tickets)], 1 - who)
            except OssDeskError:
                continue  # not allowed now (the desk answers so): the sequence goes on
            if moved is not None:
                tickets.append(moved)
        if closed:
            clock.set(clock.now() + timedelta(minutes=1))
            close_now(greet)
    finally:
        greet.close()
        for desk in desks:
            desk.close()
    conn = sqlite3.connect(db)
    try:
        expected: dict[tuple[str, str], VisitTally] = {}
        for site, day, facts in _facts_in_python(conn):
            expected.setdefault((site, day), VisitTally()).count_visit(facts)
        assert _plain(day_tallies(conn, DAY, DAY, None)) == _plain(expected)
    finally:
        conn.close()
    assert_rows_are_the_events(db, tmp_path)
    assert_tallies_are_the_events(db, tmp_path, DAY, DAY)


def test_a_no_show_reads_as_a_word_as_other_statuses_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ticket no-show` printed the stored "no_show"; other commands print words ("done
    (resolved)", "cancelled"): it says "no-show" (JSON keeps the value)."""
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    ok(cli, "09:00", "ticket", "issue", "--service", "C")
    ok(cli, "09:05", "ticket", "call", "C001", "--desk", "desk-1")
    done = cli("ticket", "no-show", "C001", now=f"{DAY}T09:07:00Z")
    assert done.code == 0, done.err
    assert done.out == "C001  Council Tax  no-show\n"
    assert "no_show" not in cli("queue", now=f"{DAY}T09:08:00Z").out
    assert ok(cli, "09:09", "ticket", "show", "C001")["status"] == "no_show"
