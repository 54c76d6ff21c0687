"""``doctor``'s backups line, and its word for a database that is not there.

The backups are where ``db backup`` puts them (:func:`oss_desk.services.backup_files.
backup_folder`, the one rule). A folder this account cannot write (``db backup`` run once as
root makes ``backups/`` root's) fails every nightly backup after it: the check fails and says the
``chown``. A newest backup older than a day and a bit, or none, is a warning.
"""

from __future__ import annotations

import os
import pwd
import shlex
import time
from pathlib import Path

from oss_desk.domain.backup_age import (
    KEEP_DAYS,
    STALE_HOURS,
    age_said,
    backup_expired,
    backup_stale,
)
from oss_desk.domain.plurals import counted
from oss_desk.domain.sizes import size_said
from oss_desk.services.backup_files import (
    backup_folder,
    backups_in,
    missing_said,
    stale_partials,
)
from oss_desk.services.doctor_checks import Check, fail, free_bytes, ok, warn
from oss_desk.services.kept_copies import kept_said, leftovers_said

NAME = "backups"
ROOM_SPARE = 64 << 10
"""Beyond a copy's own size: its head file and the journal SQLite writes beside the copy."""


def backups(db: Path, folder_setting: str | None, keep_days: int | None = None) -> Check:
    """The backup folder of ``db`` (``backup.folder``: ``folder_setting``) and its newest
    backup's age by the real clock (backups are files written at real times, even when
    OSS_DESK_NOW simulates the office's day); a warning too for backups older than
    ``backup.keep_days`` (``keep_days``, else its default: they hold details purged or erased
    since), and for the
    unfinished files of a backup that was killed mid-copy (they hold personal data)."""
    check = _newest(db, folder_setting)
    folder = backup_folder(db, folder_setting)
    days = KEEP_DAYS if keep_days is None else keep_days
    found = (
        _too_old(folder, db.stem, days),
        _unfinished(folder, db.stem),
        kept_said(db, days),
        leftovers_said(db),
    )
    notes = [n for n in found if n]
    if not notes:
        return check
    said = "; and ".join([check.detail, *notes])
    return fail(NAME, said) if check.status == "fail" else warn(NAME, said)


def _too_old(folder: Path, stem: str, keep_days: int) -> str | None:
    return too_old_said(folder, stem, keep_days)


def too_old_said(folder: Path, stem: str, keep_days: int, *, keep: int | None = None) -> str | None:
    """The backups in ``folder`` older than ``backup.keep_days`` (by their file's time), in
    one line: how many, the oldest and its age, and that the next backup deletes them; None:
    none. With ``keep`` (``backup.keep``, said by ``init``), how to keep them instead: a
    larger ``keep`` does not (``keep_days`` is the most a backup is kept, however many)."""
    now = time.time()
    old = [p for p in backups_in(folder, stem) if backup_expired(_mtime(p, now), now, keep_days)]
    if not old:
        return None
    many = len(old) != 1
    oldest = min(old, key=lambda p: _mtime(p, now))  # by its file's time, as they are deleted
    said = (
        f"{counted(len(old), 'backup')} older than backup.keep_days ({counted(keep_days, 'day')}), "
        f"the oldest {oldest.name} ({age_said(now - _mtime(oldest, now))} old): "
        f"{'they hold' if many else 'it holds'} details purged or erased since"
    )
    them = "them" if many else "it"
    if keep is None:
        return f"{said} (the next `oss-desk db backup` deletes {them})"
    kept = (
        f" (backup.keep = {keep} does not: backup.keep_days is the most days a backup is kept, "
        "however many there are)"
        if keep > keep_days
        else ""
    )
    return (
        f"{said}, and the next `oss-desk db backup` deletes {them}: set backup.keep_days "
        f"to keep {them}{kept}"
    )


def _unfinished(folder: Path, stem: str) -> str | None:
    left = stale_partials(folder, stem)
    if not left:
        return None
    size = sum(_size(p) for p in left) >> 20
    return (
        f"{len(left)} unfinished backup file{'s' if len(left) != 1 else ''} ({size} MiB of "
        f"personal data) left by a backup that was stopped mid-copy: "
        f"{', '.join(p.name for p in left)} (the next `oss-desk db backup` deletes "
        f"{'them' if len(left) != 1 else 'it'})"
    )


def _mtime(path: Path, default: float) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return default


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _newest(db: Path, folder_setting: str | None) -> Check:
    folder = backup_folder(db, folder_setting)
    if folder.exists() and not folder.is_dir():
        return fail(NAME, f"{folder} is not a folder: `oss-desk db backup` cannot write there")
    if not folder.exists():
        if folder_setting:
            return fail(
                NAME,
                f"the backup folder {folder} does not exist: create it (or mount the disk); "
                "`oss-desk db backup` refuses until then",
            )
        place = folder.parent  # the default folder: the first backup makes it
        if not _writable(place):
            return fail(NAME, f"none yet, and {_cannot_write(place)}")
        return _none_yet(folder)
    if not _writable(folder):
        return fail(NAME, _cannot_write(folder))
    found = backups_in(folder, db.stem)
    room = _no_room(folder, _size(found[-1] if found else db))
    if not found:
        return fail(NAME, f"none yet: {room}") if room else _none_yet(folder)
    newest = found[-1]
    age = time.time() - newest.stat().st_mtime
    said = f"newest {newest.name}, {age_said(age)} ago, in {folder}"
    if room is not None:
        return fail(NAME, f"{said}; but {room}")
    if backup_stale(age):
        return warn(
            NAME,
            f"{said}: over {STALE_HOURS:g} h old, the nightly backup has stopped (see "
            "`systemctl status oss-desk-backup`, or run `oss-desk db backup`)",
        )
    return ok(NAME, said)


def _no_room(folder: Path, size: int) -> str | None:
    """What is said when the backup folder's disk has no room for a copy the size of the last
    backup (of the database, before the first), with a tenth to spare: ``db backup`` would
    fail there (exit 75) however often it is run."""
    need = size + size // 10 + ROOM_SPARE
    try:
        free = free_bytes(folder)
    except OSError:
        return None
    if free >= need:
        return None
    return (
        f"no room for the next backup in {folder} (needs about {size_said(need)}, "
        f"{size_said(free)} free): every `oss-desk db backup` fails until some space is freed "
        "there (or old backups moved off it)"
    )


def _none_yet(folder: Path) -> Check:
    return warn(NAME, f"none yet in {folder}: run `oss-desk db backup` (the nightly unit does)")


def _writable(folder: Path) -> bool:
    effective = os.access in os.supports_effective_ids
    return os.access(folder, os.W_OK | os.X_OK, effective_ids=effective)


def _cannot_write(folder: Path) -> str:
    me = _account(os.geteuid())
    owner = _account(folder.stat().st_uid)
    typed = f"chown -R {shlex.quote(me + ':')} {shlex.quote(str(folder))}"
    return (
        f"{folder} is not writable by this account ({me}; it belongs to {owner}): every "
        f"`oss-desk db backup` as {me} fails (a backup run once as another account, such as "
        f"root, makes it theirs); to fix: `{typed}`"
    )


def _account(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def missing_database(db: Path, config: Path | None) -> str:
    """``doctor``'s database line for a database that is not there (``config``: the
    configuration file it was given, whose ``backup.folder`` holds the backups)."""
    return missing_said(db, config) or f"no database at {db} (run `oss-desk init`)"


__all__ = ["backups", "missing_database"]
