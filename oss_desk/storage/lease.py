"""The device lease: one owner of the printers, the board and the outbox at a time.

The lease is an exclusive lock on ``<database>.worker.lock`` (the kernel releases it the moment
the owner exits or dies, so a standby takes over at once; two processes can never hold it) plus
a heartbeat row in the database: who owns the devices, since when, and when it last beat.
Heartbeats use the real clock, even when ``OSS_DESK_NOW`` simulates another time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from oss_desk.domain.worker_faults import LaneFaultsSeen
from oss_desk.storage.holders import flock_held
from oss_desk.storage.rows import select_one


class WorkerLock:
    """An exclusive lock on ``<database>.worker.lock``; the OS releases it if the process dies."""

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self._handle: IO[str] | None = handle

    @staticmethod
    def path_for(db: Path) -> Path:
        return db.with_name(db.name + ".worker.lock")

    @classmethod
    def acquire(cls, db: Path) -> WorkerLock | None:
        """The lock, or None when another process (or another handle) holds it."""
        path = cls.path_for(db)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        handle = open(fd, "a+", encoding="utf-8")  # noqa: SIM115 - held for the process
        try:
            with contextlib.suppress(PermissionError):
                os.fchmod(fd, 0o600)  # whatever the umask, and a lock file made before
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        except OSError:
            handle.close()
            raise
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        return cls(path, handle)

    @classmethod
    def holder(cls, db: Path) -> int | None:
        """The process id the holder wrote (None: unknown)."""
        with contextlib.suppress(OSError, ValueError):
            text = cls.path_for(db).read_text().strip()
            return int(text) if text else None
        return None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def lock_held(db: Path) -> bool | None:
    """Whether some process holds the device lease of ``db`` now (None: cannot tell): costs
    microseconds, so a desk can ask every second (:func:`~oss_desk.storage.holders.flock_held`)."""
    return flock_held(WorkerLock.path_for(db))


# The heartbeat ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The heartbeat row: the process that owns the devices, and how it is doing."""

    pid: int
    host: str
    started_at: str
    """When this owner took over."""
    seen_at: str
    """Its last beat (the real clock)."""
    owner: str | None = None
    """The owner's token: only it may finish what it claimed."""
    role: str | None = None
    """``service`` (the systemd worker) or ``desk app DESK (process PID)`` (a standby)."""
    term: int = 0
    """How many owners there have been: each take-over adds one."""
    stopped_at: str | None = None
    """When it stepped down on purpose (None: running, or died)."""
    failing: str | None = None
    """Its lanes' recent faults, as its last beat said them (None: none)."""
    lane_faults: int = 0
    """The most of them that one lane failing now had (``oss_desk.domain.worker_faults``: a
    lane that keeps failing, or a blip; 0 with faults said: every lane has worked since, they
    are said as recovered)."""


def take_over(
    conn: sqlite3.Connection, *, owner: str, role: str, pid: int, host: str, now: str
) -> int:
    """Record a new owner of the devices (its token, role, process); returns its term."""
    row = conn.execute(
        "INSERT INTO worker_heartbeat (id, pid, host, started_at, seen_at, owner, role, term) "
        "VALUES (1, :pid, :host, :now, :now, :owner, :role, 1) "
        "ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, host = excluded.host, "
        "started_at = excluded.started_at, seen_at = excluded.seen_at, owner = excluded.owner, "
        "role = excluded.role, term = worker_heartbeat.term + 1, stopped_at = NULL, "
        "failing = NULL, lane_faults = 0 RETURNING term",
        {"pid": pid, "host": host, "now": now, "owner": owner, "role": role},
    ).fetchone()
    return int(row[0])


def beat(
    conn: sqlite3.Connection,
    *,
    pid: int,
    host: str,
    started_at: str,
    now: str,
    owner: str | None = None,
    failing: LaneFaultsSeen | None = None,
) -> bool:
    """The owner is alive (``failing``: its lanes' recent faults, or None). With ``owner``, only
    that owner's row is touched: False means another owner has taken over (this one must
    stop)."""
    if owner is None:
        conn.execute(
            "INSERT INTO worker_heartbeat (id, pid, host, started_at, seen_at) "
            "VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, "
            "host = excluded.host, started_at = excluded.started_at, seen_at = excluded.seen_at",
            [pid, host, started_at, now],
        )
        return True
    cur = conn.execute(
        "UPDATE worker_heartbeat SET seen_at = ?, failing = ?, lane_faults = ? "
        "WHERE id = 1 AND owner = ?",
        [
            now,
            failing.said if failing else None,
            failing.most_in_one_lane if failing else 0,
            owner,
        ],
    )
    return cur.rowcount == 1


def step_down(conn: sqlite3.Connection, *, owner: str, now: str) -> bool:
    """The owner stops on purpose: desks see at once that nobody owns the devices (and hand it
    no more print jobs). False: ``owner`` was not the owner (another has taken over)."""
    cur = conn.execute(
        "UPDATE worker_heartbeat SET stopped_at = ? WHERE id = 1 AND owner = ?", [now, owner]
    )
    return cur.rowcount == 1


def read_heartbeat(conn: sqlite3.Connection) -> Heartbeat | None:
    return select_one(conn, Heartbeat, "FROM worker_heartbeat WHERE id = 1")


def heartbeat(conn: sqlite3.Connection) -> tuple[int, str, str] | None:
    """``(pid, host, seen_at)`` of the last owner, or None if none ever ran."""
    found = read_heartbeat(conn)
    return (found.pid, found.host, found.seen_at) if found else None
