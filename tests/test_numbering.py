"""Ticket numbers restart at local midnight, including on the nights the clocks change."""

from __future__ import annotations

import pytest

from .conftest import Cli

# (OSS_DESK_NOW, expected code, expected business day)
NIGHTS = {
    "spring forward (29 March 2026)": [
        ("2026-03-28T23:58:00Z", "C001", "2026-03-28"),  # 23:58 GMT
        ("2026-03-28T23:59:59Z", "C002", "2026-03-28"),
        ("2026-03-29T00:00:00Z", "C001", "2026-03-29"),  # midnight GMT: a new day
        ("2026-03-29T00:59:00Z", "C002", "2026-03-29"),  # 00:59 GMT
        ("2026-03-29T01:00:00Z", "C003", "2026-03-29"),  # 02:00 BST: the same day goes on
        ("2026-03-29T22:59:00Z", "C004", "2026-03-29"),  # 23:59 BST
        ("2026-03-29T23:00:00Z", "C001", "2026-03-30"),  # 00:00 BST on the 30th
    ],
    "fall back (25 October 2026)": [
        ("2026-10-24T22:59:00Z", "C001", "2026-10-24"),  # 23:59 BST
        ("2026-10-24T23:00:00Z", "C001", "2026-10-25"),  # 00:00 BST: UTC still says the 24th
        ("2026-10-25T00:30:00Z", "C002", "2026-10-25"),  # 01:30 BST
        ("2026-10-25T01:30:00Z", "C003", "2026-10-25"),  # 01:30 GMT, the hour again
        ("2026-10-25T23:59:00Z", "C004", "2026-10-25"),
        ("2026-10-26T00:00:00Z", "C001", "2026-10-26"),
    ],
    "a summer night, 00:00 to 01:00 BST": [
        ("2026-06-15T22:30:00Z", "C001", "2026-06-15"),  # 23:30 BST
        ("2026-06-15T23:00:00Z", "C001", "2026-06-16"),  # 00:00 BST, 23:00 UTC on the 15th
        ("2026-06-15T23:45:00Z", "C002", "2026-06-16"),
        ("2026-06-16T00:15:00Z", "C003", "2026-06-16"),
    ],
}


@pytest.mark.parametrize("night", list(NIGHTS))
def test_numbering_restarts_at_local_midnight(cli: Cli, night: str) -> None:
    for now, code, day in NIGHTS[night]:
        result = cli("ticket", "issue", "--service", "C", "--json", now=now)
        assert result.code == 0, result.err
        ticket = result.json()
        assert (ticket["code"], ticket["business_day"]) == (code, day), now


def test_services_number_independently_and_yesterday_is_not_called(cli: Cli) -> None:
    assert (
        cli("ticket", "issue", "--service", "C", "--json", now="2026-11-23T16:50:00Z").json()[
            "code"
        ]
        == "C001"
    )
    assert (
        cli("ticket", "issue", "--service", "B", "--json", now="2026-11-23T16:51:00Z").json()[
            "code"
        ]
        == "B001"
    )
    # The next morning: a new day. Yesterday's leftovers are not in today's queue.
    morning = "2026-11-24T09:00:00Z"
    assert cli("queue", "--json", now=morning).json() == []
    assert cli("ticket", "call-next", "--desk", "desk-1", "--json", now=morning).json() is None
    issued = cli("ticket", "issue", "--service", "C", "--json", now=morning).json()
    assert issued["code"] == "C001"
    called = cli("ticket", "call-next", "--desk", "desk-1", "--json", now=morning).json()
    assert called["id"] == issued["id"]
    # Yesterday's waiting tickets were closed with the office, on yesterday, as misses.
    report = cli("report", "daily", "--date", "2026-11-23", "--format", "json", now=morning).json()
    assert (report["still_waiting"], report["closed_unseen"], report["measured"]) == (0, 2, 2)
