"""A ticket cancelled as issued in error is no visitor (one rule:
:data:`oss_desk.domain.standards.NOT_VISITORS`): every report's visits, their hours, services,
sites and days leave it out, and count it on its own line ("issued in error"), so that
visits = seen + walked out (after and before the target) + closed unseen + not seen yet.

Held for arbitrary visits on the SQL path the reports use (against the Python rule, visit by
visit), and end to end on a real office: the daily, monthly, quarterly and any-period reports,
in JSON and text, and after the day is closed and kept in the daily rollup.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oss_desk.domain.standards import VisitFacts, is_visitor
from oss_desk.domain.tally import VisitTally
from oss_desk.storage.reports_facts import FactsKept
from oss_desk.storage.reports_visits import count_visits

from .conftest import Cli, make_db, site_toml
from .test_visit_rules_sql import visits

_COLUMNS = (
    "visit_id, site_id, business_day, arrived_ms, local_hour, service_code, channel, urgent,"
    " repeat, needs, first_call_ms, quick_ms, booked_ms, attended_ms, ended, ended_ms"
)


def _tallies(rows: list[tuple[str, str, VisitFacts]]) -> dict[tuple[str, str], VisitTally]:
    """The visits counted by the reports' SQL, from a ``visit_facts`` table holding ``rows``."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"CREATE TABLE visit_facts ({_COLUMNS})")
        conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, data TEXT)")
        for n, (site, day, f) in enumerate(rows, start=1):
            ended = None if f.ended is None else f"2026-11-23T10:00:00.000Z {n:020d} {f.ended}"
            conn.execute(
                "INSERT INTO events VALUES (?, ?)", (n, json.dumps({"reason": f.ended_reason}))
            )
            conn.execute(
                f"INSERT INTO visit_facts ({_COLUMNS}) VALUES ({', '.join('?' * 16)})",
                (
                    n,
                    site,
                    day,
                    f.arrived_ms,
                    10,
                    "C",
                    "walk_in",
                    1,
                    0,
                    '["wheelchair"]',
                    f.first_call_ms,
                    None,
                    f.booked_ms,
                    f.seen_ms,
                    ended,
                    f.ended_ms,
                ),
            )
        days: dict[tuple[str, str], VisitTally] = {}

        def tally_of(site: str | None, day: str) -> VisitTally:
            return days.setdefault((site or "", day), VisitTally())

        args = {"first": "2026-11-23", "last": "2026-11-24", "site": None}
        count_visits(conn, args, FactsKept.CURRENT, tally_of)
        return days
    finally:
        conn.close()


@settings(max_examples=200, deadline=None)
@given(st.lists(visits(), max_size=30))
def test_visits_are_the_visitors_counted_every_way(rows: list[tuple[str, str, VisitFacts]]) -> None:
    for (site, day), tally in _tallies(rows).items():
        given_here = [f for s, d, f in rows if (s, d) == (site, day)]
        visitors = sum(is_visitor(f) for f in given_here)
        assert tally.arrivals.total == visitors
        assert tally.arrivals.total == (
            len(tally.waits_ms) + len(tally.walk_outs_ms) + len(tally.closed_ms) + tally.not_yet
        )
        assert tally.arrivals.total + tally.issued_in_error == len(given_here)
        assert tally.needs.get("wheelchair", 0) == visitors
        assert tally.flags.get(("urgent", "C"), 0) == visitors


NOW = "2026-11-23T10:30:00Z"


def _office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Three arrivals on Monday 23 November 2026: C001 served at once, W001 issued in error
    (cancelled 5 minutes later), C002 still waiting."""
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    for service in ("C", "W", "C"):
        issued = cli("ticket", "issue", "--service", service, "--no-print", now=NOW)
        assert issued.code == 0, issued.err
    assert cli("ticket", "call-next", "--desk", "desk-1", now="2026-11-23T10:31:00Z").code == 0
    cancelled = cli("ticket", "cancel", "W001", "--reason", "error", now="2026-11-23T10:35:00Z")
    assert cancelled.code == 0, cancelled.err
    return cli


def _visit_figures(data: dict[str, Any]) -> tuple[Any, ...]:
    return (
        data["visits"],
        data["walk_ins"],
        data["issued_in_error"],
        sum(data["by_hour"].values()),
        data["by_service"].get("W"),
        data["by_service"]["C"],
    )


@pytest.mark.parametrize(
    "args",
    [
        ("report", "daily", "--date", "2026-11-23"),
        ("report", "monthly", "--month", "2026-11"),
        ("report", "quarterly", "--quarter", "2026-Q4"),
        ("report", "period", "--from", "2026-11-23", "--to", "2026-11-23"),
    ],
)
def test_a_ticket_issued_in_error_is_no_visit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    cli = _office(tmp_path, monkeypatch)
    for now in ("2026-11-23T10:40:00Z", "2026-11-25T10:00:00Z"):  # live, then from the rollup
        report = cli(*args, "--format", "json", now=now)
        assert report.code == 0, report.err
        data = report.json()
        assert _visit_figures(data) == (2, 2, 1, 2, 0, 2), now
        assert data["visits"] == (
            data["seen"]
            + data["walked_out_after_target"]
            + data["left_before_target"]
            + data["closed_unseen"]
            + data["not_yet_seen"]
        )
        text = cli(*args, now=now).out
        assert "Visits (arrivals)" in text
        assert [line.split()[-1] for line in text.splitlines() if "Visits (arrivals)" in line] == [
            "2"
        ]
    day = cli("report", "daily", "--date", "2026-11-23", "--format", "json", now=NOW)
    assert day.json()["by_hour"]["10"] == 2
