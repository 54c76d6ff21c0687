"""A quarter or year still going on lists its months begun so far, never the months to come as
months with 0 visits (the team leader's month-end trial: a quarter run on 30 November listed
December with 0 visits, its JSON `recorded: true`); once over, every month. One office, real
SQLite, the real command."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli
from .followups_site import make_office, ok


@pytest.mark.parametrize(
    ("now", "months"),
    [
        ("2026-11-30T16:00:00Z", ["2026-10", "2026-11"]),
        ("2027-01-05T11:00:00Z", ["2026-10", "2026-11", "2026-12"]),
    ],
)
def test_a_quarter_going_on_lists_only_its_months_begun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str, months: list[str]
) -> None:
    cli = Cli(make_office(tmp_path), monkeypatch)
    quarter = ("--user", "tl", "report", "quarterly", "--quarter", "2026-Q4")
    report = ok(cli(*quarter, "--json", now=now)).json()
    assert [m["month"] for m in report["months"]] == months
    text = ok(cli(*quarter, now=now)).out
    assert ("Dec 26" in text) == ("2026-12" in months)  # the months' columns
    # The period beside the one before is named by the days counted, as a year before is.
    (spans,) = [line.split() for line in text.splitlines() if "2026-07..2026-09" in line]
    assert spans[0] == ("2026-10..2026-12" if "2026-12" in months else "2026-10..2026-11")
