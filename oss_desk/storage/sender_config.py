"""Whether what the worker last found of a sender is of the one configured now: the stored
configurations (``config_snapshots``, which the worker follows) say since when a setting has
held its value, and the sender's row (``device_status``) when the worker last found it
answering, or first found it as it is."""

from __future__ import annotations

import sqlite3


def held_since(conn: sqlite3.Connection, path: str, value: str) -> tuple[bool, str | None]:
    """Whether the latest stored configuration holds ``value`` at the JSON ``path`` (as
    ``$.email.smtp_url``), and since when: the storing of the first of the latest
    configurations that all hold it (None: every one stored did)."""
    since: str | None = None
    for loaded_at, stored in conn.execute(
        "SELECT loaded_at, json_extract(document, ?) FROM config_snapshots ORDER BY id DESC",
        [path],
    ):
        if stored != value:
            return since is not None, since
        since = str(loaded_at)
    return since is not None, None


def last_found(conn: sqlite3.Connection, via: str) -> tuple[str, str | None] | None:
    """When the worker first found the sender ``via`` as it is now, and when it last found it
    answering (None: never); None: it has not tried it."""
    row = conn.execute(
        "SELECT checked_at, ok_at FROM device_status WHERE url = ? AND kind = 'mail'", [via]
    ).fetchone()
    return (str(row[0]), row[1]) if row is not None else None
