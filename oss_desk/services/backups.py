"""Backups of the office database (``oss-desk db backup``, and ``init``'s copy before an
upgrade): an online, consistent copy (SQLite's backup API in one read transaction, so desks
keep writing), written under a temporary name, verified (integrity check, schema, row counts
against the snapshot it was copied from), made private (0600) and renamed into place, with the
event log's head written beside it (``NAME.sqlite.head``, which ``db check`` reads); then only
the newest ``backup.keep`` copies are kept.

A database made by an older release (migrations pending: ``init`` not run yet) is copied as it
is, never migrated, so the nightly backup goes on between installing a release and running
``init``; the copy is at that older schema, and a file from before the event log was chained
has no head to write.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oss_desk import files
from oss_desk.clock import Clock, format_instant, parse_instant
from oss_desk.domain.backup_age import KEEP_DAYS, backup_expired, kept_until
from oss_desk.errors import (
    ConfigError,
    InvalidInput,
    OssDeskError,
    StorageBusy,
    StorageError,
    StorageFull,
)
from oss_desk.paths import new_backup_path
from oss_desk.services.backup_files import (
    backup_folder,
    backups_in,
    hold_new,
    partial_of,
    stale_partials,
)
from oss_desk.services.kept_copies import kept_copies, prune_kept, restore_leftovers
from oss_desk.services.session import Session, settings_for
from oss_desk.storage import chain, subject
from oss_desk.storage import maintenance as m
from oss_desk.storage.database import Store, open_store, translate_errors
from oss_desk.storage.faults import classify, translated
from oss_desk.storage.incarnation import HEAD_SUFFIX, head_file, stamp_file
from oss_desk.storage.maintenance import head_line
from oss_desk.storage.migrations import pending_names

if TYPE_CHECKING:
    from collections.abc import Callable

    from oss_desk.config import Settings

OLDER_SCHEMA = "schema: migrations not applied"
"""How :func:`oss_desk.storage.maintenance.inspect` begins the problem of a copy at an older
schema (expected in a copy of a database that ``init`` has not upgraded yet)."""


def stamp_of(instant: datetime) -> str:
    return format_instant(instant)[:19].replace("-", "").replace(":", "") + "Z"


def configured_backup_folder(db: Path, config: Path | None) -> Path | None:
    """:func:`backup_folder` of ``db`` by its settings (``config``, else the configuration
    stored in it); None when they cannot be read (a damaged or foreign file: ``db check``
    then looks in the default folder)."""
    try:
        store = open_store(db, create=False, migrate=False, check=False)
    except OssDeskError:
        return None
    try:
        return backup_folder(db, settings_for(store, config)[0].backup.folder)
    except (OssDeskError, sqlite3.Error):
        return None
    finally:
        store.close()


def backup_place(db: Path, folder: str | None) -> Path:
    """:func:`backup_folder`, ready to write into: a folder someone named must be there (a
    disk not mounted: refused, exit 3); the default one is made (0700) when missing."""
    place = backup_folder(db, folder)
    if folder:
        must_be_folder(place, "backup.folder")
        return place
    try:
        files.make_private_dir(place)  # ours to make, private
    except OSError as exc:
        raise StorageError(f"cannot create the backup folder {place} ({exc.strerror})") from None
    return place


def must_be_folder(folder: Path, given_as: str) -> None:
    """A backup destination someone named must be there already: a mistyped path, or a disk
    not mounted, would otherwise put the residents' data on the host's own disk unseen."""
    if folder.is_dir():
        return
    what = "is not a folder" if folder.exists() else "does not exist"
    message = (
        f"the backup folder {folder} {what}: create it (or mount the disk) first; "
        "nothing was written"
    )
    if given_as == "backup.folder":
        raise ConfigError(f"backup.folder: {message}")
    raise InvalidInput(message)


@dataclass
class BackupResult:
    path: Path
    bytes: int
    seconds: float
    integrity: str
    schema: list[str]
    counts: dict[str, int]
    deleted: list[Path] = field(default_factory=list)
    method: str = "backup-api"
    head_event: int = 0
    """The newest event in the copy: its hash is written beside it (``NAME.head``)."""
    head_hash: str = ""
    pending: list[str] = field(default_factory=list)
    """The migrations the copy lacks: the database was made by an older release, not yet
    upgraded by ``init`` (the copy is at its schema). Empty: this release's schema."""
    chained: bool = True
    """The copy's event log is chained (False: a file from before the chain; no head is
    written beside it)."""
    kept_deleted: list[Path] = field(default_factory=list)
    """Copies a restore kept beside the database (``<db>.before-restore-*``), deleted with
    the old backups: older than ``backup.keep_days``."""

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"] = str(self.path)
        data["deleted"] = [str(p) for p in self.deleted]
        data["kept_deleted"] = [str(p) for p in self.kept_deleted]
        data["seconds"] = round(self.seconds, 3)
        data["head"] = (
            {"event": self.head_event, "sha256": self.head_hash} if self.chained else None
        )
        data["older_schema"] = bool(self.pending)
        del data["head_event"], data["head_hash"], data["chained"]
        return data


def _target_for(db: Path, folder: str | None, stamp: str, to: str | None) -> tuple[Path, bool]:
    """(file to write, whether it is in a managed folder where old backups are pruned)."""
    if to is None:
        return new_backup_path(backup_place(db, folder), db, stamp), True
    given = Path(to).expanduser()
    if not (given.is_dir() or to.endswith(os.sep)):
        if given.exists():
            raise InvalidInput(f"{given} exists already: choose a new file or a folder")
        must_be_folder(given.parent, "--to")
        return given, False
    must_be_folder(given, "--to")
    return new_backup_path(given, db, stamp), True


def backup(
    session: Session, to: str | None = None, keep: int | None = None, method: str = "backup-api"
) -> BackupResult:
    """Copy the live database consistently, verify the copy, and keep the newest ``keep``."""
    s = session.settings.backup
    return backup_store(
        session.store,
        session.clock,
        folder=s.folder,
        keep=s.keep if keep is None else keep,
        keep_days=s.keep_days,
        to=to,
        method=method,
    )


def backup_database(
    db: Path,
    config: Path | None,
    clock: Clock,
    *,
    settings: Settings | None = None,
    to: str | None = None,
    keep: int | None = None,
    method: str = "backup-api",
    prune: bool = True,
) -> BackupResult:
    """``oss-desk db backup`` (and, with ``prune`` false, ``init``'s copy before an upgrade): of
    this release's database, or of one an older release made that ``init`` has not upgraded
    yet (read as it is, never migrated). The backup settings: ``settings``, else ``config``'s,
    else those stored in the database (``OSS_DESK_BACKUP__*`` overriding them, as ever)."""
    store = open_store(db, create=False, migrate=False, check=False)
    try:
        s = (settings or settings_for(store, config)[0]).backup
        kept = (s.keep if keep is None else keep) if prune else None
        return backup_store(
            store, clock, folder=s.folder, keep=kept, keep_days=s.keep_days, to=to, method=method
        )
    finally:
        store.close()


def backup_store(
    store: Store,
    clock: Clock,
    *,
    folder: str | None,
    keep: int | None,
    keep_days: int = KEEP_DAYS,
    to: str | None = None,
    method: str = "backup-api",
) -> BackupResult:
    """Copy, verify, write the head beside the copy, and (in a managed folder, unless ``keep``
    is None) delete all but the newest ``keep`` backups, and those older than ``keep_days``."""
    if method not in ("backup-api", "vacuum"):
        raise InvalidInput(f"unknown backup method {method!r} (backup-api or vacuum)")
    if keep is not None and keep < 1:
        raise InvalidInput("--keep must be 1 or more")
    pending = pending_names(store.conn)
    target, managed = _target_for(store.path, folder, stamp_of(clock.now()), to)
    partial = partial_of(target)
    head_partial = target.with_name(f".{target.name}{HEAD_SUFFIX}.partial")
    stale_partials(target.parent, store.path.stem, remove=True)  # a backup killed mid-copy
    started = time.perf_counter()
    try:
        held = hold_new(partial)  # locked until done: no other backup takes it for stale
    except FileExistsError:  # theirs: never to be cleaned up by this one
        raise StorageBusy(
            f"another backup of this database is being written to {target.parent} this very "
            "second (nothing was written): try again"
        ) from None
    try:
        head: tuple[int, bytes] | None = None
        with translate_errors(store.path, _copy_fault(target.parent)):
            if method == "backup-api":
                counts, head_id, head_hash = m.backup_snapshot(store.conn, partial)
                head = (head_id, head_hash)
            else:
                # Into the empty private file: never readable by others, not even for a moment.
                m.vacuum_into(store.conn, partial)
                counts = None
        stamp_file(partial, live=False)  # says it is a copy, wherever it is put
        found = m.inspect(partial, chain=False)
        problems = [p for p in found.problems if not (pending and p.startswith(OLDER_SCHEMA))]
        if counts is not None and found.counts != counts:
            differ = sorted(
                k for k in set(counts) | set(found.counts) if counts.get(k) != found.counts.get(k)
            )
            problems.append(f"row counts differ from the database in {', '.join(differ)}")
        copied = m.event_head(partial)
        if copied is None or head is None:
            head = copied
        elif copied != head:
            problems.append("the event log's head in the copy differs from the database's")
        if problems:
            raise StorageError(f"the backup did not verify ({problems[0]}); nothing was kept")
        m.fsync_file(partial)
        if head is not None:
            files.write_private(head_partial, head_line(*head), durable=True)
            os.replace(head_partial, head_file(target))
        os.replace(partial, target)
        m.fsync_dir(target.parent)
    except BaseException:
        for leftover in (
            partial,
            partial.with_name(partial.name + "-journal"),
            head_partial,
        ):
            leftover.unlink(missing_ok=True)
        if not target.exists():
            head_file(target).unlink(missing_ok=True)
        raise
    finally:
        os.close(held)
    seconds = time.perf_counter() - started
    deleted = (
        prune(target.parent, store.path.stem, keep, made=target, keep_days=keep_days)
        if managed and keep is not None
        else []
    )
    kept_deleted = prune_kept(store.path, keep_days) if managed and keep is not None else []
    return BackupResult(
        path=target,
        bytes=target.stat().st_size,
        seconds=seconds,
        integrity=found.integrity,
        schema=found.schema,
        counts=found.counts,
        deleted=deleted,
        method=method,
        head_event=head[0] if head else 0,
        head_hash=head[1].hex() if head else "",
        pending=pending,
        chained=head is not None,
        kept_deleted=kept_deleted,
    )


def _copy_fault(folder: Path) -> Callable[[sqlite3.Error, Path | str], StorageError]:
    """How a fault while copying is said: a backup folder with no room left is named, not the
    database (which is only read, and untouched)."""

    def said(exc: sqlite3.Error, db: Path | str) -> StorageError:
        if isinstance(classify(exc, folder / ".partial"), StorageFull):
            return StorageFull(
                f"the backup folder {folder} is full: the office's database is untouched and no "
                "backup was kept; free some space there (or move old backups off it), then try "
                "again"
            )
        return translated(exc, db)

    return said


def prune(
    folder: Path, stem: str, keep: int, made: Path | None = None, keep_days: int = KEEP_DAYS
) -> list[Path]:
    """Delete all but the newest ``keep`` backups, and every one older than ``keep_days`` (by
    the real clock: a backup is a file written at a real time), so a detail purged or erased
    survives in backups no longer than that; never ``made``, the one just written (even when a
    clock set ahead once named others later than it)."""
    stale_partials(folder, stem, remove=True)
    existing = [p for p in backups_in(folder, stem) if p != made]
    by_count = existing[: max(0, len(existing) - (keep - 1 if made is not None else keep))]
    now = time.time()
    doomed = [p for p in existing if p in by_count or backup_expired(_made(p), now, keep_days)]
    for path in doomed:
        path.unlink(missing_ok=True)
        head_file(path).unlink(missing_ok=True)
    return doomed


@dataclass(frozen=True)
class HeldInBackups:
    """The backups in the office's backup folder that may still hold what was just erased
    (made after the records were): how many, where, and when the newest of them is past
    ``backup.keep_days`` (the first backup after that deletes it); ``until`` None when there
    are none. A backup written elsewhere (``db backup --to``) is not known here."""

    count: int
    folder: Path
    keep_days: int
    until: datetime | None
    not_known: int = 0
    """More backups there whose event log is not known (no head written beside them, and
    their own cannot be read): they may hold the details too, but are not said to be made
    after the records were."""
    restore_copies: tuple[Path, ...] = ()
    """The copies ``db restore`` kept beside the database (:mod:`.kept_copies`) that may hold
    them too: whole databases as they stood (a review: ``resident forget`` after a restore
    named the backups and never the kept copy beside the database)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "not_known": self.not_known,
            "folder": str(self.folder),
            "keep_days": self.keep_days,
            "deleted_after": format_instant(self.until) if self.until else None,
            "restore_copies": [str(p) for p in self.restore_copies],
        }


def held_in_backups(session: Session, since_event: int | None) -> HeldInBackups:
    """What ``resident forget`` says of the backups: those made after the records were (their
    event log reaches ``since_event``, the first record's making; None: not known, so every
    one) were made before the erasure, so they still hold the details until pruned; those whose
    log is not known are counted apart (never said made after the records)."""
    if since_event is None:
        return _held(session, lambda _conn, _backup: True)
    return _held(session, lambda conn, backup: _reaches(conn, backup, since_event))


@dataclass(frozen=True)
class HeldPastErasure:
    """What ``resident find`` says of the backups: the last erasure on request (when), and
    the backups that may still hold what an erasure cleared (made after the record was and
    before its erasure), whoever was erased: a search that finds nothing names no one."""

    erased_at: datetime
    held: HeldInBackups


def held_past_erasure(session: Session) -> HeldPastErasure | None:
    """The backups of the office's folder that may hold a record erased on request since:
    made after its making and before its erasure (told by their event log, not by clocks; a
    backup whose log is not known counts), with the last erasure; None: nothing was ever
    erased on request."""
    with session.store.read() as conn:
        erased = subject.erasures(conn)
    if not erased:
        return None

    def holds(conn: sqlite3.Connection, backup: Path) -> bool:
        return any(
            _reaches(conn, backup, event) is not True
            and (made is None or _reaches(conn, backup, made) is not False)
            for event, made, _ in erased
        )

    return HeldPastErasure(parse_instant(erased[-1][2]), _held(session, holds))


def _held(
    session: Session, counts: Callable[[sqlite3.Connection, Path], bool | None]
) -> HeldInBackups:
    """The backups of the office's folder that ``counts`` (None: not known, counted apart), and
    when the newest of them is deleted."""
    s = session.settings.backup
    folder = backup_folder(session.store.path, s.folder)
    found = backups_in(folder, session.store.path.stem)
    with session.store.read() as conn:
        said = {p: counts(conn, p) for p in found}
        kept = [*kept_copies(session.store.path), *restore_leftovers(session.store.path)]
        copies = tuple(p for p in kept if counts(conn, p) is not False)
    found = [p for p, may in said.items() if may is not False]
    unknown = [p for p, may in said.items() if may is None]
    newest = max((_made(p) for p in found), default=None)
    until = (
        datetime.fromtimestamp(kept_until(newest, s.keep_days), tz=UTC)
        if newest is not None
        else None
    )
    held = len(found) - len(unknown)
    return HeldInBackups(held, folder, s.keep_days, until, len(unknown), copies)


def _reaches(conn: sqlite3.Connection, backup: Path, event: int) -> bool | None:
    """Whether the event log of ``backup`` reaches ``event``: True, it does; False, it ends
    before it, as this database's log; None, not known (no head, or a log that is not this
    database's up to there: a backup of before a restore). Told by the log, not by clocks: the
    head written beside it, else the backup's own (a review: a backup made before the records,
    its head file gone, was counted as made after them)."""
    head = m.read_head_file(head_file(backup)) or _own_head(backup)
    if head is None:
        return None
    ours = chain.hash_at(conn, head[0]) if head[0] else chain.GENESIS
    if ours is None or ours.hex() != head[1]:
        return None
    return head[0] >= event


def _own_head(backup: Path) -> tuple[int, str] | None:
    """(event id, hash hex) of the newest event in the backup file itself; None: not known
    (unreadable, or an older release's file with no chained log). Read-write: a read-only
    connection would leave an empty WAL beside a WAL-mode file."""
    try:
        head = m.event_head(backup, readonly=False)
    except (sqlite3.Error, OSError, OssDeskError):
        return None
    return (head[0], head[1].hex()) if head is not None else None


def _made(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()  # deleted meanwhile: nothing to do


__all__ = [
    "BackupResult",
    "HeldInBackups",
    "HeldPastErasure",
    "backup",
    "backup_database",
    "backup_folder",
    "backup_place",
    "backup_store",
    "backups_in",
    "configured_backup_folder",
    "held_in_backups",
    "held_past_erasure",
    "must_be_folder",
    "prune",
    "stamp_of",
]
