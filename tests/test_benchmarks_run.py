"""The benchmarks still run (a quick pass, so they cannot rot unnoticed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .benchmarks.bench_table import ROWS
from .conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.mark.timeout(660)  # the run's own limit (600 s) decides, not the suite's 300 s default
def test_benchmarks_quick_pass() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for heading in (
        "Queue cycle",
        "16 desk processes",
        "Change detection",
        "Launch",
        "Key to updated frame",
        "Change propagation",
        "Call next with 2 desks open",
        "Takeover after the owner of the devices exits",
        "A 58 mm raster ticket (about 6 KB) to a serial printer",
        "Free-slot search",
        "reminders sent",
        "Backups",
        "Call import",
        "Monthly report over two offices",
        "Browser desk launch",
        "Reports mode (F6)",
        "daily, all sites",
        "A call to the waiting-room screen updated",
        "annual, cold",
    ):
        assert heading in result.stdout
    # The speed table: every row measured, with its floor, ratio and target.
    table = result.stdout.split("The table (", 1)[1]
    for row in ROWS:
        assert f"{row}\n    oss-desk: " in result.stdout, row
        line = next(x for x in table.splitlines() if x.strip().startswith(row))
        assert "not measured" not in line and ("holds" in line or "MISSED" in line), line
    assert "targets hold in this run" in table
    # "now called": where the press's time went (to call next, call next, to the frame).
    assert "medians: key to call next " in result.stdout
