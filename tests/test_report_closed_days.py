"""A day the office was closed (a weekend, a bank holiday, a local closure) is said to be closed
wherever days are listed, not shown as "0 visits" like an open day nobody came to (trial 36):
the monthly "Arrivals by day" (text, the HTML calendar; JSON keeps ``by_day`` numbers and adds
``closed_days``) and the daily "same day in previous weeks" (JSON: each week's ``closed``).
One rule (:func:`oss_desk.domain.reports.day_closed_said`), every format. Real SQLite files and
the real command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import Cli
from .test_report_send import office

AFTER_NEW_YEAR = "2027-01-05T12:00:00Z"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    made = Cli(office(tmp_path, None), monkeypatch)
    # Saturday 5 December: closed, and one arrival taken all the same.
    issued = made("ticket", "issue", "--service", "C", now="2026-12-05T10:00:00Z")
    assert issued.code == 0, issued.err
    return made


def report(cli: Cli, kind: str, fmt: str, *args: str) -> str:
    done = cli("--user", "tl", "report", kind, *args, "--format", fmt, now=AFTER_NEW_YEAR)
    assert done.code == 0, done.err
    return done.out


def test_the_months_arrivals_by_day_say_which_days_the_office_was_closed(cli: Cli) -> None:
    text = report(cli, "monthly", "text", "--month", "2026-12")
    assert "    Fri 25  closed: a bank holiday (Christmas Day)\n" in text
    assert "    Sun 06  closed: a Sunday\n" in text
    assert re.search(r"\n    Sat 05 +1  #+  \(closed: a Saturday\)\n", text), text
    assert re.search(r"\n    Mon 07 +0  ?\n", text), text  # an open day nobody came to: 0
    data = json.loads(report(cli, "monthly", "json", "--month", "2026-12"))
    assert data["by_day"]["2026-12-25"] == 0 and data["by_day"]["2026-12-05"] == 1
    closed = data["closed_days"]
    assert closed["2026-12-25"] == "a bank holiday (Christmas Day)"
    assert closed["2026-12-05"] == "a Saturday" and "2026-12-07" not in closed
    html = report(cli, "monthly", "html", "--month", "2026-12")
    assert '<span class="day">25</span> closed: a bank holiday (Christmas Day)</td>' in html
    assert '<span class="day">5</span> 1 (closed: a Saturday)</td>' in html
    assert '<span class="day">7</span> 0</td>' in html


def test_the_same_day_in_previous_weeks_says_a_bank_holiday_was_closed(cli: Cli) -> None:
    # Monday 4 January 2027: four Mondays before it, Monday 28 December (Boxing Day's
    # substitute in England) was a bank holiday.
    text = report(cli, "daily", "text", "--date", "2027-01-04")
    [line] = [x for x in text.splitlines() if x.startswith("    2026-12-28")]
    assert line.startswith("    2026-12-28  closed: a bank holiday ("), line
    [open_day] = [x for x in text.splitlines() if x.startswith("    2026-12-21")]
    assert "closed" not in open_day
    data = json.loads(report(cli, "daily", "json", "--date", "2027-01-04"))
    weeks = {w["date"]: w for w in data["previous_weeks"]}
    assert weeks["2026-12-28"]["closed"].startswith("a bank holiday (")
    assert weeks["2026-12-28"]["visits"] == 0 and weeks["2026-12-21"]["closed"] is None
    html = report(cli, "daily", "html", "--date", "2027-01-04")
    assert "closed: a bank holiday (" in html
