"""``oss-desk doctor`` as monitoring runs it (exit 1 on a fail, else 0): a dead worker with nothing
to stand in fails, a closed site's printer switched off does not, a backup folder this account
cannot write fails and an old newest backup warns, the clock line names OSS_DESK_NOW beside NTP,
a missing database names its newest backup to restore, and the print jobs line counts both the
failed and the waiting. Real database files, a real worker process, loopback ports."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from oss_desk.clock import format_instant
from oss_desk.domain.backup_age import STALE_HOURS
from oss_desk.storage.lease import lock_held

from .conftest import MONDAY_0930, ROOT, Cli, make_db, site_toml
from .hardware.fakes import closed_port
from .test_delivery_handover import worker_process

NOW = format_instant(MONDAY_0930)  # Monday 09:30: the office is open
SUNDAY = "2026-11-22T12:00:00Z"  # the office (Mon-Fri) is closed
MONDAY_NIGHT = "2026-11-23T22:00:00Z"  # after closing time


def _line(out: str, name: str) -> str:
    (found,) = [line for line in out.splitlines() if line[6:].startswith(f"{name}")]
    return found


def _until(ok: Callable[[], bool], what: str, limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while not ok():
        assert time.monotonic() < deadline, f"not within {limit} s: {what}"
        time.sleep(0.02)


# W2: a dead worker -------------------------------------------------------------------------------


def test_a_worker_killed_with_sigkill_fails_the_check_worded_for_each_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    proc = worker_process(db)  # the service: owns the devices
    try:
        running = cli("doctor")
        assert _line(running.out, "worker").startswith("ok    worker: running"), running.out
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    _until(lambda: not lock_held(db), "the kernel drops the dead worker's lease")
    dead = cli("doctor")
    line = _line(dead.out, "worker")
    assert dead.code == 1, dead.out
    assert line.startswith("fail  worker: not running (last seen "), line
    assert "no desk app is open to stand in" in line
    assert "nothing drives the printers, the board, reminders or the emailed reports" in line
    assert "systemctl start oss-desk-worker" in line
    # With take_over off no desk app ever runs one: the line does not promise it.
    off = cli("doctor", env={"OSS_DESK_WORKER__TAKE_OVER": "false"})
    line = _line(off.out, "worker")
    assert off.code == 1 and line.startswith("fail  worker: not running"), off.out
    assert "with worker.take_over = false no desk app runs it" in line
    assert "runs one itself" not in line and "stand in (" not in line


DESK_STANDBY = """
import sys, time
from oss_desk.services.session import open_session
from oss_desk.worker.standby import desk_standby

session = open_session(desk_id="desk-1")  # open as a desk app keeps it
standby = desk_standby(session, config=None, desk_id="desk-1")
print("ready", flush=True)
time.sleep(600)
"""
"""A desk app as the device worker sees it: the database open, and its standby (the desk app's
own code) taking the lease when it comes free; no screen."""


def test_a_desk_app_standing_in_is_running_not_a_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Doctor run the moment the worker service is killed waits for an open desk app's standby
    to take over (within a second) rather than fail the check."""
    db = make_db(tmp_path, site_toml())
    service = worker_process(db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(OSS_DESK_DB=str(db), PYTHONPATH=str(ROOT), OSS_DESK_NOW=NOW)
    desk = subprocess.Popen(
        [sys.executable, "-c", DESK_STANDBY], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert desk.stdout is not None and desk.stdout.readline() == "ready\n"
        os.kill(service.pid, signal.SIGKILL)
        service.wait(timeout=10)
        result = Cli(db, monkeypatch)("doctor")
        line = _line(result.out, "worker")
        # Running: the desk app's (or, for the moment between its taking the lease and its
        # first heartbeat, still said by the killed service's fresh one: the desks' rule).
        assert line.startswith("ok    worker: running ("), line
        assert result.code == 0, result.out
    finally:
        for proc in (service, desk):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


# C5: a closed site's printer switched off --------------------------------------------------------


@pytest.mark.parametrize("now", [SUNDAY, MONDAY_NIGHT])
def test_a_closed_site_s_printer_switched_off_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str
) -> None:
    off = f"tcp://127.0.0.1:{closed_port()}?timeout=1"  # a loopback printer not listening
    db = make_db(tmp_path, site_toml(greet_printer=off))
    cli = Cli(db, monkeypatch)
    opened = _line(cli("doctor", now=NOW).out, "printer")
    assert opened.startswith("fail  printer") and "unreachable" in opened, opened  # open: fails
    closed = cli("doctor", now=now)
    line = _line(closed.out, "printer")
    assert line.startswith("warn  printer") and "unreachable" in line, line
    when = "Sun 12:00, a Sunday" if now == SUNDAY else "Mon 22:00, outside the opening hours"
    assert f"(site closed now: Civic Centre, {when}" in line, line
    # The IT administrator's trial: the line said what was wrong, not what to do next.
    for said in (opened, line):
        assert said.endswith(
            "; then try it: `oss-desk printer test greet-1` (prints a test page)"
        ), said
    assert not [x for x in closed.out.splitlines() if x.startswith("fail  printer")]


# C9: backups -------------------------------------------------------------------------------------


def test_the_newest_backup_s_age_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    none = _line(cli("doctor", now=NOW).out, "backups")
    assert none.startswith("warn  backups: none yet in ") and "db backup" in none, none
    assert cli("db", "backup", now=NOW).code == 0
    (made,) = (tmp_path / "backups").glob("office-*.sqlite")
    fresh = _line(cli("doctor", now=NOW).out, "backups")
    assert fresh.startswith(f"ok    backups: newest {made.name}, 0 min ago, in "), fresh
    old = time.time() - (STALE_HOURS + 1) * 3600  # the nightly backup stopped a day ago
    os.utime(made, (old, old))
    stale = _line(cli("doctor", now=NOW).out, "backups")
    assert stale.startswith(f"warn  backups: newest {made.name}, 27 h ago"), stale
    assert "over 26 h old" in stale


def test_a_backup_folder_left_to_root_fails_the_check_and_says_the_chown(tmp_path: Path) -> None:
    """trial 11 C9: one `db backup` as root makes `backups/` root's (0700); every backup by the
    service account then fails. As root, the service account is `nobody` (setpriv); as any
    other account, a folder it may not write stands for it."""
    setpriv = shutil.which("setpriv")
    as_root = os.geteuid() == 0 and setpriv is not None
    folder = Path(tempfile.mkdtemp(prefix="doctor backups-")) if as_root else tmp_path / "an office"
    folder.mkdir(exist_ok=True)
    try:
        db = make_db(folder, site_toml())
        env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
        env.update(OSS_DESK_DB=str(db), OSS_DESK_NOW=NOW, PYTHONPATH=str(ROOT))
        prefix: list[str] = []
        if as_root:
            for path in [folder, *folder.iterdir()]:
                os.chown(path, 65534, 65534)  # the office belongs to the service account
            folder.chmod(0o700)
            prefix = [str(setpriv), "--reuid=65534", "--regid=65534", "--clear-groups"]
        # The IT officer's backup at a root shell (or: the folder turned read-only).
        made = subprocess.run(
            [sys.executable, "-m", "oss_desk", "db", "backup"], env=env, capture_output=True
        )
        assert made.returncode == 0, made.stderr
        backups = folder / "backups"
        if not as_root:
            backups.chmod(0o500)
        doctor = subprocess.run(
            [*prefix, sys.executable, "-m", "oss_desk", "doctor"],
            env=env,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        line = _line(doctor.stdout, "backups")
        assert doctor.returncode == 1, doctor.stdout + doctor.stderr
        assert line.startswith(f"fail  backups: {backups} is not writable by this account"), line
        if as_root:  # the service account is told whose it is, and the fix
            assert "(nobody; it belongs to root)" in line and "`chown -R nobody: " in line, line
        else:
            assert "`chown -R " in line, line
        typed = shlex.split(line.split("`chown -R ", 1)[1].split("`", 1)[0])
        assert typed[-1] == str(backups), line  # a folder with a space, typed as said
    finally:
        if as_root:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            (folder / "backups").chmod(0o700)


# C1: the clock line ------------------------------------------------------------------------------


def test_the_clock_line_names_oss_desk_now_beside_ntp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    # A command run with OSS_DESK_NOW a day ahead dated its events then...
    ahead = "2026-11-24T10:00:00Z"
    assert cli("ticket", "issue", "--service", "C", now=ahead).code == 0
    # ...and the real clock (here: Monday 09:30) is behind them.
    result = cli("doctor", now=NOW)
    line = _line(result.out, "clock")
    assert result.code == 1 and line.startswith("fail  clock: the time 2026-11-23 09:30Z"), line
    assert "behind the database's newest event (2026-11-24 10:00Z)" in line, line
    assert "check NTP, or whether a command ran with OSS_DESK_NOW set on this office" in line


# C6: a missing database --------------------------------------------------------------------------


def test_a_missing_database_names_its_newest_backup_to_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office = tmp_path / "front office"  # a space: the command said must be typed as said
    office.mkdir()
    db = make_db(office, site_toml())
    cli = Cli(db, monkeypatch)
    assert cli("db", "backup", now="2026-11-22T02:30:00Z").code == 0
    assert cli("ticket", "issue", "--service", "C", now=NOW).code == 0
    assert cli("db", "backup", now="2026-11-23T10:00:00Z").code == 0
    newest = office / "backups" / "office-20261123T100000Z.sqlite"
    assert newest.is_file()
    for gone in office.glob("office.sqlite*"):  # a mistaken rm
        gone.unlink()
    restore = f"`oss-desk --db '{db}' db restore '{newest}'`"
    doctor = cli("doctor", now=NOW)
    line = _line(doctor.out, "database")
    assert doctor.code == 1 and line.startswith(f"fail  database: no database at {db}"), line
    assert f"restore its newest backup, {restore} (a new office: `oss-desk init`)" in line
    queue = cli("queue", now=NOW)
    assert queue.code == 4 and queue.err.count("\n") == 1, queue.err
    assert restore in queue.err and "init --demo" not in queue.err, queue.err
    # The command it names works on the missing file, typed as it says.
    typed = shlex.split(queue.err.split("`")[1])
    assert typed[0] == "oss-desk"
    restored = cli(*typed[1:], "--yes", now=NOW)
    assert restored.code == 0, restored.err
    again = cli("queue", "--json", now=NOW)
    assert again.code == 0 and [t["code"] for t in again.json()] == ["C001"]


def test_a_missing_database_s_backups_are_sought_in_the_config_file_s_backup_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--config`` names the file whose ``backup.folder`` holds them (not only the environment's
    OSS_DESK_BACKUP__FOLDER, nor ``backups/`` beside the database)."""
    monkeypatch.delenv("OSS_DESK_BACKUP__FOLDER", raising=False)
    folder = tmp_path / "nightly"
    folder.mkdir()
    db = make_db(tmp_path, site_toml(extra=f'\n[backup]\nfolder = "{folder}"\n'))
    cli = Cli(db, monkeypatch)
    assert cli("db", "backup", now="2026-11-23T10:00:00Z").code == 0
    [newest] = folder.glob("office-*.sqlite")
    for gone in tmp_path.glob("office.sqlite*"):
        gone.unlink()
    config = str(tmp_path / "site.toml")
    restore = f"`oss-desk --db {db} db restore {newest}`"
    doctor = cli("--config", config, "doctor", now=NOW)
    line = _line(doctor.out, "database")
    assert doctor.code == 1 and restore in line, line
    queue = cli("--config", config, "queue", now=NOW)
    assert queue.code == 4 and restore in queue.err, queue.err
    # Without the file, nothing says where they are: the first step is init (or the folder).
    assert "restore" not in _line(cli("doctor", now=NOW).out, "database")


def test_a_missing_database_without_backups_still_says_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "new.sqlite"
    doctor = Cli(db, monkeypatch)("doctor", now=NOW)
    assert (
        _line(doctor.out, "database")
        == f"fail  database: no database at {db} (run `oss-desk init`)"
    )
    queue = Cli(db, monkeypatch)("queue", now=NOW)
    assert queue.code == 4 and "oss-desk init" in queue.err and "restore" not in queue.err


# faults17 P3: the print jobs line ----------------------------------------------------------------


def test_print_jobs_says_the_failed_and_the_waiting_each_with_its_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "lp9"  # a printer device file that is not there
    db = make_db(tmp_path, site_toml(greet_printer=f"file://{gone}"))
    cli = Cli(db, monkeypatch)
    issue = ("ticket", "issue", "--service", "C", "--desk", "greet-1")
    assert cli(*issue, now=NOW).code == 0
    once = {"OSS_DESK_PRINTING__ATTEMPTS": "1"}  # its one try spent
    assert cli("worker", "--once", now=NOW, env=once).code == 0
    # A waiting ticket's paper now waits for its printer as long as the ticket waits: a job
    # failed for good, as a slip's or a summary's does (or one from an earlier release), set so.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE print_jobs SET status = 'failed' WHERE id = 1")
    conn.close()
    assert cli(*issue, now=NOW).code == 0
    assert cli("worker", "--once", now=NOW).code == 0  # one try of six: waiting for another
    line = _line(cli("doctor", now=NOW).out, "print jobs")
    assert line.startswith(
        "warn  print jobs: 1 failed or unconfirmed and 1 waiting for another try"
    ), line
    assert "; the latest: ticket C001 at greet-1 failed on " in line, line
