"""Print jobs: each printer is a lane of its own, delivered in order, every state honest.

A job goes: queued -> sending (committed just before the first byte leaves) -> the moment the
last byte is written, ``sent_at`` is committed -> the printer is asked again: online and fine
means printed; silence (or a fault) means uncertain, and the desk that queued it is asked
whether to reprint. Only what certainly did not print is retried by itself (the printer said it
cannot print, the connection failed before any byte left): with backoff, then on the desk's
fallback printer; then a waiting ticket's paper keeps waiting for its printer while the ticket
waits (``WAITING_TICKET_RETRY_SECONDS``), any other job fails with the reason. What a printer
says to one try (it cannot be reached, or cannot print) is the try of every job of it due then:
one connection, not one a job. Once a printer takes a job, or answers ready while jobs queued
before the one tried wait for their next try, what waits for it is tried at once, in the order
it was queued (the resident with C001 gets paper before C007). A job cut short after some bytes
left is printed again once by itself, marked COPY; never more. A job that cannot be rendered or
sent fails alone, with its reason, and the lane goes on with the next one.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from oss_desk.clock import format_instant
from oss_desk.domain.delivery import (
    LANE_STOPPED,
    PRINT_LEASE_SECONDS,
    after_cut_short,
    is_copy,
    print_backoff,
    unconfirmed_said,
    waiting_ticket_retry,
)
from oss_desk.domain.device_faults import PRINTER_SILENT, said_with
from oss_desk.domain.devices import PrinterURL, parse_printer_url
from oss_desk.domain.printouts import SlipPrintout, TicketPrintout, from_payload
from oss_desk.domain.sending import send_round
from oss_desk.errors import ResourceFault
from oss_desk.hardware.printers import (
    PrinterFault,
    PrinterLink,
    PrinterStatus,
    Transport,
    lost_on,
    open_transport,
    prepare,
)
from oss_desk.hardware.templates import render
from oss_desk.services.printouts import TicketOver, job_ticket, ticket_over
from oss_desk.services.session import Session
from oss_desk.storage import outbox as o
from oss_desk.storage.outbox import PRINT_JOBS, PrintJob
from oss_desk.storage.print_start import (
    began,
    mark_first_byte,
)
from oss_desk.storage.print_state import (
    due_beside,
    due_now,
    hold_back,
    record_printed,
    waiting_before,
)
from oss_desk.worker import print_memory as memory
from oss_desk.worker.owner import describe, new_owner, unexpected
from oss_desk.worker.print_counts import PrintReport
from oss_desk.worker.print_recovery import LeftJobs
from oss_desk.worker.printer_states import PrinterStates
from oss_desk.worker.printing_steps import (
    Meanwhile,
    ReadyLinks,
    answered,
    confirm_and_close,
    unknown_status,
)

log = logging.getLogger("oss_desk.worker")

LEASE_SECONDS = PRINT_LEASE_SECONDS
QUICK_ANSWER_SECONDS = 0.002
"""How long to wait for the answer of a printer asked with the job's last bytes before
committing "sent" on its own: a network printer answers within a round trip, and then "sent"
and "printed" are one commit, after the line is freed."""


class PrintDelivery(LeftJobs):
    """Delivers print jobs; uses one session (so one thread). Each printer is its own lane:
    :meth:`deliver_next` takes the next job of one printer only."""

    def __init__(
        self,
        session: Session,
        transports: Callable[[PrinterURL], Transport] = open_transport,
        owner: str | None = None,
    ) -> None:
        self.s = session
        self.transports = transports
        self.owner = owner or new_owner()
        self._mine = (str(session.store.path), self.owner)
        self._urls: dict[str, PrinterURL] = {}
        self._drawn: dict[int, TicketPrintout] = {}  # each ticket job's latest render
        self.ready = ReadyLinks()  # connections opened as a desk said a job was coming
        self.states = PrinterStates(session, transports, self.ready)
        self._record, self._written = self.states.record, self.states.written

    def _now(self) -> datetime:
        return self.s.clock.now()

    # Delivering -------------------------------------------------------------------------------

    def deliver_due(self, limit: int = 1000) -> PrintReport:
        """Every job due now, printer by printer (``oss-desk worker --once``, tests)."""

        def every_printer(report: PrintReport) -> bool:
            lanes = o.lanes(self.s.store.conn, PRINT_JOBS, self.owner)
            return any([self.deliver_next(lane, report) for lane in lanes])

        return send_round(every_printer, PrintReport(), limit)

    def deliver_handed(self) -> PrintReport:
        """Every job handed to this owner as it was queued and not yet delivered (an owner
        stepping down delivers these first: nobody else may, until it is gone)."""
        report = PrintReport()
        for lane in o.lanes(self.s.store.conn, PRINT_JOBS, self.owner):
            while self.deliver_next(lane, report, handed_only=True):
                pass
        return report

    def prepare(self, lane: str) -> None:
        """Load what printer ``lane``'s jobs need before its first one (a URL that cannot be
        read, or a library that fails, fails its jobs, with the reason, as they come)."""
        try:
            prepare(self._url(lane))
        except Exception as exc:
            log.warning("printer %s not prepared: %s", lane, describe(exc))

    def deliver_next(
        self, lane: str, report: PrintReport | None = None, *, handed_only: bool = False
    ) -> bool:
        """Deliver the next due job of printer ``lane`` (or one handed to this owner as it was
        queued: ``handed_only``, only those). False: none is due."""
        report = report if report is not None else PrintReport()
        stamp = format_instant(self._now())
        conn = self.s.store.conn
        row = o.peek(
            conn, PRINT_JOBS, lane=lane, now=stamp, owner=self.owner, handed_only=handed_only
        )
        if row is None:
            return False
        job = PrintJob.of(row)
        handed = job.status == PRINT_JOBS.sending  # claimed for us (as it was queued, or begun)
        if not memory.begin(self._mine, job.id, claimed=handed):
            kept, why = memory.kept(self._mine, job.id)
            if kept is not None:  # the printer answered; only writing it failed: written now
                self._write_kept(job, kept, why, report)
                return True
            # Claimed by this owner, begun, and left mid-job by a fault before an outcome was
            # known: as after a worker that stopped, by what its lane noted before a first byte.
            first = began(self.s.store.path, self.owner, job.id)
            self._left(job, first, report, said_with(LANE_STOPPED, why))
            return True
        if handed:
            job = dataclasses.replace(job, started_at=None)  # its first try: none left before
        try:
            self._deliver(job, report, stamp, handed=handed)
        except ResourceFault as fault:  # nothing written (the disk full): the lane tries again
            memory.not_written(self._mine, job.id, fault.message)
            said = said_with("what became of it could not be recorded now", fault.message)
            log.warning("job %s: %s; recorded when its lane starts again", job.id, said)
            raise
        except Exception as exc:  # whatever one job does, the lane goes on with the next one
            log.exception("print job %s failed unexpectedly", job.id)
            error = unexpected(exc)
            self._settle(job, "failed", report, claimed=handed, error=error)
        return True

    def _deliver(
        self, job: PrintJob, report: PrintReport, stamp: str, *, handed: bool = False
    ) -> None:
        """Print ``job``, found due at ``stamp``: ``handed``, it is claimed already (no byte of
        it has left: a fault before the first one leaves it as if never started)."""
        unsent: dict[str, Any] = {"started_at": None} if handed else {}
        # With a connection held open for it, a ticket's job reads its ticket once, as it is
        # drawn (an ended one is settled there, just the same): not once more before that.
        held = self.ready.holds(job.printer_url)
        if not held and (over := ticket_over(self.s, job.kind, job.ticket_id)) is not None:
            # Its ticket ended (cancelled, served, closed...) while the job waited, or after it
            # was handed to us: settled unprinted now, without a connection to the printer.
            self._settle(job, "cancelled", report, claimed=handed, error=over, **unsent)
            return
        try:
            url = self._url(job.printer_url)
            transport = self.transports(url)
        except Exception as exc:
            error = f"bad printer URL: {describe(exc)}"
            self._settle(job, "failed", report, claimed=handed, error=error, **unsent)
            return
        ready = self.ready.take(job.printer_url)  # opened and asked as its desk issued it
        try:
            link, asked = ready.result() if ready is not None else (transport.open(), None)
        except PrinterFault as fault:  # nothing was sent
            if held and (over := ticket_over(self.s, job.kind, job.ticket_id)) is not None:
                # Its ticket ended meanwhile: settled unprinted, not a failed try at the printer.
                self._settle(job, "cancelled", report, claimed=handed, error=over, **unsent)
                return
            self._not_printed(job, fault.reason, fault.status, report, claimed=handed)
            return
        try:
            # The printer is asked how it is, and answers while the job is rendered (and
            # claimed, unless it was handed to us claimed).
            answer = asked or (link.ask() if url.asks_status else unknown_status)
            if waiting_before(self.s.store.conn, job.printer_url, job.id, stamp):
                answer = answered(answer())  # read first: the printer back, older jobs go first
                if self._older_first(job, url, answer()):
                    return
            try:
                data = self._render(job, url.profile)
            except TicketOver as ended:  # it ended as the printer was reached: no paper either
                self._settle(job, "cancelled", report, claimed=handed, error=str(ended), **unsent)
                return
            except Exception as exc:
                error = f"cannot render the job: {describe(exc)}"
                self._settle(job, "failed", report, claimed=handed, error=error, **unsent)
                return
            claimed = job if handed else self._claim(job)
            if claimed is not None:  # (else taken by another owner: not with the lease held)
                self._over(link, transport, url, claimed, data, report, answer())
        finally:
            link.close()

    def _older_first(self, job: PrintJob, url: PrinterURL, said: PrinterStatus) -> bool:
        """Jobs queued before ``job`` for its printer wait for their next try (it was off, or
        could not print): when the printer now said it can print (``said``), they are due at
        once and go on paper first, in order, ``job`` after them, left as it was (not tried;
        one handed to this owner as it was queued stays so). False: the printer is not back."""
        if not said.can_print or (url.asks_status and said is PrinterStatus.UNKNOWN):
            return False
        with self.s.store.write() as conn:
            due_now(conn, job.printer_url, self._stamp())
        memory.finished(self._mine, job.id)  # (begun again when its turn comes)
        log.info("job %s waits: the jobs queued before it for its printer go first", job.id)
        return True

    def _url(self, text: str) -> PrinterURL:
        """A job's printer URL, parsed once per lane (every job of a lane has the same)."""
        url = self._urls.get(text)
        if url is None:
            url = self._urls[text] = parse_printer_url(text)
        return url

    def _claim(self, job: PrintJob) -> PrintJob | None:
        """Take the job (committed, so durable, before any byte can leave; from then on a
        worker that stops leaves it to be printed again marked COPY, never twice unmarked).
        None: another owner has it, or its ticket is over (settled unprinted, in the claim)."""
        with self.s.store.write() as conn:
            stamp = self._stamp()
            taken = o.claim(
                conn,
                PRINT_JOBS,
                owner=self.owner,
                now=stamp,
                row_id=job.id,
                lease_until=self._lease(),
            )
            if not taken:
                return None
            if (stale := o.start_printing(conn, job, stamp, self.owner)) is None:
                return dataclasses.replace(job, attempts=job.attempts + 1)
        log.info("job %s not printed: %s", job.id, stale)  # its ticket is over: no late paper
        memory.finished(self._mine, job.id)
        return None

    def _over(
        self,
        link: PrinterLink,
        transport: Transport,
        url: PrinterURL,
        job: PrintJob,
        data: bytes,
        report: PrintReport,
        before: PrinterStatus,
    ) -> None:
        """Print the claimed ``job`` over ``link``, the printer having said ``before``."""
        if url.asks_status and before is PrinterStatus.UNKNOWN:
            # An ESC/POS printer always answers DLE EOT, even offline: silence means it would
            # swallow the job. (URLs with status=off skip the question.)
            self._not_printed(job, PRINTER_SILENT, before, report)
            return
        if not before.can_print:
            self._not_printed(job, before.sentence, before, report)
            return
        mark_first_byte(self.s.store.path, self.owner, job.id)  # (a line appended: no lock)
        try:
            link.write(data)
        except PrinterFault as fault:  # the job's outcome first (kept, should it not be written)
            if fault.sent == 0:
                self._not_printed(job, fault.reason, fault.status, report)
            else:
                self._cut_short(job, f"{fault.reason} after {fault.sent} bytes", report)
            self._written(url.url, fault.status, fault.reason)
            return
        if not transport.confirms:
            self._sent(job)  # the last byte has left: from now on, "sent"
            link.close()  # the printer has it all: free the line before the bookkeeping
            self._settle(job, "done", report, claimed=True, confirmed=False, size=len(data))
            return
        sent_at = self._stamp()
        if link.answered(QUICK_ANSWER_SECONDS):
            # A network printer a round trip away has answered already: read it, free the
            # line, then record "sent" and what the printer said in one commit.
            after = confirm_and_close(link, len(data))
            self._confirmed(url, job, after, len(data), report, lost_on(link), sent_at=sent_at)
            return
        # Else the printer's answer is read (and the line freed as soon as it came) while
        # "sent" is committed; "printed" is recorded only after both. "Sent" not written (the
        # database busy, the disk full) goes with the answer, which is kept until it is written.
        answer = Meanwhile(lambda: confirm_and_close(link, len(data)))
        unwritten: dict[str, Any] = {}
        try:
            self._sent(job)
        except ResourceFault:
            unwritten["sent_at"] = sent_at
        finally:
            after = answer.result()
        self._confirmed(url, job, after, len(data), report, lost_on(link), **unwritten)

    def _confirmed(
        self,
        url: PrinterURL,
        job: PrintJob,
        after: PrinterStatus,
        size: int,
        report: PrintReport,
        lost: str | None = None,
        **columns: Any,
    ) -> None:
        """The connection took the whole job and the printer said ``after`` (or the connection
        was ``lost`` instead): printed only when it is online and fine."""
        silent = url.asks_status and after is PrinterStatus.UNKNOWN
        if after in (PrinterStatus.OK, PrinterStatus.NEAR_END):
            self._settle(job, "done", report, claimed=True, confirmed=True, size=size, **columns)
        else:
            fault = None if after is PrinterStatus.UNKNOWN else after.value
            said = unconfirmed_said(size, said=fault, lost=lost)
            self._settle(job, "uncertain", report, claimed=True, error=said, **columns)
        # The job's outcome is written first (kept, should the disk be full), then the printer's.
        self._written(url.url, after, PRINTER_SILENT if silent else None)

    def _render(self, job: PrintJob, profile: str) -> bytes:
        copy = is_copy(o.bytes_left_before(self.s.store.conn, job))
        if job.kind == "ticket":  # drawn now; what went out is kept when it settles
            drawn = self._drawn[job.id] = job_ticket(self.s, job.ticket_id, copy=copy)
            return render(drawn, profile)
        printout = from_payload(job.kind, job.payload)
        if copy and isinstance(printout, SlipPrintout):
            printout = dataclasses.replace(printout, copy=True)
        return render(printout, profile)

    def _sent(self, job: PrintJob) -> None:
        with self.s.store.write() as conn:
            conn.execute(
                "UPDATE print_jobs SET sent_at = ? WHERE id = ? AND owner = ?",
                [self._stamp(), job.id, self.owner],
            )

    # Outcomes ---------------------------------------------------------------------------------

    def _stamp(self) -> str:
        return format_instant(self._now())

    def _lease(self) -> str:
        return format_instant(self._now() + timedelta(seconds=LEASE_SECONDS))

    def _not_printed(
        self,
        job: PrintJob,
        reason: str,
        status: PrinterStatus,
        report: PrintReport,
        *,
        claimed: bool = True,
    ) -> None:
        """``job`` certainly did not print: try again later, then the fallback printer, then a
        waiting ticket's paper waits on (tried every 30 s while its ticket waits: it prints by
        itself once the printer is back), any other job is given up on (the team leader is
        asked to print it again). ``claimed``: this owner claimed it
        (else it was not, as when the printer could not be reached).

        No byte of this try left (whatever the printer or its transport: not tried because the
        printer said it cannot print or did not answer, or a write refused before its first
        byte, as a capture file that cannot be opened), so the try leaves the job as it found
        it: started only if an earlier try was, and the next copy says COPY only then
        (:func:`oss_desk.storage.outbox.bytes_left_before`)."""
        self._try_failed(job, reason, report, claimed=claimed)
        for row in due_beside(self.s.store.conn, job.printer_url, job.id, self._stamp()):
            other = PrintJob.of(row)  # due now too: what the printer said is their try as well
            if (over := ticket_over(self.s, other.kind, other.ticket_id)) is not None:
                self._settle(other, "cancelled", report, error=over)
            else:
                self._try_failed(other, reason, report, claimed=False)
        with self.s.store.write() as conn:  # the others wait for its next try, not their own
            hold_back(conn, job.printer_url, job.id)
        self._record(job.printer_url, status, reason)

    def _try_failed(
        self, job: PrintJob, reason: str, report: PrintReport, *, claimed: bool
    ) -> None:
        """A try of ``job`` did not print it (``reason``): as :meth:`_not_printed` says."""
        settings = self.s.settings.printing
        fallback = self._fallback(job)
        columns: dict[str, Any] = {"started_at": job.started_at} if claimed else {}
        attempts = job.attempts if claimed else job.attempts + 1
        if attempts < settings.attempts:
            wait = print_backoff(attempts, first=settings.retry_seconds)
            retry = format_instant(self._now() + timedelta(seconds=wait))
            self._settle(
                job, "pending", report, claimed=claimed, error=reason, retry=retry, **columns
            )
        elif fallback is not None and fallback != job.printer_url:
            self._settle(
                job,
                "pending",
                report,
                claimed=claimed,
                error=f"{reason}; moved to the desk's fallback printer",
                retry=self._stamp(),
                printer_url=fallback,
                attempts=0,
                **columns,
            )
        elif job.kind == "ticket" and ticket_over(self.s, job.kind, job.ticket_id) is None:
            wait = waiting_ticket_retry(attempts, settings.retry_seconds)  # its ticket waits
            retry = format_instant(self._now() + timedelta(seconds=wait))
            self._settle(
                job, "pending", report, claimed=claimed, error=reason, retry=retry, **columns
            )
        else:
            self._settle(job, "failed", report, claimed=claimed, error=reason, **columns)

    def _cut_short(self, job: PrintJob, reason: str, report: PrintReport) -> None:
        """Some bytes left, not all: a part may be on paper, no whole ticket is."""
        if after_cut_short(job.auto_reprints) == "reprint":
            wait = print_backoff(1, first=self.s.settings.printing.retry_seconds)
            self._settle(
                job,
                "pending",
                report,
                claimed=True,
                error=f"{reason}; printing it again (marked COPY)",
                retry=format_instant(self._now() + timedelta(seconds=wait)),
                auto_reprints=job.auto_reprints + 1,
            )
        else:
            self._uncertain(job, report, f"{reason}, and it was already printed again once")

    def _write_kept(
        self, job: PrintJob, kept: memory.Unwritten, why: str | None, rep: PrintReport
    ) -> None:
        """What became of ``job`` was known (the printer answered, or the job certainly did not
        print) but could not be written: written now; a job the printer had is not printed
        again, one that did not print is tried as that outcome said."""
        answered = kept.status in ("done", "uncertain")
        when = "when the printer answered" if answered else "when it was known"
        said = said_with(f"its outcome could not be recorded {when}", why)
        log.warning("job %s: %s; recorded now%s", job.id, said, " (not printed again)" * answered)
        self._drawn.update({job.id: kept.drawn} if kept.drawn is not None else {})
        self._settle(job, kept.status, rep, **kept.settle)

    def _original(self, job: PrintJob, report: PrintReport, error: str) -> None:
        """Certainly nothing of it left: printed again as the original (``error`` says why)."""
        self._settle(job, "pending", report, claimed=True, error=error, started_at=None)

    def _uncertain(self, job: PrintJob, report: PrintReport, error: str) -> None:
        """It may be on paper (or part of it): uncertain, for the desk to answer."""
        self._settle(job, "uncertain", report, claimed=True, error=error)

    def _settle(
        self,
        job: PrintJob,
        status: str,
        report: PrintReport,
        *,
        claimed: bool = False,
        error: str | None = None,
        retry: str | None = None,
        confirmed: bool = False,
        size: int = 0,
        **columns: object,
    ) -> None:
        if claimed:  # what became of a claimed job (the printer's word...): kept until written
            given = dict(claimed=True, error=error, retry=retry, confirmed=confirmed, size=size)
            memory.keep(self._mine, job.id, status, given | columns, self._drawn.get(job.id))
        stamp = self._stamp()
        values: dict[str, object] = dict(columns)
        if error is not None:
            values["last_error"] = error[:200]
        if retry is not None:
            values["next_attempt_at"] = retry
        if status == "done":
            values["last_error"] = None
            if confirmed:
                values["printed_at"] = stamp
        with self.s.store.write() as conn:
            if not claimed and not o.claim(
                conn, PRINT_JOBS, owner=self.owner, now=stamp, row_id=job.id
            ):
                return
            if not o.finish(conn, PRINT_JOBS, job.id, owner=self.owner, status=status, **values):
                return
            if status == "done":
                # The ticket went to paper as far as can be known (the job's own printed_at
                # says whether the printer confirmed it); what waits for the printer, now back,
                # is tried at once, in order.
                o.mark_ticket_printed(conn, job, stamp)
                due_now(conn, job.printer_url, stamp)
            record_printed(conn, job.id, self._drawn.pop(job.id, None), status)  # (F10)
        memory.finished(self._mine, job.id)  # (committed: no longer this owner's)
        quiet = job.attempts >= self.s.settings.printing.attempts
        report.settled(
            (job.id, job.kind), status, error, confirmed=confirmed, size=size, quiet=quiet
        )

    def _fallback(self, job: PrintJob) -> str | None:
        if job.desk_id is None:
            return None
        desk = self.s.directory.desks.get(job.desk_id)
        return desk.fallback_printer_url if desk else None

    # What each printer last said (:class:`~oss_desk.worker.printer_states.PrinterStates`) --------

    def poll(self, url: str, force: bool = False) -> PrinterStatus | None:
        """Ask an idle printer how it is, every ``printing.status_every_seconds``."""
        return self.states.poll(url, force)

    def poll_printers(self, force: bool = False) -> dict[str, PrinterStatus]:
        """Ask each configured printer how it is (``oss-desk worker --once``)."""
        return self.states.poll_printers(force)
