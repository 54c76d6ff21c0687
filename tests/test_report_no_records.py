"""Days, months and periods before the office's records begin are "no records", not days of
zeros: the daily report's same weekday in earlier weeks, the monthly trend, a quarter's months
and the period before, in text, HTML and JSON (``recorded``: false). The office here was set up
on Monday 23 November 2026 (its records begin that day)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oss_desk.domain.reports import NO_RECORDS

from .conftest import Cli, make_db, site_toml

NOW = "2026-11-30T10:00:00Z"


def test_before_the_records_begin_there_are_no_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    day = cli("report", "daily", "--json", now=NOW).json()
    assert [(w["date"], w["recorded"]) for w in day["previous_weeks"]] == [
        ("2026-11-23", True),
        ("2026-11-16", False),
        ("2026-11-09", False),
        ("2026-11-02", False),
    ]
    text = cli("report", "daily", now=NOW).out
    assert f"    2026-11-16  {NO_RECORDS}\n" in text
    assert "    2026-11-23       0" in text  # the first day of records: a real day of zeros
    page = cli("report", "daily", "--format", "html", now=NOW).out
    assert page.count(f'<td class="num">{NO_RECORDS}</td>') == 3

    month = cli("report", "monthly", "--json", now=NOW).json()
    assert [m["recorded"] for m in month["trend"]] == [False] * 11 + [True]
    assert f"    2026-01  {NO_RECORDS}\n" in cli("report", "monthly", now=NOW).out

    quarter = cli("report", "quarterly", "--quarter", "2026-Q4", "--json", now=NOW).json()
    assert quarter["previous"]["recorded"] is False and quarter["current"]["recorded"] is True
    assert [m["recorded"] for m in quarter["months"]] == [False, True]  # December not begun
    text = cli("report", "quarterly", "--quarter", "2026-Q4", now=NOW).out
    visits = next(line for line in text.splitlines() if line.startswith("    Visits  "))
    assert visits.split()[-2:] == ["no", "records"]
    page = cli("report", "quarterly", "--quarter", "2026-Q4", "--format", "html", now=NOW).out
    assert f'<td class="num">{NO_RECORDS}</td>' in page
