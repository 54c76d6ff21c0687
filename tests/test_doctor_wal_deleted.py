"""doctor once the database's WAL (its latest changes) was deleted under a running desk: its
integrity line named the case, then added ": restore from a backup", which would lose what the
desk still holds. It now says what the desks, the worker and the commands say (close every desk
and stop the worker normally, then start again), and nothing of a backup.

Real processes, real files: a desk process kept open, doctor on the command line."""

from __future__ import annotations

import os
from pathlib import Path

from .conftest import make_db, run_cli_process, site_toml
from .test_wal_deleted import _ask, _desk


def test_doctor_says_to_close_the_desks_not_to_restore(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    env = {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": "2026-11-23T09:30:00+00:00"}
    desk = _desk(db)
    try:
        assert _ask(desk, "C") == "issued C001"  # in the WAL the desk holds open
        os.unlink(f"{db}-wal")
        done = run_cli_process("doctor", env=env)
        line = next(x for x in done.stdout.splitlines() if " integrity: " in x)
        assert done.returncode == 1, done.stdout + done.stderr
        assert line.startswith("fail  integrity: office.sqlite-wal, the file beside"), line
        assert "close every desk and stop the worker normally (never kill -9" in line, line
        assert "backup" not in line, line  # before: "...then start again: restore from a backup"

        assert desk.stdin is not None
        desk.stdin.close()  # the desk closed normally: what it held is in the database
        assert desk.wait(10) == 0
    finally:
        if desk.poll() is None:
            desk.kill()
            desk.wait(10)
    shown = run_cli_process("ticket", "show", "C001", env=env)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "integrity: quick check ok" in run_cli_process("doctor", env=env).stdout
