"""The follow-up migrations on a database that already has history: 0016 rebuilds print_jobs
(to allow referral slips) keeping every row, and the tables' checks refuse impossible rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from oss_desk.storage.migrations import build_migrations


def test_print_jobs_keep_their_rows_through_0016(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite_utils.Database(sqlite3.connect(path), strict=True)
    db.conn.execute("PRAGMA foreign_keys = ON")
    migrations = build_migrations()
    migrations.apply(db, stop_before="0016_referral_slips")
    db.conn.execute("INSERT INTO sites (id, name, timezone) VALUES ('hq', 'HQ', 'Europe/London')")
    for n, kind in enumerate(("ticket", "appointment_slip", "daily_summary", "test"), start=1):
        db.conn.execute(
            "INSERT INTO print_jobs (created_at, kind, printer_url, next_attempt_at, payload, "
            "status, attempts, owner, sent_at, auto_reprints) "
            "VALUES (?, ?, 'capture:///x', ?, '{\"n\": 1}', 'done', ?, 'w1', ?, 1)",
            [f"2026-11-2{n}T09:00:00.000Z", kind, f"2026-11-2{n}T09:00:00.000Z", n, "x"],
        )
    db.conn.commit()
    columns = ", ".join(r[1] for r in db.conn.execute("PRAGMA table_info(print_jobs)"))
    before = db.conn.execute(f"SELECT {columns} FROM print_jobs ORDER BY id").fetchall()
    migrations.apply(db)  # later migrations may add columns: the rows keep every value they had
    assert db.conn.execute(f"SELECT {columns} FROM print_jobs ORDER BY id").fetchall() == before
    indexes = {r[1] for r in db.conn.execute("PRAGMA index_list(print_jobs)")}
    assert {"print_jobs_due", "print_jobs_ticket", "print_jobs_lane", "print_jobs_attention"} <= (
        indexes
    )
    db.conn.execute(
        "INSERT INTO print_jobs (created_at, kind, printer_url, next_attempt_at) "
        "VALUES ('2026-11-25T09:00:00.000Z', 'referral_slip', 'capture:///x', "
        "'2026-11-25T09:00:00.000Z')"
    )
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute(
            "INSERT INTO print_jobs (created_at, kind, printer_url, next_attempt_at) "
            "VALUES ('x', 'letter', 'capture:///x', 'x')"
        )
    assert db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    db.conn.close()


@pytest.mark.parametrize(
    "values",
    [
        # A referral without its back office.
        "('R-0001', 'referral', NULL, NULL, NULL, NULL, NULL, 'open', NULL)",
        # A complaint without its acknowledgement deadline and category.
        "('OTR-0001', 'complaint', NULL, NULL, NULL, NULL, NULL, 'open', NULL)",
        # A ring-back that is "acknowledged".
        "('CB-0001', 'ringback', NULL, NULL, NULL, NULL, NULL, 'acknowledged', NULL)",
        # A ring-back closed without a time.
        "('CB-0002', 'ringback', NULL, NULL, NULL, NULL, NULL, 'done', NULL)",
        # A comment with a complaint's outcome.
        "('OTR-0002', 'comment', NULL, '2026-11-30', 'service', 'phone', 1, 'open', 'justified')",
    ],
)
def test_impossible_follow_ups_are_refused(tmp_path: Path, values: str) -> None:
    db = sqlite_utils.Database(sqlite3.connect(tmp_path / "f.sqlite"), strict=True)
    build_migrations().apply(db)
    db.conn.execute("INSERT INTO sites (id, name, timezone) VALUES ('hq', 'HQ', 'Europe/London')")
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute(
            "INSERT INTO followups (ref, kind, back_office, ack_due_day, category, via, stage, "
            "status, finding, site_id, received_at, received_day, start_day, due_day, "
            "created_by) SELECT *, 'hq', 'x', '2026-11-23', '2026-11-23', '2026-11-24', 'tl' "
            f"FROM (VALUES {values})"
        )
    db.conn.close()
