"""The ninth new-user trial, P3: ``report period --from 2026-11-02 --to 2026-11-10`` headed its
columns "this period 2026-11..2026-11", "the period before 2026-10..2026-11": the days were not
shown. A run of days is headed by its days; a run of whole months, by its months (as a quarter
or a year). One office whose records begin in 2025, real SQLite, the real command."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from oss_desk.render.formats import span_short

from .appointments_site import make_office
from .conftest import Cli

NOW = "2026-12-04T10:00:00Z"


def _heads(cli: Cli, *period: str) -> list[str]:
    result = cli("--user", "tl", "report", "period", *period, now=NOW)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  Beside the period before"))
    return lines[at + 1].split()


def test_a_run_of_days_is_headed_by_its_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(make_office(tmp_path, now=datetime(2025, 10, 1, 9, tzinfo=UTC)), monkeypatch)
    assert _heads(cli, "--from", "2026-11-02", "--to", "2026-11-10") == [
        "2026-11-02..2026-11-10",
        "2026-10-24..2026-11-01",
        "2025-11-02..2025-11-10",
    ]
    assert _heads(cli, "--from", "2026-10-01", "--to", "2026-11-30") == [
        "2026-10..2026-11",
        "2026-08..2026-09",
        "2025-10..2025-11",
    ]
    assert _heads(cli, "--from", "2026-11-01", "--to", "2026-11-30") == [
        "2026-11",
        "2026-10-02..2026-10-31",  # the 30 days before: not all of October
        "2025-11",
    ]


def test_the_short_span_words() -> None:
    assert span_short("2026-11-05", "2026-11-05") == "2026-11-05"
    assert span_short("2026-02-01", "2026-02-28") == "2026-02"
    assert span_short("2024-02-01", "2024-02-28") == "2024-02-01..2024-02-28"  # a leap year
    assert span_short("2025-12-01", "2026-01-31") == "2025-12..2026-01"
    assert span_short("2025-12-02", "2026-01-31") == "2025-12-02..2026-01-31"
