"""The demo's clock: the last desk app to close stops it, whichever terminal opened the demo
(the README's second terminal too); a demo opened again never goes back before the time every
command on it was showing; only a demo database has one, and loading another office over a demo
forgets it in the load's own transaction."""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.cli.demo import prepare_demo_db
from oss_desk.clock import format_instant, read_instant
from oss_desk.services.demo_clock import clock_of, start_clock
from oss_desk.services.site import initialise
from oss_desk.storage.demo_clock import read_demo_clock, write_demo_clock
from oss_desk.storage.writelock import lock_path

from .conftest import ROOT, Cli, make_db, site_toml


@pytest.fixture(scope="module")
def friday_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a demo built as `oss-desk demo --no-app --days 1` builds it at 11:00 on
    Friday 4 December: built once for the tests that change a copy of it (a build takes
    seconds)."""
    folder = tmp_path_factory.mktemp("friday") / "demo"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv("OSS_DESK_NOW", raising=False)
        db = folder / "oss-desk-demo.sqlite"
        built = Cli(db, monkeypatch)(
            "--db", str(db), "demo", "--no-app", "--days", "1", now="2026-12-04T11:00:00Z"
        )
    assert built.code == 0, built.err
    return folder


def copy_of(demo: Path, tmp_path: Path) -> Path:
    """A copy of the demo folder ``demo`` (its database and files) of the test's own."""
    shutil.copytree(demo, tmp_path / "demo")
    return tmp_path / "demo" / "oss-desk-demo.sqlite"


def clock_row(db: Path) -> tuple[str, str | None] | None:
    conn = sqlite3.connect(db)
    try:
        return read_demo_clock(conn)
    finally:
        conn.close()


def wait_for(condition: object, timeout: float, what: str) -> None:
    started = time.monotonic()
    while not condition():  # type: ignore[operator]
        assert time.monotonic() - started < timeout, f"not within {timeout} s: {what}"
        time.sleep(0.05)


class Desk:
    """A real desk app process on the database (``oss-desk desk --desk ID``, headless)."""

    def __init__(self, tmp: Path, db: Path, desk: str, env: dict[str, str]) -> None:
        self.out = tmp / f"{desk}.status"
        self.quit = tmp / f"{desk}.quit"
        self.err = tmp / f"{desk}.stderr"  # a file: a pipe nobody reads could fill and block
        with self.err.open("wb") as err:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                [
                    *(sys.executable, "-m", "tests.desk_probe"),
                    *(str(self.out), str(self.quit), "--"),
                    *("--db", str(db), "desk", "--desk", desk),
                ],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )

    def up(self) -> bool:
        return self.out.exists() and bool(self.out.read_text(encoding="utf-8").strip())

    def close(self) -> None:
        """Closed as a person closes it (Ctrl+Q), and gone."""
        self.quit.touch()
        assert self.proc.wait(60) == 0, self.err.read_text(errors="replace")


def test_the_last_desk_app_to_leave_stops_the_demo_clock(tmp_path: Path) -> None:
    """Two desk apps on a demo opened by neither of them (another terminal's ``oss-desk demo``,
    or ``demo --no-app``): the first to close leaves the clock running for the other; the
    last one stops it where the demo was, so commands meanwhile do not run on for hours."""
    db = make_db(tmp_path, None, name="demo.sqlite")
    began = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    start_clock(db, began, datetime.now(UTC))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(PYTHONPATH=str(ROOT), XDG_DATA_HOME=str(tmp_path / "xdg"))
    desks = [Desk(tmp_path, db, "greet-1", env), Desk(tmp_path, db, "desk-1", env)]
    try:
        wait_for(lambda: all(d.up() for d in desks), 90, "both desks drawn")
        desks[0].close()
        row = clock_row(db)
        assert row is not None and row[1] is not None, row  # running: desk-1 is still on it
        desks[1].close()
        row = clock_row(db)
        assert row is not None and row[1] is None, row  # stopped where it was left
        assert began < read_instant(row[0]) < began + timedelta(minutes=10), row
    finally:
        for d in desks:
            if d.proc.poll() is None:
                d.proc.kill()
                d.proc.wait(10)


def _waits_for_a_lock(pid: int) -> bool:
    """Whether ``pid`` waits in the kernel for a ``flock`` (a blocked request: ``->``)."""
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        at = fields.index("->") if "->" in fields else -1
        if at >= 0 and fields[at + 1] == "FLOCK" and fields[at + 4] == str(pid):
            return True
    return False


def _demo_env(tmp_path: Path) -> dict[str, str]:
    """Desk apps with no standby for the devices: nothing but the clock is written as they
    close (the race below is the clock's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(PYTHONPATH=str(ROOT), XDG_DATA_HOME=str(tmp_path / "xdg"))
    return env | {"OSS_DESK_WORKER__TAKE_OVER": "false"}


def test_two_desk_apps_closing_together_stop_the_demo_clock(tmp_path: Path) -> None:
    """Review 14 (7): both closed at the same moment; one of them stops the clock."""
    db = make_db(tmp_path, None, name="demo.sqlite")
    start_clock(db, datetime(2026, 12, 4, 11, 0, tzinfo=UTC), datetime.now(UTC))
    env = _demo_env(tmp_path)
    desks = [Desk(tmp_path, db, "desk-1", env), Desk(tmp_path, db, "desk-2", env)]
    try:
        wait_for(lambda: all(d.up() for d in desks), 90, "both desks drawn")
        for d in desks:
            d.quit.touch()
        for d in desks:
            assert d.proc.wait(60) == 0, d.err.read_text(errors="replace")
        row = clock_row(db)
        assert row is not None and row[1] is None, row  # stopped
    finally:
        for d in desks:
            if d.proc.poll() is None:
                d.proc.kill()
                d.proc.wait(10)


def test_a_desk_app_opening_while_the_last_one_leaves_runs_on_the_clock_it_leaves(
    tmp_path: Path,
) -> None:
    """Review 14 (7): the last desk app to leave saw nobody on the demo, then stopped its clock;
    a desk app that opened in between read the clock still running, and ran on while every
    command read the stopped instant. The leaving desk is held between its look and its stop
    (the office's write lock, held here, keeps its stop waiting); one opening then waits for
    the decision and runs on the clock as it is left."""
    db = make_db(tmp_path, None, name="demo.sqlite")
    start_clock(db, datetime(2026, 12, 4, 11, 0, tzinfo=UTC), datetime.now(UTC))
    env = _demo_env(tmp_path)
    leaving = Desk(tmp_path, db, "desk-1", env)
    desks = [leaving]
    fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        wait_for(leaving.up, 90, "the first desk drawn")
        fcntl.flock(fd, fcntl.LOCK_EX)
        leaving.quit.touch()
        pid = leaving.proc.pid
        left = Path(f"{leaving.out}.left")  # its app and session closed: it is leaving the demo
        wait_for(lambda: left.exists() and _waits_for_a_lock(pid), 60, "the stop waits its turn")
        opening = Desk(tmp_path, db, "desk-2", env)
        desks.append(opening)
        clock = Path(f"{opening.out}.clock")
        wait_for(
            lambda: clock.exists() or _waits_for_a_lock(opening.proc.pid),
            90,
            "the second desk has read its clock, or waits for the first to decide",
        )
        fcntl.flock(fd, fcntl.LOCK_UN)
        assert leaving.proc.wait(60) == 0, leaving.err.read_text(errors="replace")
        wait_for(clock.exists, 90, "the second desk has read its clock")
        row = clock_row(db)
        assert row is not None
        # The desk that is open runs on the clock every command reads.
        assert clock.read_text() == ("FixedClock" if row[1] is None else "RunningClock"), row
        opening.close()
        row = clock_row(db)
        assert row is not None and row[1] is None, row  # stopped once the last one left
    finally:
        os.close(fd)
        for d in desks:
            if d.proc.poll() is None:
                d.proc.kill()
                d.proc.wait(10)


def test_a_demo_left_running_opens_again_no_earlier_than_it_was_showing(
    friday_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A demo whose clock was left running (no desk app closed it: a ``--no-app`` demo, a desk
    killed) for two hours: every command on it shows 13:00, so ``oss-desk demo`` opens it again
    from 13:00, not from its last event at 11:00."""
    monkeypatch.delenv("OSS_DESK_NOW", raising=False)
    db = copy_of(friday_demo, tmp_path)
    cli = Cli(db, monkeypatch)
    issued = cli("--db", str(db), "ticket", "issue", "--service", "C", "--json")
    assert issued.json()["issued_at"].startswith("2026-12-04T11:0"), issued.out
    row = clock_row(db)
    assert row is not None and row[1] is not None, row
    since = read_instant(row[1]) - timedelta(hours=2)  # as if two hours of real time went by
    with sqlite3.connect(db) as conn:
        write_demo_clock(conn, row[0], format_instant(since))
    conn.close()
    queue = cli("--db", str(db), "queue")
    assert "live queue, 2026-12-04 13:0" in queue.out, queue.out
    reopened = prepare_demo_db(db, reopen=True)
    assert reopened is not None
    assert reopened >= datetime(2026, 12, 4, 13, 0, tzinfo=UTC), reopened


def test_only_a_demo_database_gives_its_clock_to_init_doctor_and_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``clock_of`` (``init``, ``doctor``, ``db restore``, a printer's test page) reads a demo
    clock only in a demo database: a real office whose file still holds one (written by hand,
    or left by an older version) stamps those commands at the real time."""
    monkeypatch.delenv("OSS_DESK_NOW", raising=False)
    since = format_instant(datetime.now(UTC))
    real = make_db(tmp_path, site_toml(), name="real.sqlite")
    demo = make_db(tmp_path, None, name="demo.sqlite")
    for db in (real, demo):
        with sqlite3.connect(db) as conn:
            write_demo_clock(conn, "2020-01-06T11:00:00.000Z", since)
        conn.close()
    assert clock_of(demo).now().year == 2020
    assert clock_of(real).now().year == datetime.now(UTC).year


def test_loading_another_office_over_a_demo_forgets_its_clock_in_the_same_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The office's own configuration loaded over a demo (``init --config FILE
    --replace-office``): the load itself removes the demo's clock, so nothing can stop between
    the two and leave the real office on the demo's time."""
    monkeypatch.delenv("OSS_DESK_NOW", raising=False)
    db = make_db(tmp_path, None, name="demo.sqlite")
    start_clock(db, datetime(2020, 1, 6, 11, 0, tzinfo=UTC), datetime.now(UTC))
    config = tmp_path / "office.toml"
    config.write_text(site_toml(), encoding="utf-8")
    initialise(db, clock=clock_of(db), config_path=config, replace_office=True, person="tester")
    assert clock_row(db) is None
    assert clock_of(db).now().year == datetime.now(UTC).year


def test_a_demo_made_by_an_older_release_opens_again_upgraded(
    friday_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only `init` upgrades an office's database; a demo with work done in it, made by an
    older release, was refused "run `oss-desk init`" when opened again (review 16, finding 3),
    and a bare `init` would have upgraded the office's database, not the demo's. The demo,
    nobody else having it open, brings its own database up to date."""
    monkeypatch.delenv("OSS_DESK_NOW", raising=False)
    db = copy_of(friday_demo, tmp_path)
    cli = Cli(db, monkeypatch)
    assert cli("--db", str(db), "ticket", "issue", "--service", "C").code == 0
    with sqlite3.connect(db) as conn:  # as the release before 0066 left it
        conn.execute("ALTER TABLE worker_heartbeat DROP COLUMN failing")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0066_worker_failing'")
    conn.close()
    refused = cli("--db", str(db), "queue")
    assert refused.code == 4 and "made by an older oss-desk" in refused.err, refused.err
    assert prepare_demo_db(db, reopen=True) is not None  # opened again as it was left
    queue = cli("--db", str(db), "queue")
    assert queue.code == 0, queue.err
