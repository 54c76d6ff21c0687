"""Where unexpected faults are written: code locations only, never what someone typed."""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime

from oss_desk import __version__, files
from oss_desk.paths import log_dir


def write_fault_report(exc: BaseException, where: str) -> str | None:
    """Keep the exception type and the code locations for the developers; return the file.

    Messages are left out on purpose: they may quote what a resident or an adviser typed.
    """
    try:
        folder = log_dir()
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = folder / f"fault-{where}-{stamp}-{os.getpid()}.txt"
        frames = traceback.format_list(traceback.extract_tb(exc.__traceback__))
        files.write_private(
            path,
            f"oss-desk {__version__} ({where})\n"
            f"{type(exc).__module__}.{type(exc).__qualname__}\n" + "".join(frames),
            make_dirs=True,
        )
        return str(path)
    except OSError:
        return None
