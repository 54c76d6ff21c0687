"""Migration 0041 widens the appointments' status CHECK in the stored schema (SQLite cannot
alter a CHECK). The widening must work whatever the spacing of the stored text (a hand repair,
a rebuild by a tool), and where it cannot be done the upgrade must fail in plain words and keep
nothing: before, it did nothing silently, was recorded as applied, and the next close of day
then failed every ticket issue on the CHECK."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from oss_desk.errors import StorageError
from oss_desk.storage.database import open_store
from oss_desk.storage.migrations import applied_names, build_migrations

STEP = "0041_appointment_not_seen"


def before_0041(path: Path, change: tuple[str, str]) -> None:
    """A database upgraded up to 0040, one appointment checked in, its table's stored text
    changed by ``change`` (old, new) as a hand repair or another tool might have left it."""
    db = sqlite_utils.Database(path)
    build_migrations().apply(db, stop_before=STEP)
    db.close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(
            "INSERT INTO appointments (ref, site_id, service_code, adviser_id, starts_at, "
            "ends_at, business_day, status, channel, booked_at, booked_by) VALUES ('K7M-3QX', "
            "'main', 'H', 'dev', '2026-12-04T10:00:00Z', '2026-12-04T10:30:00Z', '2026-12-04', "
            "'checked_in', 'slip', '2026-12-01T09:00:00Z', 'dev')"
        )
        conn.execute("PRAGMA writable_schema = ON")
        updated = conn.execute(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE name = 'appointments'",
            change,
        ).rowcount
        conn.commit()
        assert updated == 1


def close_as_not_seen(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("UPDATE appointments SET status = 'not_seen' WHERE ref = 'K7M-3QX'")


def test_a_check_stored_with_other_spacing_is_widened_all_the_same(tmp_path: Path) -> None:
    path = tmp_path / "office.sqlite"
    before_0041(path, ("'no_show', 'cancelled'", "'no_show','cancelled'"))
    open_store(path, migrate=True).close()
    close_as_not_seen(path)  # close of day: was "CHECK constraint failed" after the upgrade
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert STEP in applied_names(conn)


def test_a_check_it_cannot_widen_fails_the_upgrade_in_plain_words(tmp_path: Path) -> None:
    path = tmp_path / "office.sqlite"
    before_0041(path, ("CHECK (status IN (", "CHECK (status = 'booked' OR status IN ("))
    with pytest.raises(StorageError) as refused:
        open_store(path, migrate=True).close()
    said = refused.value.message
    assert said.startswith(f"cannot upgrade the database ({STEP}): the appointments table's")
    assert "nothing was changed" in said and ".schema appointments" in said
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert STEP not in applied_names(conn)  # not recorded as done: tried again next time
        stored = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'appointments'")
        assert "not_seen" not in stored.fetchone()[0]
