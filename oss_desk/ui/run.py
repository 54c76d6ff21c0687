"""Running the desk app in this process: the session on its own thread, then the app until the
person quits, and the devices' standby (given by the command line) once the desk is on screen."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import threading
import time
from collections.abc import Callable
from typing import Protocol

from oss_desk.services.runner import SessionRunner
from oss_desk.services.session import Session, open_session


class DeviceOwner(Protocol):
    """What starts the device worker for this desk app (the command line passes it in: the desk
    app never imports the worker)."""

    def close(self) -> None: ...


M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the most malloc arenas a process makes."""
DESK_ARENAS = 2


def fewer_malloc_arenas(arenas: int = DESK_ARENAS) -> bool:
    """Let this process's threads share ``arenas`` malloc arenas (glibc; elsewhere nothing).

    By default glibc gives each new thread an arena of its own (up to 8 per core), and each
    keeps the pages it touched: the desk's database thread, the listener and the device
    worker's lanes (mostly asleep) add megabytes of resident memory that way. Python holds
    the GIL around nearly all of their allocations, so sharing costs no waiting to speak of.
    Called before the desk starts its threads (the setting applies to arenas made after)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # this process's own C library
    except (OSError, AttributeError):  # not glibc: nothing to set
        return False
    return bool(mallopt(M_ARENA_MAX, arenas))


def hold_collector() -> None:
    """Start-up makes tens of thousands of objects that live all day (modules, settings, the
    screen's widgets) and little garbage: Python's cyclic collector would look at them all
    several times before the first frame (a full pass over them is tens of milliseconds).
    Those made so far are set aside for good (``gc.freeze``) and the collector waits until
    the desk is live (:func:`release_collector`)."""
    gc.freeze()
    gc.disable()


def release_collector() -> None:
    """The desk is on screen with its data: collect start-up's garbage once (only what was
    made since :func:`hold_collector` is looked at: a few milliseconds), set aside what lives
    on (later collections need not look at it again) and collect as usual from now on."""
    gc.collect()
    gc.freeze()
    gc.enable()


def open_desk_runner(
    *, db: str | None, config: str | None, person: str | None, desk_id: str | None
) -> SessionRunner:
    """The desk's session, opened (and checked) on its own thread: a bad database, config, person
    or desk raises here, before anything is drawn.

    The app's code (Textual and the first screen) is imported meanwhile: the whole-file check
    of the database (``PRAGMA quick_check``, in SQLite's C code, which lets Python run) and the
    imports overlap instead of adding up."""
    fewer_malloc_arenas()
    hold_collector()
    runner = SessionRunner(
        lambda: open_session(
            db=db, config=config, person=person, desk_id=desk_id, check=True, typed=True
        )
    )
    opening = runner.begin()
    try:
        import oss_desk.ui.app  # noqa: F401 - imported while the session opens

        opening.result()
    except BaseException:
        runner.close()
        gc.enable()
        raise
    return runner


class _Devices:
    """Starts the devices' standby on a thread of its own once the desk has drawn its first frame
    and its first live data: the worker's imports and its sessions never delay the desk's
    start-up, and a device fault never blocks the desk."""

    def __init__(self, devices: Callable[[Session], DeviceOwner | None], session: Session):
        self._devices = devices
        self._session = session
        self._thread: threading.Thread | None = None
        self._owner: DeviceOwner | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="oss-desk-devices", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        self._owner = self._devices(self._session)

    def close(self) -> None:
        if self._thread is not None:
            self._thread.join()
        if self._owner is not None:
            self._owner.close()


def run_desk_app(
    *,
    db: str | None = None,
    config: str | None = None,
    person: str | None = None,
    desk_id: str | None,
    demo: bool = False,
    devices: Callable[[Session], DeviceOwner | None] | None = None,
    runner: SessionRunner | None = None,
    started: float | None = None,
) -> None:
    """Run the app until the person quits (on ``runner``, already started, or a session opened
    here).

    ``devices`` (given by the command line) starts this process's standby for the device lease:
    it owns the printers, the board and the outbox whenever no other process does. It starts
    after the desk's first frame and first live data."""
    started = started or time.perf_counter()
    from oss_desk.ui.app import OssDeskApp

    if runner is None:
        runner = open_desk_runner(db=db, config=config, person=person, desk_id=desk_id)
    owner = _Devices(devices, runner.session) if devices is not None else None

    def live() -> None:
        release_collector()
        if owner is not None:
            owner.start()

    try:
        app = OssDeskApp(runner, desk_id=desk_id, demo=demo, started=started, when_live=live)
        app.run()
    finally:
        gc.enable()
        if owner is not None:
            owner.close()
        _leave_browser_desk(runner, desk_id)
        runner.close()


def _leave_browser_desk(runner: SessionRunner, desk_id: str | None) -> None:
    """A browser desk's person logged out when its app ends, even if the app could not (see
    :func:`~oss_desk.services.browser_desks.leave_browser_desk`)."""
    from oss_desk.services.browser_desks import leave_browser_desk

    with contextlib.suppress(Exception):  # the desk is closing anyway: never a traceback
        runner.submit(leave_browser_desk, desk_id).result(timeout=LEAVE_SECONDS)


LEAVE_SECONDS = 10.0
"""How long a browser desk that ends waits to log its person out (behind what the app sent)."""
