"""The telephone standards from a call export with known answers, exact at the boundaries.

Monday 5 October 2026 (BST: the export's times are local), eight calls:

=====  =====  ========  ======  =================================
hour   wait   answered  talk    counts
=====  =====  ========  ======  =================================
09:00  19 s   yes       60 s    within 20 s and 45 s
09:10  20 s   yes       120 s   within 20 s (exactly 20 counts) and 45 s
09:20  21 s   yes       1800 s  within 45 s only (a long talk)
09:30  10 s   no                abandoned: within nothing
14:00  44 s   yes       3600 s  within 45 s only (a long talk)
14:10  45 s   yes       30 s    within 45 s (exactly 45 counts)
14:20  46 s   yes       90 s    within neither
14:30  50 s   no                abandoned
=====  =====  ========  ======  =================================

- Answered within 20 s: 2 of 8 offered = 25.0%; within 45 s: 5 of 8 = 62.5%; abandoned 2 of 8 =
  25.0%. Shares are of every call offered, so an abandoned call is a miss, never dropped.
- Average wait of the answered calls: (19 + 20 + 21 + 44 + 45 + 46) / 6 = 195 / 6 = 32.5 s.
- Average talk of the answered calls: (60 + 120 + 1800 + 3600 + 30 + 90) / 6 = 5700 / 6 = 950.0 s.
- By hour: 09:00 4 calls, within 20 s 2 (50.0%), within 45 s 3 (75.0%), abandoned 1 (25.0%);
  14:00 4 calls, within 20 s 0 (0.0%), within 45 s 2 (50.0%), abandoned 1 (25.0%).
- Rated against the targets (80% within 20 s, 90% within 45 s; amber within 10 points): both red.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, make_db, site_toml

HEADER = "Call ID,Call Start,Queue Time,Answered,Talk Time\n"
ROWS = [
    ("09:00", 19, "Y", 60),
    ("09:10", 20, "Y", 120),
    ("09:20", 21, "Y", 1800),
    ("09:30", 10, "N", None),
    ("14:00", 44, "Y", 3600),
    ("14:10", 45, "Y", 30),
    ("14:20", 46, "Y", 90),
    ("14:30", 50, "N", None),
]
MAPPING = ["--mapping", "call_id=Call ID", "--mapping", "talk_seconds=Talk Time"]
REPORT_AT = "2026-11-02T10:00:00Z"


def _import(cli: Cli, tmp_path: Path) -> None:
    lines = [
        f"{n},05/10/2026 {hhmm}:00,{wait},{answered},{'' if talk is None else talk}\n"
        for n, (hhmm, wait, answered, talk) in enumerate(ROWS, start=1)
    ]
    path = tmp_path / "calls.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    result = cli("import", "calls", str(path), *MAPPING, now=REPORT_AT)
    assert result.code == 0, result.err


def test_the_telephone_figures_are_exact_at_the_boundaries(cli: Cli, tmp_path: Path) -> None:
    _import(cli, tmp_path)
    report = cli("report", "monthly", "--month", "2026-10", "--json", now=REPORT_AT)
    assert report.code == 0, report.err
    got = report.json()
    calls = got["calls"]
    assert (calls["total"], calls["answered"], calls["abandoned"]) == (8, 6, 2)
    assert calls["answered_within"] == {"20": 2, "45": 5}
    assert calls["answered_within_pct"] == {"20": 25.0, "45": 62.5}
    assert calls["abandoned_pct"] == 25.0
    assert calls["average_wait_seconds"] == 32.5
    assert calls["average_talk_seconds"] == 950.0
    assert calls["hours"] == {
        "09": {
            "calls": 4,
            "answered": 3,
            "abandoned": 1,
            "abandoned_pct": 25.0,
            "within_pct": {"20": 50.0, "45": 75.0},
        },
        "14": {
            "calls": 4,
            "answered": 3,
            "abandoned": 1,
            "abandoned_pct": 25.0,
            "within_pct": {"20": 0.0, "45": 50.0},
        },
    }
    rated = {s["key"]: (s["value"], s["target"], s["status"]) for s in got["standards"]}
    assert rated["calls_within_20s"] == (25.0, 80, "red")
    assert rated["calls_within_45s"] == (62.5, 90, "red")


def test_the_limits_and_targets_come_from_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = "[reports]\ncalls_answer_within = {21 = 25, 46 = 70}\n"
    cli = Cli(make_db(tmp_path, site_toml(extra=extra)), monkeypatch)
    _import(cli, tmp_path)
    # 21 seconds and 46 seconds: each boundary call moves to the other side.
    report = cli("report", "monthly", "--month", "2026-10", "--json", now=REPORT_AT)
    assert report.code == 0, report.err
    got = report.json()
    assert got["calls"]["answered_within"] == {"21": 3, "46": 6}
    rated = {s["key"]: (s["value"], s["target"], s["status"]) for s in got["standards"]}
    # 3 / 8 = 37.5% against 25: green; 6 / 8 = 75.0% against 70: green.
    assert rated["calls_within_21s"] == (37.5, 25, "green")
    assert rated["calls_within_46s"] == (75.0, 70, "green")
