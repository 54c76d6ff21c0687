"""One thread owns the database session: the desk app sends it work and awaits the result.

SQLite connections belong to the thread that made them, and the desk app's event loop must never
block on disk I/O. A single-thread executor gives both: every call runs, in order, on the one
thread that opened the session (the datasette write-thread pattern).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Concatenate, ParamSpec, TypeVar

from oss_desk.services.session import Session
from oss_desk.storage.faults import desk_write_wait, longest_write_wait, wait_for_writes

P = ParamSpec("P")
R = TypeVar("R")


def longest_desk_write() -> float:
    """The longest the desk's work waits for a write before it goes ahead or is refused as busy
    (seconds): its turn, then SQLite's lock, each at most :func:`desk_write_wait` (the desk's
    connection is set to it when the runner opens it)."""
    return longest_write_wait(desk_write_wait())


class SessionRunner:
    def __init__(self, factory: Callable[[], Session]) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oss-desk-db")
        self._factory = factory
        self._session: Session | None = None
        self._closed = False

    def start(self) -> Session:
        """Open the session on the runner's thread (blocking); raises what opening raises."""
        return self.begin().result()

    def begin(self) -> Future[Session]:
        """Start opening the session on the runner's thread and return at once (the caller
        does other work meanwhile, then waits for the result: what opening raises)."""
        return self._executor.submit(self._open)

    def _open(self) -> Session:
        session = self._factory()
        wait_for_writes(session.store.conn, desk_write_wait())  # a desk's key waits seconds
        self._session = session
        return session

    @property
    def session(self) -> Session:
        """The session, for reading plain attributes (settings, directory); never the store."""
        if self._session is None:
            raise RuntimeError("the runner has not been started")
        return self._session

    def submit(
        self, fn: Callable[Concatenate[Session, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> Future[R]:
        if self._closed:
            raise RuntimeError("the runner is closed")
        return self._executor.submit(lambda: fn(self.session, *args, **kwargs))

    async def call(
        self, fn: Callable[Concatenate[Session, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._session is not None:
            self._executor.submit(self._session.close).result()
        self._executor.shutdown(wait=True)
