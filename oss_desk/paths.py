"""Where files live. Pure: nothing is created at import time or by these functions."""

from __future__ import annotations

import os
from pathlib import Path

APP = "oss-desk"
DB_ENV = "OSS_DESK_DB"
CONFIG_ENV = "OSS_DESK_CONFIG"
STATE_ENV = "STATE_DIRECTORY"
"""Set by systemd for a unit with ``StateDirectory=`` (its mode is the unit's to set)."""


def data_dir() -> Path:
    """``$STATE_DIRECTORY`` under systemd, else the user data dir (``~/.local/share/oss-desk``)."""
    state = os.environ.get(STATE_ENV)
    if state:
        return Path(state.split(":")[0])
    import platformdirs  # only when no folder is given (OSS_DESK_DB, STATE_DIRECTORY)

    return platformdirs.user_data_path(APP)


def default_db_path() -> Path:
    return data_dir() / "oss-desk.sqlite"


def demo_db_path() -> Path:
    return data_dir() / "demo" / "oss-desk-demo.sqlite"


def demo_dir() -> Path:
    return demo_db_path().parent


def log_dir() -> Path:
    return data_dir() / "log"


def default_backup_folder(db: Path) -> Path:
    """Where backups go when ``backup.folder`` is not set: ``backups`` beside the database (the
    only backup folder oss-desk makes itself)."""
    return db.parent / "backups"


def new_backup_path(folder: Path, db: Path, stamp: str) -> Path:
    """``<db stem>-<stamp>.sqlite`` in ``folder`` (``-2``, ``-3`` ... when taken): a backup's
    name, as ``db restore`` and the pruning of old copies know it."""
    name = f"{db.stem}-{stamp}.sqlite"
    n = 1
    while (folder / name).exists():
        n += 1
        name = f"{db.stem}-{stamp}-{n}.sqlite"
    return folder / name
