"""F10, what the resident sees, shows the ticket as it was printed (trial 6: W2).

The device worker draws a ticket when it sends it (the people ahead and the wait of that
moment) and keeps that drawing with the print job; F10 shows it, not the ticket drawn again now
(by then the resident may be at a desk, with nobody ahead). It says whether the resident has the
ticket on paper: a ticket whose print job has not printed says so.
"""

from __future__ import annotations

from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.services.printouts import resident_view, ticket_printout
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.worker.printing import PrintDelivery

from ..conftest import MONDAY_0930, site_toml
from ..escpos_decoder import decode, text_lines
from .conftest import AppFactory, acting, office_db, rows, until


async def test_f10_shows_the_ticket_as_printed_and_whether_it_printed(
    migrated: Path, tmp_path: Path, make_app: AppFactory
) -> None:
    capture = tmp_path / "tickets.bin"
    db = office_db(migrated, tmp_path, site_toml(greet_printer=f"capture://{capture}"))
    clock = FixedClock(MONDAY_0930)
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    with acting(db, person="worker", desk=None, clock=clock) as worker:
        queue = QueueService(greet)
        for desk in ("desk-2", "desk-3", "desk-4", "room-1"):
            queue.set_desk_status(desk, "break")
        first, second, third = (queue.issue("C").ticket for _ in range(3))
        assert PrintDelivery(worker).deliver_due().printed == 3
        printed = text_lines(decode(capture.read_bytes()))
        assert "2 people ahead of you" in printed  # C003 as it went on paper
        waited = [line for line in printed if line.startswith("Wait about")][-1]
        for desk in ("desk-2", "desk-3"):
            queue.set_desk_status(desk, "open")
        queue.call(first.id, "desk-2")
        queue.call(second.id, "desk-3")
        # Drawn again now, C003 has fewer ahead: F10 must not show that.
        assert ticket_printout(greet, third).say("wait")[0] != "2 people ahead of you"
        # Issued while the printer's jobs are not delivered: not on paper yet.
        fourth = queue.issue("C").ticket
        unprinted = resident_view(greet, fourth.id)
        assert "waiting to print" in unprinted.paper_said
        assert "The resident has no paper ticket yet" in unprinted.paper_said
        greet.close()

    app = make_app(db, "desk-1", person="tl")
    async with app.run_test(size=(100, 40)) as pilot:
        await until(lambda: app.snapshot is not None, timeout=30)
        await pilot.press("n")  # desk-1 calls C003: now nobody is ahead of it
        called = f"SELECT desk_id FROM tickets WHERE id = {third.id}"
        await until(lambda: rows(db, called) == [("desk-1",)], timeout=30)
        await pilot.press("f10")
        await until(lambda: bool(app.screen.query("#paper")), timeout=30)
        paper = str(app.screen.query_one("#paper").render())
        said = str(app.screen.query_one("#paper-said").render())
        assert "C 0 0 3" in paper
        assert "2 people ahead of you" in paper and waited in paper, paper
        assert "Nobody ahead of you" not in paper
        assert said.startswith("Print job 3: printed."), said
        assert "as print job 3 sent it to the printer" in said
