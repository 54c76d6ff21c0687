"""What a desk app says to its person when they were logged out of their desk from elsewhere (a
team leader's Z, ``desks logout``, ``desks close``, a takeover, or a configuration loaded
without them)."""

from __future__ import annotations

NOTICE_SECONDS = 60.0
"""How long the notice stays on screen, unless its person is logged in to that desk again
first (then it is taken down: it was about a desk they are back at)."""


def logged_out_words(
    desk: str,
    at: str | None,
    by: str | None,
    taken_over: bool = False,
    by_config: bool = False,
    keys: bool = True,
) -> str:
    """ "You were logged out of Desk 1 at 10:05 by Tara Leader: Z logs you in again" (``at``
    and ``by`` when the event log says so); a takeover: "Tara Leader took Desk 1 over from you
    at 10:05: F8 chooses another desk"; a configuration loaded without them or the desk: "You
    were logged out of Desk 1 at 10:05: Tara Leader loaded a configuration without you at Desk
    1". ``keys``: the adviser desk's keys are named (Z, F8); a meet-and-greet desk has none."""
    when = f" at {at}" if at else ""
    if by_config:
        loaded = f"{by} loaded a configuration" if by else "a configuration was loaded"
        return f"You were logged out of {desk}{when}: {loaded} without you at {desk}"
    if taken_over and by:
        return f"{by} took {desk} over from you{when}" + (
            ": F8 chooses another desk" if keys else ""
        )
    who = f" by {by}" if by else ""
    return f"You were logged out of {desk}{when}{who}" + (": Z logs you in again" if keys else "")
