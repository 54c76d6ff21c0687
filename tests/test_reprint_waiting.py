"""A reprint of a ticket whose first print job is still waiting to print (the printer refused
it, and it waits for its next try) adds no second job: when the printer is back the resident
gets one ticket, not two (the second marked COPY). The reprint tries the waiting job now."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from oss_desk.domain.delivery import PrintState, reprint_adds_copy

from .cli_here import run_cli_here
from .conftest import ROOT, Cli, make_db, rows, site_toml
from .escpos_decoder import decode, text_lines
from .hardware.fakes import FakePrinter, closed_port


def until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not in time: {what}")
        time.sleep(0.05)


def test_only_a_ticket_whose_job_is_over_gets_a_copy() -> None:
    still = [s for s in PrintState if not reprint_adds_copy(s)]
    assert still == [PrintState.QUEUED, PrintState.SENDING]
    assert reprint_adds_copy(None)  # never printed at all (issued with --no-print)


def test_a_reprint_while_the_printer_refuses_prints_one_ticket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = closed_port()  # the printer is off: connections are refused
    toml = site_toml(
        greet_printer=f"tcp://127.0.0.1:{port}?timeout=1",
        extra="\n[printing]\nattempts = 50\nretry_seconds = 120\n",
    )
    db = make_db(tmp_path, toml)
    cli = Cli(db, monkeypatch)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(OSS_DESK_DB=str(db), PYTHONPATH=str(ROOT))
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "oss_desk", "worker"], env=env, stdout=log, stderr=log, cwd=ROOT
    )
    printer: FakePrinter | None = None

    def job() -> tuple[object, ...]:
        (found,) = rows(db, "SELECT status, attempts, last_error FROM print_jobs")
        return tuple(found)

    try:
        issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1", "--json")
        assert issued.code == 0, issued.err
        code = issued.json()["code"]
        until(lambda: job()[1] == 1 and job()[2] is not None, "the printer refused the ticket")
        assert job()[0] == "pending"  # its next try is two minutes away

        # Reprinted while the printer is still off: no second job; the first is tried now.
        again = cli("ticket", "reprint", code, "--desk", "greet-1")
        assert again.code == 0, again.err
        assert again.out == (
            f"{code} is still waiting to print (job 1): not printed yet (connection refused); "
            "the printer worker tries again\n"
        ), again.out
        assert rows(db, "SELECT count(*) FROM print_jobs") == [(1,)]
        until(lambda: job()[1] == 2, "the waiting job tried again at once")
        assert job()[0] == "pending"

        # The printer is switched on; the desk asks again: the one job prints, now.
        printer = FakePrinter(port=port)
        more = cli("ticket", "reprint", code, "--desk", "greet-1", "--json")
        assert more.code == 0, more.err
        assert more.json() == {"ticket": code, "print_job": 1, "copy_added": False}
        until(lambda: job()[0] == "done", "the ticket printed")
        assert rows(db, "SELECT count(*) FROM print_jobs") == [(1,)]  # nothing more to print
        # The worker records "done" once the printer has confirmed the job; the fake printer
        # keeps the job once the connection has closed, a moment later.
        until(lambda: bool(printer.jobs), "the printer kept the ticket")
        assert len(printer.jobs) == 1
        lines = text_lines(decode(printer.jobs[0]))
        assert lines.count(code) == 1 and "COPY" not in lines, lines

        # Printed: now a reprint is a copy, marked COPY.
        copy = cli("ticket", "reprint", code, "--desk", "greet-1", "--json")
        assert copy.json() == {"ticket": code, "print_job": 2, "copy_added": True}
        until(lambda: len(printer.jobs) == 2, "the copy printed")
        assert "COPY" in text_lines(decode(printer.jobs[1]))
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(15)
        log.close()
        if printer is not None:
            printer.close()


def test_a_reprint_with_no_worker_running_says_so_not_that_it_tries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = closed_port()
    toml = site_toml(
        greet_printer=f"tcp://127.0.0.1:{port}?timeout=1",
        extra="\n[printing]\nattempts = 50\nretry_seconds = 120\n",
    )
    db = make_db(tmp_path, toml)
    cli = Cli(db, monkeypatch)
    issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1", "--json")
    assert issued.code == 0, issued.err
    code = issued.json()["code"]
    # No worker has run: nobody has tried the job, and nobody will until one starts.
    again = cli("ticket", "reprint", code, "--desk", "greet-1")
    assert again.code == 0, again.err
    assert again.out == (
        f"{code} is still waiting to print (job 1): queued to print; no printer worker is "
        "running, so it prints once one starts\n"
    ), again.out
    # A worker tried it once (the printer refused) and stopped: its last error is said.
    ran = run_cli_here("worker", "--once", env={"OSS_DESK_DB": str(db)})  # (in this process)
    assert ran.returncode == 0, ran.stderr
    assert rows(db, "SELECT status, attempts FROM print_jobs") == [("pending", 1)]
    tried = cli("ticket", "reprint", code, "--desk", "greet-1")
    assert tried.out == (
        f"{code} is still waiting to print (job 1): not printed yet (connection refused); "
        "queued to print again; no printer worker is running, so it prints once one starts\n"
    ), tried.out
    assert "trying again" not in tried.out and "printer is back" not in tried.out
    assert rows(db, "SELECT count(*) FROM print_jobs") == [(1,)]
