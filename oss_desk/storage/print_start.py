"""The mark a print job's lane writes just before the first byte of the job may leave
(``started_at``), and the boot of the computer it was handed or claimed on (``boot``,
schema/0078), so that an owner of the devices that died before sending a byte leaves a job the
next owner prints as the original, not marked COPY.

The mark is committed without fsync (``synchronous = NORMAL`` for that commit: the WAL is still
written, and synced by the next durable commit or checkpoint): a process that dies, even by
kill -9, cannot lose it, since its writes are the kernel's; a computer that stops can. Hence the
boot: a job whose boot is not this one's may have lost its mark, and prints marked COPY.
"""

from __future__ import annotations

import contextlib
from functools import cache
from pathlib import Path

from oss_desk.storage.database import Store

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


@cache
def host_boot() -> str | None:
    """This computer's boot (Linux's boot id); None where it cannot be told."""
    with contextlib.suppress(OSError):
        return BOOT_ID.read_text(encoding="ascii").strip() or None
    return None


def bytes_may_leave(store: Store, job_id: int, owner: str, now: str) -> None:
    """Mark job ``job_id`` (claimed by ``owner``) started: from now on bytes of it may reach
    the printer. Committed before they can, without fsync (see the module)."""
    conn = store.conn
    (before,) = conn.execute("PRAGMA synchronous").fetchone()
    conn.execute("PRAGMA synchronous = NORMAL")
    try:
        with store.write() as w:
            w.execute(
                "UPDATE print_jobs SET started_at = coalesce(started_at, ?) "
                "WHERE id = ? AND owner = ?",
                [now, job_id, owner],
            )
    finally:
        conn.execute(f"PRAGMA synchronous = {int(before)}")


def same_boot(boot: str | None) -> bool | None:
    """Whether a job handed or claimed on ``boot`` was so on this computer's present boot (so
    no mark of it was lost); None: not known (not recorded, or this computer cannot tell)."""
    now = host_boot()
    return None if boot is None or now is None else boot == now
