"""Upgrading an office's database made by an older release (new-user trial 10: W1, W2, C1, C3).

The older release's database is made as tests/test_migrate.py makes one: the tables of schema
0008, filled with a real office's rows. Its worker is a real process holding the database open
(and the worker lock), as the older worker did. Every command runs through the CLI's own entry
point: the first refusal in a process of its own, end to end; the rest in the test's process
(tests/cli_here.py), beside the real processes that hold the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from oss_desk.storage.migrations import schema_names

from .cli_here import run_cli_here
from .conftest import ROOT, db_content, make_db, run_cli_process
from .test_migrate import at_migration, fill_from

OLD = "0008_daily_rollup"
NEWEST = schema_names()[-1]


def applied(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY rowid")]
    finally:
        conn.close()


def events(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def older_made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The older release's database, made once for this module's tests (each uses a copy)."""
    path = older_office(tmp_path_factory.mktemp("older"), "0009_event_chain")
    assert applied(path)[-1] == OLD and events(path) > 0
    return path


@pytest.fixture
def older(older_made: Path, tmp_path: Path) -> Path:
    """An office's database as the release of schema 0008 left it (with events): a copy of
    its own in ``tmp_path/office`` (the folder and the file as :func:`older_office` makes
    them)."""
    path = tmp_path / "office" / "office.sqlite"
    path.parent.mkdir(mode=0o700)
    for made in older_made.parent.iterdir():  # the file, and a WAL beside it if one is left
        shutil.copy2(made, path.parent / made.name)
    assert applied(path)[-1] == OLD and events(path) > 0
    assert path.stat().st_mode & 0o777 == 0o600
    return path


def older_office(tmp_path: Path, stop_before: str) -> Path:
    """An office's database as the release whose schema ends before ``stop_before`` left it,
    filled with a real office's rows (``tmp_path/office/office.sqlite``)."""
    (tmp_path / "source").mkdir()
    source = make_db(tmp_path / "source")
    path = tmp_path / "office" / "office.sqlite"
    path.parent.mkdir(mode=0o700)
    db = at_migration(path, stop_before)
    fill_from(db, source)
    db.conn.execute("PRAGMA journal_mode = WAL")
    db.conn.close()
    path.chmod(0o600)
    return path


HOLDER = """
import sqlite3, sys
from pathlib import Path
from oss_desk.storage.lease import WorkerLock
db = Path(sys.argv[1])
lock = WorkerLock.acquire(db) if sys.argv[2] == "worker" else None
conn = sqlite3.connect(db)
conn.execute("SELECT count(*) FROM events").fetchone()
print("holding", flush=True)
sys.stdin.readline()
"""


@contextlib.contextmanager
def holding(db: Path, kind: str, script: str = HOLDER) -> Iterator[subprocess.Popen[str]]:
    """A process at work on the database (``worker``: with the worker lock too, as the older
    release's worker held it) until the test lets it go."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(db), kind],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "holding\n"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def let_go(proc: subprocess.Popen[str]) -> None:
    assert proc.stdin is not None
    proc.stdin.write("\n")
    proc.stdin.flush()
    assert proc.wait(timeout=10) == 0


def test_init_refuses_to_upgrade_under_a_running_worker_then_upgrades_after_a_copy(
    older: Path,
) -> None:
    before = db_content(older)
    with holding(older, "worker") as holder:
        refused = run_cli_process("--db", str(older), "init")  # end to end, in a process
        let_go(holder)
    assert refused.returncode == 6, refused.stderr
    assert refused.stdout == "" and refused.stderr.count("\n") == 1
    assert f"process {holder.pid}" in refused.stderr
    assert f"not upgraded (schema {OLD} -> {NEWEST})" in refused.stderr
    said = "stop the worker and the desks, then upgrade it again (`oss-desk init`)"
    assert said in refused.stderr
    assert applied(older)[-1] == OLD and db_content(older) == before
    assert not (older.parent / "backups").exists()

    done = run_cli_here("--db", str(older), "init")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    ran = len(schema_names()) - len(applied_names_at(OLD))
    assert lines[0].startswith("Backed up the database as it was to ")
    assert lines[1].startswith(f"Upgraded: {ran} migrations applied (schema {OLD} -> {NEWEST})")
    assert applied(older)[-1] == NEWEST
    (copy,) = (older.parent / "backups").glob("office-*.sqlite")
    assert str(copy) in lines[0]
    assert applied(copy)[-1] == OLD and events(copy) == events(older)
    assert copy.stat().st_mode & 0o777 == 0o600


def applied_names_at(last: str) -> list[str]:
    return [name for name in schema_names() if name <= last]


def test_a_desk_holding_the_database_open_stops_the_upgrade_too(older: Path) -> None:
    with holding(older, "desk") as proc:
        refused = run_cli_here("--db", str(older), "init")
        assert refused.returncode == 6, refused.stderr
        assert f"another process (process {proc.pid})" in refused.stderr
        assert applied(older)[-1] == OLD
        let_go(proc)


def test_commands_other_than_init_refuse_an_older_database_and_leave_it(older: Path) -> None:
    before = digest(older)
    for args in (("queue",), ("--user", "nobody", "queue"), ("worker", "--once")):
        refused = run_cli_here("--db", str(older), *args)
        assert refused.returncode == 4, refused.stderr
        assert refused.stderr.count("\n") == 1, refused.stderr
        ran = len(schema_names()) - len(applied_names_at(OLD))
        assert (
            f"made by an older oss-desk (schema {OLD} -> {NEWEST}, {ran} migrations to apply)"
            in (refused.stderr)
        )
        assert "run `oss-desk init` to upgrade it" in refused.stderr
    assert applied(older)[-1] == OLD and digest(older) == before


def test_doctor_on_an_older_database_says_so_and_runs_what_it_can(older: Path) -> None:
    found = run_cli_here("--db", str(older), "doctor")
    assert found.returncode == 1, found.stderr
    lines = found.stdout.splitlines()
    assert lines[0].startswith("fail  database: ")
    assert f"schema {OLD} -> {NEWEST}" in lines[0] and "`oss-desk init`" in lines[0]
    names = [line[6:].split(":")[0] for line in lines]
    assert {"configuration", "integrity", "disk space", "clock", "worker"} <= set(names)
    assert "ok    worker: none running" in found.stdout
    as_json = run_cli_here("--db", str(older), "doctor", "--json")
    assert as_json.returncode == 1
    checks = {c["check"]: c["status"] for c in json.loads(as_json.stdout)}
    assert checks["database"] == "fail" and checks["integrity"] == "ok"
    assert applied(older)[-1] == OLD


OLD_WORKER = """
import socket, sqlite3, sys
from datetime import UTC, datetime
from pathlib import Path
from oss_desk.storage.lease import WorkerLock
db = Path(sys.argv[1])
lock = WorkerLock.acquire(db)
conn = sqlite3.connect(db)
now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
with conn:  # the older release's beat: no owner, no role
    conn.execute(
        "INSERT INTO worker_heartbeat (id, pid, host, started_at, seen_at) VALUES (1, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, "
        "started_at = excluded.started_at, seen_at = excluded.seen_at",
        [__import__("os").getpid(), socket.gethostname(), now, now],
    )
print("holding", flush=True)
sys.stdin.readline()
"""


def test_doctor_does_not_call_an_older_release_s_worker_running(older: Path) -> None:
    """The older worker kept beating on the upgraded file while every pass of it failed."""
    from oss_desk.storage.database import open_store

    open_store(older, migrate=True).close()  # upgraded under it (what init no longer does)
    with holding(older, "worker", OLD_WORKER) as proc:
        found = run_cli_here("--db", str(older), "doctor")
        (line,) = [x for x in found.stdout.splitlines() if " worker: " in x]
        assert line.startswith("fail  worker: "), line
        assert f"process {proc.pid} on {socket.gethostname()}" in line
        assert "older oss-desk release" in line and "stop it" in line
        let_go(proc)


def test_restore_of_an_older_release_s_backup_restores_an_upgraded_copy(
    older: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "office-20261122T115200Z.sqlite"
    conn = sqlite3.connect(older)
    conn.execute("VACUUM INTO ?", [str(backup)])
    conn.close()
    backup.chmod(0o600)
    kept = digest(backup)
    assert run_cli_here("--db", str(older), "init").returncode == 0
    done = run_cli_here("--db", str(older), "db", "restore", str(backup), "--yes", "--json")
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout)
    assert said["upgraded"] == list(schema_names())[len(applied_names_at(OLD)) :]
    assert said["schema"][-1] == NEWEST
    assert digest(backup) == kept and applied(backup)[-1] == OLD  # the backup is untouched
    assert applied(older)[-1] == NEWEST
    check = run_cli_here("--db", str(older), "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert run_cli_here("--db", str(older), "queue").returncode == 0


def test_the_copy_before_the_upgrade_goes_to_the_office_s_backup_folder(
    older: Path, tmp_path: Path
) -> None:
    """backup.folder as the older release stored it; a folder that is not there is refused."""
    folder = tmp_path / "offsite"
    conn = sqlite3.connect(older)
    with conn:
        conn.execute(
            "UPDATE config_snapshots SET document = json_set(document, '$.backup.folder', ?)",
            [str(folder)],
        )
    conn.close()
    missing = run_cli_here("--db", str(older), "init")
    assert missing.returncode == 3, missing.stderr
    assert f"the backup folder {folder} does not exist" in missing.stderr
    assert applied(older)[-1] == OLD
    folder.mkdir(mode=0o700)
    done = run_cli_here("--db", str(older), "init")
    assert done.returncode == 0, done.stderr
    (copy,) = folder.glob("office-*.sqlite")
    assert f"Backed up the database as it was to {copy} (verified)." in done.stdout
    assert applied(copy)[-1] == OLD and not (older.parent / "backups").exists()


def test_init_over_an_up_to_date_database_in_use_still_loads_the_configuration(
    tmp_path: Path,
) -> None:
    """Nothing to upgrade: loading the office's file while the worker runs stays as it was."""
    db = make_db(tmp_path)
    with holding(db, "worker") as proc:
        done = run_cli_here("--db", str(db), "init", "--demo")
        assert done.returncode == 0, done.stderr
        assert "Upgraded" not in done.stdout and "Backed up" not in done.stdout
        let_go(proc)


def test_init_refuses_to_upgrade_under_a_running_serve_and_not_after_it_is_killed(
    older: Path, tmp_path: Path
) -> None:
    """A server of an earlier release left running starts that release's desks on the upgraded
    file at the next sign-in: init sees it by its lease, which dies with it (even kill -9)."""
    from .browser_desks import start_server, stop_server

    aside = older.with_name("as-it-was.sqlite")
    os.replace(older, aside)
    make_db(older.parent)  # the office's database as the server found it when it started
    served = start_server(older, tmp_path)
    try:
        for leftover in ("-wal", "-shm"):
            older.with_name(older.name + leftover).unlink(missing_ok=True)
        os.replace(aside, older)  # what the server serves now needs an upgrade
        refused = run_cli_here("--db", str(older), "init")
        assert refused.returncode == 6, refused.stderr
        assert refused.stderr.count("\n") == 1
        assert f"`oss-desk serve`, the browser desks' server (process {served.process.pid})" in (
            refused.stderr
        )
        assert applied(older)[-1] == OLD
        served.process.kill()  # as a crash would: no clean-up of its own
        served.process.wait(timeout=10)
    finally:
        stop_server(served)
    done = run_cli_here("--db", str(older), "init")
    assert done.returncode == 0, done.stderr
    assert applied(older)[-1] == NEWEST


def test_a_desk_that_opens_the_file_after_init_last_looked_keeps_the_migrations_off(
    older: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window between init's last look and the migrations (review 16, 9): the looks are
    taken out, as a desk opening the file just after them would have it; the hold init
    migrates under is still refused while the desk has the file open, and nothing changes."""
    from oss_desk.clock import FixedClock
    from oss_desk.errors import StorageBusy
    from oss_desk.services import upgrade
    from oss_desk.services.site import initialise

    from .conftest import MONDAY_0930

    monkeypatch.setenv("OSS_DESK_BUSY_TIMEOUT", "0.5")
    monkeypatch.setattr(upgrade, "refuse_while_in_use", lambda *args: None)
    before = db_content(older)
    with holding(older, "desk") as desk:
        with pytest.raises(StorageBusy):
            initialise(older, clock=FixedClock(MONDAY_0930))
        let_go(desk)
    assert applied(older)[-1] == OLD and db_content(older) == before


def test_the_migrations_run_with_the_file_held_and_name_a_desk_that_has_it_open(
    older: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oss_desk.errors import RuleViolation
    from oss_desk.services.upgrade import pending_upgrade, upgrade_alone

    monkeypatch.setenv("OSS_DESK_BUSY_TIMEOUT", "0.5")
    pending = pending_upgrade(older)
    assert pending is not None
    with holding(older, "desk") as desk:
        with pytest.raises(RuleViolation, match=f"another process \\(process {desk.pid}\\)"):
            upgrade_alone(older, pending)
        let_go(desk)
    assert applied(older)[-1] == OLD
    assert upgrade_alone(older, pending) == pending.pending
    assert applied(older)[-1] == NEWEST


def test_db_backup_copies_an_older_release_s_database_as_it_is(older: Path, tmp_path: Path) -> None:
    """Between installing a release and running init, the nightly backup goes on (review 16,
    5): the copy is at the older schema, said so, and the database is left as it was."""
    before = db_content(older)
    done = run_cli_here("--db", str(older), "db", "backup")
    assert done.returncode == 0, done.stderr
    (copy,) = (older.parent / "backups").glob("office-*.sqlite")
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"Backed up to {copy} (") and f"schema {OLD}." in lines[0]
    ran = len(schema_names()) - len(applied_names_at(OLD))
    assert lines[1] == (
        f"  the copy is at the older schema {OLD}, as the database is: `oss-desk init` upgrades "
        f"the database ({ran} migrations); `db restore` of this copy restores an upgraded copy "
        "of it"
    )
    assert lines[2] == "  event log head: none (an older release's event log, not chained yet)"
    assert applied(copy)[-1] == OLD and events(copy) == events(older)
    assert not Path(f"{copy}.head").exists()  # a head of no chain would mean nothing
    to = tmp_path / "nightly.sqlite"
    as_json = run_cli_here("--db", str(older), "db", "backup", "--to", str(to), "--json")
    assert as_json.returncode == 0, as_json.stderr
    said = json.loads(as_json.stdout)
    assert said["older_schema"] is True and said["schema"][-1] == OLD and said["head"] is None
    assert said["pending"] == list(schema_names())[len(applied_names_at(OLD)) :]
    assert applied(to)[-1] == OLD
    assert applied(older)[-1] == OLD and db_content(older) == before
    check = run_cli_here("--db", str(older), "db", "check")
    assert check.returncode == 4  # it still says what init is for
    restored = run_cli_here("--db", str(older), "init")
    assert restored.returncode == 0, restored.stderr
    back = run_cli_here("--db", str(older), "db", "restore", str(copy), "--yes")
    assert back.returncode == 0, back.stderr
    assert f"{copy.name} was made by an older oss-desk" in back.stdout


def test_init_s_copy_goes_where_db_backup_puts_them_with_the_head_db_check_reads(
    tmp_path: Path,
) -> None:
    """The backup folder from the environment, as db backup takes it (review 16, 6)."""
    path = older_office(tmp_path, NEWEST)  # chained: the release just before this one
    folder = tmp_path / "backup-disk"
    folder.mkdir(mode=0o700)
    env = {"OSS_DESK_BACKUP__FOLDER": str(folder)}
    done = run_cli_here("--db", str(path), "init", env=env)
    assert done.returncode == 0, done.stderr
    (copy,) = folder.glob("office-*.sqlite")
    assert f"Backed up the database as it was to {copy} (verified)." in done.stdout
    assert not (path.parent / "backups").exists()
    head = Path(f"{copy}.head")
    conn = sqlite3.connect(copy)
    newest, digest_of = conn.execute("SELECT id, hex(hash) FROM events ORDER BY id DESC").fetchone()
    conn.close()
    assert head.read_text() == f"event {newest} sha256 {digest_of.lower()}\n"
    assert head.stat().st_mode & 0o777 == 0o600
    assert run_cli_here("--db", str(path), "db", "check", env=env).returncode == 0
    head.write_text(f"event {newest} sha256 {'0' * 64}\n")  # db check reads it there
    check = run_cli_here("--db", str(path), "db", "check", env=env)
    assert check.returncode == 4
    assert f"the hash recorded beside {copy.name}" in check.stdout
