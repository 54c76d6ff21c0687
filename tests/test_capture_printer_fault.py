"""A capture printer (the demo's, training's) that cannot be written: a folder stands where its
file should be. Staff must not read "Printer: ok" while every ticket fails: the device state,
``doctor`` and the print-jobs line say what was observed (found by a new user's trial)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import format_instant
from oss_desk.domain.delivery import DeviceReading, WorkerState, device_word
from oss_desk.services.delivery import ATTENTION_HOURS

from .conftest import MONDAY_0930, Cli, make_db, rows, site_toml

NOW = format_instant(MONDAY_0930)
LATER = format_instant(MONDAY_0930 + timedelta(minutes=5))  # past the job's next try


def _recorded(db: Path, url: str) -> tuple[str, str | None]:
    found = rows(db, "SELECT status, detail FROM device_status WHERE url = ?", url)
    assert found, "the worker recorded no state for the printer"
    return str(found[0][0]), found[0][1]


def _printer_state(db: Path, url: str) -> str:
    return _recorded(db, url)[0]


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
    # The reason said once, in plain words, never a bracket in a bracket.
    assert jobs[0][6:] == (
        f"print jobs: 1 waiting for another try (cannot write {paper}: it is a folder); "
        f"none failed or unconfirmed in the last {ATTENTION_HOURS} hours"
    ), result.out

    # The folder goes, a file can be written again: the printer is ok once it is.
    paper.rmdir()
    again = cli("worker", "--once", now=LATER)
    assert again.code == 0, again.err
    assert _printer_state(db, url) == "ok"
    assert paper.read_bytes()  # the ticket printed at last


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_is_no_ok_printer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that looks writable but takes no bytes (/dev/full stands for a full disk): the
    worker's idle poll must not call it "ok" after every append failed."""
    url = "capture:///dev/full"
    db = make_db(tmp_path, site_toml(greet_printer=url))
    cli = Cli(db, monkeypatch)
    for _ in range(2):
        issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1", now=NOW)
        assert issued.code == 0, issued.err

    worker = cli("worker", "--once", now=NOW)  # tries both jobs, then polls the printer
    assert worker.code == 0, worker.err
    said = "cannot write /dev/full: the disk is full"
    assert _recorded(db, url) == ("unreachable", said)
    assert rows(db, "SELECT status, last_error FROM print_jobs") == [("pending", said)] * 2
    # What the desks' status bar says of it: the observed fault, never "ok".
    reading = DeviceReading(*_recorded(db, url), checked_seconds=1.0)
    words, fault = device_word(reading, WorkerState(held=True, seen_seconds=1))
    assert (words, fault) == (f"unreachable ({said})", True)
    assert "Errno" not in worker.out + worker.err and "No space" not in worker.out
    lines = cli("doctor", now=NOW).out.splitlines()
    printer = [line for line in lines if line[6:].startswith("printer ")]
    assert printer == [
        f"fail  printer /dev/full (greet-1): the worker recorded: unreachable ({said})"
    ]

    # A second worker (a restart) has written nothing yet: what was recorded stands.
    again = cli("worker", "--once", now=NOW)
    assert again.code == 0, again.err
    assert _recorded(db, url) == ("unreachable", said)
