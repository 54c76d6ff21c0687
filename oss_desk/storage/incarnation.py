"""Which copy of the office's database a file holds, told by three fields of its header.

Overwriting the database in place (``cp BACKUP office.sqlite``) keeps the file's device and
inode, so the identity check of :class:`~oss_desk.storage.database.Store` (one ``stat``) cannot
see it. The file's header can:

* offset 18 is 2 in a live database (WAL mode, always) and 1 in a copy ``db backup`` made (a
  rollback-journal file, one self-contained file);
* ``PRAGMA user_version`` (offset 60) holds the *live stamp*: a random number given to the
  office's database when ``init`` creates it or first finds it without one, and to every file
  ``db restore`` puts in place;
* ``PRAGMA application_id`` (offset 68) holds the *file's own stamp*: the live stamp in the live
  file, a fresh one in every copy ``db backup`` makes. So a backup copy says that it is one
  (its two stamps differ) wherever it is put.

A process reads these fields (one ``pread`` of 54 bytes from a descriptor it keeps open, well
under a microsecond) when it opens the database and wherever it checks the file's identity:
before each write transaction, after each commit and at each change-detection tick. Read
outside SQLite on purpose: after an overwrite SQLite's page cache can still hold the old page 1
(the WAL index did not change), so a ``PRAGMA`` would answer with what was there before.

The stamps never change in a live file once given (every later version of page 1 that a
checkpoint writes carries the same bytes), except from none to its first, which a running
process accepts.

One descriptor per file and process, shared by its stores and closed with the last of them:
closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's too.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shlex
import sqlite3
import struct
import threading
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from urllib.parse import quote

from oss_desk.errors import DatabaseOverwritten, InvalidInput

HEAD = struct.Struct(">16s2xB41xi4xi")
"""The first 72 bytes: the magic string, the write version (2: WAL), ``user_version`` and
``application_id``."""
MAGIC = b"SQLite format 3\x00"
WAL = 2

Head = tuple[bytes, int, int, int]
"""(magic string, write version, live stamp, file's own stamp)."""

_guards: list[sqlite3.Connection] = []
"""Read-only connections to overwritten files, open for the rest of the process (see
:meth:`FileHead.hold_wal`)."""
_lock = threading.Lock()
_held: dict[tuple[int, int], list[int]] = {}
"""(device, inode) -> [descriptor, stores using it]."""


def file_identity(path: Path) -> tuple[int, int]:
    """(device, inode) of the file at ``path`` (raises FileNotFoundError when there is none):
    what a replacement (``os.replace``, a restore) changes and an overwrite in place keeps."""
    st = os.stat(path)
    return (st.st_dev, st.st_ino)


def head_of(fd: int) -> Head | None:
    """The header's fields in the file open as ``fd`` (one ``pread``; None: shorter)."""
    try:
        raw = os.pread(fd, HEAD.size, 0)
    except OSError:
        return None
    if len(raw) < HEAD.size:
        return None
    magic, mode, live, own = HEAD.unpack(raw)
    return (magic, mode, live, own)


def fresh_stamp() -> int:
    """A random stamp: never 0 (no stamp)."""
    return secrets.randbelow(2**31 - 1) + 1


class FileHead:
    """The stamps this process saw in its database file, and a look at them now."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._key: tuple[int, int] | None = None
        self._fd = -1
        self.seen: Head | None = None
        self.overwritten = False
        self.cut_short: tuple[Head | None] | None = None
        """The header an overwrite was told by, while the file was cut short (:meth:`changed`;
        in a tuple: the file may have had no header at all)."""
        self._guarded = False
        self._closer: weakref.WeakMethod[Callable[[], None]] | None = None
        with _lock:
            try:
                st = os.stat(path)
            except OSError:
                return
            key = (st.st_dev, st.st_ino)
            held = _held.get(key)
            if held is None:
                try:
                    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
                except OSError:
                    return
                # A file swapped in between is looked at all the same (the identity check
                # names the swap); its descriptor stays open with the process.
                after = os.fstat(fd)
                if (after.st_dev, after.st_ino) != key:
                    return
                held = _held[key] = [fd, 0]
            held[1] += 1
            self._key, self._fd = key, held[0]
        self.settle()

    def read(self) -> Head | None:
        """The fields now (None: the file is shorter than its header)."""
        return head_of(self._fd)

    def settle(self) -> None:
        """Take what the file says now as what this process opened (at the end of opening)."""
        if self._fd >= 0:
            self.seen = self.read()

    def changed(self) -> str | None:
        """How the file's content was replaced since it was opened, or None."""
        if self._fd < 0 or self.seen is None:
            return None
        now = head_of(self._fd)
        if now == self.seen:
            return None
        if _live(now) and (self.seen[2:] == (0, 0) or self.seen[2] != self.seen[3]):
            self.seen = now  # stamped live for the first time since this process opened it
            return None
        self.hold_wal()
        if now is None or now[0] != MAGIC:
            self.cut_short = (now,)
        return _overwritten_how(now)

    def retold(self) -> tuple[str, str] | None:
        """Once an overwrite was told by a file cut short (a ``cp`` seen after it emptied the
        file, before it wrote the copy's first bytes) and the header now reads whole: how it
        was told and how it is told now (a backup's copy, say), once; None otherwise."""
        if self._fd < 0 or self.cut_short is None:
            return None
        now = head_of(self._fd)
        if now is None or now[0] != MAGIC:
            return None  # still cut short, or no database: as told
        (told,), self.cut_short = self.cut_short, None
        return _overwritten_how(told), _overwritten_how(now)

    def hold_wal(self) -> None:
        """Keep the WAL beside the file out of it. That WAL holds the overwritten database's
        newest pages, not the copy's, and SQLite folds it into the file when the last
        connection closes; not while another holds the file open, as this read-only one does
        (it cannot fold anything in itself), here and for every other process, for as long as
        this process runs.

        A file cut short to nothing (``cp`` truncates it first, then writes): SQLite deletes
        the WAL of an empty file a connection opens, so the WAL is kept under a second name
        (a hard link: the same bytes) while the guard opens, then put back under its own."""
        if not self.overwritten:
            self.overwritten = True
            atexit.register(self._at_exit)  # its store closes while the guard holds the file
        if self._guarded:
            return
        wal = self.path.with_name(self.path.name + "-wal")
        kept: Path | None = None
        if os.fstat(self._fd).st_size == 0:
            kept = wal.with_name(f"{wal.name}.{os.getpid()}.kept")
            try:
                os.link(wal, kept)
            except FileNotFoundError:
                kept = None  # no WAL to keep
            except OSError:
                return  # no second name here: no guard yet (a later look tries again)
        try:
            guard = sqlite3.connect(
                f"file:{quote(str(self.path.absolute()))}?mode=ro", uri=True, isolation_level=None
            )
            guard.execute("BEGIN")
            guard.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        except sqlite3.Error:
            return
        finally:
            if kept is not None:  # (if that fails, the bytes are kept under the second name)
                with contextlib.suppress(OSError):
                    os.replace(kept, wal)
        _guards.append(guard)
        self._guarded = True

    def refuse_copy(self) -> bool:
        """Refuse to open a file that says it is a backup's copy put by hand where a database
        was in use (a ``-wal``, ``-shm`` or write lock beside it), or that was overwritten by a
        copy while other processes have it open (it would wait the busy timeout for them, then
        say "locked"). True: a backup's copy used on its own at a new path (a training copy),
        to be stamped live once open."""
        now = self.seen
        if now is None and self._cut_over_wal():
            raise DatabaseOverwritten(
                f"{self.path} is empty while the WAL beside it holds the database's newest "
                "pages: a copy is being written over it (`cp`)? Nothing read it (SQLite deletes "
                "the WAL of an empty file it opens), and this process writes nothing to it: "
                "check it once the copy is written",
                cli_hint="`oss-desk db check`",
            )
        if now is None or now[0] != MAGIC:
            return False  # SQLite says what it is
        _, mode, live, own = now
        if not _stamped(now) and _is_backup(self.path):  # an older release's too: no stamp
            raise InvalidInput(backup_refused(self.path))
        if live != own and not _in_use_here(self.path):
            return True
        if live != own:
            self.settle()  # another process opening it as a copy of its own may have stamped it
            if _stamped(self.seen):
                return False
            raise DatabaseOverwritten(_copy_said(self.path))
        # A whole database (one stamp twice) in rollback-journal mode is in use only with its
        # WAL or shared memory beside it (VACUUM INTO, moved in with nothing running); one
        # with no stamp where a database lived is an older release's backup put over it.
        if mode != WAL and (_open_here(self.path) if live else _in_use_here(self.path)):
            self.settle()  # another process opening it may have switched it to WAL just now
            if _live(self.seen):
                return False
            raise DatabaseOverwritten(_overwritten_said(self.path))
        return False

    def _cut_over_wal(self) -> bool:
        """The file is empty and a WAL with pages is beside it (:func:`empty_over_wal`)."""
        try:
            return os.fstat(self._fd).st_size == 0 and _wal_has_pages(self.path)
        except OSError:
            return False

    def on_exit(self, close: Callable[[], None]) -> None:
        """``close`` (a store's) is called at exit once its file was overwritten (see
        :meth:`hold_wal`); the head does not keep the store alive."""
        self._closer = weakref.WeakMethod(close)

    def _at_exit(self) -> None:
        close = self._closer() if self._closer is not None else None
        if close is not None:
            close()

    def close(self) -> None:
        key, self._key = self._key, None
        if key is None:
            return
        with _lock:
            held = _held.get(key)
            if held is not None:
                held[1] -= 1
                if held[1] <= 0:
                    del _held[key]
                    os.close(held[0])
        self._fd = -1


def _wal_has_pages(path: Path) -> bool:
    try:
        return path.with_name(path.name + "-wal").stat().st_size > 0
    except OSError:
        return False


class EmptyOverWal(sqlite3.OperationalError):
    """A database file not opened: it is empty and a WAL with pages is beside it
    (:func:`refuse_empty_over_wal`). An SQLite error, so every opener says it as it says a
    file it cannot open."""

    sqlite_errorcode = sqlite3.SQLITE_CANTOPEN
    sqlite_errorname = "SQLITE_CANTOPEN"


def refuse_empty_over_wal(path: Path) -> None:
    """Raise :class:`EmptyOverWal` when the file at ``path`` is empty and a WAL with pages is
    beside it: called before every connection this package opens to an existing database.

    Never a state SQLite leaves (it writes page 1 before it makes a WAL), but a ``cp`` that has
    truncated the file and not yet written it, or a file emptied (``: > office.sqlite``) under
    running desks, which keep its WAL while they run. SQLite deletes the WAL beside a file with
    no pages when a connection first reads it, a read-only one too, and that WAL holds the
    newest changes: where ``db restore`` reads the ticket codes given out today. Nothing is
    read from such a file, and nothing is lost (the file says nothing)."""
    try:
        empty = os.stat(path).st_size == 0
    except OSError:
        return  # no file there: the opener says so
    if empty and _wal_has_pages(path):
        raise EmptyOverWal(
            f"{path} is empty while the WAL beside it holds the database's newest pages: not "
            "opened (SQLite deletes the WAL of an empty file it opens)"
        )


def copy_refused(path: Path) -> str | None:
    """Why every process refuses the file at ``path`` (what :meth:`FileHead.refuse_copy` raises
    for a backup's copy put over the database in use), or None: read from its header outside
    SQLite, so nothing opens the file (a ``db restore`` is not kept waiting by it) and no WAL
    beside it is folded in."""
    try:
        with open(path, "rb") as f:
            now = head_of(f.fileno())
    except OSError:
        return None
    if now is None or now[0] != MAGIC:
        return None
    _, mode, live, own = now
    if live != own and _in_use_here(path):
        return _copy_said(path)
    if mode != WAL and (_open_here(path) if live else _in_use_here(path)):
        return _overwritten_said(path)
    return None


def _copy_said(path: Path) -> str:
    return (
        f"{path} is a copy made by `oss-desk db backup` (its header says so), "
        "not the office's live database: was a backup copied over it? What the office "
        "saved after that backup is not in it (its ticket codes would be given out "
        "again), so this process writes nothing more to it: `oss-desk db check` says "
        "more; `oss-desk db restore BACKUP` puts a backup in place properly"
    )


def _overwritten_said(path: Path) -> str:
    return (
        f"{path} was overwritten in place by a copy that is not a live database "
        "(a backup?) where the office's database was in use: nothing was saved, and "
        "this process writes nothing more to it; stop the desks and the worker, then "
        "`oss-desk db check`"
    )


def _live(head: Head | None) -> bool:
    """A live database's header: SQLite's, WAL mode, one stamp twice."""
    return head is not None and head[:2] == (MAGIC, WAL) and head[2] == head[3] != 0


def _stamped(head: Head | None) -> bool:
    """One stamp twice: a live database's header, in WAL mode or (adopted a moment ago, not
    yet switched) not."""
    return head is not None and head[0] == MAGIC and head[2] == head[3] != 0


HEAD_SUFFIX = ".head"


def head_file(backup: Path) -> Path:
    """Where a backup's event log head is written: beside it, ``NAME.sqlite.head``."""
    return backup.with_name(backup.name + HEAD_SUFFIX)


def _is_backup(path: Path) -> bool:
    """Whether ``path`` is a file ``db backup`` made, where it made it or copied with its
    ``.head`` (the event log's head written beside every backup)."""
    return head_file(path).exists()


def backup_refused(path: Path) -> str:
    """The line refusing a command on a backup: opening it would stamp it live (it would no
    longer say it is a copy, and copied over the office later it would not be refused), and
    ``init`` would upgrade one an older release made in place (no longer the backup it was)."""
    shown = shlex.quote(str(path))
    older = older_schema(path)
    if older is not None:
        return (
            f"{path} is a backup (its .head is beside it) made by an older release (schema "
            f"{older}): `oss-desk db restore {shown}` restores an upgraded copy; for a training "
            f"copy, copy it and `init` the copy (`cp {shown} training.sqlite`, then "
            "`oss-desk --db training.sqlite init`). No command opens a backup, `init` included, "
            "so it stays as it was made"
        )
    return (
        f"{path} is a backup (made by `oss-desk db backup`; its .head is beside it): commands "
        "do not open a backup, so it stays as it was made. For a training copy, copy it to a "
        f"path of its own (`cp {shown} training.sqlite`, then `--db training.sqlite`); to put "
        f"it back as the office's database, `oss-desk db restore {shown}`"
    )


def older_schema(path: Path) -> str | None:
    """The newest migration of a file an older release made (migrations of this release not
    in it), or None: at this release's schema, or not readable as an oss-desk database. Read
    as an immutable file: no lock taken, no journal or WAL looked for, nothing written."""
    from oss_desk.storage.migrations import applied_names, pending_names

    uri = f"file:{quote(str(path.absolute()))}?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        applied = applied_names(conn)
        return max(applied) if applied and pending_names(conn) else None
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _in_use_here(path: Path) -> bool:
    """Whether a database was in use at ``path``: its WAL, shared memory or write lock (which
    oss-desk leaves from the first write on) is beside it."""
    from oss_desk.storage.writelock import lock_path

    return _open_here(path) or lock_path(path).exists()


def _open_here(path: Path) -> bool:
    """Whether a process may have the database at ``path`` open now: its WAL or shared memory is
    beside it (SQLite removes both when the last connection closes; the write lock stays for
    good, so a whole database moved in with nothing running, a ``VACUUM INTO`` compaction, is
    not taken for an overwrite under running processes)."""
    return any(path.with_name(path.name + end).exists() for end in ("-wal", "-shm"))


def _overwritten_how(now: Head | None) -> str:
    return "overwritten in place: its content was replaced (" + _what(now) + ")"


def _what(now: Head | None) -> str:
    if now is None or now[0] != MAGIC:
        return "it is cut short or no database: a copy was being written over it?"
    if now[2] != now[3]:
        return "by a copy made by `oss-desk db backup`: was a backup copied over it?"
    if now[1] != WAL:
        return "by a copy that is not a live database: a backup?"
    return "by another copy of the database"


def stamp_live(
    write: Callable[[], AbstractContextManager[sqlite3.Connection]], head: FileHead
) -> None:
    """Give the live database its stamp if it has none (``init``, a new database), through its
    store's ``write`` and ``head``: desks that opened it unstamped accept this first stamp."""
    with write() as conn:
        live = conn.execute("PRAGMA user_version").fetchone()[0]
        own = conn.execute("PRAGMA application_id").fetchone()[0]
        if live == own != 0:
            return
        _set(conn, fresh_stamp(), live=True)
    # Page 1 into the file now, where other processes look (never waits: later checkpoints
    # would carry it there as well).
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    head.settle()


def adopt_copy(path: Path, timeout: float) -> None:
    """Stamp a backup's copy live as the first thing written to it, before its switch to WAL
    (a training copy used at a path of its own): several processes opening it at once take
    turns (SQLite's write lock, ``timeout``), and the first stamps it while the others find it
    stamped, so none of them meets its WAL beside a copy that still says it is one."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=timeout)
    try:
        conn.execute("BEGIN IMMEDIATE")
        live = conn.execute("PRAGMA user_version").fetchone()[0]
        own = conn.execute("PRAGMA application_id").fetchone()[0]
        if not live == own != 0:
            _set(conn, fresh_stamp(), live=True)
        conn.execute("COMMIT")
        # Page 1 into the file, where other processes look (a copy an earlier command opened
        # without writing is in WAL mode already).
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        conn.close()


def stamp_file(path: Path, *, live: bool) -> None:
    """A fresh stamp in a file no other process knows yet: a backup's copy (its own stamp
    only: it says it is a copy) or the file ``db restore`` puts in place (both: live)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        with conn:
            _set(conn, fresh_stamp(), live=live)
    finally:
        conn.close()


def _set(conn: sqlite3.Connection, stamp: int, *, live: bool) -> None:
    conn.execute(f"PRAGMA application_id = {int(stamp)}")
    if live:
        conn.execute(f"PRAGMA user_version = {int(stamp)}")


def copy_problems(path: Path) -> list[str]:
    """What ``db check`` says about a file that is a backup's copy at the office's path, or
    that was overwritten in place under running processes."""
    try:
        with open(path, "rb") as f:
            now = head_of(f.fileno())
    except OSError:
        return []
    if now is None or now[0] != MAGIC:
        return []
    _, mode, live, own = now
    problems: list[str] = []
    if live != own and _in_use_here(path):
        problems.append(
            "a copy made by `oss-desk db backup` (its header says so), not put in place by "
            "`oss-desk db restore`: the office's database was overwritten with an older copy "
            "(what was saved after that backup is not here); desks refuse to open it: "
            "`oss-desk db restore BACKUP` puts a backup in place"
        )
    shm = path.with_name(path.name + "-shm")
    if mode != WAL and shm.exists():
        problems.append(
            "the file is not in WAL mode but its -shm file is beside it: it was overwritten "
            "in place while processes had it open"
        )
    return problems
