"""The faults of the worker's lanes within the last few minutes, for its heartbeat to say
(``doctor`` then calls a worker one of whose lanes keeps failing what it is, not "running";
the rule: :mod:`oss_desk.domain.worker_faults`)."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque

from oss_desk.domain.worker_faults import FAULT_SPAN_SECONDS, LaneFaultsSeen
from oss_desk.storage.faults import for_a_process


class LaneFaults:
    """Each lane's fault, noted when its guard catches it (thread-safe)."""

    def __init__(self) -> None:
        self._seen: deque[tuple[float, str, str]] = deque(maxlen=200)
        self._lock = threading.Lock()

    def note(self, errors: list[str], exc: BaseException) -> None:
        """Note ``exc`` (caught in the current lane) and add its type to ``errors``."""
        errors.append(type(exc).__name__)
        lane = threading.current_thread().name.removeprefix("oss-desk-")
        said = " ".join(for_a_process(str(getattr(exc, "message", exc))).split())[:200]
        with self._lock:
            self._seen.append((time.monotonic(), lane, f"{lane}: {type(exc).__name__}: {said}"))

    def recent(self) -> LaneFaultsSeen | None:
        """The faults within the span (how many, the most of one lane, the last); None: none."""
        since = time.monotonic() - FAULT_SPAN_SECONDS
        with self._lock:
            found = [(lane, text) for at, lane, text in self._seen if at >= since]
        if not found:
            return None
        each = Counter(lane for lane, _ in found)
        return LaneFaultsSeen(
            count=len(found),
            most_in_one_lane=max(each.values()),
            last=found[-1][1],
            lanes=len(each),
        )
