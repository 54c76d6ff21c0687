"""The modes of what oss-desk made before its folders were made 0700 and its files 0600.

Older versions made the data folder, the demo folder, the log folder and the backups folder
0755, and the database, its ``-wal`` and ``-shm``, backups and logs 0644. Opening an office
(a desk, the worker, ``init``, ``demo``: the opens that check the database) tightens them, but
only what is oss-desk's own:

- the folders oss-desk made for itself and names: the data folder (``~/.local/share/oss-desk``;
  not systemd's ``$STATE_DIRECTORY``, whose mode the unit's ``StateDirectoryMode`` sets at each
  start), its ``demo`` and ``log`` folders, and the default ``backups`` folder beside a
  database in one of those (or in systemd's state folder); and every file of this account
  directly in them;
- the database's own files wherever it is (those whose names begin with the database's name),
  and its backups in the ``backups`` folder beside it (``NAME-STAMP.sqlite`` and their heads).

Never a folder above them (a home, ``~/.local``), the folder a ``--db`` path is in, nor a
``backups`` folder beside it (either may be someone's own: ``~/backups`` beside
``~/office.sqlite``), nor a ``backup.folder`` someone chose: ``oss-desk doctor`` names those with
the exact ``chmod`` to run (:func:`loose`).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import stat
from dataclasses import dataclass
from pathlib import Path

from oss_desk import paths
from oss_desk.files import PRIVATE_DIR, PRIVATE_FILE


@dataclass(frozen=True, slots=True)
class Loose:
    """A file or folder wider than private."""

    path: Path
    mode: int
    folder: bool
    ours: bool
    """oss-desk's own (it tightens it when it opens the office); else only the doctor says."""

    def said(self, db: Path) -> str:
        """Its path (beside the database: as from the database's folder) and mode."""
        beside = self.path != db.parent and self.path.is_relative_to(db.parent)
        return f"{self.path.relative_to(db.parent) if beside else self.path} {self.mode:04o}"


def remedy(found: list[Loose]) -> str:
    """The exact ``chmod`` commands that make ``found`` private; for the database's folder when
    that is shared (``/tmp``, a home), a folder of its own instead."""
    said = []
    for mode, folder in ((PRIVATE_FILE, False), (PRIVATE_DIR, True)):
        these = [shlex.quote(str(x.path)) for x in found if x.folder is folder and x.ours]
        if these:
            said.append(f"chmod {mode:o} {' '.join(these)}")
    for x in found:
        if x.ours:
            continue
        where = shlex.quote(str(x.path))
        if str(x.path) == os.environ.get(paths.STATE_ENV):
            said.append(f"StateDirectoryMode=0700 in the units ({where} is systemd's to set)")
        elif x.mode & (stat.S_ISVTX | 0o002) or x.path == Path.home():
            said.append(f"keep the database in a folder of its own, not in {where}")
        else:
            said.append(f"chmod {PRIVATE_DIR:o} {where} if only oss-desk keeps files there")
    return "; ".join(said)


def own_folders(db: Path) -> list[Path]:
    """The folders oss-desk made for itself, named for it (see the module's words)."""
    state = os.environ.get(paths.STATE_ENV)
    found = [paths.demo_dir(), paths.log_dir()]
    if not state:
        found.insert(0, paths.data_dir())
    if db.parent in found or str(db.parent) == state:
        found.append(paths.default_backup_folder(db))
    return found


def _of_this_db(db: Path, folder: Path, name: str) -> bool:
    """A file named as this database's own (beside it) or as one of its backups."""
    if folder == db.parent:
        return name.startswith(db.name)
    backup = name.startswith(f"{db.stem}-") and name.endswith((".sqlite", ".sqlite.head"))
    return folder == paths.default_backup_folder(db) and backup


def tighten_office(db: Path) -> list[Path]:
    """Make oss-desk's own folders 0700 and its files 0600 (what older versions made 0755 and
    0644); what it changed. Nothing of another account, no symbolic link, nothing it cannot
    change is touched, and a failure is left to the doctor to report."""
    changed = []
    for item in _ours(db):
        with contextlib.suppress(OSError):
            os.chmod(item.path, PRIVATE_DIR if item.folder else PRIVATE_FILE)
            changed.append(item.path)
    return changed


def loose(db: Path) -> list[Loose]:
    """Everything of this office wider than private: oss-desk's own (see :func:`own_folders`),
    the folder the database is in and the backups folder beside it."""
    found = _ours(db)
    own = own_folders(db)
    for folder in (db.parent, paths.default_backup_folder(db)):
        mode = None if folder in own else _mode(folder, directory=True)
        if mode is not None:
            found.append(Loose(folder, mode, folder=True, ours=False))
    return found


def _ours(db: Path) -> list[Loose]:
    """oss-desk's own folders and files (see the module's words) wider than private."""
    found: list[Loose] = []
    folders = own_folders(db)
    for folder in folders:
        mode = _mode(folder, directory=True)
        if mode is not None:
            found.append(Loose(folder, mode, folder=True, ours=True))
    seen = set()
    for folder in [db.parent, paths.default_backup_folder(db), *folders]:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                mine = folder in folders or _of_this_db(db, folder, entry.name)
                if not mine or entry.path in seen:
                    continue
                seen.add(entry.path)
                mode = _mode(Path(entry.path), directory=False)
                if mode is not None:
                    found.append(Loose(Path(entry.path), mode, folder=False, ours=True))
    return sorted(found, key=lambda x: x.path)


def _mode(path: Path, *, directory: bool) -> int | None:
    """The mode of this account's folder (or regular file) at ``path`` when wider than private;
    None when it is private, missing, someone else's, or a link."""
    try:
        info = path.lstat()
    except OSError:
        return None
    kind = stat.S_ISDIR if directory else stat.S_ISREG
    if not kind(info.st_mode) or info.st_uid != os.geteuid():
        return None
    mode = stat.S_IMODE(info.st_mode)
    return mode if mode & 0o077 else None
