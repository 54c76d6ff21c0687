"""`ticket show` says whether the ticket printed: its latest print job's state, in the words the
desks use (and `print_job`, `print_state` in --json, as `ticket issue` gives them), so after a
failure staff can check from the command line whether a ticket came out."""

from __future__ import annotations

import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, format_instant
from oss_desk.services.delivery import print_job_said
from oss_desk.services.session import open_session
from oss_desk.storage import outbox as o
from oss_desk.worker.printing import PrintDelivery

from .conftest import Cli, make_db, rows, site_toml, ticket_line
from .hardware.fakes import FakePrinter, closed_port
from .test_delivery_handover import until, worker_process


def _deliver(db: Path, clock: FixedClock | None = None) -> None:
    """One pass of the device worker over the jobs due (real printers on loopback)."""
    worker = open_session(db=db, clock=clock, person="worker", host=True)
    try:
        PrintDelivery(worker).deliver_due()
    finally:
        worker.close()


def test_ticket_show_says_its_print_state(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = f"tcp://127.0.0.1:{closed_port()}?timeout=1"
    extra = "\n[printing]\nattempts = 2\nretry_seconds = 30\n"
    db = make_db(tmp_path, site_toml(greet_printer=refused, extra=extra))
    cli = Cli(db, monkeypatch)
    issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1")
    assert ticket_line(issued.out).endswith("; queued to print (job 1)\n"), issued.out  # no worker
    assert cli("ticket", "issue", "--service", "W", "--no-print").code == 0

    shown = cli("ticket", "show", "C001")
    assert shown.code == 0, shown.err
    assert shown.out.splitlines(keepends=True)[0] == (
        "C001  Council Tax  waiting, nobody ahead, estimated wait: now; "
        "print job 1: waiting to print\n"
    )
    data = cli("ticket", "show", "C001", "--json").json()
    assert (data["print_job"], data["print_state"]) == (1, "queued")

    _deliver(db)  # the printer refuses: tried again later
    assert (
        cli("ticket", "show", "C001")
        .out.splitlines(keepends=True)[0]
        .endswith("; print job 1: waiting to print (last try: connection refused)\n")
    )
    # Its second try, due 30 s later (the worker's clock a minute on): its tries are spent,
    # yet its ticket waits, so its paper waits for the printer (tried every 30 s).
    _deliver(db, FixedClock(datetime.now(UTC) + timedelta(minutes=1)))
    assert (
        cli("ticket", "show", "C001")
        .out.splitlines(keepends=True)[0]
        .endswith("; print job 1: waiting to print (last try: connection refused)\n")
    )
    # A job given up on (as an earlier version left a ticket's, as a slip's ends) says so.
    conn = sqlite3.connect(db)
    conn.execute("UPDATE print_jobs SET status = 'failed', owner = NULL WHERE id = 1")
    conn.commit()
    conn.close()
    assert (
        cli("ticket", "show", "C001")
        .out.splitlines(keepends=True)[0]
        .endswith("; print job 1: not printed: connection refused\n")
    )

    # Reprinted on a printer that works: the ticket shows printed, confirmed by the printer.
    assert cli("ticket", "reprint", "C001", "--print-to", printer.url).code == 0
    _deliver(db)
    assert (
        cli("ticket", "show", "C001")
        .out.splitlines(keepends=True)[0]
        .endswith("; print job 2: printed\n")
    )
    data = cli("ticket", "show", "C001", "--json").json()
    assert (data["print_job"], data["print_state"]) == (2, "printed")
    # A second reprint not yet printed does not hide that a copy came out.
    assert cli("ticket", "reprint", "C001").code == 0
    assert (
        cli("ticket", "show", "C001")
        .out.splitlines(keepends=True)[0]
        .endswith("; print job 3: waiting to print (an earlier copy went to the printer)\n")
    )
    # Handed to a worker (claimed) before any byte left: not said to be printing.
    worker = open_session(db=db, person="worker", host=True)
    try:
        with worker.store.write() as conn:
            stamp = format_instant(datetime.now(UTC))
            assert o.claim(conn, o.PRINT_JOBS, owner="another", now=stamp, row_id=3)
    finally:
        worker.close()
    assert (
        cli("ticket", "show", "C001")
        .out.splitlines(keepends=True)[0]
        .endswith(
            "; print job 3: handed to the printer worker (an earlier copy went to the printer)\n"
        )
    )

    # A ticket that was never printed says so.
    assert (
        cli("ticket", "show", "W001").out.splitlines(keepends=True)[0].endswith("; no print job\n")
    )
    data = cli("ticket", "show", "W001", "--json").json()
    assert (data["print_job"], data["print_state"]) == (None, None)


def test_the_issue_line_says_a_job_the_worker_tried_is_not_printed_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the worker running and the printer refusing, the worker has the job the moment it
    is issued and tries it at once: the line never says "queued to print" (no running worker
    has it) of a job the worker took; it says what was seen."""
    refused = f"tcp://127.0.0.1:{closed_port()}?timeout=1"
    extra = "\n[printing]\nretry_seconds = 30\n"  # (one try, then a long wait: nothing moves)
    db = make_db(tmp_path, site_toml(greet_printer=refused, extra=extra))
    cli = Cli(db, monkeypatch)
    proc = worker_process(db)
    try:
        issued = cli("--user", "greeter", "ticket", "issue", "--service", "C", "--desk", "greet-1")
        assert issued.code == 0, issued.err
        # Said a moment after the commit: the worker had it (handed), or had tried it already.
        assert ticket_line(issued.out).endswith(
            (
                "; handed to the printer worker (job 1)\n",
                "; not printed yet (connection refused); the printer worker tries again (job 1)\n",
            )
        ), issued.out
        until(
            lambda: rows(db, "SELECT status, attempts FROM print_jobs") == [("pending", 1)],
            what="the worker's first try",
        )
        session = open_session(db=db, person="greeter", desk_id="greet-1")
        try:
            said = print_job_said(session, 1)
        finally:
            session.close()
        assert said == (
            "not printed yet (connection refused); the printer worker tries again (job 1)"
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
    # The worker is gone: nobody has the job now, and the line says so.
    session = open_session(db=db, person="greeter", desk_id="greet-1")
    try:
        assert print_job_said(session, 1) == (
            "not printed yet (connection refused); queued to print again (job 1)"
        )
    finally:
        session.close()
