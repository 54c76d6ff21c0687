"""doctor's words about room on disk (trial 19): "only 0.0 GiB free" with 7.5 MiB left; on a
full disk "ok ... capture file writable" for the printer, the board and the email and Notify
captures, which could take nothing more; and "configuration: not checked (no database and no
--config)" beside a database that was there but could not be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.clock import format_instant
from oss_desk.domain.sizes import GIB, MIB, size_said
from oss_desk.services import doctor, doctor_checks

from .conftest import MONDAY_0930, TRAINING, Cli, make_db, site_toml

NOW = format_instant(MONDAY_0930)


def test_sizes_are_said_in_the_unit_that_shows_them() -> None:
    assert size_said(int(7.5 * MIB)) == "7.5 MiB"
    assert size_said(int(2.5 * GIB)) == "2.5 GiB"
    assert size_said(12 * 1024) == "12 KiB"
    assert size_said(0) == "0 KiB"


def _office(tmp_path: Path) -> Path:
    extra = (
        f'[board]\nurl = "ascii+capture://{tmp_path}/board.bin"\n'
        f'[email]\nsmtp_url = "capture://{tmp_path}/mail.mbox"\n'
        f'[notify]\nbase_url = "capture://{tmp_path}/texts.txt"\n'
    )
    toml = site_toml(greet_printer=f"capture://{tmp_path}/slips.bin", extra=extra)
    return make_db(tmp_path, toml.replace(TRAINING, ""))


def _doctor(db: Path, monkeypatch: pytest.MonkeyPatch, free: int) -> dict[str, str]:
    """doctor's lines by check, with ``free`` bytes left on every disk."""

    def left(folder: Path) -> int:
        return free

    monkeypatch.setattr(doctor, "free_bytes", left)
    monkeypatch.setattr(doctor_checks, "free_bytes", left)
    found = Cli(db, monkeypatch)("doctor", now=NOW)
    return {line[6:].partition(":")[0]: line for line in found.out.splitlines()}


def test_a_disk_with_little_room_is_said_in_mib(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _doctor(_office(tmp_path), monkeypatch, int(7.5 * MIB))
    assert lines["disk space"].startswith("fail  disk space: only 7.5 MiB free on "), lines
    printer = next(line for name, line in lines.items() if name.startswith("printer "))
    assert printer.endswith(": capture file writable"), printer  # 7.5 MiB: room for tickets


def test_on_a_full_disk_no_capture_file_is_said_writable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _doctor(_office(tmp_path), monkeypatch, 4096)
    assert lines["disk space"].startswith("fail  disk space: only 4 KiB free on "), lines
    full = "the disk holding it is full (4 KiB free)"
    printer = next(line for name, line in lines.items() if name.startswith("printer "))
    board = next(line for name, line in lines.items() if name.startswith("board "))
    for line in (printer, board):
        assert line.startswith("fail  ") and line.endswith(f"capture file writable, but {full}")
    for name in ("email capture", "notify capture"):
        assert lines[name].startswith(f"fail  {name}: writable, but {full}"), lines


def test_a_database_that_cannot_be_read_is_why_the_configuration_was_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "office.sqlite"
    db.write_bytes(b"this is not a database, " * 200)
    db.chmod(0o600)
    found = Cli(db, monkeypatch)("doctor", now=NOW)
    lines = found.out.splitlines()
    assert lines[0].startswith("fail  database: "), found.out
    assert (
        "warn  configuration: not checked: the database cannot be read (its line says why) "
        "and no --config"
    ) in lines, found.out
    missing = Cli(tmp_path / "none.sqlite", monkeypatch)("doctor", now=NOW)
    assert "warn  configuration: not checked: no database and no --config" in missing.out
