"""A migrated database, made once and then only copied (make_db; the benchmarks' site)."""

from __future__ import annotations

import shutil
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


def copy_of(template: Path, db: Path) -> None:
    """``db`` made a copy of the migrated ``template``, with what migrations 0006 and 0013 make
    random in each office (its id, the resident secret) made afresh."""
    shutil.copyfile(template, db)
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("UPDATE office_identity SET uuid = lower(hex(randomblob(16)))")
        conn.execute("UPDATE resident_secret SET key = randomblob(32)")
    finally:
        conn.close()
