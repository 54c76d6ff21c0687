"""A printer's lane loads what its jobs need as it starts, before the first job: the first
resident's ticket after the worker starts (or takes over) does not wait for the printer's
libraries. Only a printer without its own QR needs Pillow (its QR is drawn as an image), so a
desk that stands in for the worker with such printers only carries it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .conftest import ROOT, make_db, site_toml


def _pillow_loaded(pid: int) -> bool:
    """Pillow's C core is mapped into the process (it is, once ``PIL.Image`` is imported)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return any(
        "/PIL/" in line and line.rsplit("/", 1)[-1].startswith("_imaging.")
        for line in maps.splitlines()
    )


@pytest.mark.parametrize(("profile", "pillow"), [("POS-5890", True), ("TM-T88V", False)])
def test_the_printer_lane_is_ready_before_its_first_job(
    tmp_path: Path, profile: str, pillow: bool
) -> None:
    capture = tmp_path / "printer.escpos"
    db = make_db(tmp_path, site_toml(greet_printer=f"capture://{capture}?profile={profile}"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
    env.update(OSS_DESK_DB=str(db), PYTHONPATH=str(ROOT))
    worker = subprocess.Popen(
        [sys.executable, "-m", "oss_desk", "worker"], env=env, stderr=subprocess.PIPE, text=True
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert worker.stderr is not None
        for line in worker.stderr:
            lines.append(line)
            if "printer lane ready" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(60), "".join(lines)
        assert _pillow_loaded(worker.pid) is pillow
        # No job has come yet: what was loaded was loaded for the lane, not for a job.
        conn = sqlite3.connect(db)
        try:
            assert conn.execute("SELECT count(*) FROM print_jobs").fetchone() == (0,)
        finally:
            conn.close()
        assert not capture.exists()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(15)
        reader.join(5)
    assert worker.returncode == 0


def test_pillow_is_seen_in_a_process_that_loads_it() -> None:
    """(The check above can fail: a process that imports Pillow shows it.)"""
    code = "import PIL.Image, time, sys; print('in', flush=True); sys.stdin.read()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "in\n"
        deadline = time.monotonic() + 10
        while not _pillow_loaded(proc.pid):
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        proc.kill()
        proc.wait()
