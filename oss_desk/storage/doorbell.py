"""Hear other processes' commits the moment they happen.

Every commit in WAL mode writes to ``<database>-wal`` (readers only touch ``-shm``), so a
watch on that file with Linux inotify wakes a desk when any process commits (another desk, the
device worker, the ``sqlite3`` shell), instead of at its next poll of ``PRAGMA data_version``.
The watch only says *when* to look: what changed is still read through the change feed
(:mod:`oss_desk.storage.changes`), and the poll stays as the fallback (another system, no WAL
file yet, the inotify limit reached: then :attr:`Doorbell.fd` is None and nothing rings).
A checkpoint that truncates or restarts the WAL also rings: a look that finds nothing new.
The WAL file is written a moment before its commit can be seen (its frames are synced before
the shared index is updated), so oss-desk's writers also ring the write lock file beside the
database once their commit can be seen (:mod:`oss_desk.storage.writelock`); both are watched.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import select
from functools import lru_cache
from pathlib import Path

from oss_desk.storage.writelock import lock_path

__all__ = ["Doorbell", "wal_path"]

_IN_MODIFY = 0x00000002
_IN_NONBLOCK = 0o4000
_IN_CLOEXEC = 0o2000000
_READ_BYTES = 65536
"""Room for 4,096 events of a watched file (16 bytes each): all that is queued, as a rule."""


def wal_path(db: Path) -> Path:
    return db.with_name(db.name + "-wal")


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        libc.inotify_init1  # noqa: B018 - present on Linux only
        libc.inotify_add_watch  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


class Doorbell:
    """Rings when ``path`` (or any of ``also``) is written to (inotify ``IN_MODIFY``); see the
    module. ``fd`` is None when none of them can be watched."""

    def __init__(self, path: Path, *also: Path) -> None:
        self.path = path
        self.fd: int | None = None
        libc = _libc()
        watched = [p for p in (path, *also) if p.exists()]
        if libc is None or not watched:
            return
        fd = libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
        if fd < 0:
            return
        added = [libc.inotify_add_watch(fd, os.fsencode(p), _IN_MODIFY) for p in watched]
        if all(wd < 0 for wd in added):
            os.close(fd)
            return
        self.fd = fd

    @classmethod
    def for_rings(cls, db: Path) -> Doorbell:
        """Rings only once an oss-desk writer's commit to ``db`` can be seen (its ring of the
        write lock file, :meth:`oss_desk.storage.writelock.WriteLock.ring`), not at each WAL
        write of a commit still on its way (a listener woken then finds nothing new, and takes
        a processor from the committing desk)."""
        return cls(lock_path(db))

    @classmethod
    def for_printers(cls, db: Path, bell: Path) -> Doorbell:
        """A printer lane's: :meth:`for_rings`, and ``bell``, where a desk says a job for a
        printer is about to be committed (:mod:`oss_desk.storage.print_bell`)."""
        return cls(lock_path(db), bell)

    @classmethod
    def for_commits(cls, db: Path) -> Doorbell:
        """Rings when any process commits to the database at ``db``: its WAL file changes (any
        writer, a moment before the commit can be seen), and oss-desk's writers ring the write
        lock file once the commit can be seen (:meth:`oss_desk.storage.writelock.WriteLock.ring`).
        """
        return cls(wal_path(db), lock_path(db))

    def drain(self) -> bool:
        """Read what rang, without waiting; whether anything did. One read: a commit in progress
        writes its WAL frames one by one, and reading until none is left would race those
        writes, taking a processor from the committing desk for the whole commit (what rings
        after this read rings the next wait, which then looks once more)."""
        if self.fd is None:
            return False
        while True:
            try:
                return bool(os.read(self.fd, _READ_BYTES))
            except BlockingIOError:
                return False
            except OSError as exc:
                if exc.errno != errno.EINTR:
                    return False

    def wait(self, timeout: float) -> bool:
        """Until it rings or ``timeout`` seconds pass; whether it rang (then drained)."""
        if self.fd is None:
            return False
        try:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        except (OSError, ValueError):
            return False
        return bool(ready) and self.drain()

    def close(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None
