"""A ticket that failed to print, then printed on a reprint asked for elsewhere (the command
line, another desk), is settled: its desk is not asked to reprint it again (the resident's
ticket would come out twice), and nothing warns of it any more."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.delivery import jobs_needing_answer
from oss_desk.services.doctor_worker import print_jobs
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.worker.printing import PrintDelivery

from .conftest import MONDAY_0930, make_db, site_toml


def test_a_reprint_that_printed_settles_the_failed_job(tmp_path: Path) -> None:
    capture = tmp_path / "greet-printer.bin"
    db = make_db(tmp_path, site_toml(greet_printer=f"capture://{capture}"))
    clock = FixedClock(MONDAY_0930)
    desk = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    try:
        queue = QueueService(desk)
        code = queue.issue("C").ticket.code
        other = queue.issue("W").ticket.code
        # The printer refused both (as the worker records a job that failed for good).
        conn = sqlite3.connect(db)
        conn.execute("UPDATE print_jobs SET status = 'failed', last_error = 'connection refused'")
        conn.commit()
        conn.close()
        assert sorted(str(j.code) for j in jobs_needing_answer(desk)) == sorted([code, other])
        queue.reprint(code)  # from the command line: queued, not yet printed
        # The copy on its way supersedes the failed job: nothing to ask about that ticket.
        assert [str(j.code) for j in jobs_needing_answer(desk)] == [other]
        assert PrintDelivery(desk).deliver_due().printed == 1
        # Printed: the failed job of that ticket is settled; the other still needs an answer.
        assert [str(j.code) for j in jobs_needing_answer(desk)] == [other]
    finally:
        desk.close()


def _set(db: Path, job: int | None, status: str, error: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute(
        "UPDATE print_jobs SET status = ?, last_error = ? WHERE id = ?", [status, error, job]
    )
    conn.commit()
    conn.close()


def test_the_latest_copy_is_asked_about_at_the_issuing_desk(tmp_path: Path) -> None:
    """A fault hunt: Q014's job failed (the printer did not answer), then a reprint from the
    command line may not have printed. The greet desk was asked "was not printed" about the
    old job, never about the unsure copy (queued from no desk), and doctor counted jobs, not
    tickets. Now the latest copy is the one asked about, at the desk that issued the ticket,
    in its own words; doctor counts each ticket once."""
    capture = tmp_path / "greet-printer.bin"
    db = make_db(tmp_path, site_toml(greet_printer=f"capture://{capture}"))
    clock = FixedClock(MONDAY_0930)
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    cli = open_session(db=db, clock=clock, person="tl")  # the command line: no desk
    try:
        issued = [QueueService(greet).issue("C") for _ in range(2)]
        for done in issued:
            _set(db, done.print_job, "failed", "the printer did not answer")
            copy = QueueService(cli).reprint(done.ticket.code).job
            _set(db, copy, "uncertain", "the printer took it but did not confirm")
        asked = jobs_needing_answer(greet)
        assert [(str(j.code), j.status, j.desk_id) for j in asked] == [
            (issued[0].ticket.code, "uncertain", "greet-1"),
            (issued[1].ticket.code, "uncertain", "greet-1"),
        ]
        said = print_jobs(greet.store, clock)
        assert said.detail.endswith("(2 in all)"), said.detail
        assert "may not have printed" in said.detail
    finally:
        greet.close()
        cli.close()
