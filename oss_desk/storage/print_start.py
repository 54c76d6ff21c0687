"""Which print jobs an owner of the devices began to send, kept beside the database so that the
next owner can tell a job its lane never sent a byte of (it prints as the original) from one it
may have (it prints marked COPY).

A job handed to the owner as it is queued (or claimed by its lane) is started in the database
before any byte can leave, with no write of the lane's own before the first byte (a desk
holding the database's write lock never delays a ticket). So the lane notes the job in its
owner's own file, ``<database>.first-bytes.<owner>`` (created empty when the owner takes the
devices over), just before the first byte: an append of a line, no lock, no fsync. A process
that dies, even by kill -9, cannot lose it (its writes are the kernel's); a computer that stops
can. Hence the job's ``boot`` (schema/0078): only a job handed or claimed on this very boot,
whose owner's file is there and does not name it, certainly sent nothing. A file that cannot be
written is removed, so that its owner's jobs are not taken for unsent.

An owner that stops in order while a printer's answer is known but not written (the database
locked past its lanes' stop) notes that outcome in the same file (:func:`note_outcome`, a line
``=<job> <json>``): the next owner records it (:func:`noted_outcomes`) instead of printing the
ticket again marked COPY.

An owner that takes over jobs left mid-print copies into its own file, before its adoption of
them commits, what their owners' files said of each (:func:`carry_over`): so that, should it die
before it writes what became of them, the owner after it reads the same (the earlier files are
removed only once the adoption has committed, :func:`forget_others`).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
SUFFIX = ".first-bytes."


@cache
def host_boot() -> str | None:
    """This computer's boot (Linux's boot id); None where it cannot be told."""
    with contextlib.suppress(OSError):
        return BOOT_ID.read_text(encoding="ascii").strip() or None
    return None


def same_boot(boot: str | None) -> bool | None:
    """Whether a job handed or claimed on ``boot`` was so on this computer's present boot (so
    no note of it was lost); None: not known (not recorded, or this computer cannot tell)."""
    now = host_boot()
    return None if boot is None or now is None else boot == now


def marks_path(db: Path, owner: str) -> Path:
    return db.with_name(f"{db.name}{SUFFIX}{owner}")


def begin_marks(db: Path, owner: str) -> None:
    """``owner`` takes the devices over: its file, empty (none where it cannot be made: then its
    jobs left unsent are still printed marked COPY). Those of owners gone stay until it has
    adopted their jobs (:func:`forget_others`)."""
    with contextlib.suppress(OSError):
        os.close(os.open(marks_path(db, owner), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))


def forget_others(db: Path, owner: str) -> None:
    """The files of owners gone are removed: ``owner`` has adopted the jobs they left (read
    first, and carried over, by :meth:`oss_desk.worker.printing.PrintDelivery.recover`)."""
    for old in db.parent.glob(f"{db.name}{SUFFIX}*"):
        if old.name != marks_path(db, owner).name:
            with contextlib.suppress(OSError):
                old.unlink()


def carry_over(
    db: Path, owner: str, begun: Mapping[int, bool | None], noted: Mapping[int, dict[str, Any]]
) -> None:
    """``owner`` is about to adopt the jobs in ``begun``: its own file says of each what the
    file of the owner that left it said (:func:`began`: begun, not named, or not known) and the
    outcome that owner noted as it stopped (``noted``), written before the adoption commits.
    Where that cannot be written the owner's file is removed (then none of its jobs is taken
    for unsent, nor any outcome for known)."""
    lines = [f"{job}\n" for job, first in begun.items() if first is True]
    lines += [f"{NOT_KNOWN}{job}\n" for job, first in begun.items() if first is None]
    lines += [_outcome_line(job, outcome) for job, outcome in noted.items()]  # (after marks)
    path = marks_path(db, owner)
    if lines and _append(path, "".join(lines)) is False:
        with contextlib.suppress(OSError):
            path.unlink()


def mark_first_byte(db: Path, owner: str, job_id: int) -> None:
    """Bytes of job ``job_id`` may leave from now on (noted before the first one does). Where
    the note cannot be written the owner's file is removed (its unsent jobs then print marked
    COPY: nothing is taken for unsent that may have left)."""
    path = marks_path(db, owner)
    if _append(path, f"{job_id}\n") is False:
        with contextlib.suppress(OSError):
            path.unlink()
    # (no file: nothing of this owner's is taken for unsent)


def _append(path: Path, line: str) -> bool | None:
    """``line`` (ASCII) appended to the owner's file at ``path``: True; False: the write
    failed; None: there is no file to append to (never created here)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
    except OSError:
        return None
    data = line.encode("ascii")
    try:
        return os.write(fd, data) == len(data)
    except OSError:
        return False
    finally:
        os.close(fd)


def _lines(db: Path, owner: str | None) -> list[str] | None:
    if owner is None:
        return None
    try:
        return marks_path(db, owner).read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError):
        return None


def marked(db: Path, owner: str | None) -> frozenset[int] | None:
    """The jobs ``owner`` began to send (None: not known: no file of its own)."""
    lines = _lines(db, owner)
    return None if lines is None else frozenset(int(line) for line in lines if line.isdigit())


def began(db: Path, owner: str | None, job_id: int) -> bool | None:
    """Whether ``owner``'s file notes job ``job_id`` begun (True) or not (False); None: not
    known (no file of its own, or the job taken over from an owner whose file was not there,
    and not begun by ``owner`` since)."""
    lines = _lines(db, owner)
    if lines is None:
        return None
    found: bool | None = False
    for line in lines:
        if line == str(job_id):
            found = True
        elif line == f"{NOT_KNOWN}{job_id}":
            found = None
    return found


OUTCOME = "="
"""The start of a line that notes a job's outcome (a line of digits alone notes a first byte)."""
NOT_KNOWN = "?"
"""The start of a line that notes a job taken over whose first byte is not known (its earlier
owner's file was not there)."""


def _outcome_line(job_id: int, outcome: Mapping[str, Any]) -> str:
    given = json.dumps(outcome, separators=(",", ":"), default=str)  # (ASCII: escaped)
    return f"{OUTCOME}{job_id} {given}\n"


def note_outcome(db: Path, owner: str, job_id: int, outcome: dict[str, Any]) -> bool:
    """``owner`` stops with what became of job ``job_id`` known and not written: noted in its
    own file for the next owner (one line appended, no lock). False: it could not be (no file,
    or the disk refused): the job is then taken as begun, as before."""
    return bool(_append(marks_path(db, owner), _outcome_line(job_id, outcome)))


def noted_outcomes(db: Path, owner: str | None) -> dict[int, dict[str, Any]]:
    """The outcomes ``owner`` noted as it stopped (:func:`note_outcome`), by job: each job's
    latest line (a first byte noted after an outcome makes it stale); a line that cannot be
    read is passed over (its job is taken as begun)."""
    if owner is None:
        return {}
    try:
        text = marks_path(db, owner).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    found: dict[int, dict[str, Any]] = {}
    for line in text.splitlines():
        if line.isdigit():
            found.pop(int(line), None)
        elif line.startswith(OUTCOME):
            job, _, given = line[len(OUTCOME) :].partition(" ")
            with contextlib.suppress(ValueError):
                outcome = json.loads(given)
                if job.isdigit() and isinstance(outcome, dict):
                    found[int(job)] = outcome
    return found
