"""README, Files: everything oss-desk writes is 0600 and the folders it makes 0700, whatever the
umask: the data folder (and each folder made above it), the log folder and the desk app
worker's log, whose lines also say which database they are about (the demo's and the office's
desk apps share the file)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

from .conftest import ROOT, site_toml

STANDBY = """
import sys, time
from pathlib import Path
from oss_desk.services.session import open_session
from oss_desk.worker.standby import desk_standby

session = open_session(person="tl", desk_id="desk-1")
standby = desk_standby(session, config=None, desk_id="desk-1")
assert standby is not None
log = Path(sys.argv[1])
deadline = time.monotonic() + 30
while "owns the devices" not in (log.read_text() if log.exists() else ""):
    assert time.monotonic() < deadline, "the worker never said it owns the devices"
    time.sleep(0.05)
standby.close()
session.close()
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _under_umask_022(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    full.update(env, PYTHONPATH=str(ROOT))
    return subprocess.run(
        ["sh", "-c", 'umask 022 && exec "$@"', "sh", sys.executable, *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=90,
        cwd=ROOT,
    )


def test_folders_made_are_0700_and_the_worker_log_0600_naming_its_database(
    tmp_path: Path,
) -> None:
    xdg = tmp_path / "home" / ".local" / "share"  # none of it there yet
    env = {"XDG_DATA_HOME": str(xdg)}
    config = tmp_path / "site.toml"
    config.write_text(site_toml(), encoding="utf-8")
    done = _under_umask_022(["-m", "oss_desk", "init", "--config", str(config)], env)
    assert done.returncode == 0, done.stderr
    data = xdg / "oss-desk"
    db = data / "oss-desk.sqlite"
    assert _mode(db) == 0o600
    for folder in (data, xdg, xdg.parent):
        assert _mode(folder) == 0o700, folder

    log = data / "log" / "worker.log"
    started = time.monotonic()
    ran = _under_umask_022(["-c", STANDBY, str(log)], env)
    assert ran.returncode == 0, ran.stderr
    assert time.monotonic() - started < 90
    assert _mode(data / "log") == 0o700
    assert _mode(log) == 0o600
    lines = log.read_text(encoding="utf-8").splitlines()
    owns = [line for line in lines if "owns the devices" in line]
    assert owns and all(f"[{db}]" in line for line in owns), lines


ROTATED = """
import logging, os, sys
from pathlib import Path
from oss_desk.worker.standby import _log_to_file

log = Path(sys.argv[1])
_log_to_file(Path("office.sqlite"))
logging.getLogger("oss_desk.worker").info("before the rotation")
os.rename(log, log.with_name("worker.log.1"))  # as logrotate does, while the desk runs
logging.getLogger("oss_desk.worker").info("after the rotation")
"""


def test_the_worker_log_moved_away_by_logrotate_is_started_again_0600(tmp_path: Path) -> None:
    """A desk app runs for days: once logrotate moved its log away, it writes to a new file at
    the same path (0600 whatever the umask), not on into the rotated one."""
    env = {"XDG_DATA_HOME": str(tmp_path / "share")}
    log = tmp_path / "share" / "oss-desk" / "log" / "worker.log"
    ran = _under_umask_022(["-c", ROTATED, str(log)], env)
    assert ran.returncode == 0, ran.stderr
    assert "before the rotation" in log.with_name("worker.log.1").read_text(encoding="utf-8")
    now = log.read_text(encoding="utf-8")
    assert "after the rotation" in now and "before the rotation" not in now
    assert _mode(log) == 0o600
