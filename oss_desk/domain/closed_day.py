"""A day the team leader closed by hand takes no more arrivals: one rule, one home.

Closing the day by hand (the office closes early, or everyone has gone) closes what is still
waiting or called, and from then on meet-and-greet issues no ticket and records no visit dealt
with on the spot, and appointments check nobody in at that office that day, until a team leader
reopens the day. Closing time by itself
closes nothing to arrivals: a ticket issued after it (an evening event) is still served.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from oss_desk.domain.calendar import local


@dataclass(frozen=True, slots=True)
class ClosedDay:
    """A day closed by hand at a site: when, and by whom (a staff id)."""

    site_id: str
    business_day: str
    closed_at: datetime
    closed_by: str

    def when(self, timezone: str) -> str:
        """The office's wall-clock time it was closed, ``HH:MM``."""
        return f"{local(self.closed_at, timezone):%H:%M}"


def arrivals_refused(closed: ClosedDay | None, closed_by: str, timezone: str) -> str | None:
    """Why an arrival (a ticket issued, a visit dealt with at meet-and-greet, an appointment
    checked in) is refused, in one line for the desk and the command line; None when the day
    takes arrivals. ``closed_by``: the name of the person who closed it."""
    if closed is None:
        return None
    return (
        f"The day is closed (by {closed_by} at {closed.when(timezone)}): no tickets or "
        "check-ins until a team leader reopens it"
    )


CLOSED_AT_THE_DESK = "Day closed: no tickets or check-ins until a team leader reopens it"
"""Meet-and-greet's standing line while the day is closed by hand (a staff screen: who closed
it is on the team leader's)."""


def summary_waits(closed: ClosedDay | None, now: datetime, closes: datetime) -> bool:
    """Whether the daily summary of a day the office opens waits for the day to close: until
    its closing time ``closes``, unless the team leader has ``closed`` it by hand (then the day
    is over, taking no more arrivals until someone reopens it: its summary is sent at once)."""
    return closed is None and now < closes


def sent_closed_said(closed: ClosedDay, closed_by: str, timezone: str) -> str:
    """The line under a summary sent before closing time because the day was closed by hand
    (``closed_by``: the name of the person who closed it)."""
    return (
        f"The day was closed by hand (by {closed_by} at {closed.when(timezone)}): its summary "
        "is sent now, before closing time."
    )


def closed_line(closed: ClosedDay, closed_by: str, timezone: str) -> str:
    """The team leader's screen while the day is closed: "Day closed by Tess Leader at 16:55"
    (``closed_by``: the name of the person who closed it)."""
    return f"Day closed by {closed_by} at {closed.when(timezone)}"


OFFICE_CLOSED = "office_closed"
"""The reason a ticket's ``cancelled`` event carries when close of day closed it (its data
also says whether that was ``automatic``, at closing time, or the team leader's by hand)."""

CLOSED_AT_CLOSE_OF_DAY = "closed at close of day (office closed)"


def closed_by_day_end(data: Mapping[str, object] | None) -> bool:
    """The ``cancelled`` event's ``data`` says close of day closed the ticket (automatically or
    by the team leader's E), not a person cancelling it for a resident who left."""
    return data is not None and data.get("reason") == OFFICE_CLOSED and "automatic" in data


def cancelled_words(data: Mapping[str, object] | None) -> str:
    """A cancelled ticket in words (``ticket show``, the visit history, refusals), from its
    ``cancelled`` event's data: "closed at close of day (office closed)" when close of day
    closed it, else "cancelled". The stored status stays ``cancelled``."""
    return CLOSED_AT_CLOSE_OF_DAY if closed_by_day_end(data) else "cancelled"
