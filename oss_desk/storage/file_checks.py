"""Whether the path still names the files this process writes: the database and its WAL.

:meth:`Store.check_file <oss_desk.storage.database.Store.check_file>` asks here before each
write transaction, after each commit and at each change-detection tick (one ``stat`` of the
database, one ``pread`` of its header, one ``stat`` of its WAL).

**The WAL.** In WAL mode every commit is written to ``<database>-wal`` and reaches the database
file itself only at a checkpoint. Each connection keeps the WAL open, so when the file is deleted
(``rm office.sqlite-wal``) the running processes go on writing to the deleted file, and SQLite
says nothing: every commit is confirmed, and lost when the last of them is killed (measured: a
ticket printed and then given out again). A process that opens the database meanwhile makes a
new, empty WAL, which the shared index (``-shm``) says holds pages it does not: every read there
fails with "disk I/O error".

What recovers (measured with SQLite 3.40): a checkpoint by a connection that still has the
deleted WAL open copies every committed change into the database file; ``TRUNCATE`` then empties
the deleted file and starts the WAL again from nothing, so new processes read the database file
and write a new WAL at the path, and the old connections' reads fail (a short read) instead of
reading another file's pages. The last connection to close cleanly does the same checkpoint.
So the first process to see the WAL gone does it at once (:func:`rescue`), unless a new WAL with
changes already stands at the path (then the index speaks of that one, and copying the deleted
file's pages would write wrong pages into the database).
"""

from __future__ import annotations

import contextlib
import glob
import os
import sqlite3
import struct
import time
from pathlib import Path
from typing import Protocol

from oss_desk.errors import (
    DatabaseGone,
    DatabaseOverwritten,
    DatabaseUnsafe,
    StorageError,
    WalDeleted,
)
from oss_desk.storage.incarnation import FileHead, file_identity

WAL_HEADER_BYTES = 32
"""A WAL shorter than its header holds no change (a new one, not written yet)."""
FRAME_HEADER_BYTES = 24
SWAP_WAIT_S = 0.05
"""How long a process that finds its WAL gone waits before it looks whether the database file
itself was replaced (a restore's swap takes well under a millisecond)."""
RESCUE_WAIT_MS = 2000
"""The longest :func:`rescue` waits for other connections' reads to end (milliseconds)."""
_SHM_HEADER = struct.Struct("=4x4x4xBBHI")
"""The start of the shared index's header (native byte order): isInit, bigEndCksum, page size
(1: 65536), the last valid frame (sqlite.org/walformat.html)."""


class Store(Protocol):
    """What the checks read of a :class:`~oss_desk.storage.database.Store`."""

    path: Path
    identity: tuple[int, int]
    head: FileHead
    wal: tuple[int, int] | None
    unsafe: DatabaseUnsafe | None
    conn: sqlite3.Connection

    def poison(self, error: DatabaseUnsafe) -> None: ...


def wal_of(db: Path) -> Path:
    return db.with_name(db.name + "-wal")


def wal_identity(db: Path) -> tuple[int, int] | None:
    """(device, inode) of ``<db>-wal``; None when there is none."""
    try:
        return file_identity(wal_of(db))
    except FileNotFoundError:
        return None


def check_file(store: Store, *, saving: bool = False) -> None:
    """Poison ``store`` (every write refused from then on) when the path no longer names the
    file it opened, with the content it opened, or its WAL is no longer the one its connection
    writes; then raise what poisoned it."""
    if store.unsafe is None:
        try:
            now = file_identity(store.path)
        except FileNotFoundError:
            now = None
        except OSError:
            return  # a folder we cannot read right now: SQLite will say what is wrong
        what = None if now != store.identity else store.head.changed()
        if now is not None and now != store.identity:
            store.poison(DatabaseGone(replaced_said(store, saving=saving)))
        elif what is not None or now is None:
            what = "deleted or moved away" if now is None else what
            gone = DatabaseOverwritten if store.head.overwritten else DatabaseGone
            store.poison(
                gone(
                    f"{store.path} was {what} while this process had it open"
                    + (
                        ": what was just saved is not in the database at that path"
                        if saving
                        else ": nothing was saved"
                    )
                    + "; this process writes nothing more (close it and start again; "
                    "`oss-desk db check` says what is at the path now)"
                )
            )
        else:
            _check_wal(store, saving=saving)
    elif (retold := store.head.retold()) is not None:
        # Seen while a copy was being written over it (`cp` empties the file, then writes):
        # now that the copy's header is there, say what it is (a backup's copy, say).
        told, whole = retold
        store.unsafe = DatabaseOverwritten(store.unsafe.message.replace(told, whole, 1))
    if store.unsafe is not None:
        raise type(store.unsafe)(store.unsafe.message, store.unsafe.title)


def _check_wal(store: Store, *, saving: bool) -> None:
    try:
        st = os.stat(f"{store.path}-wal")  # a string: no path object made per check
        now: tuple[int, int] | None = (st.st_dev, st.st_ino)
    except FileNotFoundError:
        now = None
    except OSError:
        return
    if store.wal is None:
        store.wal = now  # first seen (the connection had not read yet when the store was made)
        return
    if now == store.wal:
        return
    if _replaced_meanwhile(store):  # a restore moves the WAL aside, then puts its file in place
        store.poison(DatabaseGone(replaced_said(store, saving=saving)))
        return
    rescued = rescue(store)
    if not rescued:
        hold_new_wal(store.path)
    store.poison(WalDeleted(wal_deleted_said(store.path, saving=saving, rescued=rescued)))


def _replaced_meanwhile(store: Store) -> bool:
    """Whether the database file was replaced just after its WAL went (``db restore`` moves
    the WAL beside the kept copy an instant before it puts the restored file in place): looked
    at again after :data:`SWAP_WAIT_S`, only on this rare path."""
    time.sleep(SWAP_WAIT_S)
    try:
        return file_identity(store.path) != store.identity
    except OSError:
        return False


def replaced_said(store: Store, *, saving: bool) -> str:
    """The words for a database file replaced by another (``db restore`` does it): where this
    process's last changes are, as far as it can tell, and what to do."""
    kept = kept_copy(store.path, store.identity)
    said = f"{store.path} was replaced by another file while this process had it open"
    if kept is not None:
        said += f" (by `oss-desk db restore`): the file it had open is kept as {kept.name}; " + (
            "what was just saved went to that copy, not to the database now at the path"
            if saving
            else "nothing was saved; what this process saved earlier, after the restored "
            "backup was made is only in that copy"
        )
    else:
        said += " (as `oss-desk db restore` does): " + (
            "what was just saved is not in the database at that path"
            if saving
            else "nothing was saved; what this process saved earlier is in the file it "
            "had open, no longer at that path"
        )
    return said + (
        "; this process writes nothing more: close it and start it again on the database now "
        "at the path (`oss-desk db check` says what is there)"
    )


def kept_copy(db: Path, identity: tuple[int, int]) -> Path | None:
    """The copy a restore kept of the file ``identity`` names (``<db>.before-restore-...``,
    the same file by device and inode), if it is beside ``db``."""
    try:
        for candidate in sorted(db.parent.glob(f"{glob.escape(db.name)}.before-restore-*")):
            with contextlib.suppress(OSError):
                if file_identity(candidate) == identity:
                    return candidate
    except OSError:
        return None
    return None


_held: list[sqlite3.Connection] = []
"""Connections to a database whose deleted WAL another process replaced, open for the rest of
the process (see :func:`hold_new_wal`)."""


def hold_new_wal(db: Path) -> None:
    """When a new WAL with changes stands at the path, keep a read-only connection that sees it
    open for the rest of this process: the last connection to close a database copies its WAL
    into the file, and this process's own connection would copy the deleted one's pages where
    the shared index speaks of the new one's (measured: "database disk image is malformed").
    With this one open, that connection is never the last; this one, if it is, copies nothing
    (read-only), and the next to open the database reads the new WAL."""
    try:
        if wal_of(db).stat().st_size < WAL_HEADER_BYTES:
            return  # nothing new at the path: the deleted WAL is the one to copy back
        guard = sqlite3.connect(
            f"file:{db.absolute().as_posix()}?mode=ro", uri=True, isolation_level=None
        )
    except (OSError, sqlite3.Error):
        return
    try:
        guard.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except sqlite3.Error:
        guard.close()
        return
    _held.append(guard)


def rescue(store: Store) -> bool:
    """Copy every change this connection's (deleted) WAL holds into the database file and empty
    it (``wal_checkpoint(TRUNCATE)``): True when all of it was, and the database file holds
    everything committed. Not done when a WAL with changes stands at the path (another process
    started a new one: the shared index now speaks of it)."""
    try:
        if wal_of(store.path).stat().st_size >= WAL_HEADER_BYTES:
            return False
    except FileNotFoundError:
        pass
    except OSError:
        return False
    conn = store.conn
    if conn.in_transaction:
        return False
    run = sqlite3.Connection.execute
    with contextlib.suppress(sqlite3.Error, StorageError):
        waits = run(conn, "PRAGMA busy_timeout").fetchone()[0]
        # TRUNCATE waits for every reader to finish: a desk's tick or key waits at most this.
        run(conn, f"PRAGMA busy_timeout = {RESCUE_WAIT_MS}")
        try:
            row = run(conn, "PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            run(conn, f"PRAGMA busy_timeout = {int(waits)}")
        return row is not None and int(row[0]) == 0
    return False


def wal_deleted_said(db: Path, *, saving: bool, rescued: bool) -> str:
    """The words for a WAL deleted under a running process."""
    said = (
        f"{wal_of(db).name}, the file beside {db} that holds its latest changes, was deleted "
        "while this process had the database open: "
    )
    if rescued:
        return said + (
            "this process wrote every change saved up to now back into the database file, so "
            "none is lost; it writes nothing more: close every desk and stop the worker, then "
            "start them again"
        )
    return said + (
        ("what was just saved may not be on disk" if saving else "nothing was saved")
        + "; this process writes nothing more: close every desk and stop the worker normally "
        "(never kill -9, never switch the host off: the last one to close writes the latest "
        "changes back into the database), then start them again"
    )


def wal_lost(db: Path) -> bool:
    """Whether the shared index beside ``db`` speaks of WAL frames that ``<db>-wal`` does not
    hold (missing, or shorter): the WAL was deleted while processes had the database open, and
    an opener's "disk I/O error" is that, not the disk."""
    try:
        with open(db.with_name(db.name + "-shm"), "rb") as f:
            raw = f.read(_SHM_HEADER.size)
    except OSError:
        return False
    if len(raw) < _SHM_HEADER.size:
        return False
    is_init, _, page, frames = (int(v) for v in _SHM_HEADER.unpack(raw))
    if not is_init or not frames:
        return False
    size = 65536 if page == 1 else page
    try:
        held = wal_of(db).stat().st_size
    except FileNotFoundError:
        held = 0
    except OSError:
        return False
    return held < WAL_HEADER_BYTES + frames * (size + FRAME_HEADER_BYTES)


def wal_lost_said(db: Path) -> str:
    """The words for an opener that finds the WAL deleted under running processes."""
    return (
        f"{wal_of(db).name}, the file beside {db} that holds its latest changes, was deleted "
        "while desks or the worker had the database open (nothing was saved): they still hold "
        "those changes; close every desk and stop the worker normally (never kill -9, never "
        "switch the host off: the last one to close writes them back into the database), then "
        "start again"
    )
