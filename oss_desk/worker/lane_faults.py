"""The faults of the worker's lanes within the last few minutes, for its heartbeat to say
(``doctor`` then calls a worker one of whose lanes keeps failing what it is, not "running";
the rule: :mod:`oss_desk.domain.worker_faults`)."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from datetime import UTC, datetime

from oss_desk.domain.worker_faults import FAULT_SPAN_SECONDS, LaneFaultsSeen
from oss_desk.storage.faults import for_a_process


class LaneFaults:
    """Each lane's fault, noted when its guard catches it, and the last pass each lane
    finished (thread-safe): a fault followed by such a pass is past, not current."""

    def __init__(self) -> None:
        self._seen: deque[tuple[float, datetime, str, str]] = deque(maxlen=200)
        self._worked: dict[str, float] = {}
        self._lock = threading.Lock()

    def note(self, errors: list[str], exc: BaseException) -> None:
        """Note ``exc`` (caught in the current lane) and add its type to ``errors``."""
        errors.append(type(exc).__name__)
        lane = _lane()
        said = " ".join(for_a_process(str(getattr(exc, "message", exc))).split())[:200]
        text = f"{lane}: {type(exc).__name__}: {said}"
        with self._lock:
            self._seen.append((time.monotonic(), datetime.now(UTC), lane, text))

    def worked(self) -> None:
        """The current lane finished a pass (its faults before now are past)."""
        now = time.monotonic()
        with self._lock:
            self._worked[_lane()] = now

    def recent(self) -> LaneFaultsSeen | None:
        """The faults within the span of the lanes failing now (whose last fault no finished
        pass followed: how many, the most of one lane, the last); when every lane that had one
        has finished a pass since, all of them, said as recovered; None: none."""
        since = time.monotonic() - FAULT_SPAN_SECONDS
        with self._lock:
            found = [(a, w, lane, t) for a, w, lane, t in self._seen if a >= since]
            failing = {f[2] for f in found if f[0] > self._worked.get(f[2], since)}
        if not found:
            return None
        said = [f for f in found if f[2] in failing] or found
        _, last_at, _, last = said[-1]
        each = Counter(lane for _, _, lane, _ in said)
        return LaneFaultsSeen(
            count=len(said),
            most_in_one_lane=max(each.values()) if failing else 0,
            last=last,
            lanes=len(each),
            last_at=last_at,
        )


def _lane() -> str:
    return threading.current_thread().name.removeprefix("oss-desk-")
