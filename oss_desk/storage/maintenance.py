"""Backups, integrity checks and the retention purge: the SQL and file work of ``oss-desk db``.

Backups use SQLite's online backup API inside a read transaction of the source: the copy is the
exact snapshot the row counts were read from (so the copy can be checked against them), and
desks keep writing meanwhile (WAL: a reader never blocks a writer). ``VACUUM INTO`` is offered
too (a compacted copy), but it cannot run inside a transaction, so its counts cannot be checked
against the same snapshot; see ``tests/benchmarks/bench_dbops.py`` for the two measured.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from oss_desk import files
from oss_desk.errors import StorageFull
from oss_desk.storage import chain as event_chain
from oss_desk.storage import subject
from oss_desk.storage.chain import ChainCheck
from oss_desk.storage.faults import DecodingConnection, classify
from oss_desk.storage.file_checks import wal_lost, wal_lost_said
from oss_desk.storage.holders import lock_holder
from oss_desk.storage.incarnation import EmptyOverWal, head_file, refuse_empty_over_wal
from oss_desk.storage.migrations import MIGRATION_SET, schema_files
from oss_desk.storage.sending import purge_traces
from oss_desk.storage.upgrade_mark import mark_problems

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

EVENT_TRIGGERS = ("events_no_update", "events_no_delete")
# The byte of the -shm file on which every connection of a WAL database holds a read lock for as
# long as it is open (SQLite's os_unix.c: UNIX_SHM_DMS = (22 + 8) * 4 + 8).
SHM_DMS_BYTE = 128


@dataclass
class Inspection:
    """What a database file holds and what is wrong with it (``problems`` empty: healthy)."""

    path: Path
    problems: list[str] = field(default_factory=list)
    integrity: str = "not checked"
    schema: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    journal_mode: str | None = None
    office_id: str | None = None
    chain: ChainCheck | None = None
    """The event log's hash chain, when it was verified."""
    notes: list[str] = field(default_factory=list)
    """What is worth knowing and not wrong (a backup's head gone after a restore)."""
    full: str | None = None
    """Why the check could not be made: no room on the disk holding the file (SQLite says a
    disk I/O error when it cannot grow the -shm beside it), which is no sign of damage."""

    @property
    def ok(self) -> bool:
        return not self.problems


def connect_file(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A plain connection to a database file that must already exist (never creates one)."""
    mode = "ro" if readonly else "rw"
    uri = f"file:{_uri_path(path)}?mode={mode}"
    refuse_empty_over_wal(Path(path))
    return sqlite3.connect(
        uri, uri=True, timeout=15.0, isolation_level=None, factory=DecodingConnection
    )


def _uri_path(path: Path) -> str:
    from urllib.parse import quote

    return quote(str(Path(path).absolute()))


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    return {
        name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])  # noqa: S608
        for name in names
    }


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY applied_at, name",
            [MIGRATION_SET],
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    return sorted(r[0] for r in rows)


def known_migrations() -> list[str]:
    return [name for name, _ in schema_files()]


def inspect(
    path: Path,
    *,
    quick: bool = False,
    counts: bool = True,
    readonly: bool = False,
    chain: bool = True,
) -> Inspection:
    """Integrity (or quick) check, foreign keys, the event log's triggers and (``chain``) its
    hash chain, the schema version."""
    result = Inspection(Path(path))
    if not Path(path).is_file():
        result.problems.append(f"{path}: no such file")
        return result
    try:
        refuse_empty_over_wal(Path(path))
    except EmptyOverWal:
        result.problems.append(
            f"{path}: an empty file, not a database; the WAL beside it still holds the newest "
            "changes and is left as it is (`oss-desk db restore BACKUP` reads today's ticket "
            "codes from it)"
        )
        return result
    if Path(path).stat().st_size == 0:
        result.problems.append(f"{path}: an empty file, not a database")
        return result
    try:
        conn = connect_file(path, readonly=readonly)
    except sqlite3.Error as exc:
        result.problems.append(f"{path}: cannot open ({exc})")
        return result
    try:
        with _ChainAside(Path(path), conn if chain else None) as aside:
            _inspect(conn, result, quick=quick, counts=counts, chain=chain, aside=aside)
    except sqlite3.DatabaseError as exc:
        text = " ".join(str(exc).split())
        if "not a database" in text:
            result.problems.append(f"{path}: not an SQLite database (header damaged?)")
        elif isinstance(classify(exc, path), StorageFull):
            result.full = (
                f"disk full: {path} cannot be checked ({text}), which is no sign of damage: "
                "free some space on its disk, then check again"
            )
            result.problems.append(result.full)
        elif getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_IOERR and wal_lost(
            Path(path)
        ):
            result.problems.append(wal_lost_said(Path(path)))  # not damage: see its words
        else:
            result.problems.append(f"{path}: damaged ({text})")
        if result.integrity == "not checked":
            result.integrity = "failed"
    finally:
        conn.close()
    return result


def office_id(conn: sqlite3.Connection) -> str | None:
    """The office's random id (schema/0006), the same in every copy and backup of it."""
    try:
        row = conn.execute("SELECT uuid FROM office_identity WHERE id = 1").fetchone()
    except sqlite3.OperationalError:
        return None  # older than 0006
    return str(row[0]) if row else None


def office_id_of(path: Path) -> str | None:
    """The office id of a database file (None when it has none or cannot be read)."""
    try:
        conn = connect_file(path, readonly=True)
    except sqlite3.Error:
        return None
    try:
        return office_id(conn)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


class _Stopped(Exception):
    """The chain check aside was told to stop (the inspection ended without it)."""


class _ChainAside:
    """The event log's hash chain, checked on a connection of its own in a second thread while
    the first runs SQLite's integrity check (which holds no Python lock while it runs): a
    database's check takes about as long as the longer of the two instead of both. The very
    same :func:`~oss_desk.storage.chain.verify`; its result (or its error) is taken with
    :meth:`result`, and it is stopped if the inspection ends first (an error, a file that is
    not a database)."""

    def __init__(self, path: Path, conn: sqlite3.Connection | None) -> None:
        self.path = path
        self.wanted = conn is not None and _has_chain(conn)
        self.stop = threading.Event()
        self.pool: ThreadPoolExecutor | None = None
        self.future: Future[ChainCheck] | None = None

    def __enter__(self) -> _ChainAside:
        if self.wanted:
            from concurrent.futures import ThreadPoolExecutor  # (a check's only)

            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chain")
            self.future = self.pool.submit(self._verify)
        return self

    def _verify(self) -> ChainCheck:
        def progress(_count: int) -> None:
            if self.stop.is_set():
                raise _Stopped

        conn = connect_file(self.path, readonly=True)
        try:
            return event_chain.verify(conn, every=10_000, progress=progress)
        finally:
            conn.close()

    def result(self, conn: sqlite3.Connection) -> ChainCheck:
        """The chain's check: from the second thread, or here on ``conn`` if none ran."""
        if self.future is None:
            return event_chain.verify(conn)
        return self.future.result()

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.pool is not None:
            self.pool.shutdown(wait=True)


def recent_chain(path: Path, events: int) -> ChainCheck | None:
    """The newest ``events`` of the event log checked against its hash chain, each following
    the stored hash of the one before them (None: a log from before the chain). Quick however
    long the log (``doctor``); an edit before them is for the whole chain's check (``db
    check``)."""
    conn = connect_file(path, readonly=True)
    try:
        if not _has_chain(conn):
            return None
        row = conn.execute(
            "SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?", [events]
        ).fetchone()
        return event_chain.verify(conn, after=int(row[0]) if row else 0)
    finally:
        conn.close()


def _has_chain(conn: sqlite3.Connection) -> bool:
    try:
        return "hash" in {row[1] for row in conn.execute("PRAGMA table_info(events)")}
    except sqlite3.DatabaseError:
        return False  # the inspection says what is wrong with the file


def _inspect(
    conn: sqlite3.Connection,
    result: Inspection,
    *,
    quick: bool,
    counts: bool,
    chain: bool,
    aside: _ChainAside | None = None,
) -> None:
    result.journal_mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    result.office_id = office_id(conn)
    pragma = "quick_check" if quick else "integrity_check"
    rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}(20)").fetchall()]
    if rows == ["ok"]:
        result.integrity = "ok"
    else:
        result.integrity = "failed"
        shown = rows[:5]
        for row in shown:
            result.problems.append(f"{pragma}: {' '.join(row.split())}")
        if len(rows) > len(shown):
            result.problems.append(f"{pragma}: ... and {len(rows) - len(shown)} more")
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    by_table: dict[tuple[str, str], int] = {}
    for table, _rowid, parent, _fkid in fk:
        by_table[(table, parent)] = by_table.get((table, parent), 0) + 1
    for (table, parent), n in sorted(by_table.items()):
        result.problems.append(
            f"foreign keys: {n} row{'s' if n != 1 else ''} of {table} "
            f"point{'' if n != 1 else 's'} to missing {parent}"
        )
    triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for name in EVENT_TRIGGERS:
        if name not in triggers:
            result.problems.append(
                f"event log: trigger {name} is missing (the log is not append-only)"
            )
    if chain and "hash" in {row[1] for row in conn.execute("PRAGMA table_info(events)")}:
        if "events_chained" not in triggers:
            result.problems.append(
                "event log: trigger events_chained is missing (events could be added unchained)"
            )
        result.chain = aside.result(conn) if aside is not None else event_chain.verify(conn)
        if not result.chain.ok:
            result.problems.append(result.chain.problem)
    result.problems.extend(mark_problems(conn))
    result.schema = applied_migrations(conn)
    known = known_migrations()
    if not result.schema:
        result.problems.append("schema: not an oss-desk database (no migrations recorded)")
    else:
        unknown = [m for m in result.schema if m not in known]
        missing = [m for m in known if m not in result.schema]
        if unknown:
            result.problems.append(
                f"schema: made by a newer oss-desk ({', '.join(unknown)}): upgrade oss-desk"
            )
        elif missing and head_file(result.path).exists():  # a backup: never upgraded
            result.notes.append(
                f"schema: a backup made by an older oss-desk (schema {max(result.schema)}; "
                f"{len(missing)} migrations since): `oss-desk db restore` of it restores an "
                "upgraded copy"
            )
        elif missing:
            result.problems.append(
                f"schema: migrations not applied yet (made by an older oss-desk: schema "
                f"{max(result.schema)} -> {known[-1]}, {len(missing)} to apply): "
                "`oss-desk init` upgrades it"
            )
    if counts:
        result.counts = table_counts(conn)


# Backups ------------------------------------------------------------------------------------------


def create_private(path: Path) -> None:
    """An empty file only the owner can read (0600), failing if it exists."""
    files.create_private(path)


# The event log head written beside each backup (``NAME.sqlite.head``: where,
# :func:`oss_desk.storage.incarnation.head_file`).


def head_line(event_id: int, head_hash: bytes) -> str:
    """``event 1234 sha256 ab12...``: the event log's head, as written beside a backup."""
    return f"event {event_id} sha256 {head_hash.hex()}\n"


def read_head_file(path: Path) -> tuple[int, str] | None:
    """(event id, hash hex) written beside a backup, or None when unreadable."""
    try:
        words = path.read_text(encoding="ascii")[:200].split()
    except (OSError, UnicodeDecodeError):
        return None
    if len(words) == 4 and words[0] == "event" and words[1].isdigit() and words[2] == "sha256":
        return int(words[1]), words[3]
    return None


def backup_snapshot(source: sqlite3.Connection, target: Path) -> tuple[dict[str, int], int, bytes]:
    """Copy the database into ``target`` (a new, empty file) with the online backup API.

    The counts and the event log's head (id, hash) are read in the same read transaction as the
    copy: they describe exactly the snapshot in the file. The copy is left in rollback-journal
    mode (one self-contained file).
    """
    if source.in_transaction:
        raise RuntimeError("backup_snapshot needs a connection without an open transaction")
    source.execute("BEGIN")
    try:
        counts = table_counts(source)
        # An older release's database (before the chain) has no head: the genesis value.
        head_id, head_hash = event_chain.head(source) if _has_chain(source) else (0, b"")
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
    finally:
        source.execute("ROLLBACK")
    return counts, head_id, head_hash


def event_head(path: Path, *, readonly: bool = True) -> tuple[int, bytes] | None:
    """(id, hash) of the newest event in a database file; None: an older release's file, made
    before the event log was chained. ``readonly=False`` for a file at the office's path: a
    read-only connection leaves the WAL it opened beside it, empty, when it closes."""
    conn = connect_file(path, readonly=readonly)
    try:
        return event_chain.head(conn) if _has_chain(conn) else None
    finally:
        conn.close()


def event_hash(path: Path, event_id: int) -> bytes | None:
    """The stored hash of one event in a database file (None: no such event)."""
    conn = connect_file(path, readonly=True)
    try:
        return event_chain.hash_at(conn, event_id)
    finally:
        conn.close()


def vacuum_into(source: sqlite3.Connection, target: Path) -> None:
    """A compacted copy with ``VACUUM INTO`` (the target must not exist or be empty)."""
    source.execute("VACUUM INTO ?", [str(target)])


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def set_journal_mode(path: Path, mode: str) -> str:
    conn = connect_file(path)
    try:
        return str(conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0])
    finally:
        conn.close()


def forget_device_owner(path: Path, now: str) -> None:
    """The database at ``path`` is put in place of another (a restore): the device worker its
    heartbeat names worked on another file, so it is recorded as stopped (desks hand it nothing,
    doctor says to restart it) until a worker takes over this file."""
    conn = connect_file(path)
    try:
        with conn:
            conn.execute(
                "UPDATE worker_heartbeat SET stopped_at = coalesce(stopped_at, ?) WHERE id = 1",
                [now],
            )
    except sqlite3.OperationalError:  # a backup made before the heartbeat existed
        pass
    finally:
        conn.close()


def wal_checkpoint(path: Path) -> None:
    """Fold the -wal file into the database file (used before a database is moved aside)."""
    conn = connect_file(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def shm_holder(db: Path) -> int | None:
    """The process id of another process that has the database open, else None.

    Every connection to a WAL database holds a read lock on one byte of the ``-shm`` file while
    it is open; F_GETLK asks who holds it without taking anything. Call it before this process
    opens the database (POSIX locks are per process: our own are never reported).
    """
    return lock_holder(db.with_name(db.name + "-shm"), SHM_DMS_BYTE, 1)


def write_lock_held(db: Path) -> bool:
    """Whether another process holds the database's write lock now (a ``BEGIN EXCLUSIVE`` left
    open, a backup, ``init``): asked by taking it with no wait, and letting it go at once."""
    refuse_empty_over_wal(db)
    conn = sqlite3.connect(f"file:{db}?mode=rw", uri=True, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        return exc.sqlite_errorcode == sqlite3.SQLITE_BUSY
    finally:
        conn.close()
    return False


# Retention ----------------------------------------------------------------------------------------
# Each purge is a pair of literal statements: how many rows are due (--dry-run), and the update.


def set_secure_delete(conn: sqlite3.Connection, *, on: bool) -> None:
    """Overwrite deleted content with zeros on this connection (a per-connection setting)."""
    conn.execute(f"PRAGMA secure_delete = {'ON' if on else 'OFF'}")


CHECKPOINT_WAIT_SECONDS = 1.0
"""The longest a truncating checkpoint waits for readers: it holds the writers off meanwhile,
and a desk's key waits at most 5 s for its turn (``storage.faults.DESK_WRITE_WAIT_SECONDS``)."""


def checkpoint_truncate(conn: sqlite3.Connection) -> bool:
    """Copy the WAL's pages into the database and truncate the WAL to nothing, waiting for
    readers at most :data:`CHECKPOINT_WAIT_SECONDS` (writers wait while it does); False when a
    reader kept it from finishing (the next purge tries again)."""
    before = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
    conn.execute(f"PRAGMA busy_timeout = {round(CHECKPOINT_WAIT_SECONDS * 1000)}")
    try:
        row = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.execute(f"PRAGMA busy_timeout = {before}")
    return bool(row is not None and row[0] == 0)


def _purge(
    conn: sqlite3.Connection, due: str, update: str, args: dict[str, str], dry_run: bool
) -> int:
    if dry_run:
        return int(conn.execute(due, args).fetchone()[0])
    return conn.execute(update, args).rowcount


APPOINTMENTS_PAST = (
    "SELECT id FROM appointments WHERE business_day < :day OR cancelled_at < :cancelled"
)
"""The appointments whose resident's details are past their period: those on days before the
cut-off day, and those cancelled before its start (counted from the cancellation)."""


def purge_contacts(
    conn: sqlite3.Connection, before_day: str, cancelled_before: str, now: str, *, dry_run: bool
) -> int:
    """Names, emails and phones of appointments on days before ``before_day`` or cancelled
    before the instant ``cancelled_before``."""
    args = {"day": before_day, "cancelled": cancelled_before, "now": now}
    return subject.clear(conn, "contacts", APPOINTMENTS_PAST, args, dry_run=dry_run)


def purge_cancel_reasons(
    conn: sqlite3.Connection, before_day: str, cancelled_before: str, *, dry_run: bool
) -> int:
    """The free-text reasons given for cancelling appointments on days before ``before_day``,
    or cancelled before the instant ``cancelled_before``."""
    args = {"day": before_day, "cancelled": cancelled_before}
    return subject.clear(conn, "cancel_reasons", APPOINTMENTS_PAST, args, dry_run=dry_run)


def purge_notes(conn: sqlite3.Connection, before: str, now: str, *, dry_run: bool) -> int:
    """The text of visit notes written before the instant ``before``."""
    which = "SELECT id FROM visit_notes WHERE at < :before"
    return subject.clear(conn, "notes", which, {"before": before, "now": now}, dry_run=dry_run)


def purge_message_traces(conn: sqlite3.Connection, before: str, *, dry_run: bool) -> int:
    """Provider ids and error texts of messages finished before ``before``.

    The outbox never stores a recipient or the message text (both are read from the appointment
    when sending); what remains after sending is the provider's id (under which Notify keeps
    the text and the recipient) and the provider's last error text.
    """
    finished = ("sent", "failed", "cancelled", "expired", "uncertain")
    return purge_traces(conn, "messages", finished, before, dry_run=dry_run)


def purge_print_payloads(conn: sqlite3.Connection, before: str, *, dry_run: bool) -> int:
    """What finished print jobs older than ``before`` were to print (slips name a booking)."""
    return _purge(
        conn,
        "SELECT count(*) FROM print_jobs WHERE status IN ('done', 'failed', 'cancelled') "
        "AND payload != '{}' AND created_at < :before",
        "UPDATE print_jobs SET payload = '{}' WHERE status IN ('done', 'failed', 'cancelled') "
        "AND payload != '{}' AND created_at < :before",
        {"before": before},
        dry_run,
    )
