"""A restore killed before its copy is in place leaves that hidden copy beside the database: a
whole backup, residents' details included, even those erased since (review33: kept for good
and unseen, `doctor` said ok, later backups and restores left it). The next restore deletes
it, `doctor` warns of it with the `rm`, and `db backup` prunes it after backup.keep_days as
it prunes the copies restores keep. Real processes killed with SIGKILL, on real files."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from .conftest import ROOT, Cli
from .test_restore_erasures_first import (
    KILLED_AFTER_THE_SWAP,
    _backed_up_then_forgotten,
    office,
    restore_killed_by,
)
from .test_subject_access import NOW

KILLED_BEFORE_THE_SWAP = """
import os, signal, sys
from oss_desk.services import dbops
def erase_again(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # the copy staged, the erasures not yet made on it
dbops.erase_again = erase_again
from oss_desk.cli import run
sys.exit(run(sys.argv[1:]))
"""


__all__ = ["office"]  # the fixture, used by name


def _killed_restore(office: Cli, tmp_path: Path) -> tuple[str, Path]:
    """A backup, the resident forgotten after it, and its restore killed: the backup and the
    hidden copy left."""
    _ref, backup = _backed_up_then_forgotten(office, tmp_path)
    restore_killed_by(KILLED_BEFORE_THE_SWAP, office, backup)
    [left] = office.db.parent.glob(f".{office.db.name}.restore-*.partial")
    conn = sqlite3.connect(f"file:{left}?mode=ro", uri=True)
    try:  # what makes it matter: the erased resident's name is in it
        assert conn.execute("SELECT name FROM followup_details").fetchall() == [("Zed Quill",)]
    finally:
        conn.close()
    return backup, left


def _hidden(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.glob(f".{db.name}.restore-*"))


def test_doctor_warns_of_a_killed_restore_s_copy_and_the_next_restore_deletes_it(
    office: Cli, tmp_path: Path
) -> None:
    backup, left = _killed_restore(office, tmp_path)
    doctor = office("doctor", now=NOW)
    [line] = [n for n in doctor.out.splitlines() if "backups" in n]
    assert line.startswith("warn"), line
    assert "1 hidden copy of a backup left beside the database" in line
    assert left.name in line and f"`rm {left}" in line, line

    restored = office("db", "restore", backup, "--yes", now=NOW)
    assert restored.code == 0, restored.err
    assert _hidden(office.db) == []
    doctor = office("doctor", now=NOW)
    assert "hidden cop" not in doctor.out


def test_db_backup_prunes_a_killed_restore_s_copy_after_keep_days(
    office: Cli, tmp_path: Path
) -> None:
    _backup, left = _killed_restore(office, tmp_path)
    assert office("db", "backup", now=NOW).code == 0
    assert left.name in _hidden(office.db)  # not yet old
    old = time.time() - 15 * 86400  # past backup.keep_days (14 days)
    os.utime(left, (old, old))
    assert office("db", "backup", now=NOW).code == 0
    assert _hidden(office.db) == []


def test_the_files_a_restore_killed_after_its_swap_left_go_with_the_next_restore(
    office: Cli, tmp_path: Path
) -> None:
    """Killed once its copy was in place: the staged copy is the database now, but its write
    lock and settings cache stay hidden beside it, until the next restore."""
    _ref, backup = _backed_up_then_forgotten(office, tmp_path)
    restore_killed_by(KILLED_AFTER_THE_SWAP, office, backup)
    left = _hidden(office.db)
    assert left and not [n for n in left if n.endswith(".partial")], left
    assert "hidden cop" not in office("doctor", now=NOW).out  # no copy: nothing to warn of
    assert office("db", "restore", backup, "--yes", now=NOW).code == 0
    assert _hidden(office.db) == []


def test_resident_find_names_a_killed_restore_s_copy_with_the_rm(
    office: Cli, tmp_path: Path
) -> None:
    """The copy holds the forgotten resident's details: `resident find` says so, as it says of
    the copies restores keep, with the `rm` that deletes it."""
    _backup, left = _killed_restore(office, tmp_path)
    found = office("--user", "amina", "resident", "find", "--email", "zed@example.org", now=NOW)
    assert found.code == 0, found.err
    assert found.out.startswith("Nothing held under that email"), found.out
    [said] = [n for n in found.out.splitlines() if "kept by `oss-desk db restore`" in n]
    assert left.name in said and str(left) in said, said


PAUSED_BEFORE_THE_SWAP = """
import os, sys, time
from pathlib import Path
from oss_desk.services import dbops
def erase_again(*args, **kwargs):
    Path(os.environ["PAUSED"]).touch()  # the copy staged: the restore is running
    time.sleep(120)
dbops.erase_again = erase_again
from oss_desk.cli import run
sys.exit(run(sys.argv[1:]))
"""


def _renamed_to_pid(left: Path, pid: int) -> Path:
    """The killed restore's copy and its files, named as if made by process ``pid``."""
    new = left.with_name(re.sub(r"-\d+\.partial$", f"-{pid}.partial", left.name))
    for f in left.parent.glob(f"{left.name}*"):
        f.rename(f.with_name(new.name + f.name[len(left.name) :]))
    return new


def test_a_killed_restore_s_copy_is_told_when_its_pid_was_given_to_another_process(
    office: Cli, tmp_path: Path
) -> None:
    """The copy names the killed restore's process; once that number is another live
    process's (here this test's own, and a `sleep`), `doctor` said nothing of it and the next
    restore left it, as if that restore were still running. A restore is running only while it
    holds the lock beside its copy."""
    backup, left = _killed_restore(office, tmp_path)
    with subprocess.Popen(["sleep", "60"]) as other:
        try:
            for pid in (os.getpid(), other.pid):
                left = _renamed_to_pid(left, pid)
                doctor = office("doctor", now=NOW)
                [line] = [n for n in doctor.out.splitlines() if "backups" in n]
                assert "1 hidden copy of a backup left beside the database" in line, line
                assert left.name in line, line
            assert office("db", "restore", backup, "--yes", now=NOW).code == 0
            assert _hidden(office.db) == []
        finally:
            other.kill()


def test_a_restore_still_running_is_not_a_leftover_until_it_is_killed(
    office: Cli, tmp_path: Path
) -> None:
    """A restore paused with its copy staged (a real process holding its lock): `doctor` does
    not call its copy a leftover and `db backup` leaves it; killed, the lock goes with it."""
    _ref, backup = _backed_up_then_forgotten(office, tmp_path)
    paused = tmp_path / "paused"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env |= {"OSS_DESK_DB": str(office.db), "OSS_DESK_NOW": NOW, "PAUSED": str(paused)}
    script = [sys.executable, "-c", PAUSED_BEFORE_THE_SWAP, "db", "restore", backup, "--yes"]
    with subprocess.Popen(script, env=env, cwd=ROOT, stderr=subprocess.DEVNULL) as running:
        try:
            deadline = time.monotonic() + 60
            while not paused.exists():
                assert running.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
            [left] = office.db.parent.glob(f".{office.db.name}.restore-*.partial")
            assert "hidden cop" not in office("doctor", now=NOW).out
            old = time.time() - 15 * 86400  # past backup.keep_days: pruned were it a leftover
            os.utime(left, (old, old))
            assert office("db", "backup", now=NOW).code == 0
            assert left.exists()
        finally:
            running.kill()
    doctor = office("doctor", now=NOW)
    assert "1 hidden copy of a backup left beside the database" in doctor.out, doctor.out
