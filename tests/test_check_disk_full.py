"""``db check`` on a full disk: SQLite cannot grow the -shm beside the database to read it and
says "disk I/O error". The check said the database was damaged (``fail: ...: damaged (disk I/O
error)``, exit 4), which sends an operator to restore a backup over a sound database, losing
what was done since. It now says the disk is full, no sign of damage, in one line with the
resource exit (75), and checks it as ever once there is room."""

from __future__ import annotations

from pathlib import Path

from .conftest import make_db, site_toml
from .test_faults import fill, one_line, oss_desk, small_fs

__all__ = ["small_fs"]  # the fixture, used by name


def test_a_full_disk_is_no_damage_to_db_check(small_fs: Path) -> None:
    db = make_db(small_fs, site_toml())
    assert oss_desk(db, "ticket", "issue", "--service", "C").returncode == 0
    filler = fill(small_fs)
    for args in (("db", "check", "--quick"), ("db", "check"), ("db", "check", "--json")):
        proc = oss_desk(db, *args)
        line = one_line(proc)
        assert proc.returncode == 75, (args, proc.stdout, line)
        assert line.startswith(f"oss-desk: disk full: {db} cannot be checked"), line
        assert "no sign of damage" in line and "damaged" not in proc.stdout + line
    filler.unlink()
    again = oss_desk(db, "db", "check")
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.startswith(f"ok: {db}: integrity ok"), again.stdout
