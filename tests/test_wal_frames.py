"""The ticket counters read from a WAL on its own: real SQLite WAL files, written by SQLite."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from oss_desk.storage.wal_frames import wal_ticket_counters

TABLE = (
    "CREATE TABLE ticket_counters (site_id TEXT NOT NULL, service_code TEXT NOT NULL, "
    "business_day TEXT NOT NULL, last_number INTEGER NOT NULL, "
    "PRIMARY KEY (site_id, service_code, business_day)) STRICT, WITHOUT ROWID"
)


def _wal_of(tmp_path: Path, rows: list[tuple[str, str, str, int]]) -> Path:
    db = tmp_path / "o.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute(TABLE)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the table's page is in the file now
    for row in rows:  # each a commit, as each ticket is
        conn.execute(
            "INSERT INTO ticket_counters VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE "
            "SET last_number = excluded.last_number",
            row,
        )
    kept = tmp_path / "old.db-wal"
    shutil.copyfile(tmp_path / "o.db-wal", kept)  # the WAL as a copy put over it left it
    conn.close()
    return kept


def test_the_last_committed_numbers_of_the_sites_and_services_asked(tmp_path: Path) -> None:
    day = "2026-11-23"
    today = [("hq", "C", day, 1), ("hq", "C", day, 2), ("hq", "W", day, 1), ("hq", "C", day, 3)]
    others = [("hq", "C", "2026-11-20", 40), ("library", "C", day, 9), ("hq", "Z", day, 5)]
    wal = _wal_of(tmp_path, [*today, *others])
    found = wal_ticket_counters(wal, {"hq"}, {"C", "W"})
    assert found == {("hq", "C", day): 3, ("hq", "W", day): 1, ("hq", "C", "2026-11-20"): 40}


def test_a_damaged_frame_ends_what_is_read_and_no_wal_is_nothing(tmp_path: Path) -> None:
    day = "2026-11-23"
    wal = _wal_of(tmp_path, [("hq", "C", day, 1), ("hq", "C", day, 2)])
    data = bytearray(wal.read_bytes())
    frame = 24 + 4096  # the second frame's page image: its checksum no longer holds
    data[32 + frame + 24 + 100] ^= 0xFF
    wal.write_bytes(bytes(data))
    assert wal_ticket_counters(wal, {"hq"}, {"C"}) == {("hq", "C", day): 1}
    assert wal_ticket_counters(tmp_path / "none-wal", {"hq"}, {"C"}) == {}
    (tmp_path / "junk-wal").write_bytes(b"not a wal" * 1000)
    assert wal_ticket_counters(tmp_path / "junk-wal", {"hq"}, {"C"}) == {}
