"""`db backup` into a backup folder with no room left names that folder, not the live
database, which it only reads (review: "disk full: cannot write to .../office.sqlite" sent the
reader to the database's disk, which had room to spare)."""

from __future__ import annotations

from pathlib import Path

from .conftest import db_content, make_db, site_toml
from .test_faults import fill, one_line, oss_desk, small_fs

__all__ = ["small_fs"]  # the fixture, used by name


def test_a_full_backup_folder_is_named_and_the_database_left_alone(
    small_fs: Path, tmp_path: Path
) -> None:
    db = make_db(tmp_path, site_toml())
    assert oss_desk(db, "ticket", "issue", "--service", "C").returncode == 0
    before = db_content(db)
    fill(small_fs)
    refused = oss_desk(db, "db", "backup", "--to", f"{small_fs}/")
    line = one_line(refused)
    assert refused.returncode == 75, line
    assert line == (
        f"oss-desk: the backup folder {small_fs} is full: the office's database is untouched "
        "and no backup was kept; free some space there (or move old backups off it), then "
        "try again\n"
    )
    assert [p.name for p in small_fs.iterdir()] == ["filler"]
    assert db_content(db) == before
