"""How a recorded absence is said to the team leader who recorded it: who, from when to when,
why, and what it means for the appointments (the bookings it strands are listed under it, in
:func:`oss_desk.domain.site_change.still_booked`'s words)."""

from __future__ import annotations

from datetime import date

from oss_desk.domain.calendar import day_said


def absence_said(who: str, first: date, last: date, reason: str, today: date) -> str:
    """ "Ana Adviser is away from Wed 25 Nov to Thu 26 Nov (annual leave): no appointments with
    them those days"; one day: "... is away on Fri 27 Nov (training): ... that day". Days of
    another year carry their year (:func:`~oss_desk.domain.calendar.day_said`)."""
    if first == last:
        return (
            f"{who} is away on {day_said(first, today)} ({reason}): no appointments with them "
            "that day"
        )
    return (
        f"{who} is away from {day_said(first, today)} to {day_said(last, today)} ({reason}): "
        "no appointments with them those days"
    )
