"""What the third new-user trial (a team leader's back office) found in the follow-up register,
through the real command line on a real database: each test fails without its fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli
from .followups_site import make_office, ok, run_json

NOW = "2026-11-23T10:00:00Z"  # Monday 23 November 2026, 10:00 GMT
PHONE = "07700 900417"


@pytest.fixture
def office(tmp_path: Path) -> Path:
    return make_office(tmp_path)


@pytest.fixture
def cli(office: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(office, monkeypatch)


def ringback(cli: Cli, now: str = NOW) -> str:
    made = run_json(
        cli,
        *("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "C"),
        *("--phone", PHONE),
        now=now,
    )
    return str(made["ref"])


# W5: a day of another year is written with its year ----------------------------------------------


def test_list_writes_the_year_of_a_due_day_in_another_year(cli: Cli) -> None:
    ringback(cli, "2026-12-30T10:00:00Z")  # due Thursday 31 December
    ringback(cli, "2026-12-31T10:00:00Z")  # 1 January is a bank holiday: due Monday 4 January
    listed = ok(cli("--user", "ana", "followup", "list", now="2026-12-31T10:30:00Z")).out
    assert "due Thu 31 Dec  [open]  due today" in listed
    assert "due Mon 04 Jan 2027  [open]" in listed
    # In the new year, the old year's day has the year and the new year's has none.
    listed = ok(cli("--user", "ana", "followup", "list", now="2027-01-04T09:00:00Z")).out
    assert "due Thu 31 Dec 2026  [open]  OVERDUE" in listed
    assert "due Mon 04 Jan  [open]  due today" in listed
