"""What an owner of the devices knows of its print jobs that the database does not hold (yet).

The jobs it began to deliver and has not finished; and, for a job whose outcome the printer gave
but which could not be written (the disk full, the database locked), that outcome and why it was
not written. The lane waits and tries again; the job, still claimed by this owner, then comes
back to it: the outcome kept is written, and nothing is printed again. Memory only: an owner that
dies takes it along, and the next one finds the job begun and prints it again, marked COPY (it
cannot know the printer's answer); one that stops in order with an outcome still unwritten
notes it beside the database for the next one (:func:`as_note`, :mod:`oss_desk.worker.stopping`).
Keyed by owner, ``(database, token)``; a token is this process's own, so each lane thread sees
only its own jobs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from oss_desk.domain.printouts import TicketPrintout, from_payload, to_payload


@dataclass
class Unwritten:
    """A job's outcome as the printer gave it (the arguments that settle it), and the ticket as
    it was drawn for the printer."""

    status: str
    settle: dict[str, Any]
    drawn: TicketPrintout | None


@dataclass
class _Owner:
    begun: set[int] = field(default_factory=set)
    unwritten: dict[int, Unwritten] = field(default_factory=dict)
    faults: dict[int, str] = field(default_factory=dict)


_OWNERS: dict[tuple[str, str], _Owner] = {}
_LOCK = threading.Lock()


def _of(owner: tuple[str, str]) -> _Owner:
    return _OWNERS.setdefault(owner, _Owner())


def begin(owner: tuple[str, str], job_id: int, claimed: bool = True) -> bool:
    """``owner`` begins to deliver job ``job_id``; False: it began it before and did not finish
    (a lane stopped by a fault mid-job: bytes may have left, or the outcome is kept unwritten).
    ``claimed`` False: the job is not (or no longer) claimed by ``owner`` in the database (its
    claim could not be written: the disk full), so no byte of it can have left: begun afresh."""
    with _LOCK:
        mine = _of(owner)
        if job_id in mine.begun and claimed:
            return False
        mine.begun.add(job_id)
        mine.unwritten.pop(job_id, None)
        mine.faults.pop(job_id, None)
        return True


def finished(owner: tuple[str, str], job_id: int) -> None:
    """The job's end is written (committed): nothing about it is kept any more."""
    with _LOCK:
        mine = _of(owner)
        mine.begun.discard(job_id)
        mine.unwritten.pop(job_id, None)
        mine.faults.pop(job_id, None)


def keep(
    owner: tuple[str, str],
    job_id: int,
    status: str,
    settle: dict[str, Any],
    drawn: TicketPrintout | None,
) -> None:
    """The outcome about to be written, kept until it is (:func:`finished`)."""
    with _LOCK:
        _of(owner).unwritten[job_id] = Unwritten(status, settle, drawn)


def not_written(owner: tuple[str, str], job_id: int, why: str) -> None:
    """Writing what became of the job failed: ``why`` (the disk full...)."""
    with _LOCK:
        _of(owner).faults[job_id] = why


def kept(owner: tuple[str, str], job_id: int) -> tuple[Unwritten | None, str | None]:
    """The outcome kept for a job begun and not finished, and the fault that stopped its lane
    (None, None: the lane stopped without saying why, or the job was never begun here)."""
    with _LOCK:
        mine = _of(owner)
        return mine.unwritten.get(job_id), mine.faults.get(job_id)


def left_by(owner: str) -> tuple[dict[tuple[str, int], Unwritten], set[tuple[str, int]]]:
    """What the owner ``owner`` (its token, in any database) has not written, as it stops: the
    outcomes kept unwritten, and the jobs begun with no outcome known yet (a lane mid-job), each
    by ``(database, job)``."""
    with _LOCK:
        mine = [(db, o) for (db, token), o in _OWNERS.items() if token == owner]
        kept = {(db, job): u for db, o in mine for job, u in o.unwritten.items()}
        begun = {(db, job) for db, o in mine for job in o.begun if job not in o.unwritten}
    return kept, begun


def as_note(kept: Unwritten) -> dict[str, Any]:
    """An outcome kept, as the note the next owner reads (:func:`from_note`)."""
    drawn = None if kept.drawn is None else to_payload(kept.drawn)
    return {"status": kept.status, "settle": kept.settle, "drawn": drawn}


def from_note(note: dict[str, Any]) -> Unwritten | None:
    """The outcome an owner that stopped noted (:func:`as_note`); None: not one it could have
    written (the job is then taken as begun)."""
    status, settle, drawn = note.get("status"), note.get("settle"), note.get("drawn")
    if not isinstance(status, str) or not isinstance(settle, dict):
        return None
    try:
        printout = from_payload("ticket", drawn) if isinstance(drawn, dict) else None
    except (TypeError, ValueError):
        printout = None
    return Unwritten(status, settle, printout if isinstance(printout, TicketPrintout) else None)
