"""Where an office's backups are and which is the newest: asked by ``db backup`` and ``db
check`` (through :mod:`oss_desk.services.backups`), by ``doctor``'s backups line, and by the
refusal of a command whose database is missing (which names the newest backup to restore)."""

from __future__ import annotations

import fcntl
import os
import re
import shlex
import sqlite3
import stat
from pathlib import Path

from oss_desk.paths import default_backup_folder
from oss_desk.storage.incarnation import MAGIC

BACKUP_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<n>\d+))?\.sqlite$")
FOLDER_ENV = "OSS_DESK_BACKUP__FOLDER"
DATABASE_SUFFIXES = (".sqlite", ".sqlite3", ".db")
"""A file named so, without SQLite's header, is taken for a damaged database, not a mistake."""
PARTIAL_NAME = re.compile(
    r"^\.+(?P<stem>[^.].*)-(?P<stamp>\d{8}T\d{6}Z(?:-\d+)?)\.sqlite[^/]*\.partial[^/]*$"
)
"""A backup's unfinished files: ``.NAME.sqlite.partial`` (the copy, which the backup writing it
holds locked), its ``-journal``, and the head written beside it (``.NAME.sqlite.head.partial``)."""


def backup_folder(db: Path, folder: str | None) -> Path:
    """Where the backups of ``db`` go: ``folder`` (``backup.folder``, or its
    ``OSS_DESK_BACKUP__FOLDER`` override), else ``backups/`` beside the database. The one rule:
    ``db backup``, ``init``'s copy before an upgrade and ``db check`` ask it."""
    return Path(folder).expanduser() if folder else default_backup_folder(db)


def backups_in(folder: Path, stem: str) -> list[Path]:
    """The backups of the database named ``stem`` in ``folder``, oldest first."""
    found: list[tuple[str, int, Path]] = []
    try:
        entries = list(folder.iterdir()) if folder.is_dir() else []
    except OSError:  # a folder this account may not read
        return []
    for entry in entries:
        match = BACKUP_NAME.match(entry.name)
        if match and match["stem"] == stem and entry.is_file():
            found.append((match["stamp"], int(match["n"] or 1), entry))
    return [p for _, _, p in sorted(found)]


def not_a_backup(path: Path) -> str | None:
    """Why ``path``, the file given to ``db restore``, cannot be an oss-desk backup at all (not
    an SQLite file and not named as a database, such as ``site.toml``; or an SQLite database
    without oss-desk's migrations): a mistaken argument, said before anything is asked. None:
    it may be one (a missing, unreadable or damaged file is the restore's to say). A pipe, a
    socket or a device is never a backup, and is not opened: a pipe with no writer would wait
    for one forever."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return (
            f"{path} is not an oss-desk backup (not a file but a pipe, socket or device): "
            "give a file `oss-desk db backup` made"
        )
    try:
        with path.open("rb") as f:
            start = f.read(len(MAGIC))
    except OSError:
        return None
    if start != MAGIC:
        if path.suffix in DATABASE_SUFFIXES:
            return None  # a database's name: a damaged one, said as such by the restore
        what = "an empty file" if not start else "not an SQLite database file"
        return f"{path} is not an oss-desk backup ({what}): give a file `oss-desk db backup` made"
    try:
        conn = sqlite3.connect(f"file:{path.absolute().as_posix()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except (sqlite3.Error, UnicodeDecodeError):  # damaged: SQLite's message may quote its bytes
        return None
    if "_sqlite_migrations" in tables:
        return None
    return (
        f"{path} is not an oss-desk backup (an SQLite database of something else): give a file "
        "`oss-desk db backup` made"
    )


def partial_of(target: Path) -> Path:
    """The name a backup to ``target`` is written under until it is verified."""
    return target.with_name(f".{target.name}.partial")


def hold_new(partial: Path) -> int:
    """Create ``partial`` (0600, failing if it exists) and hold it locked (``flock``, let go by
    the kernel when the process ends, killed -9 too): the mark of a backup still being
    written, which :func:`stale_partials` leaves alone. The open descriptor, to close when
    done."""
    for _ in range(3):
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(partial).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass  # taken for a stale one in the instant before it was locked: make it again
        os.close(fd)
    raise FileExistsError(f"{partial} was removed as it was made")


def stale_partials(folder: Path, stem: str, *, remove: bool = False) -> list[Path]:
    """The unfinished files of backups of the database named ``stem`` in ``folder`` that no
    live backup is writing: left by one killed mid-copy (kill -9, a power cut, the host's
    OOM killer), they hold the residents' data too. With ``remove``, deleted (each under its
    copy's lock, so a backup starting that moment is never touched)."""
    try:
        names = sorted(e.name for e in folder.iterdir()) if folder.is_dir() else []
    except OSError:
        return []
    owners: dict[Path, list[Path]] = {}
    for name in names:
        match = PARTIAL_NAME.match(name)
        if match and match["stem"] == stem:
            owner = folder / f".{stem}-{match['stamp']}.sqlite.partial"
            owners.setdefault(owner, []).append(folder / name)
    stale: list[Path] = []
    for owner, leftovers in owners.items():
        try:
            fd = os.open(owner, os.O_RDONLY)
        except FileNotFoundError:
            fd = None
        except OSError:
            continue  # cannot be read by this account: not ours to judge
        try:
            if fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # a backup is writing it now
            stale.extend(leftovers)
            if remove:
                for path in leftovers:
                    path.unlink(missing_ok=True)
        finally:
            if fd is not None:
                os.close(fd)
    return stale


def folder_of_missing(config: Path | None) -> str | None:
    """The ``backup.folder`` of a database that is not there (so its stored settings cannot be
    read): the configuration the command was given (``--config``, with its
    ``OSS_DESK_BACKUP__FOLDER`` override), else the override alone. A file that does not load
    leaves the override alone (its own error is said where it is loaded)."""
    if config is not None:
        from oss_desk.config import load_file  # only on this error path: pydantic is large
        from oss_desk.errors import OssDeskError

        try:
            return load_file(config).backup.folder or None
        except (OssDeskError, OSError, ValueError):
            pass
    return os.environ.get(FOLDER_ENV) or None


def newest_backup_of_missing(db: Path, config: Path | None = None) -> Path | None:
    """The newest backup of ``db``, a database that is not there: in the backup folder of the
    configuration the command was given (:func:`folder_of_missing`), else in ``backups/``
    beside it."""
    found = backups_in(backup_folder(db, folder_of_missing(config)), db.stem)
    return found[-1] if found else None


def missing_said(db: Path, config: Path | None = None) -> str | None:
    """What is said of ``db``, a database that is not there, when a backup of it is: restore
    the newest first (an office whose file went: a mistaken ``rm``, a wrong OSS_DESK_DB; ``init``
    would start an empty office). None when it has no backup. ``config``: the configuration
    file the command was given (its ``backup.folder`` is where the backups are)."""
    newest = newest_backup_of_missing(db, config)
    if newest is None:
        return None
    return (
        f"no database at {db}: restore its newest backup, `oss-desk --db {shlex.quote(str(db))} "
        f"db restore {shlex.quote(str(newest))}` (a new office: `oss-desk init`)"
    )


__all__ = [
    "BACKUP_NAME",
    "FOLDER_ENV",
    "PARTIAL_NAME",
    "backup_folder",
    "backups_in",
    "folder_of_missing",
    "hold_new",
    "missing_said",
    "newest_backup_of_missing",
    "not_a_backup",
    "partial_of",
    "stale_partials",
]
