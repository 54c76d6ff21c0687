"""Generated history: rows shaped like the services', figures that the reports agree with,
and one-line errors."""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.devtools.history import (
    HistoryOptions,
    RowBuilder,
    SiteInfo,
    epoch_ms,
    generate,
    history_settings,
    instant,
)
from oss_desk.domain.appointments import Appointment
from oss_desk.domain.calendar import zone
from oss_desk.domain.models import Actor
from oss_desk.domain.workdays import WorkingDays
from oss_desk.render.json import daily_json
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session, open_session
from oss_desk.services.site import load_into
from oss_desk.storage import history as h
from oss_desk.storage.database import open_store
from oss_desk.worker.messages import MessageDelivery

from .conftest import Cli

LONDON = zone("Europe/London")
MONDAY = date(2026, 3, 30)  # the first Monday of British Summer Time: local = UTC + 1
INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def local(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=LONDON).astimezone(UTC)


def new_db(path: Path, sites: int = 1) -> Path:
    settings = history_settings(sites, 300, path.parent)
    store = open_store(path, create=True)
    try:
        load_into(
            store,
            settings,
            source="generated history",
            clock=FixedClock(local(MONDAY, 8, 0) - timedelta(days=10)),
            person="sam",
        )
    finally:
        store.close()
    return path


def test_instant_format_matches_the_clock() -> None:
    for when in (
        datetime(2026, 3, 29, 0, 59, 59, 999000, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        datetime(2030, 12, 31, 23, 59, 0, 5000, tzinfo=UTC),
    ):
        assert instant(epoch_ms(when)) == format_instant(when)


# (a) The same scripted day through the services and through the generator's row builders ----


def _through_services(db: Path) -> None:
    clock = FixedClock(local(MONDAY, 8, 0))

    def as_desk(desk: str | None, person: str | None = None) -> Session:
        return open_session(db=db, clock=clock, desk_id=desk, person=person)

    greet = as_desk("greet-1")
    desks = {d: as_desk(d) for d in ("desk-1", "desk-2", "desk-3", "room-1")}
    leader = as_desk(None, "amina")
    worker = dataclasses.replace(leader, actor=Actor("worker"))
    booker = AppointmentService(greet)
    queue = {d: QueueService(s) for d, s in desks.items()}
    greeter = QueueService(greet)

    def at(when: datetime) -> None:
        clock.set(when)

    def deliver(when: datetime) -> None:
        at(when)
        MessageDelivery(worker).deliver_due()

    try:
        tuesday = MONDAY - timedelta(days=6)
        booked: list[Appointment] = []
        for minute, (service, hour, adviser, channel) in enumerate(
            [
                ("H", (10, 0), "dev", "email"),
                ("C", (11, 0), "ben", "text"),
                ("T", (11, 30), "fatima", "email"),
                ("C", (14, 0), "ben", "email"),
            ]
        ):
            at(local(tuesday, 10, minute))
            n = len(booked) + 1
            appt = booker.book(
                service,
                local(MONDAY, *hour),
                channel=channel,
                name=f"Resident {n}",
                email=f"resident{n}@example.org" if channel == "email" else None,
                phone=f"+44770090000{n}" if channel == "text" else None,
                adviser=adviser,
            )
            deliver(local(tuesday, 10, minute, 2))
            booked.append(appt)
        at(local(tuesday + timedelta(days=1), 14, 0))
        booker.cancel(booked[1].ref, "resident")
        deliver(local(tuesday + timedelta(days=1), 14, 0, 2))
        deliver(local(MONDAY - timedelta(days=4), 9, 0, 3))  # the reminders
        at(local(MONDAY, 8, 50))
        AppointmentService(leader).cancel(booked[2].ref, "council", "Adviser unavailable")
        deliver(local(MONDAY, 8, 50, 2))

        at(local(MONDAY, 9, 5))
        first = greeter.issue("C", needs="wheelchair", print_ticket=False).ticket
        at(local(MONDAY, 9, 6))
        second = greeter.issue("B", print_ticket=False).ticket
        at(local(MONDAY, 9, 7))
        greeter.quick_visit("W", "resolved")
        at(local(MONDAY, 9, 8))
        greeter.issue("Q", print_ticket=False)
        at(local(MONDAY, 9, 10))
        called = queue["desk-1"].call_next()
        assert called is not None and called.id == first.id
        at(local(MONDAY, 9, 11))
        queue["desk-1"].start(first.id)
        at(local(MONDAY, 9, 12))
        called = queue["desk-2"].call_next()
        assert called is not None and called.id == second.id
        at(local(MONDAY, 9, 13))
        queue["desk-2"].recall(second.id)
        at(local(MONDAY, 9, 15))
        queue["desk-2"].no_show(second.id)
        at(local(MONDAY, 9, 16))
        fourth = queue["desk-3"].call_next()
        assert fourth is not None and fourth.service == "Q"
        at(local(MONDAY, 9, 18))
        queue["desk-3"].transfer(fourth.id, service="C")
        at(local(MONDAY, 9, 20))
        queue["desk-1"].finish(first.id, "resolved")
        at(local(MONDAY, 9, 21))
        moved = queue["desk-1"].call_next()
        assert moved is not None and moved.service == "C"
        at(local(MONDAY, 9, 30))
        queue["desk-1"].finish(moved.id, "referred")
        at(local(MONDAY, 9, 50))
        booker.check_in(booked[0].ref)
        at(local(MONDAY, 9, 55))
        in_room = queue["room-1"].call_next()
        assert in_room is not None and in_room.priority == 1
        at(local(MONDAY, 10, 40))
        queue["room-1"].finish(in_room.id, "resolved")
        at(local(MONDAY, 14, 15, 20))
        assert len(AppointmentService(worker).auto_no_show()) == 1
        at(local(MONDAY, 16, 50))
        last = greeter.issue("T", print_ticket=False).ticket
        at(local(MONDAY, 17, 10))
        QueueService(leader).cancel(last.id, "end_of_day")
    finally:
        for s in (greet, leader, *desks.values()):
            s.close()


def _through_builder(db: Path) -> None:
    b = RowBuilder()
    store = open_store(db)
    ids = h.next_ids(store.conn)
    b.next_visit, b.next_ticket, b.next_event = ids["visits"], ids["tickets"], ids["events"]
    site = SiteInfo("town-hall", "Europe/London", "greet-1", "chloe")
    workdays = WorkingDays.of("ENG")

    def ms(when: datetime) -> int:
        return epoch_ms(when)

    tuesday = MONDAY - timedelta(days=6)
    reminder = ms(local(MONDAY - timedelta(days=4), 9, 0))
    booked = []
    for minute, (service, hour, length, adviser, room, channel) in enumerate(
        [
            ("H", (10, 0), 45, "dev", "room-1", "email"),
            ("C", (11, 0), 20, "ben", None, "text"),
            ("T", (11, 30), 15, "fatima", None, "email"),
            ("C", (14, 0), 20, "ben", None, "email"),
        ]
    ):
        start = ms(local(MONDAY, *hour))
        booked.append(
            b.book(
                site,
                ms(local(tuesday, 10, minute)),
                service,
                start,
                start + length * 60_000,
                adviser=adviser,
                room=room,
                channel=channel,
                ref=f"AAA-AA{minute + 3}",
                reminder_due=reminder,
            )
        )
    cancel_at = local(tuesday + timedelta(days=1), 14, 0)
    b.send_reminder(site, booked[1], before=ms(cancel_at))
    notice = workdays.notice(cancel_at.astimezone(LONDON).replace(tzinfo=None), MONDAY, time(17))
    b.cancel_appointment(
        site,
        booked[1],
        ms(cancel_at),
        by="resident",
        notice=notice,
        breach=False,
        reason=None,
        actor="chloe",
        desk="greet-1",
    )
    for appt in (booked[0], booked[2], booked[3]):
        b.send_reminder(site, appt)
    b.cancel_appointment(
        site,
        booked[2],
        ms(local(MONDAY, 8, 50)),
        by="council",
        notice=0,
        breach=True,
        reason="Adviser unavailable",
        actor="amina",
        desk=None,
    )

    first = b.issue(site, ms(local(MONDAY, 9, 5)), "C", needs=["wheelchair"])
    second = b.issue(site, ms(local(MONDAY, 9, 6)), "B")
    b.quick_visit(site, ms(local(MONDAY, 9, 7)), "W", "resolved")
    fourth = b.issue(site, ms(local(MONDAY, 9, 8)), "Q")
    b.call(site, first, ms(local(MONDAY, 9, 10)), "desk-1", "ben")
    b.start(site, first, ms(local(MONDAY, 9, 11)))
    b.call(site, second, ms(local(MONDAY, 9, 12)), "desk-2", "dev")
    b.recall(site, second, ms(local(MONDAY, 9, 13)))
    b.no_show(site, second, ms(local(MONDAY, 9, 15)))
    b.call(site, fourth, ms(local(MONDAY, 9, 16)), "desk-3", "fatima")
    moved = b.transfer(site, fourth, ms(local(MONDAY, 9, 18)), "C")
    b.finish(site, first, ms(local(MONDAY, 9, 20)), "resolved")
    b.call(site, moved, ms(local(MONDAY, 9, 21)), "desk-1", "ben")
    b.finish(site, moved, ms(local(MONDAY, 9, 30)), "referred")
    ticket = b.check_in(site, booked[0], ms(local(MONDAY, 9, 50)))
    b.call(site, ticket, ms(local(MONDAY, 9, 55)), "room-1", "amina")
    b.finish(site, ticket, ms(local(MONDAY, 10, 40)), "resolved")
    b.appointment_no_show(site, booked[3], ms(local(MONDAY, 14, 15, 20)))
    last = b.issue(site, ms(local(MONDAY, 16, 50)), "T")
    b.cancel(site, last, ms(local(MONDAY, 17, 10)), "amina", "end_of_day")
    try:
        batches = b.batches()
        batches["ticket_counters"] = b.counter_rows()
        h.insert_rows(store.conn, batches)
        assert h.check_foreign_keys(store.conn) == 0
    finally:
        store.close()


ID_COLUMNS = {"id", "visit_id", "ticket_id", "appointment_id", "transferred_from", "ref"}
ID_COLUMNS |= {"reference", "provider_id", "rebooked_from"}
ID_KEYS = {"ticket", "to_ticket", "transferred_from"}
TABLES = {
    "visits": "id",
    "tickets": "id",
    "ticket_counters": "site_id, service_code",
    "appointments": "id",
    "appointment_contacts": "appointment_id",
    "resource_units": "resource, unit",
    "messages": "id",
}


def _shape(db: Path) -> dict[str, Any]:
    """Every row, with ids and random references reduced to "is it set", and each event's
    data with its ids masked; per visit, the sequence of event kinds."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        shape: dict[str, Any] = {}
        for table, order in TABLES.items():
            rows = []
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY {order}"):
                cells = []
                for column in row.keys():  # noqa: SIM118 (sqlite3.Row iterates values)
                    value = row[column]
                    if column.endswith("_at") and value is not None:
                        assert INSTANT.match(value), (table, column, value)
                    if column in ("name", "email", "phone"):
                        value = value is not None
                    cells.append((column, value is not None if column in ID_COLUMNS else value))
                rows.append(tuple(cells))
            shape[table] = sorted(rows, key=repr)
        events = []
        sequences: dict[int, list[str]] = {}
        for row in conn.execute(
            "SELECT * FROM events WHERE kind != 'config_loaded' ORDER BY at, id"
        ):
            data = {
                k: (v is not None if k in ID_KEYS else v)
                for k, v in json.loads(row["data"]).items()
            }
            assert INSTANT.match(row["at"])
            events.append(
                (
                    row["at"],
                    row["business_day"],
                    row["local_hour"],
                    row["site_id"],
                    row["kind"],
                    row["actor"],
                    row["desk_id"],
                    row["visit_id"] is not None,
                    row["ticket_id"] is not None,
                    row["appointment_id"] is not None,
                    row["service_code"],
                    row["outcome"],
                    sorted(data.items()),
                )
            )
            if row["visit_id"] is not None:
                sequences.setdefault(row["visit_id"], []).append(row["kind"])
        shape["events"] = sorted(events, key=repr)
        shape["sequences"] = sorted(sequences.values())
        return shape
    finally:
        conn.close()


def test_builder_rows_are_shaped_like_the_services_rows(tmp_path: Path) -> None:
    real = new_db(tmp_path / "real" / "office.sqlite")
    made = new_db(tmp_path / "made" / "office.sqlite")
    _through_services(real)
    _through_builder(made)
    want, got = _shape(real), _shape(made)
    assert want["sequences"] == got["sequences"]
    assert [
        "arrived",
        "ticket_issued",
        "called",
        "transferred",
        "ticket_issued",
        "called",
        "finished",
    ] in got["sequences"]
    for table in (*TABLES, "events"):
        assert len(want[table]) == len(got[table]), table
        for a, b in zip(want[table], got[table], strict=True):
            assert a == b, table
    # Across the clock change: local 09:05 on the Monday is 08:05 UTC, in hour "09".
    assert any(e[0].startswith("2026-03-30T08:05") and e[2] == 9 for e in got["events"])


# (b) A generated history gives the figures the generator counted --------------------------


def _daily(session: Session, day: str, site: str) -> dict[str, Any]:
    return daily_json(ReportService(session).daily(day, site))


def _pct(part: int, whole: int) -> float | None:
    from decimal import ROUND_HALF_UP, Decimal

    if not whole:
        return None
    return float((Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP))


def test_generated_history_reports_what_the_generator_counted(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    result = generate(
        db,
        HistoryOptions(weeks=2, sites=2, visits_per_day=120, seed=7, end=date(2026, 11, 20)),
        clock=FixedClock(datetime(2026, 11, 21, 12, tzinfo=UTC)),
    )
    assert result.sites == ["town-hall", "north-office"]
    assert result.opening_days == 10
    assert len(result.figures) == 20
    assert result.visits == sum(f.visits for f in result.figures.values())
    session = open_session(db=db, clock=FixedClock(datetime(2026, 11, 21, 12, tzinfo=UTC)))
    try:
        for (site, day), counted in sorted(result.figures.items()):
            report = _daily(session, day, site)
            assert report["visits"] == counted.visits, (site, day)
            assert report["no_shows"] == counted.no_shows
            measured = counted.seen + counted.walked_out_after_target + counted.closed_unseen
            assert report["within_15_min_pct"] == _pct(counted.seen_within_target, measured)
            assert (
                report["seen"],
                report["walked_out_after_target"],
                report["left_before_target"],
                report["closed_unseen"],
            ) == (
                counted.seen,
                counted.walked_out_after_target,
                counted.left_before_target,
                counted.closed_unseen,
            ), (site, day)
            assert report["first_contact_resolution_pct"] == _pct(
                counted.finished_first_contact, counted.finished
            )
            assert {k: v for k, v in report["by_hour"].items() if v} == {
                f"{hour:02d}": n for hour, n in counted.by_hour.items()
            }
            assert {k: v for k, v in report["by_service"].items() if v} == counted.by_service
            assert report["still_waiting"] == 0
    finally:
        session.close()
    conn = sqlite3.connect(db)
    try:
        assert h.check_foreign_keys(conn) == 0
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # Same schema as a database made by `init`: every index is back.
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        assert {"events_day", "events_visit", "events_one_arrival", "tickets_call_order"} <= names
        kinds = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM events")}
        assert {
            "arrived",
            "ticket_issued",
            "called",
            "finished",
            "no_show",
            "recalled",
            "appointment_booked",
            "appointment_checked_in",
            "reminder_sent",
        } <= kinds
        statuses = {r[0] for r in conn.execute("SELECT DISTINCT status FROM appointments")}
        assert {"attended", "cancelled"} <= statuses
        # A visit finished "needs an appointment" has one booked, arranged in it by the adviser
        # at the desk (as the booking dialog does), with the event that says so; a walk-in-only
        # service never ends that way.
        needing = conn.execute("SELECT count(*) FROM visits WHERE outcome = 'appointment'")
        assert needing.fetchone()[0] > 10
        unbooked = (
            "SELECT count(*) FROM visits v WHERE outcome = 'appointment' AND NOT EXISTS"
            " (SELECT 1 FROM appointments a WHERE a.arranged_in_visit = v.id)"
        )
        assert conn.execute(unbooked).fetchone() == (0,)
        booked = conn.execute(
            "SELECT count(*) FROM appointments a JOIN events e ON e.appointment_id = a.id"
            " AND e.kind = 'appointment_booked'"
            " WHERE a.arranged_in_visit IS NOT NULL AND e.desk_id NOT LIKE '%greet%'"
            " AND json_extract(e.data, '$.arranged_in_visit') = a.arranged_in_visit"
        )
        arranged = "SELECT count(*) FROM appointments WHERE arranged_in_visit IS NOT NULL"
        assert booked.fetchone() == conn.execute(arranged).fetchone()
        walk_in_only = (
            "SELECT count(*) FROM appointments a JOIN services s ON s.code = a.service_code"
            " WHERE s.appointment_minutes IS NULL"
        )
        assert conn.execute(walk_in_only).fetchone() == (0,)
        # Each office's records begin on one day, its first of visits: nothing (a booking, a
        # cancellation, a reminder) is recorded before it, so no month before the history is a
        # month of records with no visits in it.
        firsts = dict(conn.execute("SELECT site_id, min(business_day) FROM events GROUP BY 1"))
        visits = "SELECT site_id, min(business_day) FROM events WHERE kind = 'arrived' GROUP BY 1"
        assert firsts == dict(conn.execute(visits)) | {None: None}
    finally:
        conn.close()


def test_the_generator_counts_contacts_by_the_domain_rule(tmp_path: Path) -> None:
    """A call followed by a start of its ticket is a contact, whatever becomes of the ticket
    later (the domain's contact rule): a resident served and then cancelled at close of day
    was seen, one called and then cancelled as left was not. The generator's own count of
    the day agrees with the report read from the rows it wrote."""
    db = new_db(tmp_path / "contacts.sqlite")
    b = RowBuilder()
    store = open_store(db)
    ids = h.next_ids(store.conn)
    b.next_visit, b.next_ticket, b.next_event = ids["visits"], ids["tickets"], ids["events"]
    site = SiteInfo("town-hall", "Europe/London", "greet-1", "chloe")
    served = b.issue(site, epoch_ms(local(MONDAY, 16, 30)), "C")
    b.call(site, served, epoch_ms(local(MONDAY, 16, 40)), "desk-1", "ben")
    b.start(site, served, epoch_ms(local(MONDAY, 16, 41)))
    b.cancel(site, served, epoch_ms(local(MONDAY, 17, 10)), "amina", "end_of_day")
    left = b.issue(site, epoch_ms(local(MONDAY, 16, 31)), "B")
    b.call(site, left, epoch_ms(local(MONDAY, 16, 50)), "desk-2", "dev")
    b.cancel(site, left, epoch_ms(local(MONDAY, 16, 52)), "dev", "left")
    try:
        h.insert_rows(store.conn, {**b.batches(), "ticket_counters": b.counter_rows()})
    finally:
        store.close()
    counted = b.figures["town-hall", MONDAY.isoformat()]
    assert (counted.seen, counted.closed_unseen, counted.left_before_target) == (1, 0, 0)
    assert counted.walked_out_after_target == 1
    session = open_session(db=db, clock=FixedClock(local(MONDAY, 18, 0)))
    try:
        report = _daily(session, MONDAY.isoformat(), "town-hall")
    finally:
        session.close()
    assert (report["seen"], report["walked_out_after_target"], report["closed_unseen"]) == (
        counted.seen,
        counted.walked_out_after_target,
        counted.closed_unseen,
    )


def test_the_same_seed_gives_the_same_history(tmp_path: Path) -> None:
    options = HistoryOptions(weeks=1, sites=1, visits_per_day=40, seed=3, end=date(2026, 6, 5))
    clock = FixedClock(datetime(2026, 6, 6, tzinfo=UTC))
    one = generate(tmp_path / "one.sqlite", options, clock=clock)
    two = generate(tmp_path / "two.sqlite", options, clock=clock)
    assert one.rows == two.rows
    assert one.figures == two.figures


def test_personal_data_is_purged_by_the_real_retention_purge(tmp_path: Path) -> None:
    """The generator runs the worker's retention purge (one rule, one home), as of now."""
    db = tmp_path / "purged.sqlite"
    now = datetime(2026, 11, 21, 12, tzinfo=UTC)
    generate(
        db,
        HistoryOptions(weeks=8, sites=1, visits_per_day=40, seed=5, end=date(2026, 11, 20)),
        clock=FixedClock(now),
    )
    conn = sqlite3.connect(db)
    try:
        # Past the cut-off: held before 22 Oct, or cancelled before it began (00:00 BST), the
        # retention of a cancelled booking's details counting from its cancellation.
        kept = conn.execute(
            "SELECT a.business_day < '2026-10-22' "
            "  OR coalesce(a.cancelled_at < '2026-10-21T23:00:00.000Z', 0), "
            "c.name IS NULL, c.purged_at "
            "FROM appointments a JOIN appointment_contacts c ON c.appointment_id = a.id"
        ).fetchall()
        assert {old for old, _gone, _at in kept} == {0, 1}  # both sides of the cut-off
        for old, gone, at in kept:
            assert gone == old
            assert at == (format_instant(now) if old else None)
        purges = conn.execute(
            "SELECT kind, actor, at FROM events WHERE kind LIKE '%purged'"
        ).fetchall()
        assert purges == [("data_purged", "worker", format_instant(now))]
    finally:
        conn.close()


def test_cli_generates_and_prints_one_json_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "cli.sqlite"
    cli = Cli(db, monkeypatch)
    result = cli(
        "history",
        "generate",
        "--years",
        "1",
        "--sites",
        "1",
        "--visits-per-day",
        "15",
        "--end",
        "2026-06-30",
        "--json",
    )
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["first_day"] == "2025-07-01"
    assert summary["last_day"] == "2026-06-30"
    assert summary["sites"] == ["town-hall"]
    assert 245 <= summary["opening_days"] <= 256  # weekdays less the bank holidays
    assert summary["visits"] > 2000
    assert "history:" in result.err  # progress on stderr
    report = cli("report", "daily", "--date", "2026-06-30", "--format", "json")
    assert report.code == 0 and report.json()["visits"] > 0


# (c) Bad input: one line on stderr, nothing created or changed ------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--years", "0"], "--years must be from 1 to 10"),
        (["--years", "-2"], "--years must be from 1 to 10"),
        (["--sites", "9"], "--sites must be from 1 to 8"),
        (["--sites", "0"], "--sites must be from 1 to 8"),
        (["--visits-per-day", "0"], "--visits-per-day must be from 1"),
        (["--end", "2026-13-01"], "is not a date"),
        (["--end", "2030-01-01"], "--end 2030-01-01 is in the future: no figures yet"),
    ],
)
def test_bad_options_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    db = tmp_path / "new.sqlite"
    result = Cli(db, monkeypatch)("history", "generate", *args, now="2026-12-06T10:00:00Z")
    assert result.code == 2  # a user's mistake
    assert message in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert not db.exists()


def test_an_existing_database_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "office.sqlite"
    db.write_bytes(b"precious")
    result = Cli(db, monkeypatch)("history", "generate", "--years", "1")
    assert result.code != 0
    assert result.err.count("\n") == 1 and "exists already" in result.err
    assert db.read_bytes() == b"precious"


def test_report_indexes_cover_the_report_columns(tmp_path: Path) -> None:
    store = open_store(tmp_path / "fresh.sqlite", create=True)
    try:

        def columns(index: str) -> list[str]:
            return [r[2] for r in store.conn.execute(f"PRAGMA index_info('{index}')")]

        assert columns("events_day") == [
            "business_day",
            "kind",
            "site_id",
            "outcome",
            "ticket_id",
            "visit_id",
        ]
        assert columns("events_visit") == ["visit_id", "kind", "at", "ticket_id", "business_day"]
        assert columns("appointments_ticket") == ["ticket_id"]
        assert columns("tickets_by_day") == ["business_day", "service_code", "number"]
        assert columns("appointments_by_day") == ["business_day", "starts_at"]
    finally:
        store.close()
