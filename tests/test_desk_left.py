"""A desk that leaves the configuration while its site stays: a ticket parked at it, or sent to
it, on an earlier day went nowhere (the load sent back only today's tickets, and close of day
leaves a parked one with its adviser). It stayed parked at a desk that no longer exists for
ever: its adviser's ``ticket resume`` was refused (unknown desk), and no queue or worker round
ended it. The load now sends it back to the queue at its place, and says so in one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .conftest import Cli
from .test_site_dropped import ok
from .test_worker_rounds import OFFICE

MONDAY = "2026-11-23T09:00:00Z"
WEDNESDAY = "2026-11-25T09:00:00Z"
DESK_2 = '[[desks]]\nid = "desk-2"\nname = "Desk 2"\nsite = "hq"\n\n'


def test_an_earlier_days_ticket_at_a_desk_that_left_goes_back_to_the_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with_desk, without = tmp_path / "with.toml", tmp_path / "without.toml"
    with_desk.write_text(OFFICE.replace("[[desks]]\n", DESK_2 + "[[desks]]\n", 1), "utf-8")
    without.write_text(OFFICE, encoding="utf-8")
    cli = Cli(tmp_path / "office.sqlite", monkeypatch)
    ok(cli, "init", "--config", str(with_desk), now=MONDAY)
    issue = ("--user", "tl", "ticket", "issue", "--service", "C", "--desk", "greet-1")
    for _ in range(3):
        ok(cli, *issue, now=MONDAY)
    ok(cli, "--user", "adv", "desks", "login", "desk-2", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "call-next", "--desk", "desk-2", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "start", "C001", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "park", "C001", "--reason", "document", now=MONDAY)
    ok(cli, "--user", "tl", "ticket", "transfer", "C002", "--desk", "desk-2", now=MONDAY)
    # Monday's tickets stay open: nobody ran the worker, and the adviser's login stayed open.

    # The JSON's list keeps codes (review 15, finding 6: it gave "C001 of Mon 23 Nov"): on a
    # copy of the office, so that the office itself is loaded once, below.
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(tmp_path / "office.sqlite") as source, sqlite3.connect(copy) as target:
        source.backup(target)
    as_json = Cli(copy, monkeypatch)("init", "--config", str(without), "--json", now=WEDNESDAY)
    assert as_json.code == 0, as_json.err
    assert as_json.json()["sent_back"] == ["C001", "C002"]
    loaded = ok(cli, "init", "--config", str(without), now=WEDNESDAY)
    assert "Desk 2: Adam Viser logged out, closed (desk-2 left the configuration)" in loaded
    assert (
        "C001 of Mon 23 Nov and C002 of Mon 23 Nov go back to the queue (parked at or sent to "
        "a desk no longer there)\n"
    ) in loaded, loaded
    assert "C003" not in loaded  # sent nowhere: close of day ends it as ever
    assert ok(cli, "ticket", "show", "1", now=WEDNESDAY).startswith(
        "C001 (id 1)  Council Tax  waiting, from an earlier day (Mon 23 Nov): no estimate;"
    )
    history = ok(cli, "--user", "tl", "ticket", "history", "1", now=WEDNESDAY)
    assert "Wed 25 Nov 09:00  C001 back in the queue" in history, history
    # Close of day (the worker's round) closes Monday's tickets, these two as the rest.
    ok(cli, "worker", "--once", now=WEDNESDAY)
    for ref in ("1", "2", "3"):
        shown = ok(cli, "ticket", "show", ref, now=WEDNESDAY)
        assert "closed at close of day (office closed)" in shown, shown


def test_a_ticket_parked_on_an_earlier_day_at_a_desk_still_there_stays_with_its_adviser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading a configuration (here the same one) leaves it parked: its adviser resumes it."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    config = tmp_path / "office.toml"
    config.write_text(OFFICE, encoding="utf-8")
    cli = Cli(tmp_path / "office.sqlite", monkeypatch)
    ok(cli, "init", "--config", str(config), now=MONDAY)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "greet-1", now=MONDAY)
    ok(cli, "--user", "adv", "desks", "login", "desk-1", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "call-next", "--desk", "desk-1", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "start", "C001", now=MONDAY)
    ok(cli, "--user", "adv", "ticket", "park", "C001", "--reason", "document", now=MONDAY)
    loaded = ok(cli, "init", "--config", str(config), now=WEDNESDAY)
    assert "back to the queue" not in loaded, loaded
    resumed = ok(cli, "--user", "adv", "ticket", "resume", "1", now=WEDNESDAY)
    # Two sites (hq, the library): the command line names a ticket by code and id.
    assert resumed.startswith("C001 (id 1)  Council Tax  serving at Desk 1"), resumed
