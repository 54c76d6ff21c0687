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
from oss_desk.storage.migrations import is_ours, table_names

NEEDED_TABLES = frozenset({"events", "tickets", "config_snapshots", "sites", "appointments"})


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
            if not ours or not tables >= NEEDED_TABLES:
                raise StorageError(f"{path} is not an oss-desk database")
            columns = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
            if "appointment_id" not in columns:
                raise StorageError(
                    f"{path} was written by an older oss-desk: open it once with "
                    "`oss-desk --db PATH init` (on a copy) to bring it up to date"
                )
        conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils would set it
    except BaseException:
        conn.close()
        raise
    return Store(conn, path, strict=False)
