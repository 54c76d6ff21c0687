"""A long-running writer, as a desk is: one session, tickets issued one after another.

``python -m tests.fault_writer DB COUNT PAUSE``: prints ``ok ID CODE`` for each ticket it was
told is saved (flushed at once), then ``refused EXIT MESSAGE`` at the first refusal, and exits.
Used by tests/test_faults.py to change the file under a running process.
"""

from __future__ import annotations

import sys
import time

from oss_desk.errors import OssDeskError
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session


def main(db: str, count: int, pause: float) -> int:
    session = open_session(db=db, person="tl", desk_id="greet-1")
    try:
        queue = QueueService(session)
        print("ready", flush=True)
        for _ in range(count):
            try:
                issued = queue.issue("C", print_ticket=False)
            except OssDeskError as exc:
                print(f"refused {exc.exit_code} {exc.message}", flush=True)
                return exc.exit_code
            print(f"ok {issued.ticket.id} {issued.ticket.code}", flush=True)
            time.sleep(pause)
    finally:
        session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
