"""A visit's history across the autumn clock change says each time's zone (faults 17, C4):
01:55 BST then 01:12 GMT is 17 minutes later, where bare times read as time running back."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, make_db, site_toml


def test_a_history_across_the_clock_change_says_each_time_s_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    # BST ends at 01:00 UTC on Sunday 25 October 2026: 00:55Z is 01:55 BST, 01:12Z 01:12 GMT.
    issued = cli("ticket", "issue", "--service", "C", "--no-print", now="2026-10-25T00:55:00Z")
    assert issued.code == 0, issued.err
    called = cli("ticket", "call", "C001", "--desk", "desk-1", now="2026-10-25T01:12:00Z")
    assert called.code == 0, called.err
    history = cli("ticket", "history", "C001", now="2026-10-25T01:20:00Z")
    assert history.code == 0, history.err
    lines = history.out.splitlines()
    assert any(x.startswith("  01:55 BST  arrived for Council Tax") for x in lines), lines
    assert any(x.startswith("  01:12 GMT  C001 called") for x in lines), lines
    # A day without a change says bare times, as before.
    cli("ticket", "issue", "--service", "C", "--no-print", now="2026-10-26T09:00:00Z")
    plain = cli("ticket", "history", "C001", now="2026-10-26T09:05:00Z").out.splitlines()
    assert any(x.startswith("  09:00  arrived for Council Tax") for x in plain), plain
