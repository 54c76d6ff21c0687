"""A backup copied over the live database (``cp BACKUP office.sqlite``: the same inode, so the
identity check alone never saw it): running processes stop before their next write, a fresh
command refuses at once (exit 4, not a 15 s wait and "locked"), `db check` names it, and no
ticket code is given out twice. Real processes and real files; the copy is a real `db backup`."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.errors import DatabaseOverwritten
from oss_desk.services.site import initialise
from oss_desk.storage import maintenance
from oss_desk.storage.database import open_store
from oss_desk.storage.incarnation import HEAD

from .cli_here import run_cli_here
from .conftest import MONDAY_0930, ROOT, make_db, run_cli_process, site_toml
from .test_worker_restored_under import _worker


def stamps(db: Path) -> tuple[int, int, int]:
    """(journal mode byte, live stamp, file's own stamp) as the file's header holds them."""
    with db.open("rb") as f:
        raw = f.read(HEAD.size)
    _, mode, live, own = HEAD.unpack(raw)
    return (mode, live, own)


def issue(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_cli_process("ticket", "issue", "--service", "C", "--no-print", "--json", env=env)


def code_of(env: dict[str, str]) -> str:
    issued = issue(env)
    assert issued.returncode == 0, issued.stderr
    return str(json.loads(issued.stdout)["code"])


def code_here(env: dict[str, str]) -> str:
    """As :func:`code_of`, the real `ticket issue` run in the test's own process
    (tests/cli_here.py): for a ticket issued while the test holds nothing of the database open
    and no copy is refused, where the code is the point, not the command's own process."""
    issued = run_cli_here("ticket", "issue", "--service", "C", "--no-print", "--json", env=env)
    assert issued.returncode == 0, issued.stderr
    return str(json.loads(issued.stdout)["code"])


def backup_of(env: dict[str, str]) -> Path:
    made = run_cli_process("db", "backup", "--json", env=env)
    assert made.returncode == 0, made.stderr
    return Path(json.loads(made.stdout)["path"])


def backup_here(env: dict[str, str]) -> Path:
    """As :func:`backup_of`, the real `db backup` run in the test's own process
    (tests/cli_here.py): for a backup taken while the test holds nothing of the database open,
    where the copy is the point, not the backup's own process."""
    made = run_cli_here("db", "backup", "--json", env=env)
    assert made.returncode == 0, made.stderr
    return Path(json.loads(made.stdout)["path"])


def checkpoint(db: Path) -> None:
    """What SQLite's own autocheckpoint does now and then: the WAL folded into the file."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
    finally:
        conn.close()


@pytest.mark.parametrize("folded", [True, False], ids=["checkpointed", "wal-beside"])
def test_a_backup_copied_over_the_database_stops_the_worker_and_no_code_is_given_twice(
    tmp_path: Path, folded: bool
) -> None:
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    worker = _worker(db, tmp_path / "worker.log")
    try:
        assert code_of(env) == "C001"
        backup = backup_here(env)
        assert [code_of(env), code_of(env)] == ["C002", "C003"]
        if folded:
            checkpoint(db)
        inode = db.stat().st_ino
        shutil.copyfile(backup, db)  # what `cp` does: same file, new content
        assert db.stat().st_ino == inode

        code = worker.wait(30)
        text = (tmp_path / "worker.log").read_text(encoding="utf-8")
        assert code == 4, text
        last = text.strip().splitlines()[-1]
        # (Seen mid-copy, it says the file was cut short; once copied, that it is a backup's.
        # A lane that opened the file again after the copy is refused on opening it, which
        # says the same in its own words: which one comes first depends on the machine's load.)
        said = "overwritten in place" in last or "was a backup copied over it?" in last
        assert said and "db check" in last, last
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)

    # A fresh command refuses the copy at once: C002 and C003 are on paper already.
    for args in (("queue",), ("ticket", "issue", "--service", "C", "--no-print")):
        refused = run_cli_process(*args, env=env)
        assert refused.returncode == 4, (args, refused.stdout, refused.stderr)
        assert "is a copy made by `oss-desk db backup`" in refused.stderr
        assert "db restore" in refused.stderr and "Traceback" not in refused.stderr
        assert "C002" not in refused.stdout
    # Nothing was written to the copy, and the overwritten database's WAL was not folded in.
    assert db.read_bytes() == backup.read_bytes()
    checked = run_cli_process("db", "check", env=env)
    assert checked.returncode != 0
    assert "a copy made by `oss-desk db backup`" in checked.stdout + checked.stderr


def test_a_copy_without_stamps_over_a_held_database_is_refused_at_once_not_after_the_timeout(
    tmp_path: Path,
) -> None:
    """An older release's backup (a rollback-journal file, no stamps) copied over the database
    while a process holds it open: `oss-desk queue` waited the busy timeout to switch the file
    to WAL and said "database locked" though no one was writing."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db), "OSS_DESK_BUSY_TIMEOUT": "8"}
    old = tmp_path / "old-backup.sqlite"
    source = sqlite3.connect(db, isolation_level=None)
    try:
        maintenance.backup_snapshot(source, old)
    finally:
        source.close()
    plain = sqlite3.connect(old)
    plain.execute("PRAGMA user_version = 0")
    plain.execute("PRAGMA application_id = 0")
    plain.commit()
    plain.close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from oss_desk.storage.database import "
            "open_store; s = open_store(Path(sys.argv[1])); print('open', flush=True); "
            "sys.stdin.read()",
            str(db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        checkpoint(db)
        shutil.copyfile(old, db)
        started = time.monotonic()
        queue = run_cli_process("queue", env=env)
        took = time.monotonic() - started
        assert queue.returncode == 4, queue.stderr
        assert "overwritten in place by a copy that is not a live database" in queue.stderr
        assert "locked" not in queue.stderr
        assert took < 8, took
    finally:
        holder.kill()
        holder.wait(10)


def test_a_write_after_the_copy_is_refused_before_it_begins(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    backup = backup_here(env)
    store = open_store(db)
    try:
        assert store.data_version() >= 0  # holds the file open, as a desk does
        shutil.copyfile(backup, db)
        with (
            pytest.raises(DatabaseOverwritten, match="overwritten in place"),
            store.write() as conn,
        ):
            conn.execute("UPDATE desks SET status = 'break' WHERE id = 'desk-1'")
        with pytest.raises(DatabaseOverwritten):  # and every write from then on
            store.check_file()
    finally:
        store.close()
    assert db.read_bytes() == backup.read_bytes()


def test_each_backup_has_its_own_stamp_and_a_restore_gives_the_live_file_a_new_one(
    tmp_path: Path,
) -> None:
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    mode, live, own = stamps(db)
    assert (mode, own) == (2, live) and live != 0  # init stamped the live file
    first, second = backup_here(env), backup_here(env)
    copies = [stamps(first), stamps(second)]
    assert [c[1] for c in copies] == [live, live]  # each says which live file it copies
    assert len({live, copies[0][2], copies[1][2]}) == 3  # and that it is a copy
    restored = run_cli_process("db", "restore", str(first), "--yes", env=env)
    assert restored.returncode == 0, restored.stderr
    mode, again, own = stamps(db)
    assert mode == 2 and again == own and again not in (live, copies[0][2], copies[1][2])
    assert code_here(env) == "C001"  # the restored file opens as the live database


def test_init_stamps_an_unstamped_database_without_stopping_a_process_that_has_it_open(
    tmp_path: Path,
) -> None:
    """A database an earlier release made has no stamp; `init` gives it one while a desk may
    have it open: that desk takes it as the same file, not an overwrite."""
    db = make_db(tmp_path, site_toml())
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA user_version = 0")
    conn.execute("PRAGMA application_id = 0")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert stamps(db)[1:] == (0, 0)
    store = open_store(db)
    try:
        initialise(db, clock=FixedClock(MONDAY_0930), config_path=tmp_path / "site.toml")
        checkpoint(db)
        _, live, own = stamps(db)
        assert live == own != 0
        store.check_file()
        with store.write() as c:
            c.execute("UPDATE desks SET status = 'break' WHERE id = 'desk-1'")
    finally:
        store.close()
    assert os.path.exists(db)


def test_a_backup_used_on_its_own_opens_but_not_one_put_where_the_office_worked(
    tmp_path: Path,
) -> None:
    """A backup copied out to a path of its own (a training copy) is a database of its own:
    it opens and is stamped live. The same copy put over the office's file after every desk
    closed (nothing holds it, no WAL beside it) is still refused: the office wrote there."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    assert code_here(env) == "C001"
    backup = backup_here(env)
    assert code_here(env) == "C002"
    training = tmp_path / "training" / "office.sqlite"
    training.parent.mkdir()
    shutil.copyfile(backup, training)
    assert code_here({"OSS_DESK_DB": str(training)}) == "C002"  # its own numbering goes on
    mode, live, own = stamps(training)
    assert mode == 2 and live == own and live != stamps(backup)[2]
    assert code_here({"OSS_DESK_DB": str(training)}) == "C003"

    assert not db.with_name(db.name + "-wal").exists()  # every process closed cleanly
    shutil.copyfile(backup, db)
    refused = issue(env)
    assert refused.returncode == 4 and "is a copy made by `oss-desk db backup`" in refused.stderr


LOOKS_OFTEN = """
import sys
from oss_desk.worker import standby
standby.COPY_CHECK_SECONDS = 0.5
from oss_desk.cli import main
main(sys.argv[1:])
"""
"""`oss-desk` (the CLI's own entry) whose worker, waiting for its file to be put right, looks
at it every 0.5 s instead of every 5 s: it resumes within half a second of the restore."""


def test_the_worker_service_waits_on_a_copied_over_database_and_resumes_once_it_is_restored(
    tmp_path: Path,
) -> None:
    """After a backup was copied over the database, the worker that saw it exits 4; its service
    manager starts it again (every 2 s) and it exited 4 again at once, for ever, a journal line
    each time. Now the new process stays up and says once that it waits, writing nothing and
    keeping nothing open (so `db restore` is not refused for it); doctor says the same; once a
    backup is restored it resumes by itself and delivers again."""
    printed = tmp_path / "greet.prn"
    db = make_db(tmp_path, site_toml(greet_printer=f"capture://{printed}"))
    env = {"OSS_DESK_DB": str(db)}
    first = _worker(db, tmp_path / "first.log")
    try:
        assert code_of(env) == "C001"
        backup = backup_here(env)
        checkpoint(db)
        shutil.copyfile(backup, db)
        assert first.wait(30) == 4
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)

    log = tmp_path / "second.log"
    full = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    full.update(env, PYTHONPATH=str(ROOT))
    with log.open("wb") as out:  # what the service manager does 2 s later
        second = subprocess.Popen(
            [sys.executable, "-c", LOOKS_OFTEN, "worker"], env=full, stderr=out, stdout=out
        )
    try:
        deadline = time.monotonic() + 20
        while "resumes by itself" not in log.read_text(encoding="utf-8"):
            assert second.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.05)
        doctor = run_cli_process("doctor", env=env)
        (line,) = [x for x in doctor.stdout.splitlines() if x.startswith("fail  database")]
        assert "was a backup copied over it?" in line and "the worker service waits" in line
        assert "resumes by itself once `oss-desk db restore BACKUP`" in line, line

        # The copy holds only the backup's numbering (no WAL beside it): the last code on
        # paper is the operator's word (review 21).
        restored = run_cli_process(
            "db", "restore", str(backup), "--yes", "--last-code", "C1", env=env
        )
        assert restored.returncode == 0, restored.stderr
        deadline = time.monotonic() + 30
        while "owns the devices" not in log.read_text(encoding="utf-8"):
            assert second.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.05)
        issued = run_cli_process(  # printed by the worker that waited
            "ticket", "issue", "--service", "C", "--desk", "greet-1", "--json", env=env
        )
        assert issued.returncode == 0, issued.stderr
        code = json.loads(issued.stdout)["code"]
        deadline = time.monotonic() + 20
        while not printed.exists() or code.encode() not in printed.read_bytes():
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.05)
    finally:
        second.terminate()
        assert second.wait(20) == 0
    text = log.read_text(encoding="utf-8")
    assert text.count("resumes by itself") == 1, text  # said once, not every few seconds
    assert "is the office's database again: the worker resumes" in text, text
