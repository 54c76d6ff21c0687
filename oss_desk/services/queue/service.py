"""The queue engine's use cases in one class (see :mod:`oss_desk.services.queue`)."""

from __future__ import annotations

from oss_desk.services.queue.calling import Calling
from oss_desk.services.queue.counter import Counter
from oss_desk.services.queue.logins import Logins
from oss_desk.services.queue.view import LiveView


class QueueService(Calling, Counter, Logins, LiveView):
    """The live queue of one office database, acting as ``actor`` (default: the session's)."""
