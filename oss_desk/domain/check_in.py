"""Why a booking is not checked in, and what the greeter can do instead (one home for the
words the desk's scan and ``appointment check-in`` both give): every refusal of a resident
standing at the counter offers the walk-in's ticket (:data:`WALK_IN_HINT`)."""

from __future__ import annotations

WALK_IN_HINT = "issue a ticket if they want to be seen as a walk-in now"
"""What a refused check-in (too early, another day, cancelled, a no-show) offers instead."""


def elsewhere_said(ref: str, booked_at: str, here: str) -> str:
    """Why a booking is not checked in at another office's desk (no desk here would call it),
    and what to do: "Y7K-JPQ is booked at Penallta House, not Town Hall: ..."."""
    return (
        f"{ref} is booked at {booked_at}, not {here}: send them to {booked_at}, or "
        f"{WALK_IN_HINT} here"
    )


def another_day_said(ref: str, day: str) -> str:
    """A booking for another day: "PNT-N99 is on Thu 10 Dec, not today: move it, or ..."."""
    return f"{ref} is on {day}, not today: move it instead, or {WALK_IN_HINT}"


def cancelled_said(ref: str, by: str | None, when: str | None) -> str:
    """A cancelled booking, who cancelled it (the council or the resident) and ``when`` ("at
    14:10 on Fri 04 Dec"; None: not known): "CC9-RPG was cancelled by the council at 14:10 on
    Fri 04 Dec: it cannot be checked in (issue a ticket ...)"."""
    who = f" by the {by}" if by else ""
    at = f" {when}" if when else ""
    return f"{ref} was cancelled{who}{at}: it cannot be checked in ({WALK_IN_HINT})"
