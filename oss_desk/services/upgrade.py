"""Upgrading a database made by an older release (its migrations pending).

Only ``oss-desk init`` upgrades (every other command refuses such a database with a line
saying so: :func:`oss_desk.storage.database.refuse_older_schema`), and never while another
process has the file open: a desk or worker of the older release would go on running on a
schema it does not know, failing on every write (or, worse, doing the outside half of its work,
such as sending an email, and failing to record it). A database that holds events is copied
first (a verified backup, in the backup folder), so the office can go back.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from oss_desk import files
from oss_desk.clock import Clock
from oss_desk.errors import OssDeskError, RuleViolation, StorageBusy, StorageError
from oss_desk.paths import default_backup_folder, new_backup_path
from oss_desk.storage import maintenance as m
from oss_desk.storage.database import (
    Store,
    apply_migrations,
    hold_alone,
    open_store,
    translate_errors,
)
from oss_desk.storage.migrations import applied_names, pending_names, schema_names
from oss_desk.storage.site import latest_config


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What ``init`` is about to do to an existing database made by an older release."""

    before: str
    """The newest migration it holds (``0008_daily_rollup``)."""
    pending: list[str]
    events: int
    backup_folder: str | None = None
    """``backup.folder`` of the configuration stored in it (None: not set, or unreadable)."""


def pending_upgrade(db: Path) -> Upgrade | None:
    """The upgrade an existing database needs; None: no file yet, or nothing pending."""
    if not db.is_file() or db.stat().st_size == 0:
        return None
    store = open_store(db, create=False, migrate=False, check=False)
    try:
        pending = pending_names(store.conn)
        if not pending:
            return None
        applied = applied_names(store.conn)
        events = m.table_counts(store.conn).get("events", 0)
        return Upgrade(max(applied) if applied else "none", pending, events, _folder(store))
    finally:
        store.close()


def _folder(store: Store) -> str | None:
    """The stored configuration's ``backup.folder``, read as an older release stored it."""
    try:
        stored = latest_config(store.conn)
    except (sqlite3.Error, OssDeskError):
        return None
    section = stored.document.get("backup") if stored is not None else None
    folder = section.get("folder") if isinstance(section, dict) else None
    return folder if isinstance(folder, str) and folder else None


def refuse_while_in_use(db: Path, upgrade: Upgrade, user: str | None = None) -> None:
    """Refuse (exit 6, as ``db restore`` and ``demo`` do) while another process has ``db``
    open, or ``user`` (a process seen otherwise) is at it. POSIX locks are per process: this
    process's own connection to ``db`` is never the one reported."""
    from oss_desk.services.dbops import in_use

    user = in_use(db, server=True) or user
    if user is not None:
        raise RuleViolation(
            f"{db} is open in {user}: not upgraded (schema {upgrade.before} -> "
            f"{schema_names()[-1]}); stop the worker and the desks, then upgrade it again",
            cli_hint="`oss-desk init`",
        )


def upgrade_alone(db: Path, upgrade: Upgrade) -> list[str]:
    """Apply the pending migrations with the file held for this process alone
    (:func:`~oss_desk.storage.database.hold_alone`), and only when nobody is at it once it is
    held: a desk or worker that opened the file after ``init`` last looked keeps the hold from
    being taken (refused, naming it when it can be told), and one that opens it later waits for
    the migrations and reads only the new schema. Returns the migrations applied."""
    store = open_store(db, create=False, migrate=False, check=False)
    try:
        try:
            hold_alone(store)
        except StorageBusy:
            refuse_while_in_use(db, upgrade, "another process (it would not let go of the file)")
            raise
        refuse_while_in_use(db, upgrade)  # a worker's lock or a server taken meanwhile
        return apply_migrations(store)
    finally:
        store.close()


def backup_before_upgrade(db: Path, clock: Clock, folder: str | None) -> Path:
    """A verified copy of ``db`` as it is (``folder``: ``backup.folder``; default ``backups``
    beside the database), named as ``db backup`` names its copies so ``db restore`` takes it."""
    from oss_desk.services.dbops import must_be_folder, stamp_of

    if folder:  # a folder someone named must be there (a disk not mounted: refused)
        place = Path(folder).expanduser()
        must_be_folder(place, "backup.folder")
    else:
        place = default_backup_folder(db)
        files.make_private_dir(place)
    target = new_backup_path(place, db, stamp_of(clock.now()))
    partial = target.with_name(f".{target.name}.partial")
    store = open_store(db, create=False, migrate=False, check=False)
    try:
        m.create_private(partial)
        with translate_errors(db):
            counts, _, _ = m.backup_snapshot(store.conn, partial)
        found = m.inspect(partial, chain=False)
        problems = [p for p in found.problems if not p.startswith("schema: migrations")]
        if found.counts != counts:
            problems.append("row counts differ from the database")
        if problems:
            raise StorageError(
                f"the backup before the upgrade did not verify ({problems[0]}): nothing was changed"
            )
        m.fsync_file(partial)
        os.replace(partial, target)
        m.fsync_dir(place)
    finally:
        store.close()
        partial.unlink(missing_ok=True)
    return target


__all__ = [
    "Upgrade",
    "backup_before_upgrade",
    "pending_upgrade",
    "refuse_while_in_use",
    "upgrade_alone",
]
