"""A ticket of an earlier day left at a desk overnight: the refusal names it by its day and id,
since its code names another resident's ticket today, and says how to finish it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import Cli, make_db

MONDAY = "2026-11-23T09:30:00Z"
TUESDAY = "2026-11-24T09:30:00Z"


def test_yesterdays_ticket_at_a_desk_is_named_by_its_day_and_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_db(tmp_path), monkeypatch)

    def ok(now: str, *args: str) -> Any:
        result = cli("--user", "amina", *args, "--json", now=now)
        assert result.code == 0, result.err
        return result.json()

    ok(MONDAY, "desks", "login", "desk-1")
    monday = ok(MONDAY, "ticket", "issue", "--service", "C", "--desk", "greet-1", "--no-print")
    assert ok(MONDAY, "ticket", "call-next", "--desk", "desk-1")["id"] == monday["id"]
    ok(MONDAY, "ticket", "start", str(monday["id"]))  # and left open overnight
    tuesday = ok(TUESDAY, "ticket", "issue", "--service", "C", "--desk", "greet-1", "--no-print")
    assert tuesday["code"] == monday["code"] == "C001"
    refused = cli("--user", "amina", "ticket", "call-next", "--desk", "desk-1", now=TUESDAY)
    assert refused.code != 0 and refused.out == ""
    said = (
        f"C001 of Mon 23 Nov (id {monday['id']}) is still at Desk 1: "
        f"finish it with `ticket finish {monday['id']}`"
    )
    assert said in refused.err and len(refused.err.splitlines()) == 1
    closing = cli("--user", "amina", "desks", "close", "desk-1", now=TUESDAY)
    assert f"Desk 1 still has C001 of Mon 23 Nov (id {monday['id']}): finish it" in closing.err
    ok(TUESDAY, "ticket", "finish", str(monday["id"]), "--outcome", "resolved")  # by its id
    assert ok(TUESDAY, "ticket", "call-next", "--desk", "desk-1")["id"] == tuesday["id"]
    again = cli("--user", "amina", "ticket", "call-next", "--desk", "desk-1", now=TUESDAY)
    assert "C001 is still at Desk 1: finish, park or transfer it first" in again.err  # today's
