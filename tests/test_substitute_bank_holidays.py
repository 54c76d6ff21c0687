"""A bank holiday that falls on a weekend and has a substitute day is not a bank holiday itself:
its substitute is (a review's finding: Sat 26 Dec 2026 was taken for Boxing Day beside Mon 28
Dec, "Boxing Day (observed)", so an office open on Saturdays refused bookings that day and its
monthly dashboard said it was closed). The expected dates are GOV.UK's, written out by hand.
Real SQLite files and the real commands."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.workdays import OBSERVED, bank_holidays
from oss_desk.services.site import initialise

from .appointments_site import office_toml
from .conftest import Cli, rows

D = date.fromisoformat

# (nation, year, month, GOV.UK's bank holidays of that month)
GOV_UK = [
    ("ENG", 2026, 12, ["2026-12-25", "2026-12-28"]),  # Boxing Day on a Saturday
    ("WLS", 2026, 12, ["2026-12-25", "2026-12-28"]),
    ("SCT", 2026, 12, ["2026-12-25", "2026-12-28"]),
    ("NIR", 2026, 12, ["2026-12-25", "2026-12-28"]),
    ("ENG", 2027, 12, ["2027-12-27", "2027-12-28"]),  # Christmas Saturday, Boxing Day Sunday
    ("SCT", 2027, 12, ["2027-12-27", "2027-12-28"]),
    ("NIR", 2027, 12, ["2027-12-27", "2027-12-28"]),
    ("SCT", 2027, 1, ["2027-01-01", "2027-01-04"]),  # 2 January on a Saturday
    ("ENG", 2022, 1, ["2022-01-03"]),  # New Year's Day on a Saturday
    ("SCT", 2022, 1, ["2022-01-03", "2022-01-04"]),  # 1 and 2 January at a weekend
    ("NIR", 2026, 7, ["2026-07-13"]),  # the Battle of the Boyne on a Sunday
    ("NIR", 2027, 7, ["2027-07-12"]),  # on a Monday: itself
]


@pytest.mark.parametrize(("nation", "year", "month", "expected"), GOV_UK)
def test_the_bank_holidays_are_govuks_days_off(
    nation: str, year: int, month: int, expected: list[str]
) -> None:
    found = sorted(day for day in bank_holidays(nation, year) if day.month == month)
    assert found == [D(day) for day in expected]


def test_the_substitute_is_found_by_the_calendar_packages_own_label() -> None:
    import holidays

    assert holidays.country_holidays("GB", subdiv="ENG").observed_label == OBSERVED
    assert bank_holidays("ENG", 2026)[D("2026-12-28")] == "Boxing Day (observed)"


SATURDAYS = (
    'nation = "ENG"\nopening_hours = { mon = "09:00-17:00", tue = "09:00-17:00", '
    'wed = "09:00-17:00", thu = "09:00-17:00", fri = "09:00-17:00", sat = "09:00-12:00" }\n'
)


@pytest.mark.parametrize("stored_before", [False, True])
def test_an_office_open_on_saturdays_opens_on_saturday_26_december(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored_before: bool
) -> None:
    """``stored_before``: the office's calendar as an earlier release stored it (Sat 26 Dec
    among the bank holidays) is read by the same rule: no upgrade step needed."""
    config = tmp_path / "office.toml"
    config.write_text(office_toml().replace('nation = "ENG"\n', SATURDAYS), encoding="utf-8")
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(datetime(2026, 12, 21, 10, tzinfo=UTC)), config_path=config)
    cli = Cli(db, monkeypatch)
    if stored_before:
        import sqlite3

        import holidays

        old = holidays.country_holidays("GB", subdiv="ENG", years=2026)
        with sqlite3.connect(db) as conn:
            conn.execute(
                "UPDATE bank_holidays SET days = ? WHERE nation = 'ENG' AND year = 2026",
                [json.dumps({d.isoformat(): n for d, n in sorted(old.items())})],
            )
        assert "2026-12-26" in str(rows(db, "SELECT days FROM bank_holidays WHERE year = 2026"))
    slots = cli(
        "--user", "tl", "appointment", "slots", "--service", "C", "--date", "2026-12-26",
        "--days", "1", now="2026-12-21T10:00:00Z",
    )  # fmt: skip
    assert slots.code == 0, slots.err
    assert slots.out.splitlines()[0].startswith("Sat 26 Dec 09:00  ")
    assert "bank holiday" not in slots.out
    monthly = cli(
        "--user", "tl", "report", "monthly", "--month", "2026-12", now="2027-01-05T10:00:00Z"
    )
    assert monthly.code == 0, monthly.err
    days = [" ".join(line.split()) for line in monthly.out.splitlines()]
    assert "Sat 26 0" in days
    assert "Mon 28 closed: a bank holiday (Boxing Day (observed))" in days
