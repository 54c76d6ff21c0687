"""The benchmarks still run (a quick pass, so they cannot rot unnoticed)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .benchmarks.__main__ import BENCHMARKS
from .benchmarks.bench_table import ROWS
from .conftest import ROOT

pytestmark = pytest.mark.slow


# The quick pass in groups of benchmark modules of similar length (measured on 2 shared cores:
# 25-50 s of wall each, 7-11 s of CPU), so the suite's workers share it instead of one worker
# running all of it (about 150 s) at the end. Each group asserts its own headings.
QUICK_GROUPS: dict[str, tuple[str, ...]] = {
    "table": ("table",),
    "desk": ("desk", "integrity", "devices"),
    "serve": ("serve", "core", "appointments", "dbops", "calls"),
    "reports": ("reports", "screen", "annual", "included"),
}
QUICK_HEADINGS: dict[str, tuple[str, ...]] = {
    "table": ("The table (", "targets hold in this run"),
    "desk": (
        "Launch",
        "Key to updated frame",
        "Change propagation",
        "Call next with 2 desks open",
        "Reports mode (F6)",
        "Queue cycle",
        "Takeover after the owner of the devices exits",
        "A 58 mm raster ticket (about 6 KB) to a serial printer",
    ),
    "serve": (
        "Browser desk launch",
        "Queue cycle",
        "16 desk processes",
        "Change detection",
        "Free-slot search",
        "reminders sent",
        "Backups",
        "Call import",
    ),
    "reports": (
        "Monthly report over two offices",
        "daily, all sites",
        "A call to the waiting-room screen updated",
        "annual, cold",
    ),
}


def test_the_quick_groups_cover_every_benchmark_once() -> None:
    """What ``--quick`` with no names runs (all but "startup", which repeats the table's rows)."""
    grouped = [name for names in QUICK_GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(name for name in BENCHMARKS if name != "startup")


@pytest.mark.timeout(660)  # the run's own limit (600 s) decides, not the suite's 300 s default
@pytest.mark.parametrize("group", list(QUICK_GROUPS))
def test_benchmarks_quick_pass(group: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks", "--quick", *QUICK_GROUPS[group]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for name in QUICK_GROUPS[group]:
        assert f"\n=== {name} ===\n" in result.stdout, name
    for heading in QUICK_HEADINGS[group]:
        assert heading in result.stdout, heading
    if group != "table":
        return
    # The speed table: every row measured, with its floor, ratio and target.
    table = result.stdout.split("The table (", 1)[1]
    for row in ROWS:
        assert f"{row}\n    oss-desk: " in result.stdout, row
        line = next(x for x in table.splitlines() if x.strip().startswith(row))
        assert "not measured" not in line and ("holds" in line or "MISSED" in line), line
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
