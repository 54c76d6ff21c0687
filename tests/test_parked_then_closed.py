"""A resident parked at a desk (gone to fetch a document) who then leaves: their ticket,
cancelled, kept the time it was parked, and every view that asked "parked?" of the ticket
said so still: `ticket show` read "parked at Desk 1 (fetching a document)" for a cancelled
ticket, its JSON said ``"parked": true``, and cancelling it again was refused as "parked"
rather than "cancelled". A closed ticket is never parked (one rule: ``Ticket.parked``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session

from .conftest import Cli, make_db, site_toml

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, 10:00 in London


def test_a_parked_resident_who_left_is_cancelled_not_parked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    session = open_session(db=db, clock=FixedClock(NOW), person="tl")
    try:
        queue = QueueService(session)
        queue.log_in("desk-1")
        ticket = queue.issue("C", print_ticket=False).ticket
        assert queue.call_next("desk-1") is not None
        queue.start(ticket.code)
        assert queue.park(ticket.code, "document").parked
        gone = queue.cancel(ticket.code)
        assert not gone.parked
        assert queue.parked("desk-1") == []
    finally:
        session.close()
    cli = Cli(db, monkeypatch)
    now = NOW.isoformat()
    shown = cli("ticket", "show", ticket.code, now=now)
    assert shown.code == 0, shown.err
    first = shown.out.splitlines()[0]
    assert "cancelled" in first and "parked" not in first, first
    data = cli("ticket", "show", ticket.code, "--json", now=now).json()
    assert (data["status"], data["parked"]) == ("cancelled", False)
    again = cli("ticket", "cancel", ticket.code, now=now)
    assert again.code != 0 and f"{ticket.code} is cancelled: nothing to cancel" in again.err
