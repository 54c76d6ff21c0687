"""Months at the ends of the calendar are refused with one line, never an internal error
(``--month 9999-12`` once asked for 1 January 10000 and exited 70)."""

from __future__ import annotations

from datetime import date

import pytest

from oss_desk.domain.stats import month_bounds

from .conftest import Cli


@pytest.mark.parametrize("month", ["9999-12", "9999-11", "0001-01"])
def test_a_month_at_the_ends_of_the_calendar_is_refused(cli: Cli, month: str) -> None:
    result = cli("report", "monthly", "--month", month)
    assert result.code == 2, result.err
    assert result.err.count("\n") == 1 and f"--month {month}" in result.err


def test_month_bounds_at_the_ends_of_the_calendar() -> None:
    assert month_bounds("9999-12") == (date(9999, 12, 1), date(9999, 12, 31))
    assert month_bounds("0001-01") == (date(1, 1, 1), date(1, 1, 31))
    assert month_bounds("2028-02") == (date(2028, 2, 1), date(2028, 2, 29))
