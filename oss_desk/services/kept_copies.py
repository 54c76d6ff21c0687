"""The copies ``db restore`` keeps of the database it replaced (``<db>.before-restore-<stamp>``,
with a ``-wal`` beside it at times): the office's whole database as it stood, residents' details
included (a booking made after the restored backup lives only there). They are kept under the
backups' rule, ``backup.keep_days`` (:mod:`oss_desk.domain.backup_age`): ``doctor`` warns of
each, and the first ``db backup`` after that many days deletes it, as it deletes old backups.
"""

from __future__ import annotations

import glob
import shlex
import time
from collections.abc import Sequence
from pathlib import Path

from oss_desk.domain.backup_age import age_said, backup_expired
from oss_desk.domain.plurals import counted
from oss_desk.domain.sizes import size_said

KEPT_INFIX = ".before-restore-"
SIDE_FILES = ("-wal", "-shm", "-journal")


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
    time, as backups), with their side files; the ones deleted."""
    now = time.time()
    doomed = [p for p in kept_copies(db) if backup_expired(_made(p, now), now, keep_days)]
    for path in doomed:
        for side in SIDE_FILES:
            path.with_name(path.name + side).unlink(missing_ok=True)
        path.unlink(missing_ok=True)
    return doomed


def kept_said(db: Path, keep_days: int) -> str | None:
    """``doctor``'s words for the copies kept beside ``db`` (None: there are none): how old,
    what they hold, when they go, and the ``rm`` to run once looked at."""
    kept = kept_copies(db)
    if not kept:
        return None
    now = time.time()
    many = len(kept) != 1
    ages = ", ".join(f"{p.name} ({age_said(now - _made(p, now))} old)" for p in kept)
    typed = " ".join(shlex.quote(str(f)) for p in kept for f in _with_side_files(p))
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


__all__ = ["copies_hold_said", "kept_copies", "kept_said", "prune_kept"]
