"""One wait colour everywhere: amber from ``queue.amber_minutes`` (10 by default), red past the
target (15 minutes: exactly 15:00 is still within it), as domain.wait_target.wait_band says; the
desk's queue table takes both from the snapshot (it once went amber at target - 3 minutes)."""

from __future__ import annotations

from pathlib import Path

from oss_desk.services.desk_view import take_snapshot
from oss_desk.ui.widgets.queue_table import QueueTable

from ..conftest import site_toml
from .conftest import acting, office_db


def test_the_queue_table_colours_waits_by_the_one_rule() -> None:
    table = QueueTable()
    table.target_seconds, table.amber_seconds = 15 * 60, 10 * 60
    waits = (0, 9 * 60 + 59, 10 * 60, 12 * 60, 15 * 60, 15 * 60 + 1)
    assert [table.wait_style(s) for s in waits] == [
        "",
        "",
        "yellow",
        "yellow",
        "yellow",
        "bold red",
    ]
    table.amber_seconds = 7 * 60
    assert table.wait_style(7 * 60) == "yellow" and table.wait_style(7 * 60 - 1) == ""


def test_the_snapshot_carries_the_configured_amber(migrated: Path, tmp_path: Path) -> None:
    # site_toml puts extra lines under its [queue] section.
    db = office_db(migrated, tmp_path, site_toml(extra="amber_minutes = 7\ntarget_minutes = 20\n"))
    with acting(db, desk=None) as session:
        snapshot = take_snapshot(session)
    assert (snapshot.amber_seconds, snapshot.target_seconds) == (7 * 60, 20 * 60)
