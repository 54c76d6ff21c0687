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


def stale_slip(before: Appointment, after: Appointment) -> str | None:
    """Why a slip drawn from ``before`` is not printed once the booking is ``after`` (None:
    it still holds, print it)."""
    if after.status not in STILL_TRUE:
        return f"the booking {status_sentence(after.status)}"
    where = (after.starts_at, after.site_id, after.room)
    if where != (before.starts_at, before.site_id, before.room):
        return "the booking was moved: the slip held its old time or place"
    return None


__all__ = ["STILL_TRUE", "stale_slip"]
