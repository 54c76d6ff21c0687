"""The edges of telling a backup copied over the database from a database of its own: a process
that closes before it has looked again, two processes opening a training copy at once, and a
database compacted with ``VACUUM INTO`` and moved into place while nothing runs. Real files,
real processes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from oss_desk.errors import DatabaseOverwritten
from oss_desk.storage.database import open_store
from oss_desk.storage.incarnation import FileHead

from .conftest import ROOT, make_db, run_cli_process, site_toml
from .test_copy_over import backup_here, code_here, code_of, stamps


def test_a_store_closed_after_an_overwrite_it_had_not_seen_keeps_the_wal_out_of_the_copy(
    tmp_path: Path,
) -> None:
    """`cp BACKUP office.sqlite && systemctl restart oss-desk-worker`: the worker closed its
    connections without looking at the file again, and SQLite folded the overwritten
    database's WAL into the copy (a malformed file, and the day's codes gone)."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    backup = backup_here(env)
    store = open_store(db)  # holds it open, as a worker's lane does
    assert [code_of(env), code_of(env)] == ["C001", "C002"]
    wal = db.with_name(db.name + "-wal")
    kept = wal.read_bytes()
    assert kept  # the two tickets are in the WAL, not yet in the file
    shutil.copyfile(backup, db)
    store.close()  # the last connection: nothing else looked at the file first
    assert wal.read_bytes() == kept  # left beside the file for `db restore` to read
    assert db.read_bytes() == backup.read_bytes()  # and nothing folded into the copy


def test_a_training_copy_stamped_by_another_opener_after_this_one_looked_is_not_refused(
    tmp_path: Path,
) -> None:
    """Two processes opening a training copy at once: the second read the copy's header, then
    found the first one's WAL beside it, and refused it as a backup copied over a database."""
    db = make_db(tmp_path, site_toml())
    backup = backup_here({"OSS_DESK_DB": str(db)})
    training = tmp_path / "training.sqlite"
    shutil.copyfile(backup, training)
    later = FileHead(training)  # has read the header: still the copy's
    first = open_store(training)  # the other opener adopts it, and its WAL is beside it now
    try:
        assert training.with_name(training.name + "-wal").exists()
        assert later.refuse_copy() is False
    finally:
        later.close()
        first.close()
    mode, live, own = stamps(training)
    assert mode == 2 and live == own != stamps(backup)[2]


def test_training_copies_opened_by_three_processes_at_once_all_open(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    backup = backup_here({"OSS_DESK_DB": str(db)})
    script = (
        "import sys; from pathlib import Path; from oss_desk.storage.database import "
        "open_store; open_store(Path(sys.argv[1])).close()"
    )
    for round_ in range(3):
        training = tmp_path / f"training-{round_}.sqlite"
        shutil.copyfile(backup, training)
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(training)],
                cwd=ROOT,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        for run in runs:
            _, err = run.communicate(timeout=60)
            assert run.returncode == 0, err
        mode, live, own = stamps(training)
        assert mode == 2 and live == own != 0


def test_a_database_compacted_and_moved_in_while_nothing_runs_opens(tmp_path: Path) -> None:
    """`sqlite3 office.sqlite "VACUUM INTO 'office.new'" && mv office.new office.sqlite` with
    the desks and the worker stopped: a whole database (one stamp twice) in rollback-journal
    mode. It was refused as overwritten under running processes (the write lock file, which
    stays for good, counted as "in use") while `db check` found nothing wrong."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    assert code_here(env) == "C001"
    compact = tmp_path / "office.new"
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute(f"VACUUM INTO '{compact}'")
    finally:
        conn.close()
    live = stamps(db)[1]
    assert stamps(compact) == (1, live, live)
    os.replace(compact, db)
    queue = run_cli_process("queue", env=env)
    assert queue.returncode == 0, queue.stderr
    assert "C001" in queue.stdout
    assert code_here(env) == "C002"
    assert stamps(db) == (2, live, live)


def test_a_check_while_cp_has_cut_the_file_short_keeps_the_wal(tmp_path: Path) -> None:
    """`cp` truncates the file before it writes the copy. A check that ran in between opened
    the read-only guard on a file with no pages, and SQLite deleted the WAL beside it (the
    codes `db restore` reads from there): the guard waits for the copy's header."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    backup = backup_here(env)
    store = open_store(db)  # holds it open, as a desk does
    assert [code_of(env), code_of(env)] == ["C001", "C002"]
    wal = db.with_name(db.name + "-wal")
    kept = wal.read_bytes()
    assert kept
    with db.open("r+b") as f:
        f.truncate(0)  # what `cp` does first (O_TRUNC)
    with pytest.raises(DatabaseOverwritten):
        store.check_file()
    assert wal.read_bytes() == kept
    with db.open("r+b") as f:
        f.write(backup.read_bytes())  # then it writes the copy, into the same file
    store.close()  # the guard now holds the file: the close folds nothing in
    assert wal.read_bytes() == kept
    assert db.read_bytes() == backup.read_bytes()


def test_a_check_while_cp_has_cut_the_file_short_says_what_the_copy_is_once_written(
    tmp_path: Path,
) -> None:
    """A check between `cp` emptying the file and writing the copy can only say the file is cut
    short; once the copy's header is written, the next check says it is a backup's copy (it
    said "cut short" for good, and a desk showed that while a backup lay there)."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    backup = backup_here(env)
    store = open_store(db)
    try:
        assert code_of(env) == "C001"
        with db.open("r+b") as f:
            f.truncate(0)  # `cp` has opened it (O_TRUNC) and not written yet
        with pytest.raises(DatabaseOverwritten) as cut:
            store.check_file(saving=True)  # just after a commit
        assert "cut short" in cut.value.message and "just saved" in cut.value.message
        with pytest.raises(DatabaseOverwritten) as still:
            store.check_file()
        assert still.value.message == cut.value.message  # nothing new to say yet
        with db.open("r+b") as f:
            f.write(backup.read_bytes()[:4096])  # the copy's first page: its header
        with pytest.raises(DatabaseOverwritten) as whole:
            store.check_file()
        said = whole.value.message
        assert "a copy made by `oss-desk db backup`" in said and "cut short" not in said
        assert said == cut.value.message.replace(
            "it is cut short or no database: a copy was being written over it?",
            "by a copy made by `oss-desk db backup`: was a backup copied over it?",
        )  # the rest as it was: what was just saved is not in it
    finally:
        store.close()


def test_a_file_cut_short_and_left_so_is_still_said_to_be_cut_short(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    store = open_store(db)
    try:
        with db.open("r+b") as f:
            f.truncate(0)
            f.write(b"not a database, not at all: some other file copied over it" * 4)
        for _ in range(2):
            with pytest.raises(DatabaseOverwritten) as seen:
                store.check_file()
            assert "cut short or no database" in seen.value.message
    finally:
        store.close()


def test_a_command_started_while_cp_has_cut_the_file_short_keeps_the_wal(tmp_path: Path) -> None:
    """A command opening the file in that moment read a file with no pages, and SQLite deleted
    the WAL beside it: it refuses before anything reads the file."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    store = open_store(db)  # holds it open, as a desk does
    try:
        assert code_of(env) == "C001"
        wal = db.with_name(db.name + "-wal")
        kept = wal.read_bytes()
        assert kept
        with db.open("r+b") as f:
            f.truncate(0)  # `cp` has opened it (O_TRUNC) and not written yet
        queue = run_cli_process("queue", env=env)
        assert queue.returncode == 4, queue.stderr
        assert "is empty" in queue.stderr and queue.stderr.count("\n") == 1, queue.stderr
        assert wal.read_bytes() == kept
    finally:
        store.close()


def test_a_store_closed_while_the_file_is_still_cut_short_keeps_the_wal(tmp_path: Path) -> None:
    """`cp` truncated the file and stopped there (a full disk): the store closes without a
    check first. The WAL stays beside it, and nothing of it is folded into the empty file."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    store = open_store(db)
    assert [code_of(env), code_of(env)] == ["C001", "C002"]
    wal = db.with_name(db.name + "-wal")
    kept = wal.read_bytes()
    assert kept
    with db.open("r+b") as f:
        f.truncate(0)
    store.close()
    assert wal.read_bytes() == kept
    assert db.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.glob("office.sqlite-wal*")) == ["office.sqlite-wal"]


def test_a_training_copy_first_looked_at_by_a_reading_command_opens_for_the_next(
    tmp_path: Path,
) -> None:
    """Review 19: `doctor` (an opener that migrates nothing) switched a fresh training copy to WAL
    unstamped, and a desk or command opening it meanwhile refused it as a backup copied over a
    database. Every opener stamps a copy used on its own before its WAL is made."""
    db = make_db(tmp_path, site_toml())
    backup = backup_here({"OSS_DESK_DB": str(db)})
    training = tmp_path / "training" / "office.sqlite"
    training.parent.mkdir()
    shutil.copyfile(backup, training)
    looking = open_store(training, migrate=False, check=False)  # held open, as doctor's look
    try:
        assert looking.conn.execute("SELECT count(*) FROM desks").fetchone()[0] > 0
        assert code_of({"OSS_DESK_DB": str(training)}) == "C001"
    finally:
        looking.close()


def test_an_unstamped_copy_put_where_a_database_lived_is_still_refused(tmp_path: Path) -> None:
    """Review 19: an older release's backup (rollback-journal mode, no stamps) copied over the
    office's file with nothing running opened after 'in use' came to mean a WAL beside it, and
    the day's codes were given out again. Only a file with one stamp twice (a whole live
    database, as VACUUM INTO makes) is let in that way."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    old = tmp_path / "old-backup.sqlite"
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute(f"VACUUM INTO '{old}'")
    finally:
        conn.close()
    plain = sqlite3.connect(old)
    plain.execute("PRAGMA user_version = 0")
    plain.execute("PRAGMA application_id = 0")
    plain.commit()
    plain.close()
    assert code_here(env) == "C001"
    assert not db.with_name(db.name + "-wal").exists()  # nothing running
    shutil.copyfile(old, db)
    refused = run_cli_process("ticket", "issue", "--service", "C", "--no-print", env=env)
    assert refused.returncode == 4, refused.stderr
    assert "overwritten in place by a copy that is not a live database" in refused.stderr


def test_a_compacted_database_switched_to_wal_by_another_opener_meanwhile_is_not_refused(
    tmp_path: Path,
) -> None:
    db = make_db(tmp_path, site_toml())
    compact = tmp_path / "office.new"
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute(f"VACUUM INTO '{compact}'")
    finally:
        conn.close()
    os.replace(compact, db)
    later = FileHead(db)  # has read the rollback-journal header
    first = open_store(db)  # the other opener switched it to WAL: its WAL is beside it
    try:
        assert db.with_name(db.name + "-wal").exists()
        assert later.refuse_copy() is False
    finally:
        later.close()
        first.close()
