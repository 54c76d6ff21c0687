"""A backup destination that does not exist is refused in one line (exit 2), nothing made: a
mistyped path, or a disk not mounted, would otherwise put the residents' data on the host's own
disk unseen. Only the default ``backups/`` folder beside the database is made (0700)."""

from __future__ import annotations

import stat
from pathlib import Path

from .cli_here import run_cli_here


def test_a_missing_destination_folder_is_refused_and_not_made(
    db_path: Path, tmp_path: Path
) -> None:
    env = {"OSS_DESK_DB": str(db_path)}
    for given in (tmp_path / "usb-backup" / "oss", tmp_path / "usb-backup" / "x.sqlite"):
        to = str(given) + ("/" if given.suffix == "" else "")
        done = run_cli_here("db", "backup", "--to", to, env=env)
        assert done.returncode == 2, done.stderr
        assert done.stderr == (
            f"oss-desk: the backup folder {given if given.suffix == '' else given.parent} does "
            "not exist: create it (or mount the disk) first; nothing was written\n"
        )
    assert not (tmp_path / "usb-backup").exists()
    assert "folder that does not exist is refused (exit 2)" in " ".join(
        run_cli_here("db", "backup", "--help", env=env).stdout.split()
    )

    config = db_path.parent / "site.toml"
    missing = tmp_path / "mnt" / "backups"
    config.write_text(
        config.read_text(encoding="utf-8") + f'\n[backup]\nfolder = "{missing}"\n',
        encoding="utf-8",
    )
    done = run_cli_here("db", "backup", env={**env, "OSS_DESK_CONFIG": str(config)})
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith(f"oss-desk: backup.folder: the backup folder {missing} does")
    assert not missing.parent.exists()


def test_the_default_folder_and_an_existing_one_still_work(db_path: Path, tmp_path: Path) -> None:
    env = {"OSS_DESK_DB": str(db_path)}
    made = run_cli_here("db", "backup", env=env)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE((db_path.parent / "backups").stat().st_mode) == 0o700
    there = tmp_path / "there"
    there.mkdir()
    assert run_cli_here("db", "backup", "--to", str(there), env=env).returncode == 0
    assert len(list(there.glob("*.sqlite"))) == 1
