"""The device worker: the one owner of the printers and the display board.

Desks never talk to devices: they commit print jobs and board updates with the change that
causes them, and this worker delivers them. It runs as ``oss-desk worker`` (a systemd service),
or inside a desk app or the demo when no worker is running; a lock file next to the database
makes sure there is never a second owner.

Printing: a job is claimed with a lease, rendered, and sent; on a fault it is retried with
backoff, then sent to the desk's fallback printer, then marked failed (the ticket still exists and
can be reprinted). A worker killed mid-job leaves a lease that runs out: the job is sent again
(at least once, never lost). The board: every call and recall queues an update; the worker shows
the site's latest calls, and after a fault it reconnects and resends the whole state.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.appointments import Appointment, AppointmentStatus
from oss_desk.domain.devices import parse_board_url, parse_printer_url
from oss_desk.domain.models import Actor, EventKind, Ticket
from oss_desk.domain.printouts import TicketPrintout, from_payload
from oss_desk.errors import InvalidInput, OssDeskError, StorageError
from oss_desk.hardware.boards import (
    BoardFault,
    BoardLink,
    BoardState,
    Call,
    Geometry,
    geometry_for,
    lines_for,
)
from oss_desk.hardware.printers import PrinterFault, PrinterStatus, Transport, open_transport
from oss_desk.hardware.templates import PreviewLine, preview, render
from oss_desk.services import resident
from oss_desk.services.appointments import AppointmentService
from oss_desk.services.dbops import RetentionService
from oss_desk.services.messages import compose
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.senders import NotifySender, SendFault, SmtpSender
from oss_desk.services.session import Session, resolve_db_path
from oss_desk.services.turn_texts import TextReport, TurnTexts
from oss_desk.storage import appointments as ap
from oss_desk.storage import devices as d
from oss_desk.storage import queue as q
from oss_desk.storage.changes import ChangeFeed
from oss_desk.storage.events import append_event
from oss_desk.storage.resident import next_turn_text_due, release_stale_turn_texts

log = logging.getLogger("oss_desk.worker")

LEASE_SECONDS = 60
MAX_BACKOFF = 60.0
BOARD_RETRY_SECONDS = 3.0
HEARTBEAT_SECONDS = 5.0
STALE_HEARTBEAT_SECONDS = 20.0
RETENTION_EVERY_SECONDS = 3600.0


# The lock ------------------------------------------------------------------------------------


class WorkerLock:
    """An exclusive lock on ``<database>.worker.lock``; the OS releases it if the process dies."""

    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path = path
        self._handle: IO[str] | None = handle

    @staticmethod
    def path_for(db: Path) -> Path:
        return db.with_name(db.name + ".worker.lock")

    @classmethod
    def acquire(cls, db: Path) -> WorkerLock | None:
        path = cls.path_for(db)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        handle = open(fd, "a+", encoding="utf-8")  # noqa: SIM115 - held for the process
        try:
            with contextlib.suppress(PermissionError):
                os.fchmod(fd, 0o600)
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        return cls(path, handle)

    @classmethod
    def holder(cls, db: Path) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            text = cls.path_for(db).read_text().strip()
            return int(text) if text else None
        return None

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


# Printing -------------------------------------------------------------------------------------


def backoff(attempts: int) -> float:
    return float(min(MAX_BACKOFF, 2 ** max(1, attempts)))


def ticket_printout(session: Session, ticket: Ticket) -> TicketPrintout:
    """The ticket as it goes on paper (``services/resident.py`` builds it)."""
    return resident.ticket_printout(session, ticket)


@dataclass
class PrintReport:
    printed: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class PrintDelivery:
    """Delivers due print jobs; uses one session (so one thread)."""

    def __init__(
        self,
        session: Session,
        transports: Callable[[str], Transport] = open_transport,
    ) -> None:
        self.s = session
        self.transports = transports
        self._last_poll: dict[str, float] = {}

    def _now(self) -> datetime:
        return self.s.clock.now()

    def deliver_due(self, limit: int = 1000) -> PrintReport:
        report = PrintReport()
        for _ in range(limit):
            if not self.deliver_one(report):
                break
        return report

    def deliver_one(self, report: PrintReport) -> bool:
        now = self._now()
        with self.s.store.write() as conn:
            job = d.claim_print_job(
                conn, format_instant(now), format_instant(now + timedelta(seconds=LEASE_SECONDS))
            )
        if job is None:
            return False
        try:
            data = self._render(job)
        except (OssDeskError, KeyError, ValueError, TypeError) as exc:
            self._finish_failed(job, f"cannot render the job: {exc}", report, permanent=True)
            return True
        try:
            transport = self.transports(job.printer_url)
        except InvalidInput as exc:
            self._finish_failed(job, exc.message, report, permanent=True)
            return True
        status = self._status(transport) if self._worth_asking(transport) else None
        if status is PrinterStatus.UNKNOWN:
            # An ESC/POS printer always answers DLE EOT, even when offline: silence means it
            # would swallow the job. (URLs with status=off skip the question.)
            self._finish_failed(
                job, "the printer does not answer (silent)", report, status=PrinterStatus.UNKNOWN
            )
            return True
        if status is not None and not status.can_print:
            self._finish_failed(job, status.sentence, report, status=status)
            return True
        try:
            transport.send(data)
        except PrinterFault as fault:
            self._finish_failed(job, fault.reason, report, status=fault.status)
            return True
        done = self._now()
        with self.s.store.write() as conn:
            d.job_printed(conn, job, format_instant(done))
            d.record_device(
                conn,
                url=job.printer_url,
                kind="printer",
                status=(status or PrinterStatus.OK).value,
                detail=None,
                now=format_instant(done),
            )
        report.printed += 1
        log.info("printed job %s (%s, %d bytes)", job.id, job.kind, len(data))
        return True

    def _render(self, job: d.PrintJob) -> bytes:
        profile = parse_printer_url(job.printer_url).profile
        if job.kind == "ticket":
            if job.ticket_id is None:
                raise ValueError("a ticket job without a ticket")
            ticket = q.get_ticket(self.s.store.conn, job.ticket_id)
            if ticket is None:
                raise ValueError(f"ticket {job.ticket_id} is gone")
            self.s.refresh_directory()
            return render(ticket_printout(self.s, ticket), profile)
        return render(from_payload(job.kind, job.payload), profile)

    def _worth_asking(self, transport: Transport) -> bool:
        return transport.url.asks_status

    def _status(self, transport: Transport) -> PrinterStatus:
        status = transport.status()
        self._last_poll[transport.url.url] = time.monotonic()
        return status

    def _finish_failed(
        self,
        job: d.PrintJob,
        reason: str,
        report: PrintReport,
        *,
        permanent: bool = False,
        status: PrinterStatus = PrinterStatus.UNREACHABLE,
    ) -> None:
        now = self._now()
        stamp = format_instant(now)
        fallback = self._fallback(job)
        retry_at: str | None = None
        switch_to: str | None = None
        if not permanent:
            if job.attempts < self.s.settings.printing.attempts:
                retry_at = format_instant(now + timedelta(seconds=backoff(job.attempts)))
            elif fallback is not None and fallback != job.printer_url:
                retry_at, switch_to = stamp, fallback
        with self.s.store.write() as conn:
            d.job_failed(
                conn,
                job,
                error=reason,
                retry_at=retry_at,
                printer_url=switch_to,
                reset_attempts=switch_to is not None,
            )
            d.record_device(
                conn,
                url=job.printer_url,
                kind="printer",
                status=status.value,
                detail=reason,
                now=stamp,
            )
        if retry_at is None:
            report.failed += 1
            log.warning("job %s failed for good: %s", job.id, reason)
        else:
            report.retried += 1
            log.warning("job %s will be retried: %s", job.id, reason)
        report.errors.append(reason)

    def _fallback(self, job: d.PrintJob) -> str | None:
        if job.desk_id is None:
            return None
        desk = self.s.directory.desks.get(job.desk_id)
        return desk.fallback_printer_url if desk else None

    def poll_printers(self, force: bool = False) -> dict[str, PrinterStatus]:
        """Ask each configured printer how it is (every ``printing.status_every_seconds``)."""
        every = self.s.settings.printing.status_every_seconds
        urls = {
            u
            for desk in self.s.directory.desks.values()
            for u in (desk.printer_url, desk.fallback_printer_url)
            if u
        }
        results: dict[str, PrinterStatus] = {}
        for url in sorted(urls):
            if not force and time.monotonic() - self._last_poll.get(url, -1e9) < every:
                continue
            try:
                transport = self.transports(url)
            except InvalidInput:
                continue
            status = self._status(transport) if self._worth_asking(transport) else PrinterStatus.OK
            results[url] = status
            with self.s.store.write() as conn:
                d.record_device(
                    conn,
                    url=url,
                    kind="printer",
                    status=status.value,
                    detail=None if not status.fault else status.sentence,
                    now=format_instant(self._now()),
                )
        return results


# The board -------------------------------------------------------------------------------------


class BoardDelivery:
    """Keeps the display board in step with the calls of its site."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.site = QueueService(session).board_site()
        url = session.settings.board.url
        self.link = BoardLink(parse_board_url(url)) if url else None
        self._shown: BoardState | None = None
        self._next_retry = 0.0
        self.frames_sent = 0

    def state(self) -> BoardState:
        assert self.site is not None
        assert self.link is not None
        return board_state(self.s, self.site, geometry_for(self.link.url).rows)

    def deliver(self, force: bool = False) -> bool:
        """Show the current state if something changed (or the board came back). True: sent."""
        if self.link is None or self.site is None:
            return False
        pending = d.pending_board_updates(self.s.store.conn, self.site)
        offline = self._shown is None
        if not pending and not force and not offline:
            return False
        if offline and not pending and not force and time.monotonic() < self._next_retry:
            return False
        state = self.state()
        now = format_instant(self.s.clock.now())
        try:
            self.link.show(state)
        except BoardFault as fault:
            self._shown = None
            self._next_retry = time.monotonic() + BOARD_RETRY_SECONDS
            with self.s.store.write() as conn:
                d.record_device(
                    conn,
                    url=self.link.url.url,
                    kind="board",
                    status="offline",
                    detail=str(fault),
                    now=now,
                )
            log.warning("board offline: %s", fault)
            return False
        first = self._shown is None
        self._shown = state
        self.frames_sent += 1
        with self.s.store.write() as conn:
            d.board_updates_done(conn, pending, now)
            if first or pending:
                d.record_device(
                    conn, url=self.link.url.url, kind="board", status="ok", detail=None, now=now
                )
        return True

    def close(self) -> None:
        if self.link is not None:
            self.link.close()


def board_state(session: Session, site_id: str, rows: int) -> BoardState:
    """The latest calls of the site today, as the board shows them (newest first)."""
    site = session.directory.sites[site_id]
    calls = d.latest_calls(session.store.conn, site.id, session.today(site), rows)
    names = {desk.id: desk.board_name or desk.display_name for desk in session.settings.desks}
    return BoardState(
        calls=tuple(Call(code, names.get(desk or "", desk or "")) for code, desk in calls),
        message=resident.board_message(session, site.id),
    )


@dataclass(frozen=True, slots=True)
class ResidentView:
    """What the resident sees: their ticket on paper, and the board."""

    ticket_code: str | None
    ticket_lines: list[PreviewLine]
    board_lines: list[str]
    board_url: str | None


def resident_view(session: Session, ticket_id: int | None) -> ResidentView:
    ticket = q.get_ticket(session.store.conn, ticket_id) if ticket_id is not None else None
    lines = preview(ticket_printout(session, ticket)) if ticket is not None else []
    url = session.settings.board.url
    site = QueueService(session).board_site()
    geometry = geometry_for(parse_board_url(url)) if url else Geometry()
    state = board_state(session, site, geometry.rows) if site else BoardState()
    return ResidentView(
        ticket_code=ticket.code if ticket else None,
        ticket_lines=lines,
        board_lines=lines_for(state, geometry),
        board_url=url,
    )


# Messages to residents ---------------------------------------------------------------------------

MESSAGE_LEASE_SECONDS = 120
MESSAGE_ATTEMPTS = 8


@dataclass
class MessageReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    """Messages no longer wanted (the appointment moved, was cancelled or has passed)."""


class MessageDelivery:
    """Sends due confirmations, reminders and notices; one session (so one thread)."""

    def __init__(
        self, session: Session, smtp: SmtpSender | None = None, notify: NotifySender | None = None
    ) -> None:
        self.s = session
        self.smtp = smtp or SmtpSender(session.settings.email)
        self.notify = notify or NotifySender(session.settings.notify)

    def deliver_due(self, limit: int = 10_000) -> MessageReport:
        report = MessageReport()
        for _ in range(limit):
            if not self.deliver_one(report):
                break
        return report

    def deliver_one(self, report: MessageReport) -> bool:
        now = self.s.clock.now()
        with self.s.store.write() as conn:
            message = ap.claim_message(
                conn,
                format_instant(now),
                format_instant(now + timedelta(seconds=MESSAGE_LEASE_SECONDS)),
            )
        if message is None:
            return False
        appt = ap.get_appointment(self.s.store.conn, id=message.appointment_id)
        assert appt is not None
        wanted = self._still_wanted(message, appt, now)
        if wanted is not None:
            self._finish(message, appt, wanted, report, error="no longer wanted")
            return True
        contact = ap.contact_of(self.s.store.conn, appt.id)
        to = (contact.email if message.channel == "email" else contact.phone) if contact else None
        if not to:
            self._finish(message, appt, "failed", report, error="no contact details (deleted?)")
            return True
        try:
            if message.via == "notify" and message.attempts > 1:
                # An earlier try may have reached Notify (a timeout looks like a failure): look
                # it up by its reference before sending again, so it is never sent twice.
                earlier = self.notify.lookup(message.reference)
                if earlier is not None:
                    self._finish(message, appt, "sent", report, provider=earlier)
                    return True
            composed = compose(self.s, appt, message.kind)
            self.smtp.now = now
            if message.via == "smtp":
                provider = self.smtp.send(to, composed, message.reference)
            else:
                provider = self.notify.send(message.channel, to, composed, message.reference)
        except SendFault as fault:
            if fault.retry and message.attempts < MESSAGE_ATTEMPTS:
                retry = now + timedelta(seconds=backoff(message.attempts))
                self._finish(message, appt, "pending", report, error=fault.reason, retry=retry)
            else:
                self._finish(message, appt, "failed", report, error=fault.reason, alert=fault.alert)
            return True
        self._finish(message, appt, "sent", report, provider=provider)
        return True

    def _still_wanted(self, message: ap.Message, appt: Appointment, now: datetime) -> str | None:
        """None to send; else the status to give it ('cancelled' or 'expired')."""
        if message.kind == "cancellation":
            return None
        if appt.version != message.for_version or appt.status is not AppointmentStatus.BOOKED:
            return "cancelled"
        if message.kind == "reminder" and appt.starts_at <= now:
            return "expired"
        return None

    def _finish(
        self,
        message: ap.Message,
        appt: Appointment,
        status: str,
        report: MessageReport,
        *,
        error: str | None = None,
        provider: str | None = None,
        retry: datetime | None = None,
        alert: bool = False,
    ) -> None:
        now = self.s.clock.now()
        stamp = format_instant(now)
        site = self.s.directory.sites[appt.site_id]
        with self.s.store.write() as conn:
            ap.finish_message(
                conn,
                message.id,
                status=status,
                now=stamp,
                provider_id=provider,
                error=error if status != "sent" else None,
                retry_at=format_instant(retry) if retry else None,
            )
            if status in ("sent", "failed"):
                append_event(
                    conn,
                    at=now,
                    timezone=site.timezone,
                    site_id=site.id,
                    kind=EventKind.MESSAGE_SENT if status == "sent" else EventKind.MESSAGE_FAILED,
                    actor=Actor("worker"),
                    service_code=appt.service,
                    appointment_id=appt.id,
                    data={
                        "kind": message.kind,
                        "channel": message.channel,
                        "via": message.via,
                        **({"reason": error} if error and status == "failed" else {}),
                    },
                )
            if alert or status == "sent":
                d.record_device(
                    conn,
                    url=message.via,
                    kind="mail" if message.via == "smtp" else "notify",
                    status="failed" if alert else "ok",
                    detail=error if alert else None,
                    now=stamp,
                )
        if status == "sent":
            report.sent += 1
            log.info("sent %s %s for appointment %s", message.kind, message.channel, appt.id)
        elif status == "pending":
            report.retried += 1
            log.warning("message %s will be retried: %s", message.id, error)
        elif status == "failed":
            report.failed += 1
            log.warning("message %s failed: %s", message.id, error)
        else:
            report.dropped += 1


# The worker ------------------------------------------------------------------------------------


@dataclass
class WorkerReport:
    printed: int = 0
    retried: int = 0
    failed: int = 0
    board_frames: int = 0
    printers: dict[str, str] = field(default_factory=dict)
    messages_sent: int = 0
    messages_failed: int = 0
    no_shows: int = 0
    turn_texts_sent: int = 0


class DeviceWorker:
    """Runs the printing and the board on two threads, each with its own database session."""

    def __init__(
        self,
        open_session: Callable[[], Session],
        *,
        poll_interval: float = 0.05,
        transports: Callable[[str], Transport] = open_transport,
    ) -> None:
        def host_session() -> Session:
            session = open_session()
            session.host = True  # the device worker is host-level: never role-checked
            return session

        self.open_session = host_session
        self.poll_interval = poll_interval
        self.transports = transports
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.errors: list[str] = []

    # One pass (oss-desk worker --once) ------------------------------------------------------

    def run_once(self) -> WorkerReport:
        session = self.open_session()
        try:
            with session.store.write() as conn:
                d.release_stale_jobs(conn)
                ap.release_stale_messages(conn)
            self._beat(session)
            printing = PrintDelivery(session, self.transports)
            report = printing.deliver_due()
            result = WorkerReport(report.printed, report.retried, report.failed)
            board = BoardDelivery(session)
            try:
                result.board_frames = int(board.deliver(force=True))
            finally:
                board.close()
            result.printers = {u: s.value for u, s in printing.poll_printers(force=True).items()}
            result.no_shows = len(AppointmentService(session, Actor("worker")).auto_no_show())
            fill_rollup(session)
            messages = MessageDelivery(session).deliver_due()
            result.messages_sent, result.messages_failed = messages.sent, messages.failed
            texts = turn_texts(session)
            result.turn_texts_sent = texts.sent
            return result
        finally:
            session.close()

    # Running ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the printing, board and heartbeat threads (returns at once)."""
        for name, target in (
            ("oss-desk-printing", self._printing),
            ("oss-desk-board", self._board),
            ("oss-desk-messages", self._messages),
            ("oss-desk-heartbeat", self._heartbeat),
        ):
            thread = threading.Thread(target=self._guard(target), name=name, daemon=True)
            thread.start()
            self.threads.append(thread)

    def join(self, timeout: float = 10.0) -> None:
        self.stop.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def run_forever(self) -> None:
        self.start()
        try:
            while not self.stop.wait(0.5):
                pass
        finally:
            self.join()

    def _guard(self, target: Callable[[], None]) -> Callable[[], None]:
        """A device thread that hits an unexpected fault logs it and starts again: the worker
        must outlive a bad printer or a bad day."""

        def run() -> None:
            pause = 2.0
            while not self.stop.is_set():
                try:
                    target()
                    return
                except StorageError as exc:
                    # Disk full, read-only, locked, the file replaced or damaged: nothing is
                    # written; wait (longer each time, up to a minute), then open the database
                    # afresh and resume.
                    self.errors.append(type(exc).__name__)
                    log.warning("%s; the worker waits %.0f s and tries again", exc.message, pause)
                    self.stop.wait(pause)
                    pause = min(pause * 2, 60.0)
                except Exception as exc:
                    self.errors.append(type(exc).__name__)
                    log.exception("device thread failed; restarting in 2 s")
                    self.stop.wait(2.0)

        return run

    def _printing(self) -> None:
        session = self.open_session()
        try:
            with session.store.write() as conn:
                d.release_stale_jobs(conn)
            delivery = PrintDelivery(session, self.transports)
            feed = ChangeFeed(session.store)
            while not self.stop.is_set():
                delivery.deliver_due()
                delivery.poll_printers()
                wait = self._until_due(session)
                if feed.wait(timeout=wait, interval=self.poll_interval, stop=self.stop) is not None:
                    session.refresh_directory()
        finally:
            session.close()

    def _until_due(self, session: Session) -> float:
        due = d.next_due_at(session.store.conn)
        if due is None:
            return 1.0
        seconds = (read_instant(due) - session.clock.now()).total_seconds()
        return max(self.poll_interval, min(1.0, seconds))

    def _board(self) -> None:
        session = self.open_session()
        board = BoardDelivery(session)
        try:
            if board.link is None:
                return
            feed = ChangeFeed(session.store)
            board.deliver(force=True)
            while not self.stop.is_set():
                changes = feed.wait(
                    timeout=BOARD_RETRY_SECONDS, interval=self.poll_interval, stop=self.stop
                )
                if changes is not None:
                    session.refresh_directory()
                board.deliver()
        finally:
            board.close()
            session.close()

    def _messages(self) -> None:
        session = self.open_session()
        try:
            with session.store.write() as conn:
                ap.release_stale_messages(conn)
                release_stale_turn_texts(conn)
            delivery = MessageDelivery(session)
            appointments = AppointmentService(session, Actor("worker"))
            feed = ChangeFeed(session.store)
            retention = RetentionService(session, Actor("worker"))
            housekeeping = purged = -1e9
            while not self.stop.is_set():
                if time.monotonic() - housekeeping > 60:
                    appointments.auto_no_show()
                    housekeeping = time.monotonic()
                if time.monotonic() - purged > RETENTION_EVERY_SECONDS:
                    retention.purge()
                    fill_rollup(session)
                    purged = time.monotonic()
                delivery.deliver_due()
                turn_texts(session)
                due = min(
                    (
                        t
                        for t in (
                            ap.next_message_due(session.store.conn),
                            next_turn_text_due(session.store.conn),
                        )
                        if t is not None
                    ),
                    default=None,
                )
                wait = 5.0
                if due is not None:
                    seconds = (read_instant(due) - session.clock.now()).total_seconds()
                    wait = max(self.poll_interval, min(5.0, seconds))
                if feed.wait(timeout=wait, interval=self.poll_interval, stop=self.stop) is not None:
                    session.refresh_directory()
        finally:
            session.close()

    def _heartbeat(self) -> None:
        session = self.open_session()
        try:
            while not self.stop.is_set():
                self._beat(session)
                self.stop.wait(HEARTBEAT_SECONDS)
        finally:
            session.close()

    def _beat(self, session: Session) -> None:
        now = format_instant(session.clock.now())
        started = getattr(self, "_started", None) or now
        self._started = started
        with session.store.write() as conn:
            d.beat(conn, pid=os.getpid(), host=socket.gethostname(), started_at=started, now=now)


def turn_texts(session: Session) -> TextReport:
    """\"Nearly your turn\" texts: queue what the queue now calls for, send what is due; a
    fault is logged, never fatal."""
    texts = TurnTexts(session, Actor("worker"))
    try:
        texts.queue_due()
        return texts.deliver_due()
    except (OssDeskError, sqlite3.Error) as exc:
        log.warning("texts to residents not sent now: %s", exc)
        return TextReport()


def fill_rollup(session: Session) -> None:
    """Store the days that ended since the last report in the daily rollup (so that the next
    monthly report reads them instead of counting them); a fault is logged, never fatal."""
    try:
        ReportService(session, Actor("worker")).fill_rollup()
    except (OssDeskError, sqlite3.Error) as exc:
        log.warning("daily rollup not filled: %s", exc)


def worker_lock_for(db: str | os.PathLike[str] | None) -> tuple[Path, WorkerLock | None]:
    path = resolve_db_path(db)
    return path, WorkerLock.acquire(path)
