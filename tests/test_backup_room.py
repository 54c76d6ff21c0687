"""`doctor` notices a backup folder whose disk has no room for the next backup (before, it
said the database's disk had room and that the nightly backup had stopped, advising a
`db backup` that failed again)."""

from __future__ import annotations

from pathlib import Path

from oss_desk.services.doctor_backups import backups

from .conftest import make_db, site_toml
from .test_faults import fill, oss_desk, small_fs

__all__ = ["small_fs"]  # the fixture, used by name


def test_doctor_says_the_backup_folder_has_no_room_for_the_next_backup(
    small_fs: Path, tmp_path: Path
) -> None:
    db = make_db(tmp_path, site_toml())
    made = oss_desk(db, "db", "backup", "--to", f"{small_fs}/")
    assert made.returncode == 0, made.stderr
    assert backups(db, str(small_fs), 14).status == "ok"
    fill(small_fs)
    check = backups(db, str(small_fs), 14)
    assert check.status == "fail", check
    assert f"no room for the next backup in {small_fs} (needs about " in check.detail
    assert " free)" in check.detail
    assert oss_desk(db, "db", "backup", "--to", f"{small_fs}/").returncode == 75  # as said
    (small_fs / "filler").unlink()
    assert backups(db, str(small_fs), 14).status == "ok"


def test_no_room_for_a_first_backup_is_said_too(small_fs: Path, tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    fill(small_fs)
    check = backups(db, str(small_fs), 14)
    assert check.status == "fail"
    assert check.detail.startswith(f"none yet: no room for the next backup in {small_fs}")
