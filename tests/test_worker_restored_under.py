"""A forced `db restore` under a running worker: it stops every lane, says so once, exits 4."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from .conftest import ROOT, make_db, run_cli_process, site_toml


def test_the_worker_stops_whole_when_its_database_is_restored_under_it(tmp_path: Path) -> None:
    printed = tmp_path / "greet.prn"
    db = make_db(tmp_path, site_toml(greet_printer=f"capture://{printed}"))
    env = {"OSS_DESK_DB": str(db)}
    full = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    full.update(env, PYTHONPATH=str(ROOT))
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "worker"], env=full, stderr=out, stdout=out
        )
    try:
        deadline = time.monotonic() + 20
        while "owns the devices" not in log.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, log.read_text(encoding="utf-8")
            time.sleep(0.05)
        backup = run_cli_process("db", "backup", "--json", env=env)
        assert backup.returncode == 0, backup.stderr
        path = json.loads(backup.stdout)["path"]
        restored = run_cli_process("db", "restore", path, "--yes", "--force", env=env)
        assert restored.returncode == 0, restored.stderr

        # The restored file's worker is recorded as stopped at once: desks hand it nothing.
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            stopped = conn.execute("SELECT stopped_at FROM worker_heartbeat").fetchone()
        assert stopped is not None and stopped[0] is not None
        doctor = run_cli_process("doctor", env=env)
        assert "ok    worker" not in doctor.stdout, doctor.stdout

        # The worker sees its file replaced (its next heartbeat at the latest), and stops whole.
        code = worker.wait(30)
        text = log.read_text(encoding="utf-8")
        assert code == 4, text
        last = text.strip().splitlines()[-1]
        assert "replaced or removed while the worker had it open" in last, text
        assert "start it again" in last
        assert text.count("every lane stops") == 1, text  # said once, not every 2-5 s
        assert "not sent now" not in text and "tries again" not in text, text
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
