"""Running the worker: the lanes and the heartbeat (the lease and the standby that takes over:
:mod:`oss_desk.worker.standby`).

Whoever holds the device lease (``oss-desk worker``, or a desk app) runs one
:class:`DeviceWorker`: a thread per printer, one for the board, one per way of sending messages,
one each for referral messages, report emails and follow-up texts (each from the first message
queued for it), one for housekeeping (no-shows, retention, the report rollup) and one for the
heartbeat, each with its own database session. A slow or dead printer holds up only its own
lane. Every other desk app runs a :class:`~oss_desk.worker.standby.Standby` that tries to take
the lease every second: when the owner exits or dies (the kernel releases its lock), one of them
takes over, adopts what the old owner left mid-delivery, and carries on. There is never a
second owner: the lock is exclusive.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from oss_desk.clock import read_instant
from oss_desk.domain.delivery import HEARTBEAT_SECONDS
from oss_desk.domain.devices import PrinterURL
from oss_desk.errors import DatabaseGone, OssDeskError
from oss_desk.hardware.printers import Transport, open_transport
from oss_desk.services.live import Doorbell
from oss_desk.services.session import Session
from oss_desk.storage import outbox as o
from oss_desk.storage.changes import ChangeFeed, Changes
from oss_desk.storage.faults import longest_write_wait
from oss_desk.storage.followups import next_message_due as next_referral_message_due
from oss_desk.storage.lease import beat, take_over
from oss_desk.storage.outbox import MESSAGES, PRINT_JOBS
from oss_desk.storage.resident import next_turn_text_due
from oss_desk.worker.board import BoardDelivery
from oss_desk.worker.feedback_texts import FeedbackTextDelivery
from oss_desk.worker.handover import deliver_handed, recover, step_down_owner, wall_clock
from oss_desk.worker.lane_faults import LaneFaults
from oss_desk.worker.lane_guard import LaneGuard
from oss_desk.worker.leased import LeasedDelivery
from oss_desk.worker.messages import LANES, MessageDelivery
from oss_desk.worker.owner import new_owner
from oss_desk.worker.printer_states import configured_printers
from oss_desk.worker.printing import PrintDelivery
from oss_desk.worker.report_mail import ReportMailDelivery, report_mails
from oss_desk.worker.rounds import (
    BOARD,
    CONFIGURATION,
    DUE_NOT_READ,
    FEEDBACK_TEXTS,
    MESSAGES_STEP,
    PRINTERS,
    PRINTING,
    REPORT_EMAILS,
    Steps,
    TurnTextsLane,
    WorkerReport,
    day_end,
    fill_rollup,
    purge,
    referral_messages,
    turn_texts,
)
from oss_desk.worker.stopping import keep_answers

log = logging.getLogger("oss_desk.worker")

HOUSEKEEPING_SECONDS = 60.0
BOARD_LOOKS_SECONDS = 5.0  # with no board: how often it looks whether init configured one
RETENTION_EVERY_SECONDS = 3600.0
LANE_CACHE_KIB = 256
"""The page cache of each lane's database connection (KiB)."""
WAKE_OTHERS_AFTER = 0.02
"""After a change, the printers' lanes run alone this long before the other lanes wake."""
LANES_FIRST = 0.004
"""After a commit rang (the change watcher hears its WAL write, while it is made durable), the
watcher waits this long before it looks: the printers' lanes hear the commit too, and a job's
first byte should not wait for the watcher's reads."""


Wants = Callable[[Changes], bool]
"""Whether a lane wants to be woken by these changes."""


class DeviceWorker:
    """The owner's work: lanes for every printer, the board, each way of sending messages.

    The caller holds the lease (:class:`WorkerLock`) for as long as this runs."""

    def __init__(
        self,
        open_session: Callable[[], Session],
        *,
        poll_interval: float = 0.05,
        transports: Callable[[PrinterURL], Transport] = open_transport,
        role: str = "service",
        owner: str | None = None,
    ) -> None:
        def host_session() -> Session:
            session = open_session()
            session.host = True  # the device worker is host-level: never role-checked
            # A lane reads a few rows at a time: a small page cache of its own (SQLite's default
            # grows to 2 MB per connection, a dozen lanes in a desk that runs the devices).
            session.store.cap_cache(LANE_CACHE_KIB)
            return session

        self.open_session = host_session
        self.poll_interval = poll_interval
        self.transports = transports
        self.role = role
        self.owner = owner or new_owner()
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.errors: list[str] = []
        self.faults = LaneFaults()  # said with each heartbeat (doctor: running, but failing)
        self.started_at: str | None = None
        self._wake: list[tuple[threading.Event, Wants | None]] = []
        self._wake_first: list[threading.Event] = []
        self.wakers: dict[str, threading.Event] = {}
        """Each lane's wake, by its thread's name."""
        self.seen = 0
        """The last event the change watcher has passed on to the lanes."""
        self._lanes: dict[str, threading.Thread] = {}
        self._senders: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()
        self.term = 0
        self.gone: DatabaseGone | None = None
        """Set when a lane found the database file replaced or removed: every lane stops."""
        self.guard = LaneGuard(self.stop, self.faults, self.errors, self._gone)
        """Each lane runs in it: a fault is logged and the lane starts again."""

    # One pass (oss-desk worker --once) ------------------------------------------------------

    def run_once(self) -> WorkerReport:
        """Each step once, in its own guard: a step's fault is logged and the others run; the
        report names the steps that failed (``steps_failed``) and the counts they leave unknown."""
        session = self.open_session()
        result = WorkerReport()
        steps = Steps()

        def print_jobs() -> None:
            result.count_from(printing.deliver_due())

        def printers() -> None:  # its own step: a poll's fault leaves the jobs' counts known
            result.printers = {u: s.value for u, s in printing.poll_printers(force=True).items()}

        def board() -> None:
            link = BoardDelivery(session, self.owner)
            try:
                result.board_frames = int(link.deliver(force=True))
            finally:
                link.close()

        def messages() -> None:
            result.count_messages(MessageDelivery(session, owner=self.owner).deliver_due())

        def referrals() -> None:
            result.count_messages(referral_messages(session, steps))

        def mails() -> None:
            result.count_report_emails(report_mails(session, self.owner))

        def feedback() -> None:
            result.feedback_texts_sent += FeedbackTextDelivery.round(session, self.owner).sent

        try:
            self._take_over(session)
            # What earlier owners left, taken over: its printer answers counted.
            result.recovered = recover(session, self.transports, self.owner, result)
            result.no_shows = day_end(session, steps, result)  # first: nothing stale printed
            printing = PrintDelivery(session, self.transports, self.owner)
            steps.run(PRINTING, None, print_jobs)
            steps.run(PRINTERS, None, printers)
            steps.run(BOARD, None, board)
            fill_rollup(session, steps)
            steps.run(MESSAGES_STEP, None, messages)
            referrals()
            result.turn_texts_sent = turn_texts(session, steps).sent
            steps.run(REPORT_EMAILS, None, mails)
            steps.run(FEEDBACK_TEXTS, None, feedback)
            result.steps_failed = dict(steps.failed)
            return result
        finally:
            try:
                keep_answers(self.owner, (), 0.0)  # (what a printer said and could not be written)
                if step_down_owner(session, self.owner):
                    deliver_handed(session, self.transports, self.owner)
            finally:
                session.close()

    # Running ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Take over the devices (adopting what an earlier owner left) and start the lanes;
        returns at once."""
        session = self.open_session()
        try:
            self._take_over(session)
            recover(session, self.transports, self.owner)
        finally:
            session.close()
        for name, target in (
            ("oss-desk-heartbeat", self._heartbeat),
            ("oss-desk-changes", self._watch),
            ("oss-desk-board", self._board),
            ("oss-desk-housekeeping", self._housekeeping),
            ("oss-desk-turn-texts", self._turn_texts),
        ):
            self._spawn(name, target)

    def _spawn(self, name: str, target: Callable[[], None]) -> threading.Thread:
        thread = threading.Thread(target=self.guard(target), name=name, daemon=True)
        thread.start()
        self.threads.append(thread)
        return thread

    def join(self, timeout: float = 10.0) -> None:
        """Stop every lane (each finishes the step it is in) and step down."""
        self.stop.set()
        self._wake_all()
        deadline = time.monotonic() + timeout
        for thread in list(self.threads):
            thread.join(max(0.0, deadline - time.monotonic()))
        if self.gone is not None:
            return  # the file at the path is not ours: nothing is written to it
        # What a printer said that its lane has not written (the database locked): noted for
        # the next owner, waiting for a lane mid-job, before this process and its memory end.
        keep_answers(self.owner, self._lanes.values(), longest_write_wait())
        try:
            session = self.open_session()
        except (OssDeskError, sqlite3.Error):
            return
        try:
            # Stepped down (committed: no desk hands it a print job from now on) with every
            # lane stopped, it delivers what was handed to it meanwhile, so that no job waits
            # for the next owner to print it marked COPY.
            if step_down_owner(session, self.owner) and not any(t.is_alive() for t in self.threads):
                deliver_handed(session, self.transports, self.owner)
        finally:
            session.close()

    def run_forever(self) -> None:
        self.start()
        try:
            while not self.stop.wait(0.5):
                pass
        finally:
            self.join()

    def _gone(self, exc: DatabaseGone) -> None:
        """The database file was replaced (a forced restore) or removed under the worker: a
        lane that opened it afresh would work on another office's file while the others refuse.
        So every lane stops, said once; the process exits and its service manager starts it
        again on the file now at the path."""
        with self._lock:
            first, self.gone = self.gone is None, self.gone or exc
        if first:
            log.error("%s: every lane stops", exc.message.split(";")[0])
        self.stop.set()
        self._wake_all()

    def _waker(self, *, first: bool = False, wants: Wants | None = None) -> threading.Event:
        """The event that wakes a lane; ``first``: woken before the others after a change (a
        printer's lane: a resident waits at the printer for the ticket; a text or an email can
        wait a few milliseconds, and lanes waking together would share one interpreter lock).
        ``wants``: woken only by the changes it says it wants (and when the worker stops)."""
        event = self.wakers[threading.current_thread().name] = threading.Event()
        with self._lock:
            if first:
                self._wake_first.append(event)
            else:
                self._wake.append((event, wants))
        return event

    def _wake_all(self, *, first_only: bool = False, changes: Changes | None = None) -> None:
        with self._lock:
            for event in self._wake_first:
                event.set()
            for event, wants in [] if first_only else self._wake:
                if changes is None or wants is None or wants(changes):
                    event.set()

    def _sleep(self, wake: threading.Event, seconds: float, bell: Doorbell | None = None) -> None:
        """Until something changes in the database, ``seconds`` pass, or the worker stops
        (the lane clears ``wake`` before it looks for work, so no change is missed).
        ``bell``: the lane also hears commits itself (a printer's lane: it looks for the job
        the moment the ticket's commit can be seen, without waiting for the change watcher to
        pass the word on), and still checks ``wake`` every poll interval. The lane has
        finished a pass: its faults before now are past."""
        self.faults.worked()
        if self.stop.is_set():
            return
        seconds = max(self.poll_interval, seconds)
        if bell is None or bell.fd is None:
            wake.wait(seconds)
            return
        deadline = time.monotonic() + seconds
        while not wake.is_set() and not self.stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or bell.wait(min(left, self.poll_interval)):
                return

    # The owner's record -------------------------------------------------------------------------

    def _take_over(self, session: Session) -> None:
        now = wall_clock()
        self.started_at = now
        with session.store.write() as conn:
            self.term = take_over(
                conn,
                owner=self.owner,
                role=self.role,
                pid=os.getpid(),
                host=socket.gethostname(),
                now=now,
            )
        log.info("owns the devices (term %d, %s)", self.term, self.role)

    def _heartbeat(self) -> None:
        session = self.open_session()
        try:
            while not self.stop.is_set():
                with session.store.write() as conn:
                    mine = beat(
                        conn,
                        pid=os.getpid(),
                        host=socket.gethostname(),
                        started_at=self.started_at or wall_clock(),
                        now=wall_clock(),
                        owner=self.owner,
                        failing=self.faults.recent(),
                    )
                if not mine:
                    log.error("another worker owns the devices now: stopping this one")
                    self.stop.set()
                    self._wake_all()
                    return
                self.faults.worked()
                self.stop.wait(HEARTBEAT_SECONDS)
        finally:
            session.close()

    # Lanes ---------------------------------------------------------------------------------------

    def _watch(self) -> None:
        """Polls the change feed and wakes the lanes; starts a lane for each new printer, and
        the sending lanes when the first message waits for them."""
        session = self.open_session()
        feed: ChangeFeed | None = None
        try:
            # The watcher wakes at a commit's first WAL write and looks LANES_FIRST later (by
            # then the printers' lanes, woken by the commit's ring, have taken a handed job),
            # once: it also hears the ring, so it need not look every few milliseconds after
            # each WAL write until a change shows (about 50 looks a ticket, most for nothing).
            feed = ChangeFeed(session.store)
            self._printer_lanes(session)
            self._sending_lanes(session)
            while not self.stop.is_set():
                changes = feed.wait(
                    timeout=1.0, interval=self.poll_interval, stop=self.stop, after_ring=LANES_FIRST
                )
                self.faults.worked()
                if changes is not None:
                    # The printers' lanes first, on their own for a moment; then the rest.
                    self._wake_all(first_only=True)
                    self.stop.wait(WAKE_OTHERS_AFTER)
                    self._wake_all(changes=changes)
                    self.seen = feed.last_event_id
                    session.refresh_directory()
                    self._printer_lanes(session)
                    self._sending_lanes(session)
        finally:
            if feed is not None:
                feed.close()
            session.close()

    def _printer_lanes(self, session: Session) -> None:
        waiting = o.lanes(session.store.conn, PRINT_JOBS, self.owner)
        wanted = set(configured_printers(session)) | set(waiting)
        for url in sorted(wanted - set(self._lanes)):
            name = f"oss-desk-printer-{len(self._lanes)}"
            self._lanes[url] = self._spawn(name, self._printer_lane(url))

    def _sending_lanes(self, session: Session) -> None:
        """A lane for each way of sending appointment messages, for referral messages, report
        emails and follow-up texts, from the first one that waits for it (most offices never
        send some of them: no thread, no database connection is held for those)."""
        conn = session.store.conn
        wanted: dict[str, Callable[[], None]] = {
            f"oss-desk-{lane}": self._message_lane(lane)
            for lane in set(o.lanes(conn, MESSAGES)) & set(LANES)
        }
        if next_referral_message_due(conn) is not None:
            wanted["oss-desk-referral-messages"] = self._referral_messages
        for name, leased in (
            ("oss-desk-report-emails", ReportMailDelivery),
            ("oss-desk-feedback-texts", FeedbackTextDelivery),
        ):
            if leased.next_due(conn) is not None:
                wanted[name] = self._leased(leased)
        for name in sorted(set(wanted) - set(self._senders)):
            self._senders[name] = self._spawn(name, wanted[name])

    def _printer_lane(self, url: str) -> Callable[[], None]:
        def run() -> None:
            wake = self._waker(first=True)
            session = self.open_session()
            # The ring of a commit that can be seen (not the WAL's writes, which ring while it is
            # on its way), and a desk saying a job for a printer is about to be committed.
            delivery = PrintDelivery(session, self.transports, self.owner)
            bell = delivery.ready.listen(session.store.path)
            try:
                delivery.prepare(url)  # before its first job: the resident waits at it
                log.info("printer lane ready: %s", url)
                configured = url in configured_printers(session)
                while not self.stop.is_set():
                    wake.clear()
                    while not self.stop.is_set() and delivery.deliver_next(url):
                        pass
                    if configured:
                        delivery.poll(url)
                    self._sleep(wake, delivery.ready.let_go(self._until_due(session, url)), bell)
                    delivery.ready.heard(url, self.transports)  # then connected as it commits
            finally:
                delivery.ready.close()
                bell.close()
                session.close()

        return run

    def _until_due(self, session: Session, lane: str, box: o.Outbox = PRINT_JOBS) -> float:
        due = o.next_due(session.store.conn, box, lane)
        if due is None:
            return 1.0
        seconds = (read_instant(due) - session.clock.now()).total_seconds()
        return max(self.poll_interval, min(1.0, seconds))

    def _message_lane(self, lane: str) -> Callable[[], None]:
        def run() -> None:
            wake = self._waker()
            session = self.open_session()
            try:
                delivery = MessageDelivery(session, owner=self.owner, stop=self.stop)
                while not self.stop.is_set():
                    wake.clear()
                    while not self.stop.is_set() and delivery.deliver_next(lane):
                        pass
                    self._sleep(wake, self._until_due(session, lane, MESSAGES))
            finally:
                session.close()

        return run

    def _turn_texts(self) -> None:
        """\"Nearly your turn\" texts: when one comes due, and after a change that can need one
        (:class:`~oss_desk.worker.rounds.TurnTextsLane`: none while the office sends no texts
        or no number given today waits)."""
        lane = TurnTextsLane(self.stop)
        self._when_due(lane.round, next_turn_text_due, wants=lane.wants)

    def _referral_messages(self) -> None:
        """Referral references by email or text: after every change, and when one comes due."""

        def send(session: Session, steps: Steps) -> object:
            return referral_messages(session, steps, self.stop)

        self._when_due(send, next_referral_message_due)

    def _leased(self, lane: type[LeasedDelivery[Any]]) -> Callable[[], None]:
        """A lane of leased sends (report emails, follow-up texts): when queued and when due."""
        what = f"{lane.WHAT}s not sent now"

        def send(session: Session, steps: Steps) -> object:
            return steps.run(what, None, lambda: lane.round(session, self.owner, self.stop))

        return lambda: self._when_due(send, lane.next_due)

    def _when_due(
        self,
        send: Callable[[Session, Steps], object],
        next_due: Callable[[sqlite3.Connection], str | None],
        wants: Wants | None = None,
    ) -> None:
        """Send what is due after every change (``wants``: every change it wants), and again
        when the next one comes due (at least every 5 s, at most every poll interval; after a
        fault, once its pause is over: the message that made the round fail is still due)."""
        wake = self._waker(wants=wants)
        session = self.open_session()
        steps = Steps()
        try:
            while not self.stop.is_set():
                wake.clear()
                send(session, steps)
                due = steps.run(DUE_NOT_READ, None, lambda: next_due(session.store.conn))
                wait = 5.0
                if due is not None:
                    seconds = (read_instant(due) - session.clock.now()).total_seconds()
                    wait = max(self.poll_interval, min(5.0, seconds))
                self._sleep(wake, max(wait, steps.pause()))
        finally:
            session.close()

    def _board(self) -> None:
        """Keeps the board in step; a board added, moved or taken away by ``init`` while the
        worker runs is driven from the next loop (it was read once at start: a board added later
        showed no call until the worker was restarted, and nothing said so)."""
        wake = self._waker()
        session = self.open_session()
        board = BoardDelivery(session, self.owner)
        try:
            if board.link is not None:
                board.deliver(force=True)
            while not self.stop.is_set():
                pause = min(1.0, board.poll_seconds, board.page_seconds)
                self._sleep(wake, pause if board.link is not None else BOARD_LOOKS_SECONDS)
                wake.clear()
                if self.stop.is_set():
                    break
                if session.refresh_directory() and board.url != session.settings.board.url:
                    board.close()
                    board = BoardDelivery(session, self.owner)
                    log.info("board: %s", board.url or "none configured now")
                    if board.link is not None:
                        board.deliver(force=True)
                    continue
                if board.link is not None and not board.deliver() and not board.turn():
                    board.check()
        finally:
            board.close()
            session.close()

    def _housekeeping(self) -> None:
        """Each step in its own guard (:mod:`oss_desk.worker.rounds`): one step's fault never
        keeps the others from their turn."""
        session = self.open_session()
        steps = Steps()
        try:
            purged = -1e9
            while not self.stop.is_set():
                # A configuration loaded since; on a fault, the one it had.
                steps.run(CONFIGURATION, None, session.refresh_directory)
                day_end(session, steps)
                if time.monotonic() - purged > RETENTION_EVERY_SECONDS:
                    purge(session, steps)
                    fill_rollup(session, steps)
                    purged = time.monotonic()
                self.faults.worked()
                self.stop.wait(HOUSEKEEPING_SECONDS)
        finally:
            session.close()
