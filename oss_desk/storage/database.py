"""Opening the office database: the pragmas, the checks, and write transactions.

One :class:`Store` wraps one SQLite connection, which belongs to the thread that opened it
(``check_same_thread`` stays on, so a misuse fails loudly). A process that needs the database
from several threads opens one store per thread, or gives one thread the store and sends it work
(see :mod:`oss_desk.storage.runner`).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from oss_desk import files
from oss_desk.errors import (
    DatabaseUnsafe,
    StorageBusy,
    StorageError,
)
from oss_desk.storage import file_checks
from oss_desk.storage.faults import (
    BUSY_CODES,
    BUSY_TIMEOUT_ENV,
    BUSY_TIMEOUT_SECONDS,
    DecodingConnection,
    busy_timeout,
    classify,
    describe_sqlite_error,
    translated,
)
from oss_desk.storage.incarnation import FileHead, adopt_copy, file_identity, stamp_live
from oss_desk.storage.message_ids import keep_earlier_message_ids
from oss_desk.storage.migrations import (
    applied_names,
    build_migrations,
    is_ours,
    pending_names,
    schema_names,
    table_names,
)
from oss_desk.storage.writelock import WriteLock

if TYPE_CHECKING:
    import sqlite_utils

__all__ = [
    "BUSY_TIMEOUT_ENV",
    "BUSY_TIMEOUT_SECONDS",
    "GuardedConnection",
    "Store",
    "busy_timeout",
    "classify",
    "describe_sqlite_error",
    "open_store",
    "translate_errors",
]

MOUNTINFO = Path("/proc/self/mountinfo")
MIN_SQLITE = (3, 35, 0)  # RETURNING

# Filesystems on which SQLite's locking cannot be trusted (https://www.sqlite.org/useovernet.html).
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "coda",
        "davfs",
        "ocfs2",
        "gfs2",
        "fuse.sshfs",
        "fuse.glusterfs",
        "fuse.s3fs",
        "fuse.rclone",
        "fuse.davfs2",
        "fuse.cephfs",
        "fuse.gcsfuse",
        "fuse.goofys",
        "fuse.juicefs",
    }
)


class GuardedConnection(DecodingConnection):
    """An SQLite connection whose storage faults say what happened, where, in words.

    A statement that fails because the disk is full, the file system is read-only, permission is
    denied, the database stayed locked, or the file is damaged raises the matching
    :class:`~oss_desk.errors.StorageError` naming the cause and the path. Damage makes the
    :class:`Store` refuse every write from then on. Any other SQLite error (a constraint, a
    syntax error) is raised unchanged.
    """

    store: Store | None = None
    account: str | None = None
    """The operating-system (or sign-in) account of this process, recorded with every event."""

    def _fault(self, exc: sqlite3.Error) -> Exception:
        store = self.store
        if store is None:
            return exc
        return store.fault(exc)


class Store:
    """The database of one office, seen through one connection."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        identity: tuple[int, int] | None = None,
        *,
        strict: bool = True,
        head: FileHead | None = None,
    ) -> None:
        self.conn = conn
        self._db: sqlite_utils.Database | None = None
        self._strict = strict
        self.path = path
        self.identity = identity if identity is not None else file_identity(path)
        """(device, inode) of the file this process opened: the path must keep naming it."""
        self.head = head if head is not None else FileHead(path)  # its header's stamps
        self.closed = False
        self.head.on_exit(self.close)
        self.wal = file_checks.wal_identity(path)
        """(device, inode) of its WAL, which the connection keeps open: the path must keep
        naming it (None: not seen yet)."""
        self.unsafe: DatabaseUnsafe | None = None
        """Set once the file was lost or found damaged: every write is refused from then on."""
        self.turn: WriteLock | None = None
        """This connection's turn among the writers (see :mod:`oss_desk.storage.writelock`)."""
        if isinstance(self.conn, GuardedConnection):
            self.conn.store = self

    @property
    def db(self) -> sqlite_utils.Database:
        """The same connection seen through sqlite-utils (for migrations and bulk loads),
        made on first use: most commands never need it, and importing it costs start-up."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn, execute_plugins=False, strict=self._strict)
        return self._db

    def cap_cache(self, kib: int) -> None:
        """Keep at most ``kib`` KiB of pages in this connection's own cache (the rest are read
        from the OS's cache when needed)."""
        self.conn.execute(f"PRAGMA cache_size = -{int(kib)}")

    # Faults ------------------------------------------------------------------------------------

    def fault(self, exc: sqlite3.Error) -> Exception:
        """The error to raise for ``exc``; damage also makes this store refuse writes."""
        waited: float | None = None
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in BUSY_CODES:
            with contextlib.suppress(sqlite3.Error):
                row = sqlite3.Connection.execute(self.conn, "PRAGMA busy_timeout").fetchone()
                waited = int(row[0]) / 1000
        found = classify(exc, self.path, waited=waited)
        if found is None:
            return exc
        if isinstance(found, DatabaseUnsafe):
            self.poison(found)
        return found

    def poison(self, error: DatabaseUnsafe) -> None:
        if self.unsafe is None:
            self.unsafe = error

    def check_file(self, *, saving: bool = False) -> None:
        """Refuse (and from then on always refuse) when the path no longer names the file this
        process opened: deleted, moved away, replaced by another file, or overwritten in place
        (a ``cp`` over it: :mod:`oss_desk.storage.incarnation`), or its WAL is no longer the one
        this connection writes (:mod:`oss_desk.storage.file_checks`).

        ``saving``: called just after a commit, so the message says the change was not saved
        where anyone will see it."""
        file_checks.check_file(self, saving=saving)

    # Transactions ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: ``BEGIN IMMEDIATE`` (or a savepoint when one is already open).

        Every read-then-write goes through here, so the write lock is taken before the first
        read and ``busy_timeout`` applies (a deferred ``BEGIN`` would fail at once instead).
        The one place where a write transaction begins: before it, the path must still name
        the file this process opened; after the commit, too (else the change is reported as
        not saved, never acknowledged).
        """
        conn = self.conn
        if conn.in_transaction:
            conn.execute("SAVEPOINT oss_desk_write")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK TO SAVEPOINT oss_desk_write")
                    conn.execute("RELEASE SAVEPOINT oss_desk_write")
                raise
            else:
                conn.execute("RELEASE SAVEPOINT oss_desk_write")
            return
        self.check_file()
        turn = self._take_turn()
        try:
            self.check_file()  # again with the turn: a restore swaps the file while holding it
            changes = conn.total_changes
            with translate_errors(self.path):
                conn.execute("BEGIN IMMEDIATE")
            try:
                with translate_errors(self.path):
                    yield conn
            except BaseException:
                _roll_back(conn)
                raise
            else:
                with translate_errors(self.path):
                    try:
                        conn.execute("COMMIT")
                    except BaseException:
                        _roll_back(conn)
                        raise
                if turn is not None and conn.total_changes != changes:
                    # The commit can be seen now: wake the listeners (not for a transaction
                    # that changed no row, such as a worker's lane finding nothing to claim,
                    # which would wake every desk and lane to look for nothing).
                    turn.ring()
        finally:
            if turn is not None:
                turn.release()
        self.check_file(saving=True)

    def _take_turn(self) -> WriteLock | None:
        """Wait for this connection's turn to write, in the order the writers came, at most the
        busy timeout (then: busy, as SQLite's own lock says). None: no lock file can be used
        here, and SQLite's lock (with its busy handler) is the only one."""
        if self.turn is None:
            self.turn = WriteLock(self.path)
        row = sqlite3.Connection.execute(self.conn, "PRAGMA busy_timeout").fetchone()
        timeout = int(row[0]) / 1000 if row else busy_timeout()
        try:
            return self.turn if self.turn.acquire(timeout) else None
        except TimeoutError:
            raise StorageBusy(
                f"database locked: other processes held {self.path} for more than {timeout:g} s "
                "(nothing was saved): try again"
            ) from None

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several reads (a deferred transaction)."""
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        with translate_errors(self.path):
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if _in_transaction(conn):
                    conn.execute("ROLLBACK")

    def data_version(self) -> int:
        """Changes whenever *another* connection commits (about 0.1 ms a call)."""
        row = self.conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        self.closed = True
        # An overwrite seen now keeps the WAL (the old database's newest pages) out of the copy.
        with contextlib.suppress(OSError, sqlite3.Error):
            self.head.changed()
        if self.turn is not None:
            self.turn.close()
        with contextlib.suppress(sqlite3.Error, StorageError):
            self.conn.close()
        self.head.close()  # after the connection: closing a descriptor drops SQLite's locks


def _in_transaction(conn: sqlite3.Connection) -> bool:
    # A function, not the attribute: statements change it behind the type checker's back.
    return conn.in_transaction


def _roll_back(conn: sqlite3.Connection) -> None:
    """Undo the open transaction, if one is still open (a failed rollback changes nothing)."""
    if _in_transaction(conn):
        with contextlib.suppress(sqlite3.Error, StorageError):
            conn.execute("ROLLBACK")


@contextlib.contextmanager
def translate_errors(
    path: Path | str,
    how: Callable[[sqlite3.Error, Path | str], StorageError] | None = None,
) -> Iterator[None]:
    """Turn SQLite's errors into ones a person can act on (``how``: other than
    :func:`translated`; an integrity error is the caller's to handle)."""
    try:
        yield
    except sqlite3.IntegrityError:
        raise
    except sqlite3.DatabaseError as exc:
        raise (how or translated)(exc, path) from exc


# Opening ----------------------------------------------------------------------------------------


def open_store(
    path: Path,
    *,
    create: bool = False,
    migrate: bool | None = None,
    check: bool = True,
    synchronous: str = "FULL",
) -> Store:
    """Open (or with ``create``, create) the office database.

    ``migrate``: True brings its schema up to date (``oss-desk init``, after it made sure no
    other process has the file open); False leaves it as it is (a command that only reads what
    it can: ``doctor``, ``db check``); None (every other command) migrates only a database it
    has just created, and refuses one made by an older release with a line saying to run
    ``oss-desk init`` (an upgrade nobody asked for, under a running desk or worker of the older
    release, would leave that process failing on a schema it does not know).

    Refuses a path on a network filesystem, a file that is not an SQLite database, and an SQLite
    database that belongs to another application. With ``check``, runs
    ``PRAGMA quick_check`` and refuses a damaged database.
    """
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        raise StorageError(
            f"SQLite {sqlite3.sqlite_version} is too old: oss-desk needs 3.35 or newer"
        )
    path = Path(path).expanduser()
    _check_location(path, create=create)
    try:
        before = file_identity(path)
        conn = sqlite3.connect(str(path), timeout=busy_timeout(), factory=GuardedConnection)
    except FileNotFoundError:
        raise StorageError(f"no database at {path}: it disappeared while opening") from None
    except sqlite3.Error as exc:
        raise _opening_error(exc, path) from exc
    head = FileHead(path)
    try:
        adopt = head.refuse_copy()  # a backup copied over it: before SQLite reads its WAL
        with opening_errors(path):
            # Read before anything writes, so a foreign or broken file is left untouched.
            tables = table_names(conn)
            try:
                identity = file_identity(path)
            except FileNotFoundError:
                identity = None
            if identity != before:
                raise StorageBusy(f"{path} was replaced while it was being opened: try again")
            ours = is_ours(conn, tables)
            if not ours:
                if tables:
                    raise StorageError(
                        f"{path} is an SQLite database of another application: "
                        "choose another path for oss-desk"
                    )
                if not create:
                    raise StorageError(
                        f"{path} has no oss-desk data yet: run `oss-desk init --demo` "
                        "or `oss-desk init --config FILE` first"
                    )
            conn.execute("PRAGMA foreign_keys = ON")
            # What sqlite-utils sets on a connection it wraps; set here, since it is now
            # wrapped only when a migration runs.
            conn.execute("PRAGMA recursive_triggers = ON")
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            if adopt and ours:  # every opener: a look (doctor) switches it to WAL too
                adopt_copy(path, busy_timeout())  # stamped before its WAL is made
            _enable_wal(conn)
        head.settle()  # in WAL mode now: what this process opened (a stamp below settles too)
        store = Store(conn, path, identity=before, head=head)
        if check:
            from oss_desk.storage.file_modes import tighten_office

            tighten_office(path)  # what older versions made 0755 and 0644
            quick_check(store)
            # The check read every page into this connection's cache: let them go (the few
            # the process needs come back from the OS's cache; a desk keeps ~0.5 MB less).
            conn.execute("PRAGMA shrink_memory")
        if migrate or (migrate is None and not tables):
            apply_migrations(store)
        elif migrate is None:
            refuse_older_schema(store)
        if migrate or (migrate is None and (adopt or not tables)):
            stamp_live(store.write, store.head)  # init, a new database, a backup used on its own
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.close()
        head.close()
        raise
    return store


def opening_errors(path: Path) -> contextlib.AbstractContextManager[None]:
    """SQLite's errors while opening ``path``, as :func:`translate_errors` says them, except a
    file that is no database."""
    return translate_errors(path, _opening_error)


def _opening_error(exc: sqlite3.Error, path: Path | str) -> StorageError:
    """Opening: a file that is no database is named as such (a wrong --db, not damage)."""
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
        return StorageError(f"{path} is not an SQLite database")
    return translated(exc, path)


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch a new database to WAL (persistent). The switch needs a moment alone with the file
    and does not wait on the busy handler, so when several processes create the database at once
    it is retried until the busy timeout."""
    deadline = time.monotonic() + busy_timeout()
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode == "wal":
                return
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _check_location(path: Path, *, create: bool) -> None:
    if path.is_dir():
        raise StorageError(f"{path} is a directory: give the path of a database file")
    if path.exists() and not path.is_file():
        raise StorageError(f"{path} is not a regular file (a device or a pipe): not a database")
    parent = path.parent
    if not path.exists():
        if not create:
            raise StorageError(
                f"no database at {path}: run `oss-desk init --demo` or "
                "`oss-desk init --config FILE` first (or pass --db PATH)"
            )
        try:
            files.make_private_dir(parent)  # 0700, and each folder made above it
        except OSError as exc:
            why = {
                FileExistsError: f"{parent} is not a directory",
                NotADirectoryError: "part of the path is a file",
                PermissionError: "permission denied",
            }.get(type(exc), exc.strerror)
            raise StorageError(f"cannot create {path}: {why}") from None
        if not os.access(parent, os.W_OK):
            raise StorageError(f"cannot create {path}: {parent} is not writable")
    fstype = filesystem_type(parent if parent.exists() else Path.cwd())
    if fstype in NETWORK_FILESYSTEMS:
        raise StorageError(
            f"{path} is on a network filesystem ({fstype}): SQLite corrupts there, "
            "so keep the database on the host's local disk"
        )
    if create and not path.exists():
        # Private from the start: the -wal and -shm files SQLite creates take the same mode.
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass  # another process is creating it at this moment
        except OSError as exc:
            raise StorageError(f"cannot create {path}: {exc.strerror}") from None


def filesystem_type(path: Path, mountinfo: str | None = None) -> str | None:
    """The type of the filesystem holding ``path`` (from ``/proc/self/mountinfo``)."""
    if mountinfo is None:
        try:
            mountinfo = MOUNTINFO.read_text()
        except OSError:
            return None
    target = os.path.realpath(path)
    best: tuple[int, str] | None = None
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        if not sep:
            continue
        fields = left.split()
        if len(fields) < 5:
            continue
        mount_point = _unescape_mount(fields[4])
        if target == mount_point or target.startswith(mount_point.rstrip("/") + "/"):
            fstype = right.split()[0] if right.split() else ""
            if best is None or len(mount_point) >= best[0]:
                best = (len(mount_point), fstype)
    return best[1] if best else None


def _unescape_mount(text: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal (\040 ...).
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 3 < len(text) and text[i + 1 : i + 4].isdigit():
            out.append(chr(int(text[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def quick_check(store: Store) -> None:
    rows = [r[0] for r in store.conn.execute("PRAGMA quick_check").fetchall()]
    if rows != ["ok"]:
        detail = rows[0] if rows else "no answer"
        raise StorageError(
            f"{store.path} failed its integrity check ({detail}): restore it from the latest backup"
        )


def refuse_older_schema(store: Store) -> None:
    """Refuse a database made by an older release (migrations pending), in one line."""
    pending = pending_names(store.conn)
    if pending:
        raise StorageError(f"{store.path}: {upgrade_needed(store.conn, pending)}")


def upgrade_needed(conn: sqlite3.Connection, pending: list[str]) -> str:
    """What a database made by an older release needs, in one line (its schema and the one it
    would reach)."""
    applied = applied_names(conn)
    was = max(applied) if applied else "none"
    n = len(pending)
    return (
        f"made by an older oss-desk (schema {was} -> {schema_names()[-1]}, {n} migration"
        f"{'s' if n != 1 else ''} to apply): stop the worker and the desks, then run "
        "`oss-desk init` to upgrade it"
    )


def upgrade_copy(path: Path) -> list[str]:
    """Bring a private copy (``db restore``'s staged file of an older release's backup, which no
    other process knows) up to this release's schema; returns the migrations applied."""
    store = open_store(path, create=False, migrate=False, check=False)
    try:
        return apply_migrations(store)
    finally:
        store.close()


def apply_migrations(store: Store) -> list[str]:
    """Apply pending migrations once, however many processes start at the same moment."""
    if not pending_names(store.conn):
        return []
    migrations = build_migrations()
    db = store.db
    # BEGIN IMMEDIATE first: a deferred BEGIN would read "pending" and then fail to upgrade to
    # a write when another process got there first (measured: 4 of 5 processes failed).
    with store.write():
        pending = [m.name for m in migrations.pending(db)]
        migrations.apply(db)
        keep_earlier_message_ids(store.conn, pending)  # which release ran it: told by these
    return pending


def schema_version(store: Store) -> list[str]:
    return applied_names(store.conn)
