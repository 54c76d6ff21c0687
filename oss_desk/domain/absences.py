"""How an absence is said to the team leader who records it: who, from when to when, why, and
what it means for the appointments (the bookings it strands are listed under it, in
:func:`oss_desk.domain.site_change.still_booked`'s words); and, refused, the absence it would
overlap."""

from __future__ import annotations

from datetime import date

from oss_desk.domain.calendar import day_said


def _days(first: date, last: date, today: date) -> str:
    """ "from Wed 25 Nov to Thu 26 Nov", or "on Fri 27 Nov" (with the year when it is not this
    year's: :func:`~oss_desk.domain.calendar.day_said`)."""
    if first == last:
        return f"on {day_said(first, today)}"
    return f"from {day_said(first, today)} to {day_said(last, today)}"


def absence_said(who: str, first: date, last: date, reason: str, today: date) -> str:
    """ "Ana Adviser is away from Wed 25 Nov to Thu 26 Nov (annual leave): no appointments with
    them those days"; one day: "... is away on Fri 27 Nov (training): ... that day"."""
    those = "that day" if first == last else "those days"
    return (
        f"{who} is away {_days(first, last, today)} ({reason}): no appointments with them {those}"
    )


def already_away(who: str, first: date, last: date, absence_id: int, today: date) -> str:
    """An absence refused as it overlaps one recorded: "Bob Adviser is already away from Mon
    30 Nov to Wed 02 Dec (absence 4): remove it first to change it" (the id is what
    ``absence remove`` takes)."""
    away = _days(first, last, today)
    return f"{who} is already away {away} (absence {absence_id}): remove it first to change it"
