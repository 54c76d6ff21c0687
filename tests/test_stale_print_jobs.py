"""A ticket's print job still queued when its ticket is over (cancelled as issued in error,
already served: the worker was down, the printer off) is not printed late: it is settled
unprinted, with the reason, in the transaction that claims it. Slips and live tickets print."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.domain.delivery import PrintState, job_word, stale_ticket_job
from oss_desk.domain.models import TicketStatus

from .conftest import Cli, make_db, rows, site_toml
from .hardware.fakes import FakePrinter

MORNING = "2026-11-23T09:30:00Z"


def ok(cli: Cli, *args: str) -> str:
    done = cli(*args)
    assert done.code == 0, done.err
    return done.out


def test_the_worker_back_prints_only_the_tickets_still_waiting(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml(greet_printer=printer.url))
    cli = Cli(db, monkeypatch)  # no device worker runs: each job waits in the queue
    for service in ("C", "C", "C", "W"):
        assert "queued to print" in ok(
            cli, "ticket", "issue", "--service", service, "--desk", "greet-1"
        )
    ok(cli, "ticket", "cancel", "C001", "--reason", "error")
    ok(cli, "--user", "adv", "ticket", "call", "C002", "--desk", "desk-1")
    ok(cli, "--user", "adv", "ticket", "finish", "C002", "--outcome", "resolved")
    ok(cli, "--user", "adv", "ticket", "call", "W001", "--desk", "desk-2")  # called: still paper

    ok(cli, "worker", "--once")

    printed = [job for job in printer.jobs if b"C00" in job or b"W00" in job]
    assert [(b"C001" in j, b"C002" in j, b"C003" in j, b"W001" in j) for j in printed] == [
        (False, False, True, False),
        (False, False, False, True),
    ]
    assert rows(db, "SELECT id, status, last_error FROM print_jobs ORDER BY id") == [
        (1, "cancelled", "the ticket is cancelled"),
        (2, "cancelled", "the ticket is finished"),
        (3, "done", None),
        (4, "done", None),
    ]
    assert ok(cli, "ticket", "show", "C001").endswith(
        "; print job 1: not printed: the ticket is cancelled\n"
    )
    assert ok(cli, "ticket", "show", "C002").endswith(
        "; print job 2: not printed: the ticket is finished\n"
    )
    # A reprint of a ticket still to be called prints.
    ok(cli, "ticket", "reprint", "C003")
    ok(cli, "worker", "--once")
    assert rows(db, "SELECT status FROM print_jobs WHERE id = 5") == [("done",)]


@pytest.mark.parametrize("status", list(TicketStatus))
def test_only_a_ticket_still_to_be_called_is_paper(status: TicketStatus) -> None:
    live = status in (TicketStatus.WAITING, TicketStatus.CALLED)
    reason = stale_ticket_job("ticket", status)
    assert (reason is None) == live
    assert stale_ticket_job("appointment_slip", status) is None  # a slip is not a ticket
    if reason is not None:
        assert job_word(PrintState.CANCELLED, reason) == f"not printed: {reason}"


def test_a_pass_after_closing_time_closes_the_day_before_it_prints(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault hunt: with tickets issued in the morning and no worker all day, `worker --once`
    at 17:05 printed every one of them, then closed them. The day's end comes first now (as in
    the running worker): nothing printed, each job settled unprinted with the reason."""
    db = make_db(tmp_path, site_toml(greet_printer=printer.url))
    cli = Cli(db, monkeypatch)
    for _ in range(3):
        issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1", now=MORNING)
        assert issued.code == 0, issued.err
    after = cli("worker", "--once", now="2026-11-23T17:05:00Z")
    assert after.code == 0, after.err
    assert [job for job in printer.jobs if b"C00" in job] == []
    assert (
        rows(db, "SELECT status, last_error FROM print_jobs ORDER BY id")
        == [("cancelled", "the ticket is cancelled")] * 3
    )
    assert rows(db, "SELECT DISTINCT status FROM tickets") == [("cancelled",)]
