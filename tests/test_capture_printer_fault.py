"""A capture printer (the demo's, training's) that cannot be written: a folder stands where its
file should be. Staff must not read "Printer: ok" while every ticket fails: the device state,
``doctor`` and the print-jobs line say what was observed (found by a new user's trial)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import format_instant

from .conftest import MONDAY_0930, Cli, make_db, site_toml

NOW = format_instant(MONDAY_0930)
LATER = format_instant(MONDAY_0930 + timedelta(minutes=5))  # past the job's next try


def _printer_state(db: Path, url: str) -> str:
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT status FROM device_status WHERE url = ?", [url]).fetchone()
    finally:
        conn.close()
    assert row is not None, "the worker recorded no state for the printer"
    return str(row[0])


def test_a_folder_in_place_of_the_capture_file_is_no_ok_printer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paper = tmp_path / "printer-greet-1.escpos"
    url = f"capture://{paper}"
    db = make_db(tmp_path, site_toml(greet_printer=url))
    cli = Cli(db, monkeypatch)
    paper.mkdir()  # what the trial did: mv the file away, mkdir in its place

    issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1", now=NOW)
    assert issued.code == 0, issued.err
    worker = cli("worker", "--once", now=NOW)
    assert worker.code == 0, worker.err
    # The worker tried the job (it failed) and then asked the printer how it is: not "ok".
    assert _printer_state(db, url) == "unreachable"
    assert not list(paper.iterdir())

    result = cli("doctor", now=NOW)
    lines = result.out.splitlines()
    printer = [line for line in lines if line[6:].startswith("printer ")]
    assert len(printer) == 1 and printer[0].startswith("fail"), result.out
    assert f"{paper} is a folder, not a file" in printer[0]
    jobs = [line for line in lines if line[6:].startswith("print jobs")]
    assert len(jobs) == 1 and jobs[0].startswith("warn"), result.out
    assert "1 waiting for another try (cannot write" in jobs[0]

    # The folder goes, a file can be written again: the printer is ok once it is.
    paper.rmdir()
    again = cli("worker", "--once", now=LATER)
    assert again.code == 0, again.err
    assert _printer_state(db, url) == "ok"
    assert paper.read_bytes()  # the ticket printed at last
