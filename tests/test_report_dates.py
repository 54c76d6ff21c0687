"""A report of a day after today (or a month, quarter, year or run of days that starts after
today) is refused like a date before the office's records begin: one line, exit 2, not a report
of zeros with exit 0. A period that has begun is reported, to date (one rule:
``oss_desk.domain.calendar.not_begun``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import Cli, make_db, office_for_the_file, site_toml

NOW = "2026-11-23T10:00:00Z"


@pytest.fixture(scope="module")
def blank_office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The office as ``init`` leaves it, made once for the file (:func:`office_db`)."""
    folder = tmp_path_factory.mktemp("report-dates")
    with office_for_the_file(folder):
        db = make_db(folder, site_toml())
    return db


@pytest.fixture
def office_db(blank_office: Path, tmp_path: Path) -> Path:
    """A copy of the office as ``init`` leaves it, for one test."""
    db = tmp_path / blank_office.name
    shutil.copy2(blank_office, db)
    return db


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("report", "daily", "--date", "2030-01-01"), "--date 2030-01-01"),
        (("report", "daily", "--date", "2026-11-24"), "--date 2026-11-24"),
        (("report", "monthly", "--month", "2031-01"), "--month 2031-01"),
        (("report", "monthly", "--month", "2026-12"), "--month 2026-12"),
        (("report", "quarterly", "--quarter", "2027-Q1"), "--quarter 2027-Q1"),
        (("report", "quarterly", "--quarter", "2026/27-Q4"), "--quarter 2026/27-Q4"),
        (("report", "quarterly", "--quarter", "2126-Q1"), "--quarter 2126-Q1"),
        (("report", "annual", "--year", "2027"), "--year 2027"),
        (("report", "annual", "--year", "2027/28", "--format", "json"), "--year 2027/28"),
        (
            ("report", "period", "--from", "2026-11-24", "--to", "2026-12-31"),
            "--from 2026-11-24 --to 2026-12-31",
        ),
    ],
)
def test_a_report_of_the_future_is_refused(
    office_db: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], said: str
) -> None:
    cli = Cli(office_db, monkeypatch)
    result = cli(*args, now=NOW)
    assert result.code == 2
    assert result.out == ""
    assert result.err == f"oss-desk: {said} is in the future: no figures yet\n"


def test_today_and_this_month_are_reported(
    office_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office_db, monkeypatch)
    assert cli("report", "daily", "--date", "2026-11-23", now=NOW).code == 0
    assert cli("report", "monthly", "--month", "2026-11", now=NOW).code == 0


@pytest.mark.parametrize(
    "args",
    [
        ("report", "quarterly", "--quarter", "2026-Q4"),
        ("report", "quarterly", "--quarter", "2026/27-Q3"),
        ("report", "quarterly"),
        ("report", "annual", "--year", "2026"),
        ("report", "annual"),
        ("report", "period", "--from", "2026-11-01", "--to", "2026-12-31"),
    ],
)
def test_a_period_that_has_begun_is_reported_to_date(
    office_db: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    cli = Cli(office_db, monkeypatch)
    ticket = cli("ticket", "issue", "--service", "C", "--no-print", now=NOW)
    assert ticket.code == 0, ticket.err
    result = cli(*args, "--format", "json", now=NOW)
    assert result.code == 0, result.err
    assert result.json()["visits"] == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("report", "daily", "--date", "2015-01-05"), "--date 2015-01-05"),
        (("report", "monthly", "--month", "2015-01"), "--month 2015-01"),
        (("report", "quarterly", "--quarter", "2010-Q1"), "--quarter 2010-Q1"),
        (("report", "quarterly", "--quarter", "2026-Q3"), "--quarter 2026-Q3"),
        (("report", "quarterly", "--quarter", "2010/11-Q2"), "--quarter 2010/11-Q2"),
        (("report", "annual", "--year", "2012"), "--year 2012"),
        (("report", "annual", "--year", "2025", "--format", "json"), "--year 2025"),
        (
            ("report", "period", "--from", "2015-01-01", "--to", "2015-01-31"),
            "--from 2015-01-01 --to 2015-01-31",
        ),
        (
            ("report", "period", "--from", "2026-11-01", "--to", "2026-11-22"),
            "--from 2026-11-01 --to 2026-11-22",
        ),
    ],
)
def test_a_report_before_the_records_begin_is_refused_alike(
    office_db: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], said: str
) -> None:
    """Every kind of report, one rule (``DateSpan.check_period``): a period that ends before
    the office's records begin (here the office was set up today, 23 November 2026) is refused
    with the same line; one that reaches them (this quarter, this year, a run of days to
    today) is reported."""
    cli = Cli(office_db, monkeypatch)
    result = cli(*args, now=NOW)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"oss-desk: {said} is before this office's records begin (2026-11-23)\n"
    reaching = cli("report", "period", "--from", "2026-11-01", "--to", "2026-11-23", now=NOW)
    assert reaching.code == 0, reaching.err


def test_a_period_going_on_is_labelled_to_date(
    office_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Monday 23 November 2026: the quarter and the month go on, so they are reported to that
    day and say so (JSON ``to_date``; the month's days to date), never as the whole period; a
    month that is over is not."""
    cli = Cli(office_db, monkeypatch)
    quarter = cli("report", "quarterly", "--quarter", "2026-Q4", now=NOW).out
    assert "  Thursday 1 October 2026 to Monday 23 November 2026 (to date)\n" in quarter
    assert "Thursday 31 December 2026" not in quarter.split("Quarterly return")[0]
    data = cli("report", "quarterly", "--quarter", "2026-Q4", "--json", now=NOW).json()
    assert (data["last_day"], data["to_date"]) == ("2026-12-31", "2026-11-23")
    page = cli(
        "report",
        "period",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--format",
        "html",
        now=NOW,
    ).out
    assert "Sunday 1 November 2026 to Monday 23 November 2026 (to date)" in page
    month = cli("report", "monthly", "--month", "2026-11", "--json", now=NOW).json()
    assert month["to_date"] == "2026-11-23" and list(month["by_day"])[-1] == "2026-11-23"
    text = cli("report", "monthly", "--month", "2026-11", now=NOW).out
    assert text.startswith(
        "Monthly dashboard: Civic Centre, November 2026, to date (to Monday 23 November 2026)\n"
    )
    later = "2026-12-02T10:00:00Z"
    over = cli("report", "monthly", "--month", "2026-11", "--json", now=later).json()
    assert over["to_date"] is None and len(over["by_day"]) == 30
