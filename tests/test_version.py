"""``oss-desk --version`` (new-user trial 42, finding 4): two releases of the same package
version said the same "oss-desk, version 0.1.0"; the line now names the schema the release
brings a database to, the one ``init`` names as the database's once it is ready."""

from __future__ import annotations

from pathlib import Path

from oss_desk import __version__
from oss_desk.storage.migrations import schema_names

from .conftest import run_cli_process


def test_the_version_names_the_schema_init_brings_a_database_to(tmp_path: Path) -> None:
    shown = run_cli_process("--version")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == f"oss-desk {__version__} (schema {schema_names()[-1]})\n"
    db = tmp_path / "office.sqlite"
    done = run_cli_process("--db", str(db), "init")
    assert done.returncode == 0, done.stderr
    schema = shown.stdout.rstrip(")\n").rpartition("(schema ")[2]
    assert f"Database ready: {db} (schema {schema})" in done.stdout
