"""A worker stopping in order with a printer's answer not written yet.

Each lane is given a few seconds to finish the step it is in. A printer's lane that outlives
them is waiting for the database (locked by another process past the busy timeout) to write what
the printer said, or for the printer's answer itself. Its process is about to end, and with it
the lane's memory of the answer (:mod:`oss_desk.worker.print_memory`): the next owner would find
the job begun and print the ticket again, marked COPY. So each answer known and not written is
noted beside the database, in the owner's own file, the moment it is known
(:func:`oss_desk.storage.print_start.note_outcome`, no database lock needed); the stop waits
while a lane is mid-job with no answer yet, at most as long as a write can wait. The next owner
records what was noted (:meth:`oss_desk.worker.printing.PrintDelivery.recover`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from oss_desk.storage.print_start import note_outcome
from oss_desk.worker import print_memory as memory

log = logging.getLogger("oss_desk.worker")

LOOK_EVERY = 0.05
"""How often the stopping worker looks for an answer its lanes have come to know."""


def keep_answers(
    owner: str,
    lanes: Iterable[threading.Thread],
    wait: float,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Note beside the database every outcome of a print job the owner ``owner`` knows and has
    not written, as each becomes known, while a printer's lane (``lanes``) is still alive and
    mid-job with no answer yet, at most ``wait`` seconds. Returns how many were noted."""
    lanes = list(lanes)
    noted: set[tuple[str, int]] = set()
    deadline = clock() + wait
    while True:
        kept, begun = memory.left_by(owner)
        for (db, job_id), outcome in kept.items():
            if (db, job_id) in noted:
                continue
            noted.add((db, job_id))
            if note_outcome(Path(db), owner, job_id, memory.as_note(outcome)):
                log.warning(
                    "job %s: its outcome (%s) is not recorded yet as the worker stops: noted "
                    "for the next owner, which records it (not printed again)",
                    job_id,
                    outcome.status,
                )
            else:
                log.warning(
                    "job %s: its outcome could not be noted for the next owner, which prints it "
                    "again marked COPY",
                    job_id,
                )
        alive = any(lane.is_alive() for lane in lanes)
        if not begun or not alive or clock() >= deadline:
            return len(noted)
        time.sleep(LOOK_EVERY)
