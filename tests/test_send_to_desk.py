"""Sending a ticket to a desk that is closed: refused with a clear reason, because only that
desk could call it and it would wait unseen; a desk on a break is fine (it comes back)."""

from __future__ import annotations

import json

from .conftest import Cli

NOW = "2026-11-23T10:00:00Z"


def test_a_ticket_is_not_sent_to_a_closed_desk(cli: Cli) -> None:
    issued = cli("ticket", "issue", "--service", "C", "--json", now=NOW)
    code = json.loads(issued.out)["code"]
    assert cli("desks", "close", "desk-2", now=NOW).code == 0
    refused = cli("ticket", "transfer", code, "--desk", "desk-2", now=NOW)
    assert refused.code == 6 and refused.err.count("\n") == 1
    assert f"is closed: nobody there would call {code}" in refused.err
    # Nothing moved: the ticket is still for anyone.
    queue = json.loads(cli("queue", "--json", now=NOW).out)
    mine = [t for t in queue if t["code"] == code]
    assert len(mine) == 1 and mine[0]["assigned_desk"] is None

    assert cli("desks", "break", "desk-2", now=NOW).code == 0
    sent = cli("ticket", "transfer", code, "--desk", "desk-2", "--json", now=NOW)
    assert sent.code == 0, sent.err
    assert json.loads(sent.out)["assigned_desk"] == "desk-2"
