"""A resident transferred to another service keeps their place (the queue rule), but the desk
they were transferred from does not call them straight back: its next call takes anyone else
it may call first, and says so when there is nobody else (``domain.queue.passed_over``)."""

from __future__ import annotations

import json

from .conftest import Cli

AT = "2026-11-23T09:{:02d}:00Z"  # a Monday morning


def called(cli: Cli, desk: str, minute: int) -> str:
    """``ticket call-next`` at ``desk`` as the team leader: its text line."""
    done = cli("--user", "tl", "ticket", "call-next", "--desk", desk, now=AT.format(minute))
    assert done.code == 0, done.err
    return done.out.strip()


def test_the_desk_that_transferred_a_resident_calls_the_next_one_first(cli: Cli) -> None:
    for minute in (30, 31, 32):
        assert (
            cli("ticket", "issue", "--service", "C", "--no-print", now=AT.format(minute)).code == 0
        )
    assert cli("--user", "tl", "desks", "login", "desk-1", now=AT.format(33)).code == 0
    assert called(cli, "desk-1", 33) == "C001 -> Desk 1"
    moved = cli("--user", "tl", "ticket", "transfer", "C001", "--service", "W", now=AT.format(35))
    assert moved.code == 0, moved.err
    # W001 keeps C001's arrival, so its place: first in the queue, and first for other desks.
    shown = json.loads(cli("queue", "--json", now=AT.format(35)).out)
    assert [t["code"] for t in shown] == ["W001", "C002", "C003"]
    # Desk 1 calls the next resident, not the one it has just sent to Waste...
    assert called(cli, "desk-1", 35) == "C002 -> Desk 1"
    assert cli("ticket", "finish", "C002", "--outcome", "resolved", now=AT.format(40)).code == 0
    # ...and that call only: W001 is back at its place for Desk 1 too (nobody waits behind a
    # stream of later arrivals for having been transferred).
    assert called(cli, "desk-1", 40) == "W001 -> Desk 1"


def test_another_desk_calls_the_transferred_resident_at_their_place(cli: Cli) -> None:
    for minute in (30, 31):
        assert (
            cli("ticket", "issue", "--service", "C", "--no-print", now=AT.format(minute)).code == 0
        )
    assert cli("--user", "tl", "desks", "login", "desk-1", now=AT.format(32)).code == 0
    assert called(cli, "desk-1", 32) == "C001 -> Desk 1"
    assert (
        cli("--user", "tl", "ticket", "transfer", "C001", "--service", "B", now=AT.format(34)).code
        == 0
    )
    assert cli("desks", "open", "desk-2", now=AT.format(34)).code == 0
    # The queue shows what each desk will call: Desk 1 C002, Desk 2 B001 (at its place).
    shown = json.loads(cli("queue", "--json", now=AT.format(34)).out)
    assert [(t["code"], t["ahead"]) for t in shown] == [("B001", 0), ("C002", 0)]
    assert called(cli, "desk-2", 34) == "B001 -> Desk 2"
    assert called(cli, "desk-1", 34) == "C002 -> Desk 1"


def test_with_nobody_else_waiting_the_desk_calls_them_and_says_so(cli: Cli) -> None:
    assert cli("ticket", "issue", "--service", "C", "--no-print", now=AT.format(30)).code == 0
    assert cli("--user", "tl", "desks", "login", "desk-1", now=AT.format(31)).code == 0
    assert called(cli, "desk-1", 31) == "C001 -> Desk 1"
    assert (
        cli("--user", "tl", "ticket", "transfer", "C001", "--service", "W", now=AT.format(33)).code
        == 0
    )
    assert called(cli, "desk-1", 33) == (
        "W001 -> Desk 1: the resident this desk transferred; nobody else is waiting for Desk 1"
    )
