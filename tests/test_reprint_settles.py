"""A ticket that failed to print, then printed on a reprint asked for elsewhere (the command
line, another desk), is settled: its desk is not asked to reprint it again (the resident's
ticket would come out twice), and nothing warns of it any more."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.delivery import jobs_needing_answer
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
        assert sorted(str(j.code) for j in jobs_needing_answer(desk)) == sorted([code, other])
        assert PrintDelivery(desk).deliver_due().printed == 1
        # Printed: the failed job of that ticket is settled; the other still needs an answer.
        assert [str(j.code) for j in jobs_needing_answer(desk)] == [other]
    finally:
        desk.close()
