"""What a pass of the print lanes did: jobs printed, sent, retried, failed, uncertain."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from oss_desk.services.printouts import done_word

__all__ = ["PrintCounts", "PrintReport"]

log = logging.getLogger("oss_desk.worker")


@dataclass
class PrintCounts:
    printed: int = 0
    """Confirmed by the printer, or sent whole to a printer that cannot confirm (``sent``)."""
    sent: int = 0
    retried: int = 0
    failed: int = 0
    uncertain: int = 0

    def count_from(self, other: PrintCounts) -> None:
        """Adds ``other``'s counts (a pass's delivery to what it recorded taking over)."""
        for name in ("printed", "sent", "retried", "failed", "uncertain"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class PrintReport(PrintCounts):
    errors: list[str] = field(default_factory=list)

    def settled(
        self,
        job: tuple[int, str],
        status: str,
        error: str | None,
        *,
        confirmed: bool = False,
        size: int = 0,
        quiet: bool = False,
    ) -> None:
        """Print job ``job`` (its id and kind) was settled as ``status`` (committed): counted,
        and said in the worker's log. ``quiet``: a waiting ticket's paper tried again, its
        printer's tries spent (logged once, not twice a minute)."""
        job_id, kind = job
        if status == "done":
            self.printed, self.sent = self.printed + 1, self.sent + int(not confirmed)
            log.info("job %s %s (%s, %d bytes)", job_id, done_word(confirmed), kind, size)
        elif status == "pending":
            self.retried += 1
            (log.debug if quiet else log.warning)("job %s will be tried again: %s", job_id, error)
        elif status == "uncertain":
            self.uncertain += 1
            log.warning("job %s may not have printed: %s", job_id, error)
        elif status == "cancelled":  # its ticket is over: no late paper, and no fault
            log.info("job %s not printed: %s", job_id, error)
            return
        else:
            self.failed += 1
            log.warning("job %s failed: %s", job_id, error)
        if error is not None:
            self.errors.append(error)
