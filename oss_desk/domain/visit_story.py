"""A visit's story in words, as staff read it back when a resident complains or asks: how its
wait is said (by the reports' own rule, :func:`oss_desk.domain.standards.classify_visit`, so
the minutes are the ones the day's report counted) and how and why it ended. One home for these
words: ``ticket show``, the desks' ticket view (F7) and ``followup show`` ask them.

Staff words only: who did what is said by staff name; nothing of the resident (no name, no
notes) is in a story.
"""

from __future__ import annotations

from collections.abc import Mapping

from oss_desk.domain.closed_day import CLOSED_AT_CLOSE_OF_DAY, closed_by_day_end
from oss_desk.domain.queue import CancelReason
from oss_desk.domain.standards import VisitEnd, missed_walk_out
from oss_desk.domain.wait_target import within_target
from oss_desk.domain.waits import waited_minutes

NO_SHOW_SAID = "no-show (not there when called)"
NOT_ENDED = "not yet"
OPEN_PAST_CLOSING = "not yet (still open past its closing time)"
"""A visit still waiting when its day's closing time passed, which close of day has not
closed yet: its wait is said as the report will count it, to closing time."""


def cancelled_said(data: Mapping[str, object] | None) -> str:
    """A cancelled ticket in words with why: "cancelled (left)", "cancelled (issued in
    error)", or :data:`~oss_desk.domain.closed_day.CLOSED_AT_CLOSE_OF_DAY` when close of day
    closed it; "cancelled" when no reason was recorded."""
    if closed_by_day_end(data):
        return CLOSED_AT_CLOSE_OF_DAY
    reason = (data or {}).get("reason")
    if reason == CancelReason.LEFT.value:
        return "cancelled (left)"
    if reason == CancelReason.ERROR.value:
        return "cancelled (issued in error)"
    return f"cancelled ({reason})" if isinstance(reason, str) and reason else "cancelled"


def ended_said(
    kind: str | None, data: Mapping[str, object] | None, outcome: str | None, *, at_desk: bool
) -> str:
    """How a visit ended, from the event that ended it (``kind``: ``finished``, ``no_show`` or
    ``cancelled``; None: not yet): "served (resolved)", "dealt with at meet-and-greet
    (signposted)" (``at_desk`` False: no ticket), :data:`NO_SHOW_SAID`, :func:`cancelled_said`."""
    if kind == "finished":
        return f"{'served' if at_desk else 'dealt with at meet-and-greet'} ({outcome or '?'})"
    if kind == "no_show":
        return NO_SHOW_SAID
    if kind == "cancelled":
        return cancelled_said(data)
    return NOT_ENDED


def ended_at_a_desk(kind: str | None, data: Mapping[str, object] | None) -> bool:
    """Whether the event that ended a visit was done at the desk it names: not a close of day
    (closed at closing time, or by a team leader's close of day from wherever they were), whose
    desk is only the one the ticket was at."""
    return not (kind == "cancelled" and closed_by_day_end(data))


def waited_short(end: VisitEnd, wait_ms: int) -> str:
    """The wait in a phrase ("waited 27 min"), the report's minutes rounded down as every
    screen says a wait (:func:`~oss_desk.domain.waits.waited_minutes`); "not seen yet after
    12 min" while the visit is open, "no wait counted" for a ticket issued in error."""
    if end is VisitEnd.OPEN:
        return f"not seen yet after {waited_minutes(wait_ms / 1000)} min"
    if end is VisitEnd.ERROR:
        return "no wait counted"
    return f"waited {waited_minutes(wait_ms / 1000)} min"


def waited_said(end: VisitEnd, wait_ms: int, target_ms: int) -> str:
    """The wait as the reports count it, with what it counted as against the target:
    "27 min, then gone unseen: over the 15-min target (a miss)"; for a visit still open, its
    wait so far by the live queue's clock: "12 min so far, not seen yet"."""
    target = f"the {target_ms // 60_000}-min target"
    minutes = f"{waited_minutes(wait_ms / 1000)} min"
    if end is VisitEnd.SEEN:
        within = within_target(wait_ms, target_ms)
        return f"{minutes} until seen ({'within' if within else 'over'} {target})"
    if end is VisitEnd.WALKED_OUT:
        if missed_walk_out(wait_ms, target_ms):
            return f"{minutes}, then gone unseen: over {target} (a miss)"
        return f"{minutes}, then gone unseen: before {target} (counted on its own line)"
    if end is VisitEnd.CLOSED:
        return f"{minutes}, still waiting when the office closed (a miss)"
    if end is VisitEnd.ERROR:
        return "none counted: a ticket issued in error is no visitor"
    over = f" (over {target})" if not within_target(wait_ms, target_ms) else ""
    return f"{minutes} so far, not seen yet{over}"


def about_visit_said(code: str | None, day: str, end: VisitEnd, wait_ms: int, ended: str) -> str:
    """A follow-up's visit in a line: "about visit: ticket C003 on Mon 07 Dec, waited 27 min,
    cancelled (left)" (``day``: :func:`oss_desk.domain.calendar.day_said`; ``code`` None: a
    visit dealt with at meet-and-greet, "no ticket"); a visit still open says so once, in its
    wait ("not seen yet after 12 min"), with no "not yet" after it."""
    ticket = f"ticket {code}" if code else "no ticket"
    said = f"about visit: {ticket} on {day}, {waited_short(end, wait_ms)}"
    return said if end is VisitEnd.OPEN else f"{said}, {ended}"
