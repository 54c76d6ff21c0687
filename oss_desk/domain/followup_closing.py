"""What closing a ring-back or referral says: in time or late, reached or not; and the
question asked first, at the desk and on the command line, before a ring-back is closed as not
reached while its deadline has not passed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from oss_desk.domain.calendar import day_said
from oss_desk.domain.followups import Followup, Kind, Status


def timing_said(done: date | None, due: date) -> str:
    """ " in time", or " late (was due Mon 14 Dec)" ("" while not done)."""
    if done is None:
        return ""
    return " in time" if done <= due else f" late (was due {day_said(due, done)})"


def tries_said(f: Followup) -> str:
    return f"{f.attempts} attempt" + ("" if f.attempts == 1 else "s")


def closed_said(f: Followup) -> str:
    """What closing a ring-back or referral did, in time or late: "done in time"; "closed
    unreached after 2 attempts; counted as returned in time" (the standard counts a ring-back
    that could not reach the resident as returned, since it was tried: said as counted, not as
    reached)."""
    timing = timing_said(f.closed_day, f.due_day)
    if f.status is Status.UNREACHABLE:
        return f"closed unreached after {tries_said(f)}; counted as returned{timing}"
    return f"done{timing}"


@dataclass(frozen=True, slots=True)
class UnreachedEarly:
    """A ring-back about to be closed as not reached while its deadline has not passed (one
    key after one try closed it for good): asked first at the desk (U) and on the command line
    (``followup done --unreachable``), where a script that cannot be asked says ``--yes``."""

    ref: str
    left: str
    """What is left: "has until Tue 24 Nov and 1 attempt so far"."""
    due: str
    """The deadline, said from today: "Tue 24 Nov"."""

    @property
    def question(self) -> str:
        return f"{self.ref} {self.left}: close it unreached now?"

    @property
    def kept_open(self) -> str:
        """Said when the answer is no: nothing changes."""
        return f"stays open, to try again by {self.due}"

    @property
    def unasked(self) -> str:
        """The refusal where nobody can be asked (no terminal) and ``--yes`` was not given."""
        return f"{self.ref} {self.left}: add --yes to close it unreached now, or try again"


def unreached_early(f: Followup, today: date) -> UnreachedEarly | None:
    """The question before ``f`` is closed as not reached, while its deadline has not passed;
    None once it has, or when it cannot be closed so
    (:func:`~oss_desk.domain.followups.check_done` says why)."""
    if f.due_day < today or f.kind is not Kind.RINGBACK or f.status.closed or not f.attempts:
        return None
    due = day_said(f.due_day, today)
    return UnreachedEarly(f.ref, f"has until {due} and {tries_said(f)} so far", due)
