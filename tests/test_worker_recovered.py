"""`doctor` after a full disk was freed: the worker's lanes met the full disk, and once there
was room again they worked, but doctor went on saying their faults as current ("running, with
2 faults in the last 5 minutes, the last: heartbeat: StorageFull ...") for up to 5 minutes.
A lane's fault followed by a pass it finished is no longer current: doctor says the worker
runs, and when a lane last failed, since recovered. A real tmpfs filled and freed, the real
worker's threads, doctor in its own process."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from oss_desk.domain import worker_faults
from oss_desk.domain.worker_faults import recovered
from oss_desk.errors import StorageFull
from oss_desk.worker import lane_guard
from oss_desk.worker import run as worker_run
from oss_desk.worker.lane_faults import LaneFaults

from .test_faults import doctor_said, small_fs, worker_on_a_full_disk

__all__ = ["small_fs"]  # the fixture, used by name


def _worker_line(db: Path) -> str:
    return next(x for x in doctor_said(db) if x.split(":")[0].split()[-1] == "worker")


def test_doctor_says_a_lane_recovered_once_the_disk_has_room_again(
    small_fs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tenth of the service's times: a beat every 0.5 s (5 s), a lane's first pause after a
    # fault of the database 0.2 s (2 s), its longest 1 s (a minute).
    monkeypatch.setattr(worker_run, "HEARTBEAT_SECONDS", 0.5)
    monkeypatch.setattr(worker_faults, "RESTART_SECONDS", 0.2)
    monkeypatch.setattr(worker_faults, "LONGEST_DATABASE_PAUSE", 1.0)
    monkeypatch.setattr(lane_guard, "RESTART_SECONDS", 0.2)
    with worker_on_a_full_disk(small_fs, tmp_path) as (db, filler, deadline):
        filler.unlink()
        line = ""
        seen: list[str] = []
        while time.monotonic() < deadline + 30:  # 5 minutes in service; here, seconds
            line = _worker_line(db)
            seen.append(line)
            if "since recovered" in line:
                break
            time.sleep(0.5)
        assert any("StorageFull" in x or "StorageIOError" in x for x in seen), seen
        assert line.startswith("ok    worker: running ("), seen
        assert re.search(r", a lane last failed at \d\d:\d\dZ, since recovered \(", line), line
        assert "in the last 5 minutes" in line and "the last: " in line
        assert "not failing" not in line and "running but failing" not in line


def _in_lane(name: str, work: Callable[[], None]) -> None:
    thread = threading.Thread(target=work, name=f"oss-desk-{name}")
    thread.start()
    thread.join()


def test_a_lane_still_failing_is_said_alone_and_the_recovered_one_is_not_counted() -> None:
    faults = LaneFaults()
    errors: list[str] = []

    def fails() -> None:
        faults.note(errors, StorageFull("disk full"))

    _in_lane("board", fails)
    _in_lane("board", faults.worked)
    _in_lane("printer-0", fails)
    seen = faults.recent()
    assert seen is not None and not recovered(seen.most_in_one_lane)
    assert (seen.count, seen.lanes, seen.most_in_one_lane) == (1, 1, 1)
    assert seen.said == "1 fault in the last 5 minutes, the last: printer-0: StorageFull: disk full"
    _in_lane("printer-0", faults.worked)
    seen = faults.recent()
    assert seen is not None and recovered(seen.most_in_one_lane)
    assert (seen.count, seen.lanes) == (2, 2)
    assert re.fullmatch(
        r"a lane last failed at \d\d:\d\dZ, since recovered \(2 faults across 2 lanes in the "
        r"last 5 minutes, the last: printer-0: StorageFull: disk full\)",
        seen.said,
    ), seen.said
    _in_lane("printer-0", fails)  # failing again: its faults count again, the earlier too
    seen = faults.recent()
    assert seen is not None and (seen.count, seen.lanes, seen.most_in_one_lane) == (2, 1, 2)
