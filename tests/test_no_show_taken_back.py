"""A no-show taken back (the resident came after all, within the two minutes) is not a no-show
anywhere: the call they answered is their first contact, in the daily summary, the month and
the year alike (one rule: ``oss_desk/domain/standards.py`` VisitFacts.seen_ms, counted by
``oss_desk/storage/reports_visits.py`` and kept by the ``visit_facts`` triggers of
schema/0033)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import Cli, make_db, site_toml


def ok(cli: Cli, hhmm: str, *args: str) -> Any:
    result = cli(*args, "--json", now=f"2026-11-23T{hhmm}:00Z")
    assert result.code == 0, result.err
    return result.json()


def test_a_no_show_taken_back_is_seen_at_the_call_in_every_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    ok(cli, "09:00", "ticket", "issue", "--service", "C")
    ok(cli, "09:05", "ticket", "call", "C001", "--desk", "desk-1")
    ok(cli, "09:06", "ticket", "no-show", "C001")
    ok(cli, "09:07", "ticket", "undo-no-show", "C001")
    ok(cli, "09:07", "ticket", "start", "C001")
    ok(cli, "09:40", "ticket", "finish", "C001", "--outcome", "resolved")
    daily = ok(cli, "18:00", "report", "daily", "--date", "2026-11-23")
    # Seen at the 09:05 call (5 minutes), not at the 09:40 finish (40 minutes: a miss).
    assert (daily["measured"], daily["seen"], daily["seen_within_target"]) == (1, 1, 1)
    assert (daily["within_15_min_pct"], daily["wait_median_minutes"]) == (100.0, 5.0)
    assert daily["no_shows"] == 0
    # The month and the year count the same day by the same rule: the same figures.
    figures = ["measured", "seen", "seen_within_target", "within_15_min_pct", "no_shows"]
    figures += ["wait_median_minutes", "wait_p90_minutes"]
    monthly = ok(cli, "18:00", "report", "monthly", "--month", "2026-11")
    annual = ok(cli, "18:00", "report", "annual", "--year", "2026")
    again = ok(cli, "18:01", "report", "annual", "--year", "2026")  # from the stored day
    for report in (monthly, annual, again):
        assert {k: report[k] for k in figures} == {k: daily[k] for k in figures}
