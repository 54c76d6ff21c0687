"""A command run on a backup (``oss-desk --db backups/o-….sqlite queue``) used to adopt it and
stamp it live, after which that backup copied over the office was no longer refused and the
day's codes were given out again. A backup (its ``.head`` beside it) is refused with one line
and left byte for byte as ``db backup`` made it; ``db check`` and ``report --include`` still
read it. Real files; the commands run through the CLI's entry point in the test's process
(tests/cli_here.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from oss_desk.storage.incarnation import head_file

from .cli_here import run_cli_here
from .conftest import make_db, site_toml
from .test_copy_over import backup_of, code_of, issue, stamps


def beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def test_a_command_on_a_backup_refuses_and_leaves_it_a_backup(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db)}
    backup = backup_of(env)
    assert head_file(backup).exists()
    made, files = backup.read_bytes(), beside(backup)
    for args in (["queue"], ["ticket", "issue", "--service", "C", "--no-print"], ["init"]):
        refused = run_cli_here(*args, env={"OSS_DESK_DB": str(backup)})
        assert refused.returncode == 2, (args, refused.stderr)
        line = refused.stderr.strip()
        assert "\n" not in line and "Traceback" not in line
        assert "is a backup" in line and "db restore" in line and "path of its own" in line
    assert backup.read_bytes() == made and beside(backup) == files

    checked = run_cli_here("db", "check", env={"OSS_DESK_DB": str(backup)})
    assert checked.returncode == 0, checked.stderr
    assert backup.read_bytes() == made and beside(backup) == files

    # Still a backup: copied over the office after C001 and C002, it is refused.
    assert [code_of(env), code_of(env)] == ["C001", "C002"]
    shutil.copyfile(backup, db)
    again = issue(env)
    assert again.returncode == 4 and "is a copy made by `oss-desk db backup`" in again.stderr


def test_another_offices_backup_is_included_in_a_report_as_it_is(tmp_path: Path) -> None:
    ours = make_db(tmp_path, site_toml())
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = make_db(other_dir, site_toml().replace('id = "hq"', 'id = "north"'))
    backup = backup_of({"OSS_DESK_DB": str(other)})
    made = backup.read_bytes()
    report = run_cli_here(
        "report", "daily", "--include", str(backup), env={"OSS_DESK_DB": str(ours)}
    )
    assert report.returncode == 0, report.stderr
    assert backup.read_bytes() == made and stamps(backup)[0] == 1


def test_a_training_copy_of_a_backup_still_opens(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    backup = backup_of({"OSS_DESK_DB": str(db)})
    training = tmp_path / "training.sqlite"
    shutil.copyfile(backup, training)
    assert code_of({"OSS_DESK_DB": str(training)}) == "C001"
    mode, live, own = stamps(training)
    assert mode == 2 and live == own
