"""The guard every lane of the device worker runs in: a lane that hits an unexpected fault logs
it and starts again, so the worker outlives a bad printer, a bad job or a bad day; after a fault
of the database it waits longer each time (:func:`oss_desk.domain.worker_faults.database_pause`,
back to 2 s once the lane has recovered); a database file replaced or removed under it stops the
whole worker."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from oss_desk.domain.worker_faults import RESTART_SECONDS, database_pause
from oss_desk.errors import DatabaseGone, StorageError
from oss_desk.storage.faults import for_a_process
from oss_desk.worker.lane_faults import LaneFaults

log = logging.getLogger("oss_desk.worker")


class LaneGuard:
    """Runs lanes in the worker's guard (``stop``: the worker's; ``faults`` and ``errors``: where
    a fault is noted; ``gone``: what stops the whole worker)."""

    def __init__(
        self,
        stop: threading.Event,
        faults: LaneFaults,
        errors: list[str],
        gone: Callable[[DatabaseGone], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stop = stop
        self.faults = faults
        self.errors = errors
        self.gone = gone
        self.clock = clock

    def __call__(self, target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            pause: float | None = None
            started = self.clock()
            while not self.stop.is_set():
                try:
                    target()
                    return
                except DatabaseGone as exc:
                    self.gone(exc)
                    return
                except StorageError as exc:
                    # Disk full, read-only, locked, the file replaced or damaged: nothing is
                    # written; wait (longer each time, up to a minute, unless the lane ran well
                    # since its last fault), then open the database afresh and resume.
                    self.faults.note(self.errors, exc)
                    pause = database_pause(pause, self.clock() - started)
                    said = for_a_process(exc.message)
                    log.warning("%s; the worker waits %.0f s and tries again", said, pause)
                    self.stop.wait(pause)
                except Exception as exc:
                    self.faults.note(self.errors, exc)
                    log.exception("device thread failed; restarting in %.0f s", RESTART_SECONDS)
                    self.stop.wait(RESTART_SECONDS)
                started = self.clock()

        return run
