"""Another process's commit, heard by the desk's event loop the moment it happens.

The doorbell (:mod:`oss_desk.services.live`) is a file descriptor that becomes readable when
any process commits; the event loop watches it like a socket, so no thread waits on it. A
commit rings a moment before it can be seen (its WAL frames are written and synced before the
shared index that the change feed reads is updated), so each ring asks for a look at once and a
few more soon after (:data:`FOLLOW_UPS`); the app's poll stays as the fallback (no inotify here:
:meth:`CommitListener.start` says False and nothing else changes).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator

from oss_desk.services.live import Doorbell

FOLLOW_UPS = (0.003, 0.01, 0.025, 0.06, 0.12)
"""Seconds after a ring at which to look again (each look is one ``PRAGMA data_version``)."""


class CommitListener:
    def __init__(self, look: Callable[[], object]) -> None:
        self._look = look
        self._bell: Doorbell | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._later: list[asyncio.TimerHandle] = []
        self._paused = False
        self._holds = 0

    @property
    def listening(self) -> bool:
        return self._bell is not None

    def start(self, bell: Doorbell) -> bool:
        """Listen to ``bell`` on the running event loop; False when it cannot ring here."""
        self.stop()
        if bell.fd is None:
            return False
        loop = asyncio.get_running_loop()
        try:
            loop.add_reader(bell.fd, self._rang)
        except (NotImplementedError, OSError, ValueError):
            bell.close()
            return False
        self._bell, self._loop = bell, loop
        return True

    def _rang(self) -> None:
        bell, loop = self._bell, self._loop
        if bell is not None and loop is not None and bell.drain():
            self._cancel()
            self._look()
            self._later = [loop.call_later(delay, self._look) for delay in FOLLOW_UPS]

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """While this desk's own commit is on its way, the bell wakes nothing: its WAL writes
        ring several times, and each ring would take the interpreter from the database thread
        in the middle of the transaction. What rang meanwhile is answered on leaving, as one
        ring is (a look at once, and the follow-ups). Holds may nest."""
        self.hold()
        try:
            yield
        finally:
            self.release()

    def hold(self) -> None:
        """:meth:`held` begun (for a hold that ends in a callback); :meth:`release` ends it."""
        self._holds += 1
        if self._holds == 1:
            self._pause()

    def release(self) -> None:
        self._holds -= 1
        if self._holds == 0:
            self._resume()

    def _pause(self) -> None:
        bell, loop = self._bell, self._loop
        if self._paused or bell is None or bell.fd is None or loop is None:
            return
        loop.remove_reader(bell.fd)
        self._paused = True

    def _resume(self) -> None:
        bell, loop = self._bell, self._loop
        if not self._paused or bell is None or bell.fd is None or loop is None:
            return
        self._paused = False
        loop.add_reader(bell.fd, self._rang)
        self._rang()

    def _cancel(self) -> None:
        for handle in self._later:
            handle.cancel()
        self._later = []

    def stop(self) -> None:
        bell, loop = self._bell, self._loop
        self._bell = self._loop = None
        self._paused = False
        self._cancel()
        if bell is not None and bell.fd is not None:
            if loop is not None and not loop.is_closed():
                with contextlib.suppress(Exception):
                    loop.remove_reader(bell.fd)
            bell.close()
