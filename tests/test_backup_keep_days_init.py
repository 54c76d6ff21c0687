"""``init`` says which backups the next ``db backup`` deletes for being older than
``backup.keep_days`` (new-user trial 42, finding 2): that setting came after an older release,
so an office upgraded with ``[backup] keep = 60`` lost every backup older than 14 days on its
first night, unsaid. A larger ``keep`` does not keep them (``keep_days`` is the most days a
backup is kept, however many: a detail erased on request survives no longer), and the line
says so. What it names is what the next backup deletes."""

from __future__ import annotations

from pathlib import Path

from .cli_here import run_cli_here
from .conftest import make_db, site_toml
from .test_backup_retention import _backdate, _backup
from .test_upgrade import older_office


def backdated(db: Path, *days: float) -> list[Path]:
    """Backups of ``db`` made by ``db backup`` (each before any is old: a backup deletes the
    old ones), then made to look ``days`` old, in order."""
    made = [_backup(db) for _ in days]
    for backup, age in zip(made, days, strict=True):
        _backdate(backup, age)
        _backdate(Path(f"{backup}.head"), age)
    return made


def warnings(out: str) -> list[str]:
    return [line for line in out.splitlines() if "backup.keep_days" in line]


def test_init_upgrading_names_the_backups_the_first_night_deletes(tmp_path: Path) -> None:
    db = older_office(tmp_path, "0066_worker_failing")
    env = {"OSS_DESK_DB": str(db)}
    oldest, old, recent = backdated(db, 40, 20, 3)
    done = run_cli_here("init", env=env)
    assert done.returncode == 0, done.stderr
    assert "Upgraded:" in done.stdout
    assert warnings(done.stdout) == [
        f"Warning: 2 backups older than backup.keep_days (14 days), the oldest {oldest.name} "
        "(40 days old): they hold details purged or erased since, and the next `oss-desk db "
        "backup` deletes them: set backup.keep_days to keep them"
    ]
    _backup(db)  # the next backup deletes what the warning named, and only that
    assert not oldest.exists() and not old.exists() and recent.exists()


def test_init_with_a_larger_keep_says_it_does_not_keep_them_and_keep_days_does(
    tmp_path: Path,
) -> None:
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    (old,) = backdated(db, 30)
    config = tmp_path / "site.toml"
    config.write_text(site_toml(extra="\n[backup]\nkeep = 60\n"))
    done = run_cli_here("init", "--config", str(config), env=env)
    assert done.returncode == 0, done.stderr
    (line,) = warnings(done.stdout)
    assert line.startswith(
        f"Warning: 1 backup older than backup.keep_days (14 days), the oldest "
        f"{old.name} (30 days old): it holds"
    )
    assert line.endswith(
        "set backup.keep_days to keep it (backup.keep = 60 does not: backup.keep_days is the "
        "most days a backup is kept, however many there are)"
    )
    config.write_text(site_toml(extra="\n[backup]\nkeep = 60\nkeep_days = 60\n"))
    done = run_cli_here("init", "--config", str(config), env=env)
    assert done.returncode == 0, done.stderr
    assert warnings(done.stdout) == []
    _backup(db)
    assert old.exists()
