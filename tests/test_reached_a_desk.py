"""A resident who reached a desk was seen, however their ticket ended later (review 12: 3, 4).

A ticket keeps its id when it goes back to the queue after its resident was served: sent on to
another desk or colleague in the same service, or parked and then sent back when its adviser
logged out. A ticket called and then sent on without a start was answered too (calling starts
the service). When the office then closed with it waiting, the appointment said "came, not
seen (office closed)" and the daily report counted a resident seen at once as closed unseen, a
miss of the 15-minute standard. One rule now answers both
(:func:`oss_desk.domain.standards.reached_a_desk`, :func:`~oss_desk.domain.standards.contact_times`;
in SQL the view ``visit_calls``, schema/0056).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise
from oss_desk.storage.rollup import ROLLUP_VERSION

from .appointments_site import make_office, office_toml, service_at
from .conftest import Cli, rows
from .test_visit_facts import keep_by_the_rule_before_0056


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)  # Monday, GMT


DAY = "2026-11-23"
LATER = "2026-12-04T18:00:00Z"


def _sent_to_a_desk(ana: QueueService, ticket: int) -> None:
    ana.start(ticket)
    ana.transfer(ticket, desk_id="room-1")


def _sent_to_a_colleague(ana: QueueService, ticket: int) -> None:
    ana.start(ticket)
    ana.transfer(ticket, person="bob")


def _parked_then_sent_back(ana: QueueService, ticket: int) -> None:
    ana.start(ticket)
    ana.park(ticket, "document")
    assert [t.id for t in ana.log_out("desk-1").sent_back] == [ticket]


def _called_then_sent_to_a_desk(ana: QueueService, ticket: int) -> None:
    ana.transfer(ticket, desk_id="room-1")


def _called_then_another_service(ana: QueueService, ticket: int) -> None:
    ana.transfer(ticket, service="W")


SENT_ON = [
    _sent_to_a_desk,
    _sent_to_a_colleague,
    _parked_then_sent_back,
    _called_then_sent_to_a_desk,
    _called_then_another_service,
]


def _day(tmp_path: Path, sent_on: Callable[[QueueService, int], None], site: str = "hq") -> Path:
    """Checked in at 09:55 for 10:00, called at Desk 1 at 10:00 (seen on time), sent on at
    10:05 as ``sent_on`` does, still waiting when the team leader closes the day at 11:25."""
    config = tmp_path / "office.toml"
    toml = office_toml(printer=f"capture://{tmp_path}/slips.bin")
    config.write_text(toml.replace('id = "hq"', f'id = "{site}"'))
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(at(9, 0)), config_path=config)
    clock = FixedClock(at(9, 30))
    appointments, greet = service_at(db, clock)
    ana = QueueService(open_session(db=db, clock=clock, person="ana", desk_id="desk-1"))
    bob = QueueService(open_session(db=db, clock=clock, person="bob", desk_id="room-1"))
    try:
        ana.log_in("desk-1")
        bob.log_in("room-1")
        booked = appointments.book("C", at(10, 0), channel="slip", adviser="ana")
        clock.set(at(9, 55))
        ticket = appointments.check_in(booked.ref)
        clock.set(at(10, 0))
        ana.call(ticket.id)
        clock.set(at(10, 5))
        sent_on(ana, ticket.id)
        clock.set(at(11, 25))
        assert len(close_now(greet)) == 1
    finally:
        for session in (greet, ana.s, bob.s):
            session.close()
    return db


def _report(cli: Cli, now: str) -> dict[str, Any]:
    daily = cli("--user", "tl", "report", "daily", "--date", DAY, "--json", now=now)
    assert daily.code == 0, daily.err
    found: dict[str, Any] = daily.json()
    return found


def _seen(report: dict[str, Any]) -> tuple[Any, ...]:
    return (
        report["seen"],
        report["closed_unseen"],
        report["measured"],
        report["within_15_min_pct"],
    )


SEEN_ON_TIME = (1, 0, 1, 100.0)


@pytest.mark.parametrize("sent_on", SENT_ON, ids=lambda f: f.__name__.strip("_"))
def test_a_resident_who_reached_a_desk_was_seen_though_the_office_closed_on_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sent_on: Callable[[QueueService, int], None]
) -> None:
    db = _day(tmp_path, sent_on)
    cli = Cli(db, monkeypatch)
    listed = cli(
        "--user", "tl", "appointment", "list", "--date", DAY, "--json", now="2026-11-23T12:00:00Z"
    )
    assert [a["status"] for a in listed.json()] == ["attended"]
    # The close of day's event says so too (the audit trail).
    ((data,),) = rows(db, "SELECT data FROM events WHERE kind = 'cancelled'")
    assert json.loads(data)["appointment"] == "attended"
    # Seen at the call, on time: not closed unseen, not a miss of the 15-minute standard; the
    # same live, counted after the day and read back from the stored day.
    assert _seen(_report(cli, "2026-11-23T12:00:00Z")) == SEEN_ON_TIME
    assert _seen(_report(cli, "2026-11-24T08:00:00Z")) == SEEN_ON_TIME
    assert _seen(_report(cli, "2026-11-24T08:01:00Z")) == SEEN_ON_TIME


def test_a_call_not_answered_is_still_not_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control: called, not come to the desk (nothing done with the ticket there), then
    closed with the office: came, not seen; closed unseen."""
    db = _day(tmp_path, lambda ana, ticket: None)
    cli = Cli(db, monkeypatch)
    listed = cli(
        "--user", "tl", "appointment", "list", "--date", DAY, "--json", now="2026-11-23T12:00:00Z"
    )
    assert [a["status"] for a in listed.json()] == ["not_seen"]
    assert _seen(_report(cli, "2026-11-23T12:00:00Z")) == (0, 1, 1, 0.0)


def test_an_office_upgraded_recounts_what_the_older_rule_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database kept by the rule before schema/0056 (a served resident's calls no contact
    once the ticket was closed, in its visit's row and in the stored day; the appointment
    "came, not seen" from its serving_at): migrating works the row out again, the stored day,
    of the older rollup version, is counted again, and schema/0057's back-fill, which asks
    the same rule, makes the appointment attended."""
    db = _day(tmp_path, _sent_to_a_desk)
    cli = Cli(db, monkeypatch)
    assert _seen(_report(cli, "2026-11-24T08:00:00Z")) == SEEN_ON_TIME  # the day is stored
    _as_before_0056(db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE appointments SET status = 'not_seen'")
        conn.execute(
            "DELETE FROM _sqlite_migrations WHERE name = '0057_appointment_ends_back_fill'"
        )
    conn.close()
    stored = f"SELECT version FROM daily_rollup WHERE business_day = '{DAY}'"
    assert rows(db, "SELECT attended_ms FROM visit_facts") == [(None,)]
    assert rows(db, stored) == [(5,)]
    assert cli("init", now="2026-11-24T08:01:00Z").code == 0  # the upgrade
    assert _seen(_report(cli, "2026-11-24T08:01:00Z")) == SEEN_ON_TIME
    assert rows(db, "SELECT attended_ms FROM visit_facts") == [(int(at(10).timestamp() * 1000),)]
    assert rows(db, stored) == [(ROLLUP_VERSION,)]
    assert rows(db, "SELECT name FROM sqlite_master WHERE name LIKE 'visit_facts_contact%'") == []
    assert rows(db, "SELECT status FROM appointments") == [("attended",)]


def test_an_older_office_s_copy_included_in_a_report_is_read_by_today_s_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another office's copy kept by the rule before schema/0056, included read-only (never
    migrated): read from its events, through the view as this version spells it."""
    here = make_office(tmp_path, now=at(9, 0))
    (tmp_path / "north").mkdir()
    north = _day(tmp_path / "north", _parked_then_sent_back, site="north")
    _as_before_0056(north)
    north.chmod(0o444)
    cli = Cli(here, monkeypatch)
    daily = cli(
        *("--user", "tl", "report", "daily", "--date", DAY, "--include", str(north), "--json"),
        now="2026-11-23T12:00:00Z",
    )
    assert daily.code == 0, daily.err
    assert _seen(daily.json()) == SEEN_ON_TIME
    assert rows(north, "SELECT attended_ms FROM visit_facts") == [(None,)]  # untouched


def test_a_month_over_an_older_office_s_copy_is_that_month_over_it_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review 14 (1): every office's copy made before schema/0056 (a nightly backup or a
    replica not migrated) is read as it is, read-only: its ``visit_facts``, with the visits
    whose ticket went worked out again by today's rule, and its stored days (of an older rollup
    version) counted again a month at a time. The monthly report, with its year of months,
    gives exactly the figures of the same copy migrated."""
    here = make_office(tmp_path, now=at(9, 0))
    (tmp_path / "north").mkdir()
    north = _day(tmp_path / "north", _parked_then_sent_back, site="north")
    Cli(north, monkeypatch)("--user", "tl", "report", "daily", "--date", DAY, now=LATER)
    assert rows(north, "SELECT count(*) FROM daily_rollup") != [(0,)]  # its days are stored
    _as_before_0056(north)
    migrated = tmp_path / "migrated.sqlite"
    shutil.copy(north, migrated)
    assert Cli(migrated, monkeypatch)("init", now=LATER).code == 0  # the upgrade
    assert _seen(_report(Cli(migrated, monkeypatch), LATER)) == SEEN_ON_TIME
    assert rows(migrated, "SELECT count(*) FROM sqlite_master WHERE name = 'visit_facts_reached'")
    north.chmod(0o444)

    def month(copy: Path) -> dict[str, Any]:
        done = Cli(here, monkeypatch)(
            *("--user", "tl", "report", "monthly", "--month", "2026-11", "--include", str(copy)),
            "--json",
            now=LATER,
        )
        assert done.code == 0, done.err
        found: dict[str, Any] = done.json()
        return found

    older = month(north)
    assert _seen(older) == SEEN_ON_TIME
    assert older == month(migrated)
    assert rows(north, "SELECT attended_ms FROM visit_facts") == [(None,)]  # untouched


def _as_before_0056(db: Path) -> None:
    """The database as 0049 to 0055 kept it: 0049's view and trigger, the visits' rows by
    its rule, and the stored day if any (rollup version 5) with the wait counted as closed
    unseen."""
    conn = sqlite3.connect(db)
    try:
        keep_by_the_rule_before_0056(conn)
        with conn:
            for (tally,) in conn.execute(
                "SELECT tally FROM daily_rollup WHERE business_day = ?", [DAY]
            ).fetchall():
                old = json.loads(tally)
                old["closed_ms"], old["waits_ms"] = [85 * 60_000], []
                old["appointment_waits_ms"] = []
                conn.execute(
                    "UPDATE daily_rollup SET tally = ?, version = 5 WHERE business_day = ?",
                    [json.dumps(old), DAY],
                )
    finally:
        conn.close()
