"""A database damaged in its schema text (bytes overwritten inside a CREATE statement, so SQLite's
own message quotes bytes that are not UTF-8) is the user's situation, not a bug: every command
that opens it names the damage in one line and exits 4 (``db check`` first of all), as for any
other damage; none exits 70."""

from __future__ import annotations

import shutil
from pathlib import Path

from .cli_here import run_cli_here


def _damage_schema(path: Path) -> None:
    """Overwrite 4 bytes of a column's type in the schema text with 0xFF, as a bad disk or a
    stray write would (SQLite: "malformed database schema ... unknown datatype")."""
    data = bytearray(path.read_bytes())
    table = data.find(b"CREATE TABLE followup_details")
    assert table > 0
    column = data.find(b"action_text TEXT", table)
    assert column > 0
    where = column + len(b"action_text ")
    data[where : where + 4] = b"\xff\xff\xff\xff"
    path.write_bytes(bytes(data))


def test_every_command_names_a_damaged_schema_in_one_line(db_path: Path, tmp_path: Path) -> None:
    env = {"OSS_DESK_DB": str(db_path), "OSS_DESK_NOW": "2026-11-23T09:30:00Z"}
    made = run_cli_here("db", "backup", "--json", env=env)
    assert made.returncode == 0, made.stderr
    backup = tmp_path / "flipped.sqlite"
    shutil.copyfile(Path(made.stdout.split('"path": "')[1].split('"')[0]), backup)
    _damage_schema(backup)

    restored = run_cli_here("db", "restore", str(backup), "--yes", env=env)
    assert restored.returncode == 4, restored.stderr
    assert restored.stderr.count("\n") == 1, restored.stderr
    assert "not a usable backup" in restored.stderr
    assert "malformed database schema (followup_details)" in restored.stderr
    assert "internal error" not in restored.stderr

    on_damaged = {**env, "OSS_DESK_DB": str(backup)}
    check = run_cli_here("db", "check", env=on_damaged)
    assert check.returncode == 4, check.stderr
    assert check.stdout.startswith("fail: "), check.stdout
    assert "malformed database schema (followup_details)" in check.stdout
    assert "\\xff\\xff\\xff\\xff" in check.stdout  # the damaged bytes, shown as text can be

    doctor = run_cli_here("doctor", env=on_damaged)
    assert doctor.returncode == 1, doctor.stderr  # doctor: 1 when a check fails (README)
    (line,) = [x for x in doctor.stdout.splitlines() if x.startswith("fail  database:")]
    assert "is damaged (malformed database schema" in line and "db restore" in line

    folder = tmp_path / "copies"
    folder.mkdir()
    for args in (("queue",), ("report", "daily"), ("db", "backup", "--to", str(folder))):
        done = run_cli_here(*args, env=on_damaged)
        assert done.returncode == 4, (args, done.stderr)
        assert done.stderr.count("\n") == 1, (args, done.stderr)
        assert "is damaged (malformed database schema (followup_details)" in done.stderr, args
    assert list(folder.iterdir()) == []
