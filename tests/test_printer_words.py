"""A printer that cannot be asked how it is (a device file, CUPS, ``status=off``) is recorded
``unknown`` by the worker: the desks' status bar says it cannot tell, never "not answering",
which is kept for a printer that was asked and stayed silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.clock import format_instant
from oss_desk.domain.delivery import DeviceReading, WorkerState, device_word
from oss_desk.domain.device_faults import CANNOT_TELL, NOT_ANSWERING, PRINTER_SILENT
from oss_desk.services.delivery import ATTENTION_HOURS

from .conftest import MONDAY_0930, Cli, make_db, rows, site_toml
from .hardware.fakes import FakePrinter

NOW = format_instant(MONDAY_0930)
ALIVE = WorkerState(held=True, seen_seconds=1)


def _bar_word(db: Path, url: str) -> str:
    found = rows(db, "SELECT status, detail FROM device_status WHERE url = ?", url)
    assert found, "the worker recorded no state for the printer"
    return device_word(DeviceReading(found[0][0], found[0][1], 1.0), ALIVE)[0]


def _print_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, **env: str) -> Path:
    db = make_db(tmp_path, site_toml(greet_printer=url))
    cli = Cli(db, monkeypatch)
    issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1", now=NOW)
    assert issued.code == 0, issued.err
    worker = cli("worker", "--once", now=NOW, env=env)
    assert worker.code == 0, worker.err
    assert rows(db, "SELECT status FROM print_jobs") == [("done",)]
    return db


def test_a_device_file_printer_that_printed_is_not_said_to_be_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lp = tmp_path / "lp0"
    lp.write_bytes(b"")  # a printer device file that takes every job
    url = f"file://{lp}"
    db = _print_one(tmp_path, monkeypatch, url)
    assert lp.stat().st_size > 0
    assert _bar_word(db, url) == CANNOT_TELL == "cannot tell (this printer does not report)"


def test_a_cups_printer_that_took_the_job_is_not_said_to_be_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    taken = tmp_path / "taken.escpos"
    lp = bin_dir / "lp"
    lp.write_text(f'#!/bin/sh\ncat > "{taken}"\n')  # a CUPS queue that takes the job
    lp.chmod(0o755)
    url = "cups://greet"
    db = _print_one(tmp_path, monkeypatch, url, PATH=f"{bin_dir}:/usr/bin:/bin")
    assert taken.stat().st_size > 0
    assert _bar_word(db, url) == CANNOT_TELL


def test_a_printer_asked_that_stays_silent_is_not_answering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, printer: FakePrinter
) -> None:
    printer.behaviour = "silent"
    db = make_db(tmp_path, site_toml(greet_printer=printer.url))
    worker = Cli(db, monkeypatch)("worker", "--once", now=NOW)  # no job: the idle poll asks
    assert worker.code == 0, worker.err
    assert rows(db, "SELECT status, detail FROM device_status") == [("unknown", PRINTER_SILENT)]
    assert _bar_word(db, printer.url) == NOT_ANSWERING


def test_doctor_says_a_bracketed_reason_without_a_bracket_in_a_bracket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "lp9"  # a device file that is not there: its reason has brackets
    db = make_db(tmp_path, site_toml(greet_printer=f"file://{gone}"))
    cli = Cli(db, monkeypatch)
    assert cli("ticket", "issue", "--service", "C", "--desk", "greet-1", now=NOW).code == 0
    assert cli("worker", "--once", now=NOW).code == 0
    lines = cli("doctor", now=NOW).out.splitlines()
    jobs = [line[6:] for line in lines if line[6:].startswith("print jobs")]
    assert jobs == [
        f"print jobs: 1 waiting for another try: {gone} does not exist (is the printer plugged "
        f"in?); none failed or unconfirmed in the last {ATTENTION_HOURS} hours"
    ], lines
