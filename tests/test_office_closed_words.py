"""A ticket closed by close of day reads "closed at close of day (office closed)" in
``ticket show``, the visit history and refusals, not "cancelled" (which suggested a person
cancelled the resident); the stored status stays ``cancelled``. A ticket cancelled because the
resident left still reads "cancelled"."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import close_now
from oss_desk.services.session import open_session

from .conftest import MONDAY_0930, Cli, rows

CLOSED = "closed at close of day (office closed)"


def office_day(db: Path) -> None:
    """C001 and W001 waiting at 17:30 are closed automatically at 17:00 by the next action (a
    ticket issued at 17:30); B001 cancelled by hand (the resident left); C002 (issued after
    17:00) closed by the team leader's close of day."""
    clock = FixedClock(MONDAY_0930)
    session = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    try:
        queue = QueueService(session)
        for code in ("C", "W", "B"):
            queue.issue(code, print_ticket=False)
        queue.cancel("B001")
        clock.set(MONDAY_0930.replace(hour=17, minute=30))
        queue.issue("C", print_ticket=False)
        clock.set(clock.now() + timedelta(minutes=5))
        close_now(session)
    finally:
        session.close()


def test_ticket_show_history_and_refusals_say_closed_at_close_of_day(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office_day(db_path)
    assert set(rows(db_path, "SELECT status FROM tickets")) == {("cancelled",)}
    cli = Cli(db_path, monkeypatch)
    now = "2026-11-23T17:40:00Z"
    shown = cli("ticket", "show", "C001", now=now)
    assert shown.code == 0
    assert CLOSED in shown.out and "cancelled" not in shown.out
    assert CLOSED in cli("ticket", "show", "C002", now=now).out
    left = cli("ticket", "show", "B001", now=now)
    assert "cancelled" in left.out and CLOSED not in left.out
    # JSON: the stored status, and whether close of day closed it (a documented key).
    closed = {
        code: cli("ticket", "show", code, "--json", now=now).json()
        for code in ("C001", "W001", "C002", "B001")
    }
    assert {code: t["status"] for code, t in closed.items()} == dict.fromkeys(closed, "cancelled")
    assert {code: t["closed_at_close_of_day"] for code, t in closed.items()} == {
        "C001": True,
        "W001": True,
        "C002": True,
        "B001": False,
    }
    assert cli("desks", "reopen-day", now=now).code == 0
    waiting = cli("ticket", "issue", "--service", "C", "--json", now=now).json()["code"]
    assert (
        cli("ticket", "show", waiting, "--json", now=now).json()["closed_at_close_of_day"] is False
    )
    history = cli("ticket", "history", "W001", now=now)
    assert history.code == 0, history.err
    closing = [line for line in history.out.splitlines() if "W001 closed" in line]
    # Closed automatically at closing time: nobody at a desk did it, so no one is named.
    assert closing == [f"  17:00  W001 {CLOSED}"]
    assert "cancelled" not in history.out
    by_hand = cli("ticket", "history", "C002", now=now).out
    assert f"C002 {CLOSED}  (tl" in by_hand or f"C002 {CLOSED}  (Team Leader" in by_hand
    recall = cli("ticket", "recall", "C001", now=now)
    assert recall.code != 0
    assert recall.err.strip() == (
        f"oss-desk: C001 is {CLOSED}: only a called ticket can be recalled"
    )
    cancel = cli("ticket", "cancel", "B001", now=now)
    assert "B001 is cancelled: nothing to cancel" in cancel.err
