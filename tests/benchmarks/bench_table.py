"""The speed table: every measure of "instant everywhere" beside its floor, measured in the same
run, alternating, as medians of several runs.

Run: .venv/bin/python -m tests.benchmarks table        (add --quick for a smoke run)

Each row prints what oss-desk took, the floor (a peer or the bare minimum doing the same thing
on the same machine at the same moment), their ratio and the target, and whether the target
holds in this run. Floors and oss-desk are measured turn about (one run of each, then again),
so a busy moment on a shared machine weighs on both alike. Absolute figures swing with the
load; the ratios are what to compare between runs.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

ROWS = (
    "`oss-desk queue`, whole process",
    "desk launch to first frame",
    "64 tickets issued at once by 16 processes",
    "30 writers paced, call-next p99",
    "issue + call next + finish, one process",
    "call next as the day grows 1,000 -> 5,000 tickets",
    '"now called" line after pressing call next',
    "a change visible at another desk",
    "TCP printer: issue to connection closed",
    "9600-baud serial printer: issue to last byte",
    "desk RSS",
)
"""The rows of the table, in order (the smoke test checks that each one is printed)."""


@dataclass(frozen=True, slots=True)
class Row:
    measure: str
    ours: str
    floor: str
    ratio: float
    target: str
    holds: bool
    note: str = ""

    def lines(self) -> list[str]:
        verdict = "holds" if self.holds else "MISSED"
        out = [
            f"{self.measure}",
            f"    oss-desk: {self.ours}",
            f"    floor:    {self.floor}",
            f"    ratio:    {self.ratio:.2f}x   target: {self.target}   {verdict}",
        ]
        if self.note:
            out.append(f"    ({self.note})")
        return out


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


def median(values: list[float]) -> float:
    return statistics.median(values)


def alternate(runs: int, **measures: Callable[[], float]) -> dict[str, list[float]]:
    """Call each measure once per round, in turn, for ``runs`` rounds: their values by name."""
    found: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(runs):
        for name, measure in measures.items():
            found[name].append(measure())
    return found


def main(quick: bool = False) -> None:
    from tests.benchmarks import table_desk, table_devices, table_writers

    started = time.perf_counter()
    rows: list[Row] = []
    steps: list[Callable[[bool], list[Row]]] = [
        table_desk.start_up,
        table_writers.bursts,
        table_writers.cycles,
        table_desk.own_actions,
        table_desk.other_desks,
        table_devices.printers,
    ]
    for step in steps:
        for row in step(quick):
            rows.append(row)
            print("\n".join(row.lines()), flush=True)
    by_name = {r.measure: r for r in rows}
    print(f"\nThe table ({time.perf_counter() - started:.0f} s)")
    print(f"  {'measure':52s} {'ratio':>7s}  {'target':24s} verdict")
    for name in ROWS:
        found = by_name.get(name)
        if found is None:
            print(f"  {name:52s} {'-':>7s}  {'':24s} not measured")
            continue
        verdict = "holds" if found.holds else "MISSED"
        print(f"  {name:52s} {found.ratio:6.2f}x  {found.target:24s} {verdict}")
    held = sum(1 for r in rows if r.holds)
    print(f"  {held} of {len(ROWS)} targets hold in this run")
