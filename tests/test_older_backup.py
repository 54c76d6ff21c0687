"""A backup an older release made (new-user trial 42, finding 1): made before the live stamps,
it carries none (``user_version`` and ``application_id`` 0), so only its ``.head`` beside it
says it is a backup. Every command, ``init`` included, refuses it in one line and leaves it byte
for byte as it was made (``init`` used to upgrade it in place and write a backup folder, its
settings copy and its write lock beside it); ``db check`` reads it and says its older schema as
a note, not a problem. The older backup is made as tests/test_upgrade.py makes an older
release's database: the tables of an earlier schema, filled with a real office's rows."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from oss_desk.storage.incarnation import head_file
from oss_desk.storage.maintenance import event_head, head_line
from oss_desk.storage.migrations import schema_names

from .cli_here import run_cli_here
from .test_copy_over import stamps
from .test_upgrade import older_office

OLDER = "0066_worker_failing"
"""The first migration the older backup lacks (its event log is chained: it has a head)."""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def older_backup_made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    office = older_office(tmp_path_factory.mktemp("older"), OLDER)
    folder = office.parent / "backups"
    folder.mkdir(mode=0o700)
    backup = folder / "office-20261120T023000Z.sqlite"
    conn = sqlite3.connect(office)
    conn.execute("VACUUM INTO ?", [str(backup)])
    conn.close()
    head = event_head(backup)
    assert head is not None
    head_file(backup).write_text(head_line(*head))
    return backup


@pytest.fixture
def older_backup(older_backup_made: Path, tmp_path: Path) -> Path:
    """A copy of its own of the older release's backup, with its ``.head`` beside it."""
    folder = tmp_path / "office" / "backups"
    folder.mkdir(parents=True)
    for made in older_backup_made.parent.iterdir():
        shutil.copy2(made, folder / made.name)
    backup = folder / older_backup_made.name
    assert stamps(backup)[1:] == (0, 0)  # no stamp: only the .head says it is a backup
    return backup


def beside(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def test_every_command_and_init_refuse_an_older_release_s_backup_and_leave_it(
    older_backup: Path,
) -> None:
    made, files = digest(older_backup), beside(older_backup)
    env = {"OSS_DESK_DB": str(older_backup)}
    for args in (["queue"], ["ticket", "issue", "--service", "C", "--no-print"], ["init"]):
        refused = run_cli_here(*args, env=env)
        assert refused.returncode == 2, (args, refused.stdout, refused.stderr)
        line = refused.stderr.strip()
        assert "\n" not in line and "Traceback" not in line
        assert "made by an older release" in line, line
        assert f"`oss-desk db restore {older_backup}` restores an upgraded copy" in line
        assert "for a training copy, copy it and `init` the copy" in line
        assert "run `oss-desk init` to upgrade it" not in line
    assert digest(older_backup) == made and beside(older_backup) == files
    assert not (older_backup.parent / "backups").exists()


def test_db_check_reads_an_older_release_s_backup_and_notes_its_schema(
    older_backup: Path,
) -> None:
    made, files = digest(older_backup), beside(older_backup)
    checked = run_cli_here("db", "check", env={"OSS_DESK_DB": str(older_backup)})
    assert checked.returncode == 0, checked.stdout + checked.stderr
    before = list(schema_names()).index(OLDER) - 1
    assert f"a backup made by an older oss-desk (schema {schema_names()[before]}" in (
        checked.stdout
    )
    assert "`oss-desk init` upgrades it" not in checked.stdout
    assert digest(older_backup) == made and beside(older_backup) == files


def test_a_training_copy_of_an_older_release_s_backup_is_upgraded_by_init(
    older_backup: Path, tmp_path: Path
) -> None:
    training = tmp_path / "training.sqlite"
    shutil.copyfile(older_backup, training)
    env = {"OSS_DESK_DB": str(training)}
    assert run_cli_here("queue", env=env).returncode == 4  # an older schema: init it
    done = run_cli_here("init", env=env)
    assert done.returncode == 0, done.stderr
    assert run_cli_here("queue", env=env).returncode == 0


def test_db_restore_of_an_older_release_s_backup_restores_an_upgraded_copy(
    older_backup: Path,
) -> None:
    made, files = digest(older_backup), beside(older_backup)
    office = older_backup.parent.parent / "office.sqlite"
    done = run_cli_here("--db", str(office), "db", "restore", str(older_backup), "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{older_backup.name} was made by an older oss-desk" in done.stdout
    assert run_cli_here("--db", str(office), "queue").returncode == 0
    assert digest(older_backup) == made and beside(older_backup) == files
