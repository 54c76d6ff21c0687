"""A resident's place is said one way everywhere: the people ahead of them, as their paper
ticket counts them (review: the desk said "3 in the queue" to a resident whose ticket said
"Nobody ahead of you", four desks being free). The paper is rendered to ESC/POS and read back;
the queue view, ``ticket show``, ``oss-desk queue`` (text and JSON) and the phone page are
each compared with it, for the same queue."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.waits import ahead_said, place_in_line
from oss_desk.hardware.templates import render
from oss_desk.services.printouts import ticket_printout
from oss_desk.services.queue import QueueService
from oss_desk.services.resident import token_for
from oss_desk.services.screen import phone_state
from oss_desk.services.session import open_session

from .appointments_site import NOW
from .conftest import Cli, make_db, site_toml
from .test_welsh import read, texts


def test_the_paper_and_every_view_of_the_queue_say_the_same_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml(extra='[screen]\npublic_url = "https://q.example"\n'))
    session = open_session(db=db, clock=FixedClock(NOW), person="tl", desk_id="greet-1")
    cli = Cli(db, monkeypatch)
    try:
        queue = QueueService(session)
        tickets = [queue.issue("C", print_ticket=False).ticket for _ in range(7)]
        entries = {e.ticket.id: e for e in queue.queue("hq")}
        listed = cli("queue", now=NOW.isoformat()).out
        as_json = {t["code"]: t for t in cli("queue", "--json", now=NOW.isoformat()).json()}
        said_differently_before = 0
        for ticket in tickets:
            entry = entries[ticket.id]
            assert entry.ahead is not None and entry.position is not None
            # The paper, as printed: "Nobody ahead of you", "1 person ahead of you"...
            (paper,) = [
                line
                for line in texts(read(render(ticket_printout(session, ticket))))
                if "ahead of you" in line
            ]
            # The staff's words are the paper's, less "of you".
            assert paper.lower() == f"{ahead_said(entry.ahead)} of you", (ticket.code, paper)
            shown = cli("ticket", "show", ticket.code, now=NOW.isoformat()).out
            assert f"waiting, {ahead_said(entry.ahead)}, estimated wait: " in shown, shown
            (row,) = [line for line in listed.splitlines() if f" {ticket.code} " in line]
            assert f", {ahead_said(entry.ahead)}, " in row, row
            assert as_json[ticket.code]["ahead"] == entry.ahead
            phone = phone_state(session, token_for(session, ticket))
            assert phone is not None and phone["lines"][0] == paper
            said_differently_before += entry.position != place_in_line(entry.ahead)
        # Four desks free: the first four are all called at once, nobody ahead of any of them,
        # though the 3rd and 4th are 3rd and 4th in the call order (once "place 3 in the queue").
        assert [entries[t.id].ahead for t in tickets[:4]] == [0, 0, 0, 0]
        assert said_differently_before >= 2
        assert any(entries[t.id].ahead for t in tickets)  # and someone is ahead of the last
    finally:
        session.close()
