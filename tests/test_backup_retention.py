"""Backups are kept ``backup.keep_days`` (14) at most, whatever their number: a detail purged or
erased on request survives in backups no longer than README promises. A backup older than that
is deleted by the next backup and warned of by ``doctor`` until then (review27: a backup made
39 days before still held purged details, and doctor said "ok backups")."""

from __future__ import annotations

import os
import time
from pathlib import Path

from .cli_here import run_cli_here


def _backdate(path: Path, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(path, (then, then))


def _backup(db: Path, *extra: str, env: dict[str, str] | None = None) -> Path:
    done = run_cli_here("db", "backup", *extra, env={"OSS_DESK_DB": str(db), **(env or {})})
    assert done.returncode == 0, done.stderr
    return _newest(db)


def _newest(db: Path) -> Path:
    return max((db.parent / "backups").glob("office-*.sqlite"), key=lambda p: p.stat().st_mtime)


def _doctor_backups(db: Path, env: dict[str, str] | None = None) -> str:
    done = run_cli_here("doctor", env={"OSS_DESK_DB": str(db), **(env or {})})
    return next(line for line in done.stdout.splitlines() if line.split()[1] == "backups:")


def test_backups_older_than_keep_days_are_warned_of_then_deleted(db_path: Path) -> None:
    old = _backup(db_path)
    recent = _backup(db_path)
    _backdate(old, 39)
    _backdate(recent, 13)
    line = _doctor_backups(db_path)
    assert line.startswith("warn  backups:"), line
    assert f"1 backup older than backup.keep_days (14 days), the oldest {old.name} (39 days" in line
    assert (
        "it holds details purged or erased since (the next `oss-desk db backup` deletes it)" in line
    )

    made = _backup(db_path)  # keep 14 by number: only its age deletes the old one
    assert not old.exists() and not Path(f"{old}.head").exists()
    assert recent.exists() and made.exists()
    assert _doctor_backups(db_path).startswith("ok    backups:")


def test_keep_days_is_a_setting(db_path: Path) -> None:
    first = _backup(db_path)
    _backdate(first, 3)
    env = {"OSS_DESK_BACKUP__KEEP_DAYS": "2"}
    assert "older than backup.keep_days (2 days)" in _doctor_backups(db_path, env)
    _backup(db_path, env=env)
    assert not first.exists()
