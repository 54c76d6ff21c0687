"""`db restore` onto a database whose own disk is full names that disk (the copy is staged
beside the database), not the backup on another disk with room to spare."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import make_db, site_toml
from .test_faults import fill, one_line, oss_desk, small_fs, tickets

__all__ = ["small_fs"]  # the fixture, used by name


def test_restore_onto_a_full_disk_names_the_databases_folder(
    small_fs: Path, tmp_path: Path
) -> None:
    db = make_db(small_fs, site_toml())
    assert oss_desk(db, "ticket", "issue", "--service", "C").returncode == 0
    made = oss_desk(db, "db", "backup", "--to", str(tmp_path / "backups"), "--json")
    assert made.returncode == 0, made.stderr
    backup = Path(json.loads(made.stdout)["path"])
    before = tickets(db)
    fill(small_fs)
    refused = oss_desk(db, "db", "restore", str(backup), "--yes", "--force")
    line = one_line(refused)
    assert refused.returncode == 75, line
    assert line.startswith(f"oss-desk: disk full: cannot write to the database's folder {small_fs}")
    assert str(backup) not in line and "backups" not in line
    assert tickets(db) == before  # nothing changed
    assert [p.name for p in small_fs.iterdir() if "restore" in p.name] == []
