"""Who holds a file's lock (a POSIX lock, asked with ``F_GETLK``), the database held by one
connection alone (``init``'s upgrade), and the browser desks' server's lease.

``oss-desk serve`` opens the database only for a moment (its settings, at start and at each
sign-in), so nothing of SQLite's tells another process that it runs. It holds a shared lock on
``<database>.serve.lock`` for its whole life instead: the kernel drops it when the server exits
or is killed -9, and the lock names the server's process to whoever asks (``init``, which must
not upgrade the schema under a server that starts an older release's desks on it).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
from pathlib import Path

from oss_desk.storage.database import Store, translate_errors

SERVE_LEASE_SUFFIX = ".serve.lock"


def lock_holder(path: Path, start: int = 0, length: int = 0) -> int | None:
    """The process id of another process holding a POSIX lock on ``length`` bytes of ``path``
    from ``start`` (0: to the end), else None (no such file, or nobody). Takes nothing; never
    reports this process's own locks (POSIX locks are per process)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        # struct flock: l_type, l_whence, l_start, l_len, l_pid (Linux x86-64/arm64 layout).
        query = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, start, length, 0)
        try:
            answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
        except OSError:
            return None
        l_type, _, _, _, pid = struct.unpack("hhqqi", answer)
        return int(pid) if l_type != fcntl.F_UNLCK else None
    finally:
        os.close(fd)


def flock_held(path: Path) -> bool | None:
    """Whether some process holds a ``flock`` on ``path`` now (the device lease, a running
    restore's lock): False when nobody does or there is no such file, None when it cannot be
    told. Takes a shared lock for an instant without creating anything: costs microseconds."""
    try:
        # A bare descriptor: no file object (a ticket's issue asks this on its way to print).
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def hold_alone(store: Store) -> None:
    """Hold the database file for this connection alone until it closes (``locking_mode =
    EXCLUSIVE``, then an empty ``BEGIN EXCLUSIVE``): StorageBusy after the busy timeout while
    another process has it open (every connection to a WAL database holds a shared lock on the
    file); a process that opens it meanwhile, of any release, waits for it up to its own busy
    timeout, then reads what this connection left, or gives up having written nothing
    ("database locked"). ``init`` upgrades under it."""
    conn = store.conn
    with translate_errors(store.path):
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")


def serve_lease_path(db: Path) -> Path:
    return db.with_name(db.name + SERVE_LEASE_SUFFIX)


class ServeLease:
    """A shared lock on ``<database>.serve.lock`` (several servers on one database may hold it
    at once), held until :meth:`release` or the process ends."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    @classmethod
    def hold(cls, db: Path) -> ServeLease:
        """Take the lease (OSError: the file cannot be made or locked beside the database)."""
        # Read only: a shared lock needs no more (nothing is ever written in it).
        fd = os.open(serve_lease_path(db), os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            with contextlib.suppress(PermissionError):
                os.fchmod(fd, 0o600)  # whatever the umask
            fcntl.lockf(fd, fcntl.LOCK_SH)
        except BaseException:
            os.close(fd)
            raise
        return cls(fd)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the process's POSIX locks on the file
            self._fd = None


def server_of(db: Path) -> int | None:
    """The process id of an ``oss-desk serve`` running on ``db`` (None: none)."""
    return lock_holder(serve_lease_path(db))


__all__ = ["ServeLease", "hold_alone", "lock_holder", "serve_lease_path", "server_of"]
