"""A visit's history across the autumn clock change says each time's zone (faults 17, C4):
01:55 BST then 01:12 GMT is 17 minutes later, where bare times read as time running back."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, make_db, rows, site_toml


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
    # The ticket's own story (``ticket show``, F7 at a desk) says the zones too.
    shown = cli("ticket", "show", "C001", now="2026-10-25T01:20:00Z")
    assert shown.code == 0, shown.err
    assert "01:55 BST" in shown.out and "01:12 GMT" in shown.out, shown.out
    assert shown.out.index("01:55 BST") < shown.out.index("01:12 GMT"), shown.out
    # A day without a change says bare times, as before.
    cli("ticket", "issue", "--service", "C", "--no-print", now="2026-10-26T09:00:00Z")
    plain = cli("ticket", "history", "C001", now="2026-10-26T09:05:00Z").out.splitlines()
    assert any(x.startswith("  09:00  arrived for Council Tax") for x in plain), plain


def test_the_hour_that_comes_round_twice_is_reported_as_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``report daily`` of the day the clocks go back shows 01:00 BST and 01:00 GMT apart (they
    are two hours), counted live and from the daily rollup once the day is over; other days, and
    a month, say the hour once."""
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    # 00:30Z and 00:55Z are 01:30 and 01:55 BST; 01:12Z is 01:12 GMT; 10:00Z is 10:00 GMT.
    for at in ("00:30", "00:55", "01:12", "10:00"):
        issued = cli("ticket", "issue", "--service", "C", "--no-print", now=f"2026-10-25T{at}:00Z")
        assert issued.code == 0, issued.err
    for now in ("2026-10-25T12:00:00Z", "2026-10-28T12:00:00Z", "2026-10-28T12:05:00Z"):
        # The day itself (live); once closed (counted, then stored); read back from the rollup.
        daily = cli("report", "daily", "--date", "2026-10-25", "--format", "json", now=now)
        assert daily.code == 0, daily.err
        by_hour = daily.json()["by_hour"]
        assert (by_hour["01 BST"], by_hour["01 GMT"], by_hour["10"]) == (2, 1, 1), by_hour
        assert "01" not in by_hour and list(by_hour).index("01 GMT") == 1, by_hour
        text = cli("report", "daily", "--date", "2026-10-25", now=now).out.splitlines()
        hours = [line.split() for line in text if line.strip().startswith("01:00")]
        assert [h[:3] for h in hours] == [["01:00", "BST", "2"], ["01:00", "GMT", "1"]], text
    stored = rows(cli.db, "SELECT count(*) FROM daily_rollup WHERE business_day = '2026-10-25'")
    assert stored == [(1,)]
    monthly = cli("report", "monthly", "--month", "2026-10", "--format", "json", now=now)
    assert monthly.code == 0, monthly.err
    month_hours = monthly.json().get("by_hour")
    assert month_hours is None or month_hours.get("01") == 3, month_hours
