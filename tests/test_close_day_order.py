"""Close of day never records a ticket as closed before the last thing that happened in its
visit: a resident parked at a desk that closes after closing time goes back to the queue then
(17:05), and is closed at close of day after it, not at 17:00 (the history read "back in the
queue 17:05" before "closed at close of day 17:00")."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, make_db, rows, site_toml

DAY = "2026-11-23"  # a Monday: closing time 17:00


def test_a_ticket_sent_back_after_closing_time_is_closed_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)

    def ok(at: str, *args: str) -> str:
        done = cli(*args, now=f"{DAY}T{at}Z")
        assert done.code == 0, done.err
        return done.out

    ok("16:30:00", "ticket", "issue", "--service", "C", "--desk", "greet-1")
    ok("16:31:00", "--user", "tl", "desks", "login", "desk-1")
    ok("16:32:00", "--user", "tl", "ticket", "call", "C001", "--desk", "desk-1")
    ok("16:33:00", "--user", "tl", "ticket", "start", "C001")
    ok("16:40:00", "--user", "tl", "ticket", "park", "C001", "--reason", "document")
    assert "C001 goes back to the queue" in ok(
        "17:05:00", "--user", "tl", "desks", "logout", "desk-1"
    )
    ok("17:10:00", "worker", "--once")
    history = rows(
        db,
        "SELECT e.kind, e.at FROM events e JOIN tickets t ON t.visit_id = e.visit_id "
        "WHERE t.service_code = 'C' AND t.number = 1 ORDER BY e.id",
    )
    closed = [at for kind, at in history if kind == "cancelled"]
    assert len(closed) == 1, history
    assert [at for _, at in history] == sorted(at for _, at in history), history
    assert closed[0] >= f"{DAY}T17:05:00", history
