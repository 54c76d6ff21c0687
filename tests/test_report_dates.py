"""A report of a day after today (or a month after this one) is refused like a date before the
office's records begin: one line, exit 2, not a report of zeros with exit 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, make_db, site_toml

NOW = "2026-11-23T10:00:00Z"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("report", "daily", "--date", "2030-01-01"), "--date 2030-01-01"),
        (("report", "daily", "--date", "2026-11-24"), "--date 2026-11-24"),
        (("report", "monthly", "--month", "2031-01"), "--month 2031-01"),
        (("report", "monthly", "--month", "2026-12"), "--month 2026-12"),
    ],
)
def test_a_report_of_the_future_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], said: str
) -> None:
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    result = cli(*args, now=NOW)
    assert result.code == 2
    assert result.out == ""
    assert result.err == f"oss-desk: {said} is in the future: no figures yet\n"


def test_today_and_this_month_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    assert cli("report", "daily", "--date", "2026-11-23", now=NOW).code == 0
    assert cli("report", "monthly", "--month", "2026-11", now=NOW).code == 0
