"""A backup killed mid-copy (kill -9, a power cut, the OOM killer) leaves its unfinished copy,
``backups/.NAME.sqlite.partial`` and its ``-journal``: the residents' data, in a hidden file. The
next backup deletes them (never those of a backup still being written: it holds its copy
locked), and ``doctor``'s backups line warns of them until then."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from oss_desk.services.backup_files import hold_new, stale_partials
from oss_desk.storage.holders import flock_held

from .conftest import ROOT, run_cli_process
from .procs import stop


def _grow(db: Path) -> None:
    """Free pages the backup API copies too (a bigger file, a longer copy); nothing added."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("CREATE TABLE ballast (b BLOB)")
        conn.executemany("INSERT INTO ballast VALUES (zeroblob(1048576))", [()] * 120)
        conn.commit()
        conn.execute("DROP TABLE ballast")
        conn.commit()
    finally:
        conn.close()


def _held_mid_copy(db: Path, now: str | None = None) -> subprocess.Popen[str]:
    """A real ``db backup`` held (stopped) once its unfinished copy is there: a busy machine may
    hold it so at any moment; a test lets it go on (SIGCONT) or kills it."""
    folder = db.parent / "backups"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env["OSS_DESK_DB"] = str(db)
    if now is not None:
        env["OSS_DESK_NOW"] = now
    proc = subprocess.Popen(
        [sys.executable, "-m", "oss_desk", "db", "backup"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (folder.is_dir() and any(flock_held(p) for p in folder.glob("*.partial"))):
        assert proc.poll() is None, "the backup ended before its copy was seen"
        assert time.monotonic() < deadline
        time.sleep(0.001)
    # Made, then locked: a backup stopped in between leaves what the next takes for a crashed
    # one's copy, so it is stopped once the copy is locked.
    stop(proc.pid)  # stopped indeed, not a moment later with its copy further on
    return proc


def _kill_mid_backup(db: Path) -> list[str]:
    """Start a real ``db backup``, kill -9 it while its unfinished copy is there; the files left."""
    proc = _held_mid_copy(db)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    return sorted(p.name for p in (db.parent / "backups").iterdir() if ".partial" in p.name)


def test_a_killed_backups_copy_is_warned_of_then_deleted_by_the_next(db_path: Path) -> None:
    _grow(db_path)
    left = _kill_mid_backup(db_path)
    assert left[0].startswith(".office-") and left[0].endswith(".sqlite.partial")
    env = {"OSS_DESK_DB": str(db_path)}

    doctor = run_cli_process("doctor", "--json", env=env)
    line = next(c for c in json.loads(doctor.stdout) if c["check"] == "backups")
    assert line["status"] == "warn", line
    assert "left by a backup that was stopped mid-copy" in line["detail"]
    assert left[0] in line["detail"]

    done = run_cli_process("db", "backup", "--keep", "1", env=env)
    assert done.returncode == 0, done.stderr
    folder = db_path.parent / "backups"
    assert [p.name for p in folder.iterdir() if ".partial" in p.name] == []
    assert len(list(folder.glob("office-*.sqlite"))) == 1
    doctor = run_cli_process("doctor", "--json", env=env)
    line = next(c for c in json.loads(doctor.stdout) if c["check"] == "backups")
    assert "mid-copy" not in line["detail"]


def test_a_second_backup_in_the_same_second_leaves_the_first_alone(db_path: Path) -> None:
    """Both would write the same name: the second is refused (exit 75, try again) and never
    deletes the first's copy as its own (the first then failed, "cannot open the database")."""
    _grow(db_path)
    folder = db_path.parent / "backups"
    env = {"OSS_DESK_DB": str(db_path), "OSS_DESK_NOW": "2026-11-23T09:30:00Z"}
    # Held mid-copy while the second starts: no race for the first to win.
    first = _held_mid_copy(db_path, env["OSS_DESK_NOW"])
    try:
        second = run_cli_process("db", "backup", env=env)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    _, first_err = first.communicate(timeout=60)
    assert second.returncode == 75, second.stderr
    assert second.stderr == (
        f"oss-desk: another backup of this database is being written to {folder} this very "
        "second (nothing was written): try again\n"
    )
    assert first.returncode == 0, first_err
    assert sorted(p.name for p in folder.iterdir()) == [
        "office-20261123T093000Z.sqlite",
        "office-20261123T093000Z.sqlite.head",
    ]


def test_a_backup_being_written_is_never_taken_for_a_stale_one(tmp_path: Path) -> None:
    partial = tmp_path / ".office-20261207T093000Z.sqlite.partial"
    fd = hold_new(partial)
    try:
        journal = partial.with_name(partial.name + "-journal")
        journal.write_bytes(b"x")
        assert stale_partials(tmp_path, "office", remove=True) == []
        assert partial.exists() and journal.exists()
    finally:
        os.close(fd)
    assert stale_partials(tmp_path, "office", remove=True) == [partial, journal]
    assert not partial.exists() and not journal.exists()
