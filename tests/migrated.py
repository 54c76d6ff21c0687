"""A migrated database, made once and then only copied (make_db; the benchmarks' site)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def unstamp(db: Path) -> None:
    """Clear the file's stamps (storage/incarnation.py), so that each copy's ``init`` gives it
    stamps of its own, as a database made afresh gets."""
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("PRAGMA user_version = 0")
        conn.execute("PRAGMA application_id = 0")
    finally:
        conn.close()
