"""Faults under the database, with real file systems and real processes.

- The file deleted, moved or replaced under a running writer (a desk's process) and under a
  loop of commands: no ticket is acknowledged that is not in the file at the configured path.
- A full disk (a small tmpfs, or without root a file-size limit), a read-only mount, a
  permission denied, a lock held past the busy timeout: one line naming the cause and the path,
  exit 75 (try again), nothing half written.
- The device worker waits through a full disk and resumes.

A tmpfs needs root (or CAP_SYS_ADMIN): without it those cases are skipped, and the disk-full
case runs with RLIMIT_FSIZE instead.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.storage.lease import WorkerLock
from oss_desk.worker import run as worker_run
from oss_desk.worker.run import DeviceWorker

from .cli_here import run_cli_here
from .conftest import MONDAY_0930, ROOT, make_db, site_toml

NOW = "2026-11-23T10:00:00Z"


SOONER = """
import sys
from oss_desk.domain import delivery
delivery.ALIVE_SECONDS = 1.5
from oss_desk.cli import run
sys.exit(run(sys.argv[1:]))
"""
"""``oss-desk ARGS`` in which a heartbeat older than 1.5 s (in service 15 s: three missed
beats) is not lately."""


def process_env(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update({"OSS_DESK_DB": str(db), "OSS_DESK_NOW": NOW, **extra})
    return env


def oss_desk(
    db: Path,
    *args: str,
    preexec: Callable[[], None] | None = None,
    prefix: tuple[str, ...] = (),
    **extra: str,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "oss_desk", *args],
        capture_output=True,
        text=True,
        env=process_env(db, **extra),
        cwd=ROOT,
        timeout=120,
        preexec_fn=preexec,
    )


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    return proc.stderr


def tickets(db: Path) -> set[int]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {int(r[0]) for r in conn.execute("SELECT id FROM tickets")}
    finally:
        conn.close()


def healthy(db: Path) -> bool:
    conn = sqlite3.connect(db)
    try:
        return bool(conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    finally:
        conn.close()


@contextmanager
def write_lock(db: Path) -> Iterator[sqlite3.Connection]:
    """Hold the database's write lock (no commit can happen meanwhile)."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    finally:
        conn.execute("ROLLBACK")
        conn.close()


# The file under a running process --------------------------------------------------------------


def _replace(db: Path, tmp: Path) -> None:
    """A copy of the database as it is (a restore of a fresh backup) renamed over it."""
    copy = tmp / "copy.sqlite"
    source = sqlite3.connect(db)
    target = sqlite3.connect(copy)
    source.backup(target)
    target.close()
    source.close()
    os.replace(copy, db)


def _delete(db: Path, tmp: Path) -> None:
    db.unlink()


def _move(db: Path, tmp: Path) -> None:
    db.rename(tmp / "moved-away.sqlite")


CHANGES = {"replaced": _replace, "deleted": _delete, "moved": _move}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_the_file_changed_under_a_running_writer(tmp_path: Path, change: str) -> None:
    db = make_db(tmp_path, site_toml())
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.fault_writer", str(db), "400", "0.02"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=process_env(db),
        cwd=ROOT,
    )
    assert writer.stdout is not None
    try:
        assert writer.stdout.readline().strip() == "ready"
        acked: list[int] = []
        while len(acked) < 5:
            line = writer.stdout.readline().split()
            assert line and line[0] == "ok", line
            acked.append(int(line[1]))
        # Under the write lock, so that no commit falls between the copy and the rename.
        with write_lock(db) as conn:
            last_before = int(conn.execute("SELECT max(id) FROM tickets").fetchone()[0])
            CHANGES[change](db, tmp_path)
        rest = writer.stdout.read()
        writer.wait(timeout=60)
    finally:
        writer.kill()
        writer.wait()
    lines = [line.split(" ", 3) for line in rest.splitlines()]
    acked += [int(line[1]) for line in lines if line[0] == "ok"]
    refusal = [line for line in lines if line[0] == "refused"]
    assert refusal, rest
    assert refusal[0][1] == "4"
    assert f"{db} was" in refusal[0][2] + " " + refusal[0][3]
    assert writer.returncode == 4
    # Nothing acknowledged after the change; everything acknowledged is in the file at the path
    # (the replacing copy), or there is no file at the path at all.
    assert max(acked) <= last_before
    if change == "replaced":
        assert set(acked) <= tickets(db)
        assert healthy(db)
    else:
        assert not db.exists()


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_the_file_changed_under_a_loop_of_commands(tmp_path: Path, change: str) -> None:
    """Commands one after another, the file changed between two of them: each command is the
    real entry point run afresh, here in the test's process (tests/cli_here.py), as a loop in
    a shell runs them; a process running across the change is the test above."""
    db = make_db(tmp_path, site_toml())
    acked: list[tuple[int, bool]] = []  # (ticket id, acknowledged after the change)
    changed = False
    for n in range(6):
        if n == 3:
            with write_lock(db):
                CHANGES[change](db, tmp_path)
            changed = True
        proc = run_cli_here("ticket", "issue", "--service", "C", "--json", env=process_env(db))
        if proc.returncode == 0:
            acked.append((int(json.loads(proc.stdout)["id"]), changed))
        else:
            assert changed and change != "replaced"
            assert f"no database at {db}" in one_line(proc)
            assert proc.returncode == 4
    if change == "replaced":
        assert {t for t, _ in acked} <= tickets(db)  # the later ones went into the new file
        assert len(acked) == 6
    else:
        assert not db.exists()
        assert [t for t, after in acked if after] == []


# Resource faults ----------------------------------------------------------------------------


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A 6 MiB tmpfs (root only), unmounted afterwards."""
    mount = tmp_path / "fs"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=6m,mode=0755", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}): needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> Path:
    """Take every free byte of the file system holding ``folder``."""
    filler = folder / "filler"
    # Unbuffered: a buffered file would try the last partial block again on close and raise
    # there, depending only on how the free space divides by the block.
    with filler.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


def assert_resource_fault(proc: subprocess.CompletedProcess[str], cause: str, db: Path) -> None:
    line = one_line(proc)
    assert proc.returncode == 75, line
    assert line.startswith(f"oss-desk: {cause}"), line
    assert str(db) in line


def test_disk_full_on_a_small_tmpfs(small_fs: Path, tmp_path: Path) -> None:
    db = make_db(small_fs, site_toml())
    before = oss_desk(db, "ticket", "issue", "--service", "C", "--json")
    assert before.returncode == 0, before.stderr
    saved = tickets(db)
    filler = fill(small_fs)
    refused = None
    for _ in range(50):  # SQLite may still have room in its last pages
        proc = oss_desk(db, "ticket", "issue", "--service", "C", "--json")
        if proc.returncode != 0:
            refused = proc
            break
        saved.add(int(json.loads(proc.stdout)["id"]))
    assert refused is not None
    assert_resource_fault(refused, "disk full: cannot write to", db)
    filler.unlink()
    assert healthy(db)
    assert tickets(db) == saved  # every acknowledged ticket, and nothing half written
    after = oss_desk(db, "ticket", "issue", "--service", "C", "--json")
    assert after.returncode == 0, after.stderr


def test_disk_full_by_a_file_size_limit(tmp_path: Path) -> None:
    """Without root: the process may not write a file past 8 KiB (RLIMIT_FSIZE); SQLite then
    cannot grow the WAL for the new ticket. The kernel says EFBIG, which SQLite reports as an
    I/O error rather than SQLITE_FULL: the same exit, a different cause named."""
    db = make_db(tmp_path, site_toml())
    assert oss_desk(db, "ticket", "issue", "--service", "C").returncode == 0
    saved = tickets(db)

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    proc = oss_desk(db, "ticket", "issue", "--service", "C", preexec=limited)
    assert_resource_fault(proc, "disk I/O error on", db)
    assert healthy(db) and tickets(db) == saved


def test_a_read_only_mount(small_fs: Path) -> None:
    db = make_db(small_fs, site_toml())
    assert oss_desk(db, "ticket", "issue", "--service", "C").returncode == 0
    saved = tickets(db)
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    try:
        for args in (("ticket", "issue", "--service", "C"), ("desks", "break", "desk-1")):
            proc = oss_desk(db, *args)
            assert_resource_fault(proc, "read-only file system: cannot write to", db)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_fs)], check=True)
    assert healthy(db) and tickets(db) == saved


def test_permission_denied(tmp_path: Path) -> None:
    """The database belongs to another account and this process may not override file
    permissions (root with CAP_DAC_OVERRIDE dropped, as any other account is)."""
    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv (util-linux) to drop the override capabilities")
    db = make_db(tmp_path, site_toml())
    saved = tickets(db)
    os.chown(db, 65534, 65534)
    drop = (setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner")
    proc = oss_desk(db, "ticket", "issue", "--service", "C", prefix=drop)
    assert_resource_fault(proc, "permission denied: this account cannot write to", db)
    os.chown(db, 0, 0)
    assert healthy(db) and tickets(db) == saved


def test_locked_past_the_busy_timeout(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    saved = tickets(db)
    with write_lock(db):
        started = time.monotonic()
        proc = oss_desk(db, "ticket", "issue", "--service", "C", OSS_DESK_BUSY_TIMEOUT="0.5")
        waited = time.monotonic() - started
    assert_resource_fault(proc, "database locked: another process held", db)
    assert "0.5 s" in proc.stderr
    assert waited >= 0.5
    assert tickets(db) == saved
    # Once the lock is gone the same command works.
    assert oss_desk(db, "ticket", "issue", "--service", "C").returncode == 0


def test_the_worker_waits_through_a_full_disk_and_resumes(small_fs: Path, tmp_path: Path) -> None:
    capture = tmp_path / "printer.bin"  # the printer's bytes go elsewhere
    db = make_db(small_fs, site_toml(greet_printer=f"capture://{capture}"))
    worker = DeviceWorker(
        lambda: open_session(db=db, clock=FixedClock(MONDAY_0930), person="worker", host=True),
        poll_interval=0.02,
    )
    worker.start()
    try:
        filler = fill(small_fs)
        deadline = time.monotonic() + 30
        full = ("StorageFull", "StorageIOError")
        while not set(full) & set(worker.errors) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert set(full) & set(worker.errors), worker.errors  # its heartbeat met the full disk
        filler.unlink()
        session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl", desk_id="greet-1")
        try:
            for service in ("C", "B", "W"):
                QueueService(session).issue(service)  # three print jobs
        finally:
            session.close()
        while time.monotonic() < deadline + 30:
            conn = sqlite3.connect(db)
            done = conn.execute("SELECT count(*) FROM print_jobs WHERE status = 'done'")
            finished = done.fetchone()[0]
            conn.close()
            if finished == 3:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the worker did not resume")
    finally:
        worker.join()
    assert healthy(db)
    assert capture.read_bytes().count(b"\x1dV") >= 3  # three tickets cut


def test_doctor_points_at_the_full_disk_not_at_restarting_the_worker(
    small_fs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault hunt: with the disk full the worker waits for room, but doctor told staff to
    restart it (which cannot help: a new worker refuses on a full disk). Its line now points
    at the disk, as the disk space line does."""
    # Time a tenth as long as in service: the worker beats every 0.5 s (5 s), and doctor, in
    # its own process, calls a heartbeat older than 1.5 s (three beats: 15 s) not lately.
    monkeypatch.setattr(worker_run, "HEARTBEAT_SECONDS", 0.5)
    with worker_on_a_full_disk(small_fs, tmp_path) as (db, _, deadline):
        line, said = "", []
        while time.monotonic() < deadline + 30:  # its heartbeat grows old (1.5 s here)
            said = doctor_said(db)
            line = next(x for x in said if x.split(":")[0].split()[-1] == "worker")
            if "lately" in line:
                break
            time.sleep(0.5)
        assert "the disk holding it is full (see disk space)" in line, line
        assert "free space there and it carries on by itself" in line
        assert "restart it (systemctl" not in line
        assert any(x.startswith("fail") and "disk space" in x for x in said), said


@contextmanager
def worker_on_a_full_disk(small_fs: Path, tmp_path: Path) -> Iterator[tuple[Path, Path, float]]:
    """A device worker on an office on the small file system, holding the lock as `oss-desk
    worker` does, once the disk is filled and the worker has met it: (the database, the file
    that fills the disk, the deadline the wait for it began); stopped and unlocked after."""
    capture = tmp_path / "printer.bin"
    db = make_db(small_fs, site_toml(greet_printer=f"capture://{capture}"))
    worker = DeviceWorker(
        lambda: open_session(db=db, clock=FixedClock(MONDAY_0930), person="worker", host=True),
        poll_interval=0.02,
    )
    lock = WorkerLock.acquire(db)  # as `oss-desk worker` holds it
    assert lock is not None
    worker.start()
    try:
        filler = fill(small_fs)
        deadline = time.monotonic() + 30
        full = {"StorageFull", "StorageIOError"}
        while not full & set(worker.errors) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert full & set(worker.errors), worker.errors
        yield db, filler, deadline
    finally:
        worker.join()
        lock.release()


def doctor_said(db: Path) -> list[str]:
    """``oss-desk doctor``'s lines, run in a process of its own with the faster times."""
    return subprocess.run(
        [sys.executable, "-c", SOONER, "doctor"],
        capture_output=True,
        text=True,
        env=process_env(db),
        cwd=ROOT,
        timeout=120,
    ).stdout.splitlines()


def test_no_space_left_for_an_export(small_fs: Path, tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    fill(small_fs)
    out = small_fs / "day.html"
    proc = oss_desk(db, "report", "daily", "--format", "html", "--output", str(out))
    line = one_line(proc)
    assert proc.returncode == 75, line
    assert line.startswith("oss-desk: disk full: cannot write to") and str(out) in line
    assert not out.exists()  # whole or nothing
    assert not [p for p in small_fs.iterdir() if p.name.endswith(".partial")]
    shutil.rmtree(small_fs / "filler", ignore_errors=True)
