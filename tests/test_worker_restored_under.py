"""The worker's own record: after a forced `db restore` under it (it stops every lane, says so
once, exits 4), and how it and doctor name its process."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from oss_desk.services.session import open_session
from oss_desk.worker.standby import desk_standby

from .cli_here import run_cli_here
from .conftest import ROOT, make_db, run_cli_process, site_toml


def test_the_worker_stops_whole_when_its_database_is_restored_under_it(tmp_path: Path) -> None:
    printed = tmp_path / "greet.prn"
    db = make_db(tmp_path, site_toml(greet_printer=f"capture://{printed}"))
    env = {"OSS_DESK_DB": str(db)}
    full = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    full.update(env, PYTHONPATH=str(ROOT))
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "worker"], env=full, stderr=out, stdout=out
        )
    try:
        deadline = time.monotonic() + 20
        while "owns the devices" not in log.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.05)
        backup = run_cli_here("db", "backup", "--json", env=env)
        assert backup.returncode == 0, backup.stderr
        path = json.loads(backup.stdout)["path"]
        restored = run_cli_here("db", "restore", path, "--yes", "--force", env=env)
        assert restored.returncode == 0, restored.stderr

        # The restored file's worker is recorded as stopped at once: desks hand it nothing.
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            stopped = conn.execute("SELECT stopped_at FROM worker_heartbeat").fetchone()
        assert stopped is not None and stopped[0] is not None
        doctor = run_cli_here("doctor", env=env)
        assert "ok    worker" not in doctor.stdout, doctor.stdout

        # The worker sees its file replaced (its next heartbeat at the latest), and stops whole.
        code = worker.wait(30)
        text = log.read_text(encoding="utf-8")
        assert code == 4, text
        last = text.strip().splitlines()[-1]
        assert "replaced or removed while the worker had it open" in last, text
        assert "start it again" in last
        assert text.count("every lane stops") == 1, text  # said once, not every 2-5 s
        assert "not sent now" not in text and "tries again" not in text, text
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)


def _worker(db: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(OSS_DESK_DB=str(db), PYTHONPATH=str(ROOT))
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "worker"], env=env, stderr=out, stdout=out
        )
    deadline = time.monotonic() + 20
    while "owns the devices" not in log.read_text(encoding="utf-8"):
        assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
        time.sleep(0.05)
    return proc


def test_the_worker_and_doctor_name_each_process_once_and_never_a_dead_one(
    tmp_path: Path,
) -> None:
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    first = _worker(db, tmp_path / "first.log")
    first.kill()  # kill -9: its pid stays written beside the lock
    first.wait(10)
    second = _worker(db, tmp_path / "second.log")
    try:
        text = (tmp_path / "second.log").read_text(encoding="utf-8")
        assert f"process {first.pid}" not in text, text  # it was dead: it owned nothing
        (line,) = [
            x for x in run_cli_process("doctor", env=env).stdout.splitlines() if "worker:" in x
        ]
        assert line.startswith("ok") and line.count(f"process {second.pid}") == 1, line
    finally:
        second.terminate()
        second.wait(20)
    # A desk app that runs the devices: named by its desk, its process once.
    session = open_session(db=db, person="ben", desk_id="desk-1")
    standby = desk_standby(session, config=None, desk_id="desk-1")
    assert standby is not None
    standby.start()
    try:
        assert standby.owning.wait(20)
        (line,) = [
            x for x in run_cli_process("doctor", env=env).stdout.splitlines() if "worker:" in x
        ]
        assert "running (desk app desk-1, process" in line, line
        assert line.count(f"process {os.getpid()}") == 1, line
        # `worker --once` refused meanwhile names it the same way (faults 17, P2).
        once = run_cli_process("worker", "--once", env=env)
        assert once.returncode == 6
        assert once.stderr == (
            "oss-desk: a device worker is already running for this database "
            f"(desk app desk-1, process {os.getpid()})\n"
        )
    finally:
        standby.close()
        session.close()
