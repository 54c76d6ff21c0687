"""The device lease: every desk app (and ``oss-desk worker``) runs a :class:`Standby` that holds
the lease whenever it can and runs the :class:`~oss_desk.worker.run.DeviceWorker` while it does;
when the owner exits or dies (the kernel releases its lock), one of the others takes over."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from oss_desk import files
from oss_desk.domain.delivery import TAKEOVER_POLL_SECONDS
from oss_desk.domain.worker_faults import COPY_CHECK_SECONDS, RESTART_SECONDS, WAITS_FOR_RESTORE
from oss_desk.errors import DatabaseGone
from oss_desk.paths import log_dir
from oss_desk.services.session import Session, open_session
from oss_desk.storage.incarnation import copy_refused
from oss_desk.storage.lease import WorkerLock
from oss_desk.worker.owner import describe
from oss_desk.worker.run import DeviceWorker

log = logging.getLogger("oss_desk.worker")


# The lease ---------------------------------------------------------------------------------------


class Standby:
    """Holds the device lease whenever it can, and runs the worker while it does.

    Started by every desk app (and by ``oss-desk worker``): it tries the lease every
    ``TAKEOVER_POLL_SECONDS``; the process that gets it runs the worker until it closes."""

    def __init__(
        self,
        db: Path,
        make_worker: Callable[[], DeviceWorker],
        *,
        poll: float = TAKEOVER_POLL_SECONDS,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.on_close = on_close
        """Undoes what the standby set up in the process (a desk app's worker log): at close."""
        self.make_worker = make_worker
        self.poll = poll
        self.stop = threading.Event()
        self.worker: DeviceWorker | None = None
        self.owning = threading.Event()
        self._thread: threading.Thread | None = None
        self.faults: list[str] = []
        self.gone: DatabaseGone | None = None
        """The worker stopped because the database file was replaced or removed: so does this."""

    def start(self) -> Standby:
        self._thread = threading.Thread(target=self.run, name="oss-desk-standby", daemon=True)
        self._thread.start()
        return self

    def run(self) -> None:
        """Wait for the lease, own the devices until told to stop, hand the lease back."""
        while not self.stop.is_set():
            try:
                lock = WorkerLock.acquire(self.db)
            except OSError as exc:
                self._fault(f"cannot open the device lock: {describe(exc)}")
                continue
            if lock is None:
                self.stop.wait(self.poll)
                continue
            try:
                self._own()
            finally:
                lock.release()

    def _own(self) -> None:
        try:
            worker = self.make_worker()
            worker.start()
        except Exception as exc:  # the database is away, say: hand the lease on, try later
            self._fault(f"cannot start the device worker: {describe(exc)}")
            return
        self.worker = worker
        self.owning.set()
        try:
            while not self.stop.is_set() and not worker.stop.is_set():
                self.stop.wait(0.2)
        finally:
            worker.join(timeout=5)
            self.owning.clear()
            self.worker = None
            if worker.gone is not None:  # the lease is of another file now: never take it again
                self.gone = worker.gone
                self.stop.set()

    def _fault(self, reason: str) -> None:
        self.faults.append(reason)
        log.warning("%s", reason)
        self.stop.wait(max(self.poll, RESTART_SECONDS))

    def close(self, timeout: float = 8.0) -> None:
        self.stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        undo, self.on_close = self.on_close, None
        if undo is not None:
            undo()


STILL_WAITING_EVERY = 3600.0
"""While the worker waits for its database to be put right, it says so again this often."""


def wait_for_the_office_file(db: Path, stop: threading.Event, every: float | None = None) -> bool:
    """Before the worker service opens its database: while the file at ``db`` is one every
    process refuses (a backup's copy put over the database in use), it waits, looking at the
    file's header every ``every`` seconds (None: :data:`COPY_CHECK_SECONDS`, read when it
    starts waiting, so a test can shorten it) without opening it (so ``db restore`` is not
    refused for it, and no WAL is folded into the copy). Said once when it starts waiting, once
    an hour while it goes on, and when it ends. True: the file is the office's database (at
    once, or once put right); False: the worker was stopped meanwhile."""
    every = COPY_CHECK_SECONDS if every is None else every
    refused = copy_refused(db)
    if refused is None:
        return True
    log.error("%s; %s", refused, WAITS_FOR_RESTORE)
    said = time.monotonic()
    while not stop.wait(every):
        refused = copy_refused(db)
        if refused is None:
            log.info("%s is the office's database again: the worker resumes", db)
            return True
        if time.monotonic() - said >= STILL_WAITING_EVERY:
            log.warning("%s is still not the office's database: %s", db, WAITS_FOR_RESTORE)
            said = time.monotonic()
    return False


def _log_to_file(db: Path) -> Callable[[], None] | None:
    """A desk app's worker logs to the log folder (never onto the desk's screen); its lines
    name jobs and devices, never a resident, and the database they are about (the demo's and
    the office's desk apps share the file). The file is 0600 and its folder 0700. Returns what
    puts the logger back as it was (its handler closed, its level and ``propagate`` restored:
    what the process logs after the standby closes goes where it went before); None when the
    logger had a handler already (it is left as it is)."""
    logger = logging.getLogger("oss_desk.worker")
    if logger.handlers:
        return None
    try:
        path = log_dir() / "worker.log"
        from logging.handlers import WatchedFileHandler  # (only a desk that stands in)

        class PrivateLog(WatchedFileHandler):
            """Reopened when logrotate (or a person) moved the file away (desk apps run for
            days), and made 0600 again when it is."""

            def _open(self) -> io.TextIOWrapper:
                files.make_private_file(Path(self.baseFilename))
                return super()._open()

        handler: logging.Handler = PrivateLog(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    about = str(db).replace("%", "%%")
    handler.setFormatter(
        logging.Formatter(f"%(asctime)s %(process)d %(levelname)s [{about}] %(message)s")
    )
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False

    def undo() -> None:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(level)
        logger.propagate = propagate

    return undo


def desk_standby(session: Session, *, config: str | None, desk_id: str | None) -> Standby | None:
    """The standby of a desk app (None when ``worker.take_over`` is off: then only the service
    drives the devices)."""
    if not session.settings.worker.take_over:
        return None
    db = session.store.path
    undo_log = _log_to_file(db)
    role = f"desk app {desk_id}" if desk_id else "desk app"  # its process: in the heartbeat

    def make() -> DeviceWorker:
        # The desk checked the database when it opened (PRAGMA quick_check): each lane's session
        # does not read the whole file again (nor keep it in a page cache of its own).
        return DeviceWorker(
            lambda: open_session(db=db, config=config, person="worker", host=True, check=False),
            role=role,
        )

    return Standby(db, make, on_close=undo_log).start()
