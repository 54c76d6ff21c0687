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


SAME_ONCE_SEEN = (
    "visits",
    "no_shows",
    "seen",
    "seen_within_target",
    "walked_out_after_target",
    "left_before_target",
    "closed_unseen",
    "measured",
    "within_15_min_pct",
    "wait_median_minutes",
    "wait_p90_minutes",
)
"""The figures a visit's finish does not change once its resident has been seen."""


def test_the_live_figures_between_an_undo_and_the_finish_are_the_day_s_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between a no-show taken back and the finish, the team leader's running figures (the
    snapshot the leader's screen shows) count the visit as the day's report will once the day
    is over (counted again, then read back from the stored day): seen at the call, never a
    walk-out or a no-show. Both ways back: C001 called again at its desk; C002 back in the
    queue because its desk had called C003 meanwhile."""
    from datetime import UTC, datetime

    from oss_desk.clock import FixedClock
    from oss_desk.render.json import as_json
    from oss_desk.services.desk_view import take_snapshot
    from oss_desk.services.session import open_session

    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    for _ in range(3):
        ok(cli, "09:00", "ticket", "issue", "--service", "C")
    ok(cli, "09:03", "ticket", "call", "C002", "--desk", "desk-2")
    ok(cli, "09:04", "ticket", "no-show", "C002")
    ok(cli, "09:04", "ticket", "call", "C003", "--desk", "desk-2")
    assert ok(cli, "09:05", "ticket", "undo-no-show", "C002")["status"] == "waiting"
    ok(cli, "09:20", "ticket", "call", "C001", "--desk", "desk-1")
    ok(cli, "09:21", "ticket", "no-show", "C001")
    assert ok(cli, "09:22", "ticket", "undo-no-show", "C001")["status"] == "called"

    clock = FixedClock(datetime(2026, 11, 23, 9, 23, tzinfo=UTC))
    session = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    try:
        snapshot = take_snapshot(session, figures=True)
    finally:
        session.close()
    assert snapshot.figures is not None
    live = as_json(snapshot.figures)
    assert (live["no_shows"], live["walked_out_after_target"], live["left_before_target"]) == (
        0,
        0,
        0,
    )
    assert (live["seen"], live["seen_within_target"], live["still_waiting"]) == (3, 2, 1)

    ok(cli, "09:30", "ticket", "finish", "C003", "--outcome", "resolved")
    assert ok(cli, "09:31", "ticket", "call-next", "--desk", "desk-2")["code"] == "C002"
    ok(cli, "09:45", "ticket", "finish", "C002", "--outcome", "resolved")
    ok(cli, "09:50", "ticket", "finish", "C001", "--outcome", "resolved")
    day = ("report", "daily", "--date", "2026-11-23")
    counted = cli(*day, "--json", now="2026-11-24T08:00:00Z").json()  # over: counted, stored
    stored = cli(*day, "--json", now="2026-11-24T08:01:00Z").json()  # read back
    for report in (counted, stored):
        assert {k: report[k] for k in SAME_ONCE_SEEN} == {k: live[k] for k in SAME_ONCE_SEEN}
