"""Upgrading a database made by an older release (its migrations pending).

Only ``oss-desk init`` upgrades (every other command refuses such a database with a line
saying so: :func:`oss_desk.storage.database.refuse_older_schema`), and never while another
process has the file open: a desk or worker of the older release would go on running on a
schema it does not know, failing on every write (or, worse, doing the outside half of its work,
such as sending an email, and failing to record it). A database that holds events is copied
first (a verified backup, in the backup folder), so the office can go back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from oss_desk.clock import Clock
from oss_desk.errors import RuleViolation, StorageBusy
from oss_desk.storage import maintenance as m
from oss_desk.storage.database import apply_migrations, open_store
from oss_desk.storage.holders import hold_alone
from oss_desk.storage.migrations import applied_names, pending_names, schema_names

if TYPE_CHECKING:
    from oss_desk.config import Settings


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What ``init`` is about to do to an existing database made by an older release."""

    before: str
    """The newest migration it holds (``0008_daily_rollup``)."""
    pending: list[str]
    events: int


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
        return Upgrade(max(applied) if applied else "none", pending, events)
    finally:
        store.close()


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
    (:func:`~oss_desk.storage.holders.hold_alone`), and only when nobody is at it once it is
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


def backup_before_upgrade(db: Path, clock: Clock, settings: Settings | None) -> Path:
    """A verified copy of ``db`` as it is, where ``db backup`` puts its copies (``backup.folder``
    of ``settings``, else of the configuration stored in it, ``OSS_DESK_BACKUP__FOLDER`` winning
    as ever; default ``backups`` beside the database), named as ``db backup`` names them, with
    the event log's head beside it, so ``db restore`` takes it and ``db check`` reads its head.
    Deletes no older backup."""
    from oss_desk.services.backups import backup_database

    return backup_database(db, None, clock, settings=settings, prune=False).path


__all__ = [
    "Upgrade",
    "backup_before_upgrade",
    "pending_upgrade",
    "refuse_while_in_use",
    "upgrade_alone",
]
