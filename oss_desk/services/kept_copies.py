"""The copies ``db restore`` keeps of the database it replaced (``<db>.before-restore-<stamp>``,
with a ``-wal`` beside it at times): the office's whole database as it stood, residents' details
included (a booking made after the restored backup lives only there). They are kept under the
backups' rule, ``backup.keep_days`` (:mod:`oss_desk.domain.backup_age`): ``doctor`` warns of
each, and the first ``db backup`` after that many days deletes it, as it deletes old backups.
"""

from __future__ import annotations

import fcntl
import glob
import os
import re
import shlex
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from oss_desk.domain.backup_age import age_said, backup_expired
from oss_desk.domain.plurals import counted
from oss_desk.domain.sizes import size_said
from oss_desk.storage.holders import flock_held

KEPT_INFIX = ".before-restore-"
SIDE_FILES = ("-wal", "-shm", "-journal")
STAGED = re.compile(r"\.restore-\d{8}T\d{6}Z(?:-(?P<pid>\d+))?\.partial$")
"""The hidden copy a restore stages beside the database (``.<db>.restore-<stamp>-<pid>.partial``,
the process making it named; an older release's names none; its lock beside it, see
:data:`RUNNING_SUFFIX`) until it is put in place. A
restore killed before that leaves it, and the files beside it (its ``-wal``, ``-shm``, write
lock, settings cache): a whole copy of the backup, residents' details included, even those
erased since (review33)."""


RUNNING_SUFFIX = ".running"
"""The file beside a staged copy whose ``flock`` its restore holds for its whole run: while it
is held, the copy is that restore's work, not a leftover. Not the pid in the name: a pid is
given again to another process once the restore is killed, and that hid the copy (doctor
said nothing, the next restore left it)."""


def staged_path(db: Path, stamp: str) -> Path:
    """Where this process's restore of ``db`` stages its copy."""
    return db.parent / f".{db.name}.restore-{stamp}-{os.getpid()}.partial"


def _running_path(staged: Path) -> Path:
    return staged.with_name(staged.name + RUNNING_SUFFIX)


def hold_staging(staged: Path) -> int:
    """Take the lock that says the restore staging ``staged`` is running (before the copy is
    made; until :func:`release_staging`); its descriptor. The kernel lets it go if the
    restore is killed."""
    path = _running_path(staged)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:  # another restore may have deleted it as a leftover before it was locked
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def release_staging(staged: Path, fd: int) -> None:
    """Delete the lock file of the restore that staged ``staged`` and let its lock go (once
    the copy and its files are gone)."""
    _running_path(staged).unlink(missing_ok=True)
    os.close(fd)


def _running(path: Path) -> bool:
    """The restore that staged ``path`` is still running (it holds the lock beside it)."""
    return flock_held(_running_path(path)) is True


_STAGED_BASE = re.compile(r"^(.*\.restore-\d{8}T\d{6}Z(?:-\d+)?\.partial)")


def _staged(db: Path) -> list[Path]:
    """The copies staged beside ``db`` by restores no longer running, by name, whether the
    copy is still there or only files made beside it are (a restore killed once its copy was
    in place leaves its lock and settings cache)."""
    try:
        found = db.parent.glob(f".{glob.escape(db.name)}.restore-*.partial*")
        names = {m[1] for p in found if (m := _STAGED_BASE.match(p.name)) is not None}
    except OSError:
        return []
    return sorted(p for n in names if not _running(p := db.parent / n))


def restore_leftovers(db: Path) -> list[Path]:
    """The copies staged beside ``db`` by restores that were stopped before they finished
    (not one still running), oldest name first."""
    return [p for p in _staged(db) if p.is_file()]


def _leftover_files(path: Path) -> list[Path]:
    """A staged copy and every file made beside it (its name followed by more)."""
    try:
        return sorted(path.parent.glob(f"{glob.escape(path.name)}*"))
    except OSError:
        return [path]


def remove_leftovers(db: Path, keep_days: int | None = None) -> list[Path]:
    """Delete the copies that stopped restores left beside ``db`` (only those older than
    ``keep_days``, when given), with their files (without ``keep_days``, also the files left
    beside a copy no longer there); the copies deleted."""
    now = time.time()
    doomed = [
        p
        for p in _staged(db)
        if keep_days is None or (p.is_file() and backup_expired(_made(p, now), now, keep_days))
    ]
    for path in doomed:
        for leftover in _leftover_files(path):
            leftover.unlink(missing_ok=True)
    return doomed


def _ages_and_files(copies: Sequence[Path], files: Callable[[Path], list[Path]]) -> tuple[str, str]:
    """Each copy's name and age (``NAME (3 days old), ...``), and every file of theirs, as
    typed after ``rm``."""
    now = time.time()
    ages = ", ".join(f"{p.name} ({age_said(now - _made(p, now))} old)" for p in copies)
    return ages, " ".join(shlex.quote(str(f)) for p in copies for f in files(p))


def leftovers_said(db: Path) -> str | None:
    """``doctor``'s words for the copies stopped restores left beside ``db`` (None: none)."""
    left = restore_leftovers(db)
    if not left:
        return None
    many = len(left) != 1
    ages, typed = _ages_and_files(left, _leftover_files)
    return (
        f"{counted(len(left), 'hidden copy', 'hidden copies')} of a backup left beside the "
        f"database by `oss-desk db restore` stopped before it finished: {ages}; "
        f"{'they hold' if many else 'it holds'} residents' details, even those erased since: "
        f"delete {'them' if many else 'it'}: `rm {typed}` (the next `oss-desk db restore` "
        f"deletes {'them' if many else 'it'} too)"
    )


def kept_copies(db: Path) -> list[Path]:
    """The copies kept beside ``db`` by its restores, oldest name first (their ``-wal`` not
    counted apart: it goes with its copy)."""
    try:
        found = db.parent.glob(f"{glob.escape(db.name)}{KEPT_INFIX}*")
        return sorted(p for p in found if not p.name.endswith(SIDE_FILES) and p.is_file())
    except OSError:
        return []


def _made(path: Path, default: float) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return default


def _with_side_files(path: Path) -> list[Path]:
    return [path, *(f for s in SIDE_FILES if (f := path.with_name(path.name + s)).exists())]


def prune_kept(db: Path, keep_days: int) -> list[Path]:
    """Delete the copies kept beside ``db`` that are older than ``keep_days`` (by their file's
    time, as backups), with their side files, and the copies stopped restores left as old;
    the ones deleted."""
    now = time.time()
    doomed = [p for p in kept_copies(db) if backup_expired(_made(p, now), now, keep_days)]
    for path in doomed:
        for side in SIDE_FILES:
            path.with_name(path.name + side).unlink(missing_ok=True)
        path.unlink(missing_ok=True)
    return doomed + remove_leftovers(db, keep_days)


def kept_said(db: Path, keep_days: int) -> str | None:
    """``doctor``'s words for the copies kept beside ``db`` (None: there are none): how old,
    what they hold, when they go, and the ``rm`` to run once looked at."""
    kept = kept_copies(db)
    if not kept:
        return None
    many = len(kept) != 1
    ages, typed = _ages_and_files(kept, _with_side_files)
    size = size_said(sum(p.stat().st_size for p in kept if p.exists()))
    return (
        f"{counted(len(kept), 'copy', 'copies')} of the database kept by `oss-desk db restore` "
        f"beside it: {ages}, {size}; {'they hold' if many else 'it holds'} the office's "
        "database as it stood before the restore, residents' details included (what was "
        "recorded after the restored backup is only there); once looked at, delete "
        f"{'them' if many else 'it'}: `rm {typed}` (the first `oss-desk db backup` after "
        f"backup.keep_days, {counted(keep_days, 'day')}, deletes {'them' if many else 'it'})"
    )


def copies_hold_said(copies: Sequence[Path], keep_days: int, held: str) -> str:
    """``resident forget``'s and ``find``'s words for the ``copies`` kept by restores that may
    still hold ``held`` (what was erased): which, and the ``rm`` that deletes them now."""
    many = len(copies) != 1
    names = ", ".join(p.name for p in copies)
    typed = " ".join(shlex.quote(str(f)) for p in copies for f in _with_side_files(p))
    them = "them" if many else "it"
    return (
        f"{counted(len(copies), 'copy', 'copies')} of the database kept by `oss-desk db "
        f"restore` beside it ({names}) may still hold {held}: once looked at, delete {them} "
        f"(`rm {typed}`); else the first `oss-desk db backup` after backup.keep_days "
        f"({counted(keep_days, 'day')}) deletes {them}."
    )


__all__ = [
    "copies_hold_said",
    "hold_staging",
    "kept_copies",
    "kept_said",
    "leftovers_said",
    "prune_kept",
    "release_staging",
    "remove_leftovers",
    "restore_leftovers",
    "staged_path",
]
