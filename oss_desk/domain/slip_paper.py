"""An appointment slip still waiting for its printer (the printer down, no worker running) once
its booking changed: the paper would tell the resident a time or a booking that no longer holds
(a review: a slip queued for a booking cancelled since printed "Your appointment Tue 8 Dec
11:15" when the worker next ran). Such a slip is settled unprinted, with the reason this rule
gives, in the transaction that changes the booking; ``appointment slip REF`` prints it as it
is now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


NOT_PRINTED = "slip_not_printed"
"""The key of a move's or cancellation's event data naming the print job of the booking's
latest slip that change settled unprinted (absent: it settled none)."""


def not_printed_data(jobs: Sequence[int]) -> dict[str, int]:
    """What a move's or cancellation's event records of the slips it settled unprinted."""
    return {NOT_PRINTED: max(jobs)} if jobs else {}


def dropped_slip_said(
    after: Appointment, job: int, reason: str | None, change: Mapping[str, object] | None
) -> str | None:
    """What a move or cancellation adds (the command line's line, the desk's notification)
    when it settled the booking's slip unprinted: print job ``job``, its latest slip, settled
    for ``reason``; ``change``: the data of the change's event (None: none), which names the
    job it settled (:func:`not_printed_data`). Said once, by the change that settled it: a
    second move finds the slip dropped already and says nothing of it. A review: the slip was
    dropped silently, and only ``appointment show`` told of it; then a second move said it
    again."""
    if change is None or change.get(NOT_PRINTED) != job:
        return None
    if reason != (MOVED if after.status in STILL_TRUE else _ended(after)):
        return None
    if after.status in STILL_TRUE:
        return (
            f"its slip (print job {job}) will not print: print the new one with "
            f"`oss-desk appointment slip {after.ref}`"
        )
    return f"its slip (print job {job}) will not print: {_ended(after)}, no new one to print"


__all__ = [
    "MOVED",
    "NOT_PRINTED",
    "STILL_TRUE",
    "dropped_slip_said",
    "not_printed_data",
    "stale_slip",
]
