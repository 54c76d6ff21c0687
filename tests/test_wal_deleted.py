"""The database's WAL (``office.sqlite-wal``, its latest changes) deleted under running desks and
the worker: the next change is refused instead of confirmed (it would go to the deleted file and
be lost at a kill -9), what was saved is written back into the database file at once, the worker
exits 4, and a new command names the case instead of "disk I/O error ... check the disk".

Real processes, real files: a desk process kept open, the worker, kill -9, the command line.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import timeit
from pathlib import Path

import pytest

from oss_desk.errors import WalDeleted
from oss_desk.storage.database import open_store

from .conftest import ROOT, make_db, run_cli_process, site_toml

DESK = """
import sys
from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.errors import OssDeskError
from tests.conftest import MONDAY_0930

session = open_session(db=sys.argv[1], clock=FixedClock(MONDAY_0930), person="g", desk_id="greet-1")
queue = QueueService(session)
print("ready", flush=True)
for line in sys.stdin:
    try:
        print("issued", queue.issue(line.strip(), print_ticket=False).ticket.code, flush=True)
    except OssDeskError as exc:
        print("refused", type(exc).__name__, exc.message, flush=True)
"""


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(OSS_DESK_DB=str(db), OSS_DESK_NOW="2026-11-23T09:30:00+00:00", PYTHONPATH=str(ROOT))
    return env


def _desk(db: Path) -> subprocess.Popen[str]:
    desk = subprocess.Popen(
        [sys.executable, "-c", DESK, str(db)],
        env=_env(db),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert desk.stdout is not None and desk.stdout.readline().strip() == "ready"
    return desk


def _log_says(log: Path, words: str, worker: subprocess.Popen[bytes], seconds: float) -> None:
    """Wait until the worker's log says ``words``; a worker that exited without: at once."""
    deadline = time.monotonic() + seconds
    while words not in (said := log.read_text(encoding="utf-8")):
        assert worker.poll() is None or words in log.read_text(encoding="utf-8"), said
        assert time.monotonic() < deadline, said
        time.sleep(0.05)


def _ask(desk: subprocess.Popen[str], service: str) -> str:
    assert desk.stdin is not None and desk.stdout is not None
    desk.stdin.write(service + "\n")
    desk.stdin.flush()
    return desk.stdout.readline().strip()


def test_a_deleted_wal_refuses_the_next_change_and_a_kill_loses_nothing(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": "2026-11-23T09:30:00+00:00"}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "worker"], env=_env(db), stderr=out, stdout=out
        )
    desk = _desk(db)
    try:
        _log_says(log, "owns the devices", worker, 20)
        first = run_cli_process("ticket", "issue", "--service", "C", "--no-print", env=env)
        assert first.returncode == 0 and first.stdout.startswith("C001"), first.stderr
        assert _ask(desk, "C") == "issued C002"
        os.unlink(f"{db}-wal")

        # The next change is refused (before: "issued C003", written to the deleted file).
        said = _ask(desk, "C")
        assert said.startswith("refused WalDeleted office.sqlite-wal"), said
        assert "wrote every change saved up to now back into the database file" in said
        assert "close every desk and stop the worker" in said
        # The worker stops whole, exit 4, saying why. It exits once a lane has seen the file
        # gone (the change watcher looks each poll, the heartbeat every 5 s: said in its log)
        # and every lane has ended the step it was in (at most 5 s each): waited for in turn.
        _log_says(log, "every lane stops", worker, 30)
        assert worker.wait(30) == 4, log.read_text(encoding="utf-8")
        last = log.read_text(encoding="utf-8").strip().splitlines()[-1]
        assert "office.sqlite-wal, the file beside" in last and "was deleted" in last, last

        desk.send_signal(signal.SIGKILL)  # the desk is killed: nothing it confirmed is lost
        desk.wait(10)
        shown = run_cli_process("ticket", "show", "C002", env=env)
        assert shown.returncode == 0, shown.stderr
        again = run_cli_process("ticket", "issue", "--service", "C", "--no-print", env=env)
        assert again.returncode == 0 and again.stdout.startswith("C003"), again.stdout
        check = run_cli_process("db", "check", env=env)
        assert check.returncode == 0, check.stdout + check.stderr
    finally:
        for proc in (desk, worker):
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


def test_an_opener_names_a_wal_deleted_under_running_processes(tmp_path: Path) -> None:
    """Processes that knew nothing of oss-desk's checks hold the deleted WAL: a command says
    what happened and what to do, exit 4 (before: "disk I/O error ... check the disk", 75);
    once they close normally, what they saved is in the database."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": "2026-11-23T09:30:00+00:00"}
    holders = [sqlite3.connect(db, isolation_level=None) for _ in range(2)]
    try:
        for conn in holders:
            conn.execute("SELECT count(*) FROM events").fetchone()
        os.unlink(f"{db}-wal")
        holders[0].execute("UPDATE sites SET name = 'Moved Hall'")
        for args in (
            ("queue",),
            ("ticket", "issue", "--service", "C", "--no-print"),
            ("db", "check"),  # before: "damaged (disk I/O error)"
        ):
            done = run_cli_process(*args, env=env)
            said = done.stdout + done.stderr
            assert done.returncode == 4, said
            assert "check the disk" not in said and "damaged" not in said, said
            assert "office.sqlite-wal, the file beside" in said
            assert "close every desk and stop the worker normally (never kill -9" in said
    finally:
        for conn in holders:
            conn.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name FROM sites").fetchone() == ("Moved Hall",)
    assert run_cli_process("queue", env=env).returncode == 0


def test_the_wal_check_costs_one_stat(tmp_path: Path) -> None:
    """The check added to every commit and tick: a few microseconds (one ``stat``)."""
    db = make_db(tmp_path, site_toml())
    store = open_store(db)
    try:
        assert store.wal is not None
        per_check = min(timeit.repeat(store.check_file, number=2000, repeat=3)) / 2000
        assert per_check < 200e-6, per_check
    finally:
        store.close()


def test_a_new_wal_with_changes_at_the_path_is_never_written_over(tmp_path: Path) -> None:
    """Once another process has started a new WAL at the path (the deleted one held nothing
    unsaved), the shared index speaks of the new one: writing back the deleted file's pages,
    as this connection's close would when it is the last (before: "database disk image is
    malformed"), would put wrong pages into the database. The store refuses, with the cautious
    words, its close copies nothing, and the other process's change stands."""
    db = make_db(tmp_path, site_toml())
    store = open_store(db)
    try:
        with store.write() as conn:
            conn.execute("UPDATE sites SET name = 'Old Hall'")
        store.conn.execute("PRAGMA wal_checkpoint(FULL)")  # copied, not emptied
        os.unlink(f"{db}-wal")
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("UPDATE sites SET name = 'New Hall'")
        other.close()
        assert Path(f"{db}-wal").stat().st_size > 32  # the new WAL, with the change
        with pytest.raises(WalDeleted) as refused:
            store.check_file()
        assert "wrote every change" not in refused.value.message
        assert "never kill -9" in refused.value.message, refused.value.message
    finally:
        store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT name FROM sites").fetchone() == ("New Hall",)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
