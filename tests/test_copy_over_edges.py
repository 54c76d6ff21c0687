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

from oss_desk.storage.database import open_store
from oss_desk.storage.incarnation import FileHead

from .conftest import ROOT, make_db, run_cli_process, site_toml
from .test_copy_over import backup_of, code_of, stamps


def test_a_store_closed_after_an_overwrite_it_had_not_seen_keeps_the_wal_out_of_the_copy(
    tmp_path: Path,
) -> None:
    """`cp BACKUP office.sqlite && systemctl restart oss-desk-worker`: the worker closed its
    connections without looking at the file again, and SQLite folded the overwritten
    database's WAL into the copy (a malformed file, and the day's codes gone)."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    backup = backup_of(env)
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
    backup = backup_of({"OSS_DESK_DB": str(db)})
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
    backup = backup_of({"OSS_DESK_DB": str(db)})
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
    assert code_of(env) == "C001"
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
    assert code_of(env) == "C002"
    assert stamps(db) == (2, live, live)
