"""A new owner of the devices' first task: the print jobs an earlier owner left mid-print (it
died, or stopped before it could write what became of them), and a job this owner's own lane
left mid-job after a fault; each settled as what is known of it says (:class:`LeftJobs`)."""

from __future__ import annotations

import logging

from oss_desk.clock import format_instant
from oss_desk.domain.delivery import (
    WORKER_STOPPED,
    left_mid_print,
    stopped_worker_said,
    unconfirmed_said,
)
from oss_desk.services.session import Session
from oss_desk.storage import outbox as o
from oss_desk.storage.outbox import PRINT_JOBS, PrintJob
from oss_desk.storage.print_start import (
    began,
    begin_marks,
    carry_over,
    forget_others,
    noted_outcomes,
    same_boot,
)
from oss_desk.worker import print_memory as memory
from oss_desk.worker.print_counts import PrintCounts, PrintReport

log = logging.getLogger("oss_desk.worker")

NOTED_BY_THE_WORKER_STOPPED = "the worker that had it stopped first, and noted it for the next"
"""Why a job's outcome is written by the next owner (:meth:`LeftJobs.recover`)."""


class LeftJobs:
    """What :class:`~oss_desk.worker.printing.PrintDelivery` does with jobs left mid-print; it
    settles them (the methods below without a body are its own)."""

    s: Session
    owner: str
    _mine: tuple[str, str]

    def recover(self, counts: PrintCounts | None = None) -> int:
        """Jobs an earlier owner left mid-print (it died, or stopped before it could write them:
        we hold the lease). Its outcome noted as it stopped: written as it was known (a ticket
        the printer confirmed is printed, not printed again). Sent whole and not confirmed:
        uncertain (the desk is asked). Never begun (its owner's notes, on this boot, do not name
        it, and no earlier try left bytes): printed now, as the original. Else cut short:
        printed again once, marked COPY. What was recorded is added to ``counts`` (a
        ``worker --once`` pass's summary)."""
        now = format_instant(self.s.clock.now())
        report = PrintReport()
        db = self.s.store.path
        with self.s.store.read() as conn:
            left = o.orphans(conn, PRINT_JOBS, owner=self.owner)
        begun = {row["id"]: began(db, row["owner"], row["id"]) for row in left}
        by_owner = {owner: noted_outcomes(db, owner) for owner in {r["owner"] for r in left}}
        noted = {r["id"]: n for r in left if (n := by_owner[r["owner"]].get(r["id"])) is not None}
        # What their owners said of them is in this owner's own file before the jobs are its
        # own: should it die before it writes what became of them, the next reads the same.
        begin_marks(db, self.owner)
        carry_over(db, self.owner, begun, noted)
        with self.s.store.write() as conn:
            left = [row for row in left if o.adopt(conn, PRINT_JOBS, row["id"], owner=self.owner)]
            for row in left:
                memory.begin(self._mine, row["id"])  # (never taken for one handed to us)
        forget_others(db, self.owner)
        for row in left:
            job, note = PrintJob.of(row), noted.get(row["id"])
            kept = None if note is None else memory.from_note(note)
            if kept is not None:  # the printer answered; the owner stopped before writing it
                self._write_kept(job, kept, NOTED_BY_THE_WORKER_STOPPED, report)
            else:
                self._left(job, begun[row["id"]], report)
        if left:
            jobs = "print job" if len(left) == 1 else "print jobs"
            log.warning("took over %d %s left mid-print (at %s)", len(left), jobs, now)
        if counts is not None:
            counts.count_from(report)
        return len(left)

    def _left(
        self,
        job: PrintJob,
        first: bool | None,
        report: PrintReport,
        who: str = WORKER_STOPPED,
    ) -> None:
        """``job``, claimed by this owner, was left mid-print with its outcome unknown: by an
        earlier owner that died (``first``: whether its lane noted the job begun, None: not
        known), or by this owner's lane, stopped by a fault (``who`` says so). Sent whole:
        uncertain (the desk is asked). Certainly nothing of it left: printed now, as the
        original. Else printed again once, marked COPY
        (:func:`~oss_desk.domain.delivery.left_mid_print`)."""
        boot = same_boot(job.boot) if first is not None else None
        earlier, noted = job.auto_reprints > 0, first is True
        after = left_mid_print(
            sent=job.sent_at is not None, marked=noted, same_boot=boot, earlier=earlier
        )
        said = stopped_worker_said(marked=noted, same_boot=boot, earlier=earlier, who=who)
        if after == "uncertain":
            self._uncertain(job, report, unconfirmed_said(None, stopped=True))
        elif after == "original":
            self._original(job, report, said)
        else:
            self._cut_short(job, said, report)

    # The delivery's own (:class:`~oss_desk.worker.printing.PrintDelivery`) ---------------------

    def _write_kept(
        self, job: PrintJob, kept: memory.Unwritten, why: str | None, rep: PrintReport
    ) -> None: ...

    def _uncertain(self, job: PrintJob, report: PrintReport, error: str) -> None: ...

    def _cut_short(self, job: PrintJob, reason: str, report: PrintReport) -> None: ...

    def _original(self, job: PrintJob, report: PrintReport, error: str) -> None: ...
