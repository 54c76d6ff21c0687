"""README's "Left out" list of the history generator names everything `history generate` does
not make: residents' ratings, follow-ups and telephone calls among them (a new user otherwise
takes the n/a satisfaction and the zero follow-up figures for a fault)."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from oss_desk.clock import FixedClock
from oss_desk.devtools.history import HistoryOptions, generate

from .conftest import ROOT

NOT_MADE = {
    "residents' ratings": ("visit_ratings", "rating_comments"),
    "follow-ups": ("followups", "followup_details", "followup_messages"),
    "telephone calls": ("calls", "call_imports"),
}


def test_the_left_out_list_names_what_the_generator_does_not_make(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    generate(
        db,
        HistoryOptions(weeks=1, sites=1, visits_per_day=40, seed=3, end=date(2026, 6, 5)),
        clock=FixedClock(datetime(2026, 6, 6, 12, tzinfo=UTC)),
    )
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM visits").fetchone()[0] > 100
        for tables in NOT_MADE.values():
            for table in tables:
                assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
    finally:
        conn.close()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"Left out: (.*?)\. The same options", readme, re.S)
    assert found is not None
    left_out = " ".join(found.group(1).split())
    for name in NOT_MADE:
        assert name in left_out, (name, left_out)
