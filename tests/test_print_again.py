"""A slip or a summary printed again settles the earlier one that failed: the day's summary sent
again to Desk 1 printed, yet "Check: daily summary not printed" stayed on the team leader's bar
and ``doctor`` kept warning that it failed (only a ticket's later copy settled an earlier job)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.delivery import jobs_needing_answer
from oss_desk.services.doctor_worker import print_jobs
from oss_desk.services.session import open_session

from .conftest import MONDAY_0930, Cli, make_db, rows, site_toml
from .hardware.fakes import FakePrinter

MORNING = "2026-11-23T09:30:00Z"


def ok(cli: Cli, *args: str) -> str:
    done = cli(*args, now=MORNING)
    assert done.code == 0, done.err
    return done.out


def test_the_days_summary_printed_again_settles_the_one_that_failed(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = site_toml().replace(
        'id = "desk-1"\nname = "Desk 1"\n',
        f'id = "desk-1"\nname = "Desk 1"\nprinter = "{printer.url}"\n',
    )
    db = make_db(tmp_path, toml)
    cli = Cli(db, monkeypatch)
    summary = ("--user", "tl", "report", "daily", "--print-to", "desk-1")
    ok(cli, *summary)
    conn = sqlite3.connect(db)  # Desk 1's port was gone: the worker gave up on it
    conn.execute("UPDATE print_jobs SET status = 'failed', last_error = 'connection refused'")
    conn.commit()
    conn.close()
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl")
    try:
        assert [j.kind for j in jobs_needing_answer(session)] == ["daily_summary"]
        assert print_jobs(session.store, session.clock).status == "warn"

        ok(cli, *summary)  # sent again, once the port is back: it prints
        ok(cli, "worker", "--once")
        assert rows(db, "SELECT id, status FROM print_jobs ORDER BY id") == [
            (1, "failed"),
            (2, "done"),
        ]
        printer.filed()  # it keeps a job on its own thread once the line has closed
        assert len(printer.jobs) == 1
        assert jobs_needing_answer(session) == []
        assert print_jobs(session.store, session.clock).status == "ok"

    finally:
        session.close()


def test_a_job_settled_as_its_printer_left_is_not_said_to_have_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ticket's paper that may not have printed, settled when its printer left the
    configuration, is not shown as "said it printed" by whoever loaded the configuration."""
    printer = f"capture://{tmp_path / 'greet.bin'}"
    db = make_db(tmp_path, site_toml(greet_printer=printer))
    cli = Cli(db, monkeypatch)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "greet-1")
    conn = sqlite3.connect(db)  # sent whole, never confirmed by the printer
    conn.execute("UPDATE print_jobs SET status = 'uncertain', last_error = 'no answer'")
    conn.commit()
    conn.close()
    without = tmp_path / "without.toml"
    without.write_text(site_toml(), encoding="utf-8")
    ok(cli, "init", "--config", str(without))
    shown = ok(cli, "ticket", "show", "C001")
    assert "print job 1: may not have printed; set aside as its printer was removed, by " in shown
    assert "said it printed" not in shown
