"""The demo's ready message counts the residents the live queue shows waiting (as ``oss-desk
queue`` does), not the tickets the demo meant to leave: at 11:00 on a weekday the residents
with appointments due soon have checked in as well."""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.cli.demo import prepare_demo_db
from oss_desk.clock import read_instant
from oss_desk.domain.calendar import zone
from oss_desk.services.demo import shown_instead
from oss_desk.services.demo_appointments import Opening, ahead_booked_at
from oss_desk.services.demo_clock import stop_clock
from oss_desk.services.session import open_session
from oss_desk.services.site import demo_settings
from oss_desk.storage.demo_clock import write_demo_clock

from .conftest import TRAINING, Cli, CliResult, make_db, rows, site_toml

FRIDAY = "2026-11-27T11:00:00Z"


def _build(folder: Path, now: str, days: int) -> tuple[Path, CliResult]:
    """A demo built as `oss-desk demo --no-app` builds it, with what the command printed."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        cli = Cli(folder / "demo" / "oss-desk-demo.sqlite", monkeypatch)
        built = cli("--db", str(cli.db), "demo", "--no-app", "--days", str(days), now=now)
    assert built.code == 0, built.err
    return cli.db, built


@pytest.fixture(scope="module")
def friday_three_days(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CliResult]:
    """The demo as of a Friday at 11:00 with three days of history: built once for the tests
    that only read it, or a copy of it, or what its build printed (a build takes 10-20 s)."""
    return _build(tmp_path_factory.mktemp("friday-3"), FRIDAY, 3)


def _ready_counts_the_queue(cli: Cli, built: CliResult, now: str) -> None:
    """The ready message's residents waiting now are those ``oss-desk queue`` shows waiting."""
    said = re.search(r"(\d+) residents? waiting now", built.out)
    assert said is not None, built.out
    queue = cli("--db", str(cli.db), "queue", now=now)
    assert queue.code == 0, queue.err
    shown = re.search(r"^Waiting \((\d+)\)$", queue.out, re.M)
    assert (shown.group(1) if shown else "0") == said.group(1), queue.out


def test_the_ready_message_counts_what_the_queue_shows(
    friday_three_days: tuple[Path, CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Friday morning (and, while the office is closed, the closed days' test below)."""
    db, built = friday_three_days
    assert built.code == 0, built.err
    _ready_counts_the_queue(Cli(db, monkeypatch), built, FRIDAY)


@pytest.mark.parametrize(
    ("now", "closed"),
    [
        ("2026-11-28T16:50:00Z", "a Saturday"),
        ("2026-11-27T07:30:00Z", "outside the opening hours 09:00-17:00"),
        ("2026-11-27T18:30:00Z", "outside the opening hours 09:00-17:00"),
        # A bank holiday is a closed day by the office's one rule (domain/workdays.py), which
        # the demo asks: it kept its own check of the opening hours, and filled Christmas Day.
        ("2026-12-25T11:00:00Z", "a bank holiday (Christmas Day)"),
    ],
)
def test_the_demo_issues_no_ticket_while_the_office_is_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str, closed: str
) -> None:
    """The demo's residents waiting now follow the office's opening days and hours: on a
    Saturday (an afternoon), before opening and after closing nobody is waiting and no ticket
    is issued today, and the ready message counts what the queue shows; the message says why,
    and how to see an open day (its last one, at 11:00)."""
    db = tmp_path / "demo.sqlite"
    cli = Cli(db, monkeypatch)
    # One day of history: the last opening day shown comes from the calendar, not the history.
    built = cli("--db", str(db), "demo", "--no-app", "--days", "1", now=now)
    assert built.code == 0, built.err
    assert " 0 residents waiting now" in built.out
    _ready_counts_the_queue(cli, built, now)
    assert f"  Nobody is waiting now: the office is closed ({closed}).\n" in built.out
    before = {"2026-11-27T07:30:00Z": "2026-11-26", "2026-12-25T11:00:00Z": "2026-12-24"}
    last_open = before.get(now, "2026-11-27")
    assert f"  OSS_DESK_NOW={last_open}T11:00:00Z oss-desk demo --reset\n" in built.out
    today = "SELECT count(*) FROM tickets WHERE business_day = ? AND issued_at >= ?"
    # Before opening or on a closed day, no ticket today; after closing, none since 17:00.
    since = f"{now[:10]}T{'17:00' if now.endswith('18:30:00Z') else '00:00'}"
    assert rows(db, today, now[:10], since) == [(0,)]


def test_every_visit_that_needs_an_appointment_has_one_booked(
    friday_three_days: tuple[Path, CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A visit the demo finishes "needs an appointment" books it at the desk, as the app's
    booking dialog does (counted as arranged in that visit), in a slot still ahead; walk-in-only
    services never end that way; and every confirmation was sent in time (no alert)."""
    built_db, built = friday_three_days  # a copy: the monthly report may store its rollup
    assert built.code == 0, built.err
    shutil.copytree(built_db.parent, tmp_path / "demo")
    db = tmp_path / "demo" / built_db.name
    cli = Cli(db, monkeypatch)
    now = FRIDAY
    needing = rows(db, "SELECT id FROM visits WHERE outcome = 'appointment'")
    assert len(needing) > 5
    unbooked = (
        "SELECT count(*) FROM visits v WHERE outcome = 'appointment' AND NOT EXISTS"
        " (SELECT 1 FROM appointments a WHERE a.arranged_in_visit = v.id)"
    )
    assert rows(db, unbooked) == [(0,)]
    walk_in_only = (
        "SELECT count(*) FROM visit_services s JOIN services v ON v.code = s.service_code"
        " WHERE s.outcome = 'appointment' AND v.appointment_minutes IS NULL"
    )
    assert rows(db, walk_in_only) == [(0,)]
    past = "SELECT count(*) FROM appointments WHERE status = 'booked' AND starts_at < ?"
    assert rows(db, past, "2026-11-27T11:00:00.000Z") == [(0,)]
    figures = cli("--db", str(db), "report", "monthly", "--format", "json", now=now).json()
    arranged = "SELECT count(*) FROM appointments WHERE arranged_in_visit IS NOT NULL"
    assert [(figures["appointments_arranged"],)] == rows(db, arranged)
    alerts = cli("--db", str(db), "alerts", "list", now=now)
    assert alerts.out.startswith("No alerts"), alerts.out


@pytest.mark.parametrize(
    ("now", "shown"),
    [
        ("2026-12-06T00:01:00+00:00", "2026-12-04T11:00:00+00:00"),  # Sunday night: Friday
        ("2026-12-05T14:00:00+00:00", "2026-12-04T11:00:00+00:00"),  # Saturday: Friday
        ("2026-12-07T07:30:00+00:00", "2026-12-04T11:00:00+00:00"),  # Monday before opening
        ("2026-12-07T18:00:00+00:00", "2026-12-07T11:00:00+00:00"),  # Monday after closing
        ("2026-12-07T10:00:00+00:00", None),  # open: the demo is as of now
        ("2026-06-01T20:00:00+00:00", "2026-06-01T10:00:00+00:00"),  # 11:00 BST
        ("2026-12-25T11:00:00+00:00", "2026-12-24T11:00:00+00:00"),  # Christmas Day: Thursday
        ("2026-12-28T10:00:00+00:00", "2026-12-24T11:00:00+00:00"),  # Boxing Day's Monday
    ],
)
def test_out_of_hours_the_demo_opens_as_on_the_last_opening_day(
    tmp_path: Path, now: str, shown: str | None
) -> None:
    """`oss-desk demo` at night or at a weekend opens the office as on its last opening day at
    11:00 (clock stopped then), rather than an empty office; while it is open, as of now."""
    instant = shown_instead(demo_settings(tmp_path), datetime.fromisoformat(now))
    assert (instant.isoformat() if instant else None) == shown


def test_a_real_office_never_takes_a_demo_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a training office (the demo) reads the demo's clock recorded in its database: the
    same row in a real office's database changes nothing; in the demo's, it is the demo's time."""
    monkeypatch.delenv("OSS_DESK_NOW", raising=False)
    since = datetime.now(UTC).isoformat()
    real = make_db(tmp_path, site_toml().replace(TRAINING, ""), name="real.sqlite")
    demo = make_db(tmp_path, None, name="demo.sqlite")
    for db in (real, demo):
        with contextlib.closing(sqlite3.connect(db)) as conn, conn:
            write_demo_clock(conn, "2020-01-06T11:00:00Z", since)
    for db, year in ((real, datetime.now(UTC).year), (demo, 2020)):
        session = open_session(db=db, host=True)
        try:
            assert session.clock.now().year == year
        finally:
            session.close()


def test_a_clock_file_left_beside_a_new_database_is_not_its_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A demo removed by hand (``rm demo.db``) left its clock file beside it (as the demo once
    kept its clock): a new demo made at the same path runs on the real time, not the dead
    demo's Friday (its first ticket was C001 on that Friday)."""
    monkeypatch.delenv("OSS_DESK_NOW", raising=False)
    db = tmp_path / "demo" / "oss-desk-demo.sqlite"
    db.parent.mkdir()
    since = datetime.now(UTC).isoformat()
    db.with_name(db.name + ".clock").write_text(
        f'{{"at": "2026-12-04T11:00:00.000Z", "since": "{since}"}}\n'
    )
    cli = Cli(db, monkeypatch)
    assert cli("--db", str(db), "init", "--demo").code == 0
    issued = cli("--db", str(db), "ticket", "issue", "--service", "C", "--json")
    assert issued.code == 0, issued.err
    today = datetime.now(UTC).date()
    assert read_instant(issued.json()["issued_at"]).date() in (today, today - timedelta(days=1))


def test_every_command_on_the_demo_keeps_its_running_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second terminal on the demo's database, without OSS_DESK_NOW, acts at the demo's time
    (the Friday it was built as of, running on), not the real clock's: its queue is the demo's
    and what it records follows the demo's events. OSS_DESK_NOW, when set, still wins.

    ``init --demo`` over a running demo (after a change, or as the README suggests) records
    its event at the demo's time, not the real one; so the demo, left and opened again, carries
    on from its own Friday rather than jumping to the real day (its queue then closed as a
    past day). ``doctor`` judges the demo by the same clock. Left with nobody on it, its clock
    stops: a command meanwhile acts where it was left, and it opens again from there.
    (One build for both: each build of a demo costs seconds.)"""
    monkeypatch.delenv("OSS_DESK_NOW", raising=False)
    db = tmp_path / "demo" / "oss-desk-demo.sqlite"
    cli = Cli(db, monkeypatch)
    built = cli("--db", str(db), "demo", "--no-app", "--days", "1", now="2026-12-04T11:00:00Z")
    assert built.code == 0, built.err
    queue = cli("--db", str(db), "queue")
    assert queue.code == 0 and "live queue, 2026-12-04 11:0" in queue.out, queue.out
    issued = cli("--db", str(db), "ticket", "issue", "--service", "C", "--json")
    assert issued.code == 0, issued.err
    assert issued.json()["issued_at"].startswith("2026-12-04T11:0"), issued.out
    stopped = cli("--db", str(db), "queue", now="2026-12-04T12:30:00Z")
    assert "live queue, 2026-12-04 12:30" in stopped.out
    assert cli("--db", str(db), "init", "--demo").code == 0
    newest = rows(db, "SELECT at, kind FROM events ORDER BY rowid DESC LIMIT 1")[0]
    assert newest[1] == "config_loaded" and str(newest[0]).startswith("2026-12-04T11:0"), newest
    doctor = cli("--db", str(db), "doctor", "--json")
    clock = next(c for c in doctor.json() if c["check"] == "clock")
    assert clock["detail"].startswith("2026-12-04 11:0"), clock
    left = stop_clock(db)  # the demo app closed, nobody else on it
    assert left is not None and left.isoformat().startswith("2026-12-04T11:0")
    later = cli("--db", str(db), "ticket", "issue", "--service", "C", "--json")
    assert read_instant(later.json()["issued_at"]) == left  # stood still where it was left
    assert prepare_demo_db(db, reopen=True) == left


@pytest.mark.parametrize("now", [FRIDAY, "2026-11-27T14:30:00Z", "2026-11-30T10:00:00Z"])
def test_while_residents_wait_the_demos_advisers_are_busy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str, request: pytest.FixtureRequest
) -> None:
    """The demo's present moment is an office's: its queue is what the simulated morning left
    (more residents came than the desks on duty could call), so every adviser logged in to an
    open desk has a resident called or at the desk, or finished one a moment ago (notes and
    wrap-up, at most 3 minutes); never idle for long while residents wait (it was: Fatima
    idle 2 hours beside a resident waiting 13 minutes)."""
    if now == FRIDAY:  # the build other tests of this module read as well (three days of history)
        db, built = request.getfixturevalue("friday_three_days")
    else:
        db = tmp_path / "demo.sqlite"
        cli = Cli(db, monkeypatch)
        built = cli("--db", str(db), "demo", "--no-app", "--days", "1", now=now)
    assert built.code == 0, built.err
    waiting = rows(db, "SELECT count(*) FROM tickets WHERE status = 'waiting'")[0][0]
    assert waiting >= 5
    desks = rows(
        db,
        "SELECT d.id, d.state_since, (SELECT count(*) FROM tickets t WHERE t.desk_id = d.id"
        " AND t.status IN ('called', 'serving')) FROM desks d JOIN desk_sessions s"
        " ON s.desk_id = d.id WHERE d.status = 'open'",
    )
    assert len(desks) >= 3
    at = datetime.fromisoformat(now)
    idle = {
        desk: at - datetime.fromisoformat(since)
        for desk, since, busy in desks
        if not busy and at - datetime.fromisoformat(since) > timedelta(minutes=3)
    }
    assert idle == {}, f"{waiting} waiting while idle: {idle}"


def test_the_commands_the_demo_prints_run_as_the_user_ran_it(tmp_path: Path) -> None:
    """Run as `.venv/bin/oss-desk` with no virtual environment activated (the Quick start), the
    demo's printed commands use that path: a bare `oss-desk` there is "command not found"
    (found by the eighth new-user trial)."""
    import os
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "oss-desk"
    db = tmp_path / "demo.sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(PATH="/usr/bin:/bin", HOME=str(tmp_path), OSS_DESK_NOW="2026-11-23T10:00:00Z")
    done = subprocess.run(
        # One day of history: the test reads what the build prints, not what it simulated.
        [str(exe), "--db", str(db), "demo", "--no-app", "--days", "1"],
        cwd=exe.parent.parent.parent,  # the clone's folder, as in the Quick start
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    typed = os.path.relpath(exe, exe.parent.parent.parent)  # .venv/bin/oss-desk
    assert f"  {typed} --db {db} queue\n" in done.stdout


def test_the_build_says_what_it_is_doing(friday_three_days: tuple[Path, CliResult]) -> None:
    """`oss-desk demo` showed a blank terminal for most of a minute while it built the office:
    it now says so at once, and how far its history has got (on stderr; stdout is unchanged).
    What that build printed is kept by the module's fixture, which ran it."""
    db, built = friday_three_days
    assert built.code == 0, built.err
    assert built.err.splitlines() == [
        f"Building the demo office at {db} (a minute or so)...",
        "  Simulating its history: day 0 of 3",
        "  Simulating its history: day 3 of 3; then today, the next two weeks' bookings and "
        "their messages",
    ]
    assert built.out.startswith(f"Demo ready: {db}\n")


def test_the_demos_people_are_its_staff(
    friday_three_days: tuple[Path, CliResult], tmp_path: Path
) -> None:
    """Every change is someone's: the demo's bookings, check-ins and tickets are its staff's
    (the greeter's at Reception), never a person called "demo"."""
    db, _ = friday_three_days
    staff = {s.id for s in demo_settings(tmp_path).staff}
    # (the demo's own build and the configuration loaded by whoever ran it aside)
    made = "SELECT DISTINCT actor FROM events WHERE kind NOT IN ('demo_built', 'config_loaded')"
    done_by = {a for (a,) in rows(db, made)}
    assert "demo" not in done_by
    assert done_by - staff <= {"worker"}, done_by - staff


def test_the_demos_coming_appointments_were_booked_on_an_opening_day(tmp_path: Path) -> None:
    """Built on a Friday, five days back is a Sunday: they were booked the Friday before, in its
    opening hours (the office's one rule of opening days)."""
    site = demo_settings(tmp_path).sites[0]
    opening = Opening.of(site)
    tz = zone(site.timezone)
    friday = datetime(2026, 12, 4, 11, tzinfo=UTC)
    since = datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert ahead_booked_at(opening, tz, friday, since) == datetime(2026, 11, 27, 11, tzinfo=UTC)
    evening = datetime(2026, 12, 7, 19, tzinfo=UTC)  # a Monday, after closing: its Wednesday's
    assert ahead_booked_at(opening, tz, evening, since) == datetime(2026, 12, 2, 16, 59, tzinfo=UTC)
    assert ahead_booked_at(opening, tz, friday, friday) == friday  # not before the records
