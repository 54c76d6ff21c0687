"""`ticket show` of a ticket still waiting once its day is over (past closing time, close of
day not run yet; or from an earlier day) said "nobody ahead, estimated wait: now" while a desk
was logged in, under a story saying it was still waiting when the office closed. Nobody will
call it: its line says its day is over and gives no estimate (``domain.waits.day_over_said``),
and its JSON no place."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session

from .conftest import Cli, make_db, site_toml

ISSUED = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 10:00 in London


@pytest.mark.parametrize(
    ("now", "said"),
    [
        ("2026-11-23T10:05:00Z", "nobody ahead, estimated wait: now"),
        ("2026-11-23T18:00:00Z", "past closing time: no estimate"),
        ("2026-11-24T10:00:00Z", "from an earlier day (Mon 23 Nov): no estimate"),
    ],
)
def test_a_ticket_left_waiting_past_its_day_has_no_estimate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str, said: str
) -> None:
    db = make_db(tmp_path, site_toml())
    session = open_session(db=db, clock=FixedClock(ISSUED), person="tl")
    try:
        queue = QueueService(session)
        queue.log_in("desk-1")  # and still logged in: a desk that may call it is open
        ticket = queue.issue("C", print_ticket=False).ticket
    finally:
        session.close()
    cli = Cli(db, monkeypatch)
    ref = str(ticket.id)  # its code names it on its own day only
    shown = cli("ticket", "show", ref, now=now)
    assert shown.code == 0, shown.err
    first = shown.out.splitlines()[0]
    assert first == f"{ticket.code}  Council Tax  waiting, {said}; no print job", shown.out
    data = cli("ticket", "show", ref, "--json", now=now).json()
    placed = "no estimate" not in said
    assert ("estimated_wait_min" in data, "position" in data) == (placed, placed)
