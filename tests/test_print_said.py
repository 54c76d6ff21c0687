"""What the command line says of a ticket's print job is what is known of it: "queued to print"
while no live owner of the devices has it, "handed to the printer worker" once the running
worker owns it (in the issuing transaction), "printed" only after the printer confirmed."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from oss_desk.domain.delivery import PrintState
from oss_desk.services.delivery import print_job_said, print_job_state
from oss_desk.services.session import open_session

from .conftest import Cli, rows, ticket_line
from .hardware.fakes import FakePrinter
from .test_delivery_handover import freeze, office, until, worker_process


def test_the_issue_line_says_queued_handed_or_printed_as_known(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = office(tmp_path, printer.url)
    cli = Cli(db, monkeypatch)
    issue = ("ticket", "issue", "--service", "C", "--desk", "greet-1")
    alone = cli(*issue)  # no worker running: nobody has the job yet
    assert alone.code == 0, alone.err
    assert ticket_line(alone.out).endswith("; queued to print (job 1)\n"), alone.out
    session = open_session(db=db, person="greeter", desk_id="greet-1")
    try:
        assert print_job_state(session, 1) == (PrintState.QUEUED, None)
    finally:
        session.close()
    assert "handed" not in alone.out and "printed" not in alone.out.replace("to print", "")
    proc = worker_process(db)
    try:
        until(lambda: rows(db, "SELECT status FROM print_jobs") == [("done",)], what="job 1")
        freeze(proc, db)  # stopped: it owns the devices but cannot print yet
        try:
            handed = cli(*issue)
            assert rows(db, "SELECT status, owner IS NOT NULL FROM print_jobs WHERE id = 2") == [
                ("printing", 1)
            ]
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        assert handed.code == 0, handed.err
        assert ticket_line(handed.out).endswith("; handed to the printer worker (job 2)\n"), (
            handed.out
        )
        freeze(proc, db)
        try:
            as_json = cli(*issue, "--json").json()
        finally:
            os.kill(proc.pid, signal.SIGCONT)
        assert (as_json["print_job"], as_json["print_state"]) == (3, "sending")
        until(
            lambda: (
                rows(db, "SELECT printed_at IS NOT NULL FROM print_jobs WHERE id = 2") == [(1,)]
            ),
            what="job 2 confirmed",
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
    session = open_session(db=db, person="greeter", desk_id="greet-1")
    try:
        assert print_job_said(session, 2) == "printed (job 2)"  # the printer confirmed it
    finally:
        session.close()
