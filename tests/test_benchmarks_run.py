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


@pytest.mark.timeout(300)
def test_the_tcp_printer_path_prints_each_step() -> None:
    """``python -m tests.benchmarks.tcp_path``: the desk's commit, the worker's lane woken by
    it, the ticket drawn, the printer's last byte and close, each stamped, beside the floor."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.tcp_path", "--tickets", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    steps = [line.split(maxsplit=1) for line in result.stdout.splitlines()[1:-1]]
    shown = {step: float(ms) for ms, step in steps}
    for step in (
        "desk COMMIT done",
        "desk tells the lane a job comes",
        "connecting ahead",
        "lane woken after the commit",
        "drawn and rendered",
        "writing the bytes",
        "printer: last byte",
        "printer: line closed",
    ):
        assert step in shown, (step, result.stdout)
    # A ticket is drawn before its line closes, so the medians keep that order too. (Not the
    # desk's "COMMIT done" against the lane woken: the commit is seen by the lane before the
    # desk's process, descheduled on a busy machine, stamps its return; a fresh clone saw it.)
    assert shown["drawn and rendered"] <= shown["printer: line closed"]
    assert result.stdout.splitlines()[-1].startswith("floor, a synchronous send")
