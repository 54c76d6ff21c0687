"""The upgrade's mark (migration 0092's one row): the newest event, and when by the real clock,
this release (whose restores record themselves in the event log) first ran on the database.

A line beside the database of an older release's form (no restore event named) can only have
been written before that moment, of a head at or before that event. A database whose recorded
migrations list 0092 has the row: its triggers forbid changing or deleting it, so a table or
row gone was removed by hand, and then no line is taken for an older release's restore.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from oss_desk.storage.migrations import applied_names, table_names

MIGRATION = "0092_restores_recorded_since"
TABLE = "restores_recorded_since"


@dataclass(frozen=True)
class UpgradeMark:
    event_id: int
    """The newest event when this release first ran here (0: none yet)."""
    at: datetime
    """When (the real clock, UTC)."""
    gone: bool = False
    """The migration is recorded, the row is not there (or not readable): removed by hand."""


GONE = UpgradeMark(0, datetime.min.replace(tzinfo=UTC), gone=True)
"""The mark of a database whose row was removed: before every line, so it admits none."""

GONE_SAID = (
    f"event log: the upgrade's mark (table {TABLE}, migration 0092) is gone though that "
    "migration is recorded: it cannot be changed or deleted through oss-desk, so it was removed "
    "by hand (tampering), and no line beside the database is taken for an older release's restore"
)


def upgrade_mark(conn: sqlite3.Connection) -> UpgradeMark | None:
    """The mark of the database on ``conn``; None: migration 0092 is not recorded (a database
    an older release made and this one has not yet upgraded)."""
    if MIGRATION not in applied_names(conn):
        return None
    if TABLE not in table_names(conn):
        return GONE
    row = conn.execute("SELECT event_id, at FROM restores_recorded_since").fetchone()
    try:
        return GONE if row is None else UpgradeMark(int(row[0]), datetime.fromisoformat(row[1]))
    except (ValueError, TypeError):
        return GONE


def mark_problems(conn: sqlite3.Connection) -> list[str]:
    """:data:`GONE_SAID` when the mark was removed, else nothing."""
    mark = upgrade_mark(conn)
    return [GONE_SAID] if mark is not None and mark.gone else []
