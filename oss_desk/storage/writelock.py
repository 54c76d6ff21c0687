"""Writers take turns, and everyone hears when one has finished.

**The write lock.** SQLite lets one connection write at a time. A writer that finds the database
busy sleeps in SQLite's busy handler: in growing steps (up to 100 ms) while the lock may already
be free, and in no particular order, so under a burst of desks some wait far longer than others.
Every write transaction of oss-desk therefore first takes an exclusive ``flock`` on
``<database>.write.lock`` (:class:`WriteLock`), then ``BEGIN IMMEDIATE``, and lets it go after
``COMMIT`` or ``ROLLBACK``. Waiters sleep in the kernel, queued in the order they came (Linux
queues exclusive waiters of one lock behind each other), and the next one is woken the moment
the lock is let go. Nothing serves the lock: the kernel drops it when its process exits or is
killed -9. A writer that does not take it (the ``sqlite3`` shell, a backup) still meets SQLite's
own lock and its busy timeout, which stay as the backstop.

**The ring.** After its ``COMMIT``, while still holding its turn, a writer writes one byte to the
lock file (:meth:`WriteLock.ring`): listeners watching it (:mod:`oss_desk.storage.doorbell`) wake
when the commit can already be seen, not a moment before as with the WAL file.

``flock`` locks belong to an open file (not to a process, as ``fcntl`` record locks do), so two
threads of one process (a desk app and the device worker it runs) take turns like two processes.
A wait is bounded by the busy timeout: past it, the write is refused as busy, as SQLite's own
lock does (a helper thread waits in the queue for the caller, so the caller can give up).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import threading
from pathlib import Path

LOCK_SUFFIX = ".write.lock"


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + LOCK_SUFFIX)


def open_beside(db: Path, path: Path | None = None) -> int | None:
    """The lock file's descriptor (created with the database's own permissions); None when it
    cannot be opened (then writes rely on SQLite's lock alone). ``path``: another file beside
    the database, made the same way."""
    path = path or lock_path(db)
    try:
        mode = stat.S_IMODE(os.stat(db).st_mode) & 0o666
    except OSError:
        mode = 0o600
    flags = os.O_CLOEXEC | os.O_CREAT
    for access in (os.O_RDWR, os.O_RDONLY):  # a read-only copy can still be locked
        try:
            return os.open(path, flags | access, mode)
        except OSError:
            flags = os.O_CLOEXEC
    return None


class _Waiter:
    """Waits in the kernel's queue for the lock on behalf of one connection's thread, so that
    the wait can end at a deadline (a blocking ``flock`` cannot be given one)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.cond = threading.Condition()
        self.state = "idle"  # idle | wanted | granted | abandoned | broken
        self.thread = threading.Thread(target=self._run, name="oss-desk-write-turn", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            with self.cond:
                while self.state != "wanted":
                    self.cond.wait()
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX)
            except OSError:
                with self.cond:
                    self.state = "broken"
                    self.cond.notify_all()
                return
            with self.cond:
                if self.state == "abandoned":  # the caller gave up meanwhile: pass it on
                    with contextlib.suppress(OSError):
                        fcntl.flock(self.fd, fcntl.LOCK_UN)
                    self.state = "idle"
                else:
                    self.state = "granted"
                    self.cond.notify_all()

    def take(self, timeout: float) -> bool | None:
        """True: held; False: not within ``timeout``; None: the lock cannot be used."""
        with self.cond:
            if self.state == "broken":
                return None
            self.state = "wanted"  # (still queued from an abandoned wait: this one adopts it)
            self.cond.notify_all()
            self.cond.wait_for(lambda: self.state in ("granted", "broken"), timeout)
            if self.state == "granted":
                self.state = "idle"
                return True
            if self.state == "broken":
                return None
            self.state = "abandoned"
            return False


class WriteLock:
    """The turn of one connection to write (see the module's documentation)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self._fd: int | None = None
        self._opened = False
        self._waiter: _Waiter | None = None
        self.held = False

    def _descriptor(self) -> int | None:
        if not self._opened:
            self._opened = True
            self._fd = open_beside(self.db)
        return self._fd

    def acquire(self, timeout: float) -> bool:
        """Wait for our turn, at most ``timeout`` seconds. True: held (release it); False: the
        lock file cannot be used here (the write goes on with SQLite's lock alone). Raises
        :class:`TimeoutError` when the turn did not come in time."""
        fd = self._descriptor()
        if fd is None:
            return False
        waiter = self._waiter
        try:
            if waiter is not None and waiter.state != "idle":
                # Still queued from a wait given up on: take that place (locking the same open
                # file here would succeed at once and the queued request would then undo it).
                raise BlockingIOError
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiter is None:
                waiter = self._waiter = _Waiter(fd)
            got = waiter.take(timeout)
            if got is None:
                return False
            if not got:
                raise TimeoutError(f"no turn to write within {timeout:g} s") from None
        except OSError:
            return False
        self.held = True
        return True

    def ring(self) -> None:
        """Say that a commit has just finished: one byte written to the lock file, which every
        doorbell watches (:mod:`oss_desk.storage.doorbell`). Unlike the WAL file, which is written
        before its commit can be seen, this rings once the commit is visible, so a listener's
        first look finds it. Harmless when it cannot be written (a read-only copy)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.pwrite(self._fd, b"\n", 0)

    def release(self) -> None:
        if self.held and self._fd is not None:
            self.held = False
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.release()
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
