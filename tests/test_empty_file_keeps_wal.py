"""A database file emptied (``: > office.sqlite``) under a running desk: the desk keeps the WAL
beside it, which holds the latest changes and today's ticket codes, and its blocked screen
says to run ``oss-desk db check``. That check, ``doctor`` and every other reading command left
the WAL deleted (review31: SQLite deletes the WAL beside a file with no pages when any
connection, a read-only one too, first reads it), and ``db restore`` had no codes to carry on
from. Now nothing opens such a file with SQLite. Real files, a real desk process holding the
file; the commands run through the CLI's entry point in the test's process (tests/cli_here.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from oss_desk.errors import StorageError
from oss_desk.storage.facts_check import in_snapshot
from oss_desk.storage.incarnation import EmptyOverWal
from oss_desk.storage.maintenance import connect_file, office_id_of, write_lock_held
from oss_desk.storage.readonly import open_readonly

from .cli_here import run_cli_here
from .conftest import ROOT, make_db, site_toml
from .test_copy_over import backup_of, code_of

HOLD = """
import sys
from pathlib import Path
from oss_desk.storage.database import open_store
store = open_store(Path(sys.argv[1]))
store.conn.execute("SELECT count(*) FROM tickets").fetchone()
print("open", flush=True)
sys.stdin.readline()
store.close()
"""


def _holder(db: Path) -> subprocess.Popen[str]:
    """A process holding the database open, as a desk does, until its stdin is closed."""
    held = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert held.stdout is not None and held.stdout.readline() == "open\n"
    return held


def _let_go(held: subprocess.Popen[str]) -> None:
    assert held.stdin is not None
    held.stdin.close()
    assert held.wait(30) == 0


@dataclass
class Emptied:
    env: dict[str, str]
    backup: Path
    kept: bytes
    """The WAL's bytes when the file was emptied."""
    held: subprocess.Popen[str]

    @property
    def db(self) -> Path:
        return Path(self.env["OSS_DESK_DB"])


@pytest.fixture
def emptied(tmp_path: Path) -> Iterator[Emptied]:
    """C001 before the backup, C002 and C003 after it (on paper), issued while a process
    holds the database open; then the file emptied under it."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    held = _holder(db)
    try:
        assert code_of(env) == "C001"
        backup = backup_of(env)
        assert [code_of(env), code_of(env)] == ["C002", "C003"]
        kept = Path(f"{db}-wal").read_bytes()
        assert kept
        with db.open("r+b") as f:
            f.truncate(0)  # `: > office.sqlite`
        yield Emptied(env, backup, kept, held)
    finally:
        if held.poll() is None:
            _let_go(held)


def test_db_check_doctor_and_queue_on_an_emptied_database_keep_its_wal_for_the_restore(
    emptied: Emptied,
) -> None:
    env, backup, kept, db = emptied.env, emptied.backup, emptied.kept, emptied.db
    wal = Path(f"{db}-wal")
    checked = run_cli_here("db", "check", env=env)
    assert checked.returncode == 4, checked.stderr
    assert f"{db}: an empty file, not a database; the WAL beside it still holds" in (
        checked.stdout + checked.stderr
    )
    assert wal.read_bytes() == kept
    doctor = run_cli_here("doctor", env=env)
    assert doctor.returncode == 1, doctor.stderr
    assert "is empty while the WAL beside it holds" in doctor.stdout, doctor.stdout
    assert wal.read_bytes() == kept
    for command in (("db", "check", "--quick"), ("queue",), ("report", "daily")):
        seen = run_cli_here(*command, env=env)
        assert seen.returncode == 4 and "Traceback" not in seen.stderr, (command, seen.stderr)
        assert wal.read_bytes() == kept, command
    # The desk closes; the restore still reads today's codes from the WAL.
    _let_go(emptied.held)
    assert wal.read_bytes() == kept
    refused = run_cli_here("db", "restore", str(backup), "--yes", env=env)
    assert refused.returncode == 6, (refused.stdout, refused.stderr)
    assert "its WAL still shows C003 given out today" in refused.stderr, refused.stderr
    restored = run_cli_here("db", "restore", str(backup), "--yes", "--skip-ahead", "0", env=env)
    assert restored.returncode == 0, restored.stderr
    assert code_of(env) == "C004"  # not C002: C002 and C003 are on paper


OPENERS: dict[str, Callable[[Path], object]] = {
    "connect_file": lambda db: connect_file(db, readonly=True),
    "in_snapshot": lambda db: in_snapshot(db, lambda conn: []),
    "write_lock_held": write_lock_held,
}


@pytest.mark.parametrize("opener", OPENERS)
def test_every_opener_refuses_an_emptied_database_and_leaves_its_wal(
    emptied: Emptied, opener: str
) -> None:
    db, kept = emptied.db, emptied.kept
    with pytest.raises(EmptyOverWal) as refused:
        OPENERS[opener](db)
    assert str(refused.value).startswith(f"{db} is empty while the WAL beside it holds")
    assert Path(f"{db}-wal").read_bytes() == kept


def test_the_reports_reader_and_the_office_id_leave_the_wal_of_an_emptied_database(
    emptied: Emptied,
) -> None:
    db, kept = emptied.db, emptied.kept
    assert office_id_of(db) is None  # not known: the file says nothing
    with pytest.raises(StorageError, match="is empty while the WAL beside it holds"):
        open_readonly(db)
    assert Path(f"{db}-wal").read_bytes() == kept


@pytest.mark.parametrize("content", [b"SQLite format 3\x00"[:10], b"not a database " * 300])
def test_a_file_cut_short_or_written_over_under_a_desk_keeps_its_wal_through_db_check(
    tmp_path: Path, content: bytes
) -> None:
    """SQLite deletes the WAL only beside a file with no pages; a file cut short or holding
    something else is said to be so, and its WAL is left as it is too."""
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    held = _holder(db)
    try:
        assert code_of(env) == "C001"
        wal = Path(f"{db}-wal")
        kept = wal.read_bytes()
        db.write_bytes(content)
        for command in (("db", "check"), ("doctor",)):
            seen = run_cli_here(*command, env=env)
            assert seen.returncode in (1, 4) and "Traceback" not in seen.stderr, seen.stderr
            assert wal.read_bytes() == kept, command
    finally:
        _let_go(held)
