"""The faults of the worker's lanes in the last minute, for its heartbeat to say (``doctor``
then calls a worker whose lanes keep failing what it is, not "running")."""

from __future__ import annotations

import threading
import time
from collections import deque

FAILING_WINDOW = 60.0
"""How long a lane's fault is said with the heartbeat (a failing lane restarts every 2 s, or
after a pause that grows to a minute)."""


class LaneFaults:
    """Each lane's fault, noted when its guard catches it (thread-safe)."""

    def __init__(self) -> None:
        self._seen: deque[tuple[float, str]] = deque(maxlen=200)
        self._lock = threading.Lock()

    def note(self, errors: list[str], exc: BaseException) -> None:
        """Note ``exc`` (caught in the current lane) and add its type to ``errors``."""
        errors.append(type(exc).__name__)
        lane = threading.current_thread().name.removeprefix("oss-desk-")
        said = " ".join(str(getattr(exc, "message", exc)).split())[:200]
        with self._lock:
            self._seen.append((time.monotonic(), f"{lane}: {type(exc).__name__}: {said}"))

    def recent(self) -> str | None:
        """``3 faults in the last minute, the last: board: ConfigError: ...``; None: none."""
        since = time.monotonic() - FAILING_WINDOW
        with self._lock:
            found = [text for at, text in self._seen if at >= since]
        if not found:
            return None
        n = len(found)
        return f"{n} fault{'s' if n != 1 else ''} in the last minute, the last: {found[-1]}"
