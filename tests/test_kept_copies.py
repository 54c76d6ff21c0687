"""The copies `db restore` keeps of the database it replaced hold residents' details: `doctor`
warns of each (age, what it holds, the `rm`), and the first `db backup` after
`backup.keep_days` deletes it, as it deletes old backups (before, they were kept for ever and
nothing mentioned them)."""

from __future__ import annotations

import os
import shlex
import time
from pathlib import Path

from oss_desk.services.doctor_backups import backups

from .conftest import Cli

NOW = "2026-11-23T10:00:00Z"
DAY = 86400


def _restored(cli: Cli) -> Path:
    """A backup, a ticket after it, the backup restored: the kept copy."""
    backup = cli("db", "backup", "--json", now=NOW).json()["path"]
    assert cli("ticket", "issue", "--service", "C", "--no-print", now=NOW).code == 0
    restored = cli("db", "restore", backup, "--yes", "--force", now=NOW)
    assert restored.code == 0, restored.err
    (kept,) = cli.db.parent.glob("office.sqlite.before-restore-*")
    return kept


def _age(path: Path, days: float) -> None:
    then = time.time() - days * DAY
    os.utime(path, (then, then))


def test_doctor_warns_of_a_copy_kept_by_a_restore_with_the_rm_to_run(cli: Cli) -> None:
    kept = _restored(cli)
    _age(kept, 3)
    check = backups(cli.db, None, 14)
    assert check.status == "warn", check
    assert f"1 copy of the database kept by `oss-desk db restore` beside it: {kept.name}" in (
        check.detail
    )
    assert "(3 days old)" in check.detail
    assert "residents' details included" in check.detail
    assert f"`rm {shlex.quote(str(kept))}`" in check.detail
    assert "backup.keep_days, 14 days, deletes it" in check.detail


def test_the_first_backup_after_keep_days_deletes_the_kept_copy(cli: Cli) -> None:
    kept = _restored(cli)
    side = kept.with_name(kept.name + "-wal")
    side.write_bytes(b"")  # a WAL kept beside it goes with it
    _age(kept, 13)
    made = cli("db", "backup", now=NOW)
    assert made.code == 0 and kept.exists()  # not yet: within backup.keep_days
    _age(kept, 15)
    made = cli("db", "backup", now=NOW)
    assert made.code == 0, made.err
    assert f"deleted a copy kept by a restore, past backup.keep_days: {kept.name}" in made.out
    assert not kept.exists() and not side.exists()
    assert "kept by `oss-desk db restore`" not in backups(cli.db, None, 14).detail


def test_one_day_is_said_in_the_singular(cli: Cli) -> None:
    backup = Path(cli("db", "backup", "--json", now=NOW).json()["path"])
    _age(backup, 2)
    check = backups(cli.db, None, 1)
    assert "older than backup.keep_days (1 day)" in check.detail, check.detail
    assert "(1 days)" not in check.detail
