"""Storage faults in words: which fault an SQLite error is, naming the cause and the path.

A resource fault (disk full, read-only file system, permission denied, locked past the busy
timeout, disk I/O error) is told apart by SQLite's error code and by asking the file system
itself (statvfs, access), never by the message's text; damage (SQLITE_CORRUPT, SQLITE_NOTADB)
is a :class:`~oss_desk.errors.DatabaseDamaged`. :mod:`oss_desk.storage.database` raises them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oss_desk.errors import (
    DatabaseDamaged,
    DatabaseGone,
    InvalidInput,
    StorageBusy,
    StorageError,
    StorageFull,
    StorageIOError,
    StorageNoPermission,
    StorageReadOnly,
    WalDeleted,
)
from oss_desk.storage.file_checks import wal_lost, wal_lost_said

BUSY_TIMEOUT_SECONDS = 15.0
BUSY_TIMEOUT_ENV = "OSS_DESK_BUSY_TIMEOUT"


def busy_timeout() -> float:
    """How long a write waits for another process's lock before giving up (seconds):
    ``OSS_DESK_BUSY_TIMEOUT`` (0.1 to 600), else 15."""
    text = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not text:
        return BUSY_TIMEOUT_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.1 <= value <= 600:  # NaN fails too
        # A malformed run-time value, as OSS_DESK_NOW's is (exit 2): not the database's fault.
        raise InvalidInput(f"{BUSY_TIMEOUT_ENV} {text[:20]!r} must be seconds from 0.1 to 600")
    return value


DESK_WRITE_WAIT_SECONDS = 5.0
"""The longest a desk's key waits for the database (its turn to write, then SQLite's lock), each
time, whatever the busy timeout (which may be set up to 600 s for the worker and the command
line): a key that cannot write within it is refused as busy, said at once, and the keys typed
after it go on, instead of a desk that sits dead for minutes with a resident in front of it."""


def desk_write_wait() -> float:
    """How long a desk's write waits for the lock (seconds): the busy timeout, at most
    :data:`DESK_WRITE_WAIT_SECONDS`."""
    return min(busy_timeout(), DESK_WRITE_WAIT_SECONDS)


def wait_for_writes(conn: sqlite3.Connection, seconds: float) -> None:
    """Make ``conn``'s writes wait at most ``seconds`` for the lock (its turn among the writers
    reads the same value: :meth:`~oss_desk.storage.database.Store.write`)."""
    conn.execute(f"PRAGMA busy_timeout = {round(seconds * 1000)}")


def longest_write_wait(wait: float | None = None) -> float:
    """The longest a write waits before it goes ahead or is refused as busy (seconds): its turn
    among the writers that take the write lock, then SQLite's own lock (held by a writer that
    takes no turn: a backup, the ``sqlite3`` shell), each at most ``wait`` (by default the busy
    timeout; a desk's: :func:`desk_write_wait`)."""
    return 2 * (busy_timeout() if wait is None else wait)


# Text SQLite cannot give back as text ----------------------------------------------------------


class UndecodableText(sqlite3.DatabaseError):
    """SQLite's answer held bytes that are not UTF-8: a damaged schema (SQLite's own message
    quotes the damaged bytes, and Python cannot decode it). Damage, like SQLITE_CORRUPT."""


def undecodable(exc: UnicodeDecodeError) -> UndecodableText:
    """The SQLite error behind a ``UnicodeDecodeError`` raised by a statement: SQLite's message,
    its undecodable bytes shown as \\xff escapes, said as damage."""
    raw = exc.object if isinstance(exc.object, bytes) else b""
    text = (
        " ".join(raw.decode("utf-8", "backslashreplace").split())[:300] or "text that is not UTF-8"
    )
    if "malformed" not in text:
        text = f"malformed database: {text}"
    found = UndecodableText(text)
    found.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
    return found


class DecodingConnection(sqlite3.Connection):
    """A connection whose statements raise an SQLite error, never ``UnicodeDecodeError``, when
    the file is damaged so that SQLite's answer is not UTF-8 (bytes overwritten in the schema:
    ``malformed database schema ... "\xff\xff"``): every caller that handles SQLite's errors
    (:func:`classify`, the command line) then says it is damaged, in one line. Subclasses say
    SQLite's errors otherwise by overriding :meth:`_fault`."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self._run(super().execute, sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        return self._run(super().executemany, sql, parameters)

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        return self._run(super().executescript, sql_script)

    def _run(self, statement: Callable[..., sqlite3.Cursor], *args: Any) -> sqlite3.Cursor:
        try:
            return statement(*args)
        except (sqlite3.Error, UnicodeDecodeError) as exc:
            found = self._fault(undecodable(exc) if isinstance(exc, UnicodeDecodeError) else exc)
            if found is exc:
                raise
            raise found from exc

    def _fault(self, exc: sqlite3.Error) -> Exception:
        """The error to raise for SQLite's ``exc`` (here: itself)."""
        return exc


# Classifying faults -----------------------------------------------------------------------------

_DAMAGE = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_NO_ACCESS = frozenset({sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH})


TRY_AGAIN = ": try again"
THEN_TRY_AGAIN = ", then try again"
"""What a person is told to do after a write the database refused; a process that tries again
by itself says so in its own words instead (:func:`for_a_process`)."""


def for_a_process(message: str) -> str:
    """A storage fault's ``message`` without its advice to a person to try again: the worker's
    log adds that it waits and tries again itself (said once, not twice)."""
    return message.removesuffix(TRY_AGAIN).removesuffix(THEN_TRY_AGAIN)


def classify(
    exc: sqlite3.Error, path: Path | str, *, waited: float | None = None
) -> StorageError | None:
    """The storage fault behind an SQLite error, in words naming the cause and the path; None
    for an error that is not about the storage (a constraint, a syntax error)."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = " ".join(str(exc).split())
    where = Path(path)
    if primary in _DAMAGE or "malformed" in text:
        return DatabaseDamaged(
            f"{where} is damaged ({text}): this process writes nothing more to it (nothing was "
            "saved); run `oss-desk db check`, then `oss-desk db restore BACKUP` from the latest "
            "backup"
        )
    if code == sqlite3.SQLITE_READONLY_DBMOVED:
        return DatabaseGone(
            f"{where} was moved or deleted while this process had it open: nothing was saved; "
            "this process writes nothing more (close it and start again)"
        )
    if primary in BUSY_CODES or (primary is None and "locked" in text):
        return StorageBusy(
            f"database locked: another process held {where} for more than "
            f"{waited if waited is not None else busy_timeout():g} s (nothing was saved)"
            f"{TRY_AGAIN}"
        )
    if (
        primary == sqlite3.SQLITE_FULL
        or (primary is None and "full" in text)
        or (primary in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN) and no_space_left(where))
    ):
        return StorageFull(
            f"disk full: cannot write to {where} (nothing was saved): free some space"
            f"{THEN_TRY_AGAIN}"
        )
    if (
        primary
        in (
            sqlite3.SQLITE_READONLY,
            sqlite3.SQLITE_CANTOPEN,
            sqlite3.SQLITE_IOERR,
        )
        or primary in _NO_ACCESS
    ):
        if read_only_filesystem(where):
            return StorageReadOnly(
                f"read-only file system: cannot write to {where} (nothing was saved)"
            )
        if primary in _NO_ACCESS or not writable(where):
            return StorageNoPermission(
                f"permission denied: this account cannot write to {where} or its folder "
                "(nothing was saved)"
            )
        if primary == sqlite3.SQLITE_IOERR and wal_lost(where):
            return WalDeleted(wal_lost_said(where))
        if primary == sqlite3.SQLITE_IOERR:
            return StorageIOError(f"disk I/O error on {where} (nothing was saved): check the disk")
        if primary == sqlite3.SQLITE_CANTOPEN:
            return StorageError(f"cannot open {where}: check the path and its permissions")
        return StorageNoPermission(f"{where} is read-only for this process (nothing was saved)")
    return None


def no_space_left(path: Path) -> bool:
    """Whether the file system holding ``path`` has (next to) no room left: SQLite reports a
    -shm or -wal it cannot grow as an I/O error, not as SQLITE_FULL."""
    for candidate in (path, path.parent):
        try:
            info = os.statvfs(candidate)
        except OSError:
            continue
        return info.f_bavail * info.f_frsize < 64 * 1024
    return False


def read_only_filesystem(path: Path) -> bool:
    """Whether the file system holding ``path`` (or its folder) is mounted read-only."""
    for candidate in (path, path.parent):
        try:
            return bool(os.statvfs(candidate).f_flag & os.ST_RDONLY)
        except OSError:
            continue
    return False


def writable(path: Path) -> bool:
    """Whether this process may write the database and create its -wal and -shm beside it."""
    folder = path.parent
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def translated(exc: sqlite3.Error, path: Path | str) -> StorageError:
    found = classify(exc, path)
    if found is not None:
        return found
    text = " ".join(str(exc).split())
    if "not a database" in text:
        return StorageError(f"{path} is not an SQLite database")
    if "unable to open" in text:
        return StorageError(f"cannot open {path}: check the path and its permissions")
    return StorageError(f"database error on {path}: {text}")


def describe_sqlite_error(exc: sqlite3.Error, path: Path | str = "the database") -> StorageError:
    """An SQLite error that reached the top of a command, as a one-line StorageError."""
    return translated(exc, path)
