"""Opening another office's database read-only (council-wide reports over several offices).

The file is a replicated copy or a nightly backup: it is never migrated, never switched to WAL
and never written (SQLite's ``mode=ro``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from oss_desk.errors import StorageError
from oss_desk.storage.database import BUSY_TIMEOUT_SECONDS, Store, opening_errors
from oss_desk.storage.faults import DecodingConnection
from oss_desk.storage.incarnation import refuse_empty_over_wal
from oss_desk.storage.migrations import applied_names, is_ours, table_names

NEEDED_TABLES = frozenset({"events", "tickets", "config_snapshots", "sites", "appointments"})
OLDEST_READ = "0004_appointments"
"""The oldest schema a copy is read at (its events name their appointment): what a later
migration added is read as the copy upgraded would hold it
(:mod:`oss_desk.storage.older_copy`)."""


def open_readonly(path: Path | str) -> Store:
    """Open an oss-desk database for reading only, or raise a one-line :class:`StorageError`."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise StorageError(f"{path} is a directory: give the path of an oss-desk database")
    if not path.exists():
        raise StorageError(f"no database at {path}")
    if not path.is_file():
        raise StorageError(f"{path} is not a regular file (a device or a pipe): not a database")
    try:
        refuse_empty_over_wal(path)
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            timeout=BUSY_TIMEOUT_SECONDS,
            factory=DecodingConnection,
        )
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open {path}: {exc}") from None
    try:
        with opening_errors(path):
            tables = table_names(conn)
            ours = is_ours(conn, tables)
            if not ours:
                raise StorageError(f"{path} is not an oss-desk database")
            columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
            if not tables >= NEEDED_TABLES or "appointment_id" not in columns:
                applied = applied_names(conn)
                raise StorageError(
                    f"{path} was made by an older oss-desk (schema "
                    f"{max(applied) if applied else 'none'}; reports read copies from "
                    f"{OLDEST_READ} on): upgrade a copy of it with `oss-desk --db COPY init` "
                    "and include the copy"
                )
        conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils would set it
    except BaseException:
        conn.close()
        raise
    return Store(conn, path, strict=False)
