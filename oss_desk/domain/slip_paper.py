"""An appointment slip still waiting for its printer (the printer down, no worker running) once
its booking changed: the paper would tell the resident a time or a booking that no longer holds
(a review: a slip queued for a booking cancelled since printed "Your appointment Tue 8 Dec
11:15" when the worker next ran). Such a slip is settled unprinted, with the reason this rule
gives, in the transaction that changes the booking; ``appointment slip REF`` prints it as it
is now."""

from __future__ import annotations

from oss_desk.domain.appointments import Appointment, AppointmentStatus, status_sentence

STILL_TRUE = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
"""A booking still to come (or its resident here): its slip still says what holds."""


MOVED = "the booking was moved: the slip held its old time or place"


def _ended(after: Appointment) -> str:
    return f"the booking {status_sentence(after.status)}"


def stale_slip(before: Appointment, after: Appointment) -> str | None:
    """Why a slip drawn from ``before`` is not printed once the booking is ``after`` (None:
    it still holds, print it)."""
    if after.status not in STILL_TRUE:
        return _ended(after)
    where = (after.starts_at, after.site_id, after.room)
    if where != (before.starts_at, before.site_id, before.room):
        return MOVED
    return None


def dropped_slip_said(after: Appointment, job: int, reason: str | None) -> str | None:
    """What a move or cancellation adds (the command line's line, the desk's notification)
    when it settled the booking's slip unprinted: print job ``job``, its latest slip, settled
    for ``reason`` (None: it was not settled by a change that led to ``after``). A review:
    the slip was dropped silently, and only ``appointment show`` told of it."""
    if reason != (MOVED if after.status in STILL_TRUE else _ended(after)):
        return None
    if after.status in STILL_TRUE:
        return (
            f"its slip (print job {job}) will not print: print the new one with "
            f"`oss-desk appointment slip {after.ref}`"
        )
    return f"its slip (print job {job}) will not print: {_ended(after)}, no new one to print"


__all__ = ["MOVED", "STILL_TRUE", "dropped_slip_said", "stale_slip"]
