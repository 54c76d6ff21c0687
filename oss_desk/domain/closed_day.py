"""A day the team leader closed by hand takes no more arrivals: one rule, one home.

Closing the day by hand (the office closes early, or everyone has gone) closes what is still
waiting or called, and from then on meet-and-greet issues no ticket and records no visit dealt
with on the spot, and appointments check nobody in at that office that day, until a team leader
reopens the day. Closing time by itself
closes nothing to arrivals: a ticket issued after it (an evening event) is still served.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from oss_desk.domain.calendar import day_said, local


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


@dataclass(frozen=True, slots=True)
class LeftOpen:
    """What closing the day now would close at a site: tickets still waiting, and called but
    not come to the desk (those being served stay with their advisers)."""

    waiting: int
    called: int
    earlier: int = 0
    """Of them, those an earlier day left open: closed as at their own day's closing time."""

    @property
    def total(self) -> int:
        return self.waiting + self.called

    def question(self) -> str:
        """Closing the day, asked before it is done: what will happen, in numbers, and that
        reopening the day does not undo it (the leader's screen and ``oss-desk desks
        close-day`` ask the same)."""
        then = "no tickets or check-ins until a team leader reopens the day."
        if not self.total:
            return f"Close the day now? No ticket is waiting or called. Then {then}"
        return (
            f'Close the day now? {tickets(self.total)} will be closed as "office closed": '
            f"{self.waiting} waiting, {self.called} called and not come to a desk"
            f"{self.earlier_said()}.\n"
            "They count as not seen within the standard, and reopening the day will not bring "
            "them back (their residents would need new tickets). Residents being served stay "
            f"with their advisers. Then {then}"
        )

    def earlier_said(self) -> str:
        """The question's words for the tickets left from earlier days (none: nothing)."""
        if not self.earlier:
            return ""
        return f" ({self.earlier} left from an earlier day, closed as at its own closing time)"


def tickets(count: int) -> str:
    """ "1 ticket", "4 tickets"."""
    return f"{count} ticket" if count == 1 else f"{count} tickets"


def day_closed_said(closed: Sequence[tuple[str, str]], today: date, *, codes: bool = True) -> str:
    """What closing the day by hand closed, in one line: ``closed``, each ticket's business day
    (``YYYY-MM-DD``) and code; today's tickets first, then each earlier day's left open, named
    apart with its day (closed as that day's own close would have closed them, at its closing
    time, by nobody). ``codes``: with the tickets' codes (the command line; the leader's screen
    says the counts). ``oss-desk desks close-day`` and the leader's E say it."""
    by_day: dict[str, list[str]] = {}
    for day, code in closed:
        by_day.setdefault(day, []).append(code)
    mine = by_day.pop(today.isoformat(), [])

    def listed(found: list[str]) -> str:
        return f" ({', '.join(found)})" if codes else ""

    parts = [f"{tickets(len(mine))} closed as office closed{listed(mine)}"] if mine else []
    for day, found in sorted(by_day.items()):
        left = f"{len(found) if parts else tickets(len(found))} left from "
        parts.append(f"{left}{day_said(date.fromisoformat(day), today)}{listed(found)}")
    if not by_day:
        return f"Day closed: {parts[0]}" if parts else "Day closed: no ticket was open"
    earlier = (
        "closed as at that day's closing time"
        if len(by_day) == 1
        else ("closed as at each day's closing time")
    )
    if not mine:
        earlier = earlier.replace("closed as", "closed as office closed, as")
    return f"Day closed: {', and '.join(parts)}, {earlier}"


def stay_closed(count: int) -> str | None:
    """What reopening a day closed by hand does not undo, in one sentence (None: it closed no
    ticket): the ``count`` tickets that close closed stay closed, so their residents need new
    tickets. The reopen's question on the leader's screen and its line (the screen's and
    ``oss-desk desks reopen-day``'s) say it."""
    if count == 0:
        return None
    if count == 1:
        return "The 1 ticket it closed stays closed: issue the resident a new ticket."
    return f"The {count} tickets it closed stay closed: issue them new tickets."


def reopen_question(closed_said: str, count: int) -> str:
    """Reopening the day, asked before it is done (E on the leader's screen while nothing is
    left to close): ``closed_said`` ("closed by Tess Leader at 16:55"), and the ``count``
    tickets that close closed, which stay closed (:func:`stay_closed`)."""
    question = (
        f"Nothing to close: the day was {closed_said}. Reopen it, so that meet-and-greet "
        "issues tickets and appointments check residents in again?"
    )
    kept = stay_closed(count)
    return question if kept is None else f"{question}\n{kept}"


CLOSED_AT_THE_DESK = "Day closed: no tickets or check-ins until a team leader reopens it"
"""Meet-and-greet's standing line while the day is closed by hand (a staff screen: who closed
it is on the team leader's)."""


def day_over(closed: ClosedDay | None, now: datetime, closes: datetime) -> bool:
    """Whether a site's day is over at ``now``: the team leader ``closed`` it by hand (while
    that holds), or its closing time ``closes`` has passed (when close of day closes what is
    left). The board, the waiting-room screen and the resident's view (F10) then say the
    office is closed (:data:`OFFICE_CLOSED_TEXT`) in place of "take a ticket", and the day's
    summary goes (:func:`summary_waits`). A day the office does not open closes at its end
    (its board says it is closed all day all the same: :func:`not_open_text`)."""
    return closed is not None or now >= closes


OFFICE_CLOSED_TEXT = "board.closed"
"""The wording's key of what the board and the waiting-room screen say while the day is over
(:func:`day_over`), and all day on a day the office does not open (:func:`not_open_text`):
"Office closed" ("Ar gau" first in a Welsh office)."""

OPENS_TEXT = "board.opens"
"""The wording's key of what they say before the office opens on a day it opens
(:func:`not_open_text`): "Opens at 09:00" ("Yn agor am 09:00" first in a Welsh office)."""


def not_open_text(
    closed: ClosedDay | None, now: datetime, opens: datetime | None, closes: datetime
) -> str | None:
    """What the display board, the waiting-room screen and the resident's view (F10) say in
    place of "take a ticket" at ``now``, as the wording's key; None while the office is open.
    ``opens``: when the office opens today (None: a day it does not open, by its calendar: a
    weekend, a bank holiday, a local closure); ``closes``: its closing time. The day over
    (:func:`day_over`) or a day it does not open: "Office closed" (:data:`OFFICE_CLOSED_TEXT`);
    before opening time: when it opens (:data:`OPENS_TEXT`, its ``{time}`` the office's
    ``HH:MM`` of ``opens``). Arrivals are still taken (an early or evening event): this only
    says it."""
    if day_over(closed, now, closes) or opens is None:
        return OFFICE_CLOSED_TEXT
    return OPENS_TEXT if now < opens else None


def summary_waits(closed: ClosedDay | None, now: datetime, closes: datetime) -> bool:
    """Whether the daily summary of a day the office opens waits for the day to close: until
    its closing time ``closes``, unless the team leader has ``closed`` it by hand (then the day
    is over, taking no more arrivals until someone reopens it: its summary is sent at once)."""
    return not day_over(closed, now, closes)


def sent_early(queued_at: datetime, closes: datetime) -> bool:
    """A day's summary queued before the day's closing time ``closes``: sent early, because the
    team leader had closed the day by hand (:func:`summary_waits`)."""
    return queued_at < closes


def cancelled_on_reopen(
    queued_at: datetime, closes: datetime, *, pending: bool, maybe_taken: bool
) -> bool:
    """Reopening a day cancels its early summary (:func:`sent_early`) while it has not gone: it
    would tell of a day that goes on. Only one still ``pending`` that no mail server may have
    taken (``maybe_taken``: a send it never answered); one that went, or may have, is followed
    by the whole day's summary instead (:func:`summary_replaced`)."""
    return sent_early(queued_at, closes) and pending and not maybe_taken


def summary_replaced(queued_at: datetime, closes: datetime, reopened_at: datetime | None) -> bool:
    """Whether the whole day's summary is queued again, once the day is over, in place of one
    queued at ``queued_at``: it was sent early (:func:`sent_early`) and the day was reopened
    after it (``reopened_at``, its latest reopen; None: never reopened), so it lacks what came
    after. A day closed by hand and never reopened took nothing more: its early summary stands."""
    return sent_early(queued_at, closes) and reopened_at is not None and reopened_at > queued_at


def calls_cleared_at(
    closes: datetime, now: datetime, closed_by_hand: datetime | None
) -> datetime | None:
    """The day's close the display board and the waiting-room screen follow: no call made
    before it is listed, finished ones too (None: every call of the day is). The later of the
    team leader's latest close by hand ``closed_by_hand`` (reopened or not: a reopen brings
    back arrivals, not the calls the close cleared) and the day's closing time ``closes`` once
    it has passed (the close at closing time, whether or not it closed a ticket). A call after
    it (a reopened day's, an evening event's) is listed."""
    passed = closes if now >= closes else None
    return max((at for at in (closed_by_hand, passed) if at is not None), default=None)


@dataclass(frozen=True, slots=True)
class Reopened:
    """A day closed by hand, reopened: the close it undid, and what became of the summary sent
    early when it was closed (each a report email, one per recipient)."""

    closed: ClosedDay
    summaries_cancelled: int = 0
    """Early summaries not sent yet, cancelled (:func:`cancelled_on_reopen`)."""
    summaries_gone: int = 0
    """Early summaries that went (or may have): the whole day's follows."""
    tickets_closed: int = 0
    """Tickets the close closed at its site that day: they stay closed (:func:`stay_closed`)."""

    def summary_said(self) -> str | None:
        """What the reopen did to the early summary, for its line (None: there was none)."""
        if self.summaries_cancelled:
            return (
                "The daily summary queued when it was closed had not gone: cancelled; the whole "
                "day's summary is sent after closing time instead."
            )
        if self.summaries_gone:
            return (
                "The daily summary sent when it was closed stays sent: the whole day's summary "
                "follows after closing time, replacing it."
            )
        return None

    def line(self, head: str) -> str:
        """The reopen's line: ``head`` ("Day reopened ..."), then the tickets the close closed,
        which stay closed (:func:`stay_closed`), and what became of the early summary
        (:meth:`summary_said`), each when there was one."""
        said = [s for s in (stay_closed(self.tickets_closed), self.summary_said()) if s]
        return head if not said else f"{head}. " + " ".join(said)


REPLACES_SUBJECT = " (the whole day, replacing the summary sent early)"
"""The end of the subject of a whole day's summary queued in place of an early one."""


def replaces_said(early_at: str, early_sent: bool) -> str:
    """The first line of a whole day's summary queued in place of one sent early
    (:func:`summary_replaced`): ``early_at``, the office's time the early one was sent
    (``early_sent``) or else queued."""
    went = "sent" if early_sent else "queued"
    return (
        f"This is the whole day's summary: it replaces the one {went} at {early_at}, while the "
        "day was closed by hand, before it was reopened."
    )


def early_cancelled_said(email: int, at: str, by: str) -> str:
    """What the line of a day's summary queued after an early one was cancelled adds (the early
    one, email ``email``, withdrawn at ``at``, the office's ``HH:MM``, by ``by``, a name, when
    the day was reopened: :func:`cancelled_on_reopen`). It stays listed as cancelled."""
    return (
        f"The summary queued early (email {email}) was cancelled at {at} by {by}, when the day "
        "was reopened: it never went."
    )


def sent_closed_said(closed: ClosedDay, closed_by: str, timezone: str) -> str:
    """The line under a summary sent before closing time because the day was closed by hand
    (``closed_by``: the name of the person who closed it)."""
    return (
        f"The day was closed by hand (by {closed_by} at {closed.when(timezone)}): its summary "
        "is sent now, before closing time."
    )


def early_summary_said(closed: ClosedDay, closes: str, timezone: str) -> tuple[str, str]:
    """``(subject's end, first line)`` of a summary emailed before closing time (``closes``:
    the office's time it closes, ``HH:MM``) because the day was closed by hand: ", to 01:13
    (day closed early)", and the sentence that says it covers the day only so far (no one's
    name: a report email names no person)."""
    at = closed.when(timezone)
    return (
        f", to {at} (day closed early)",
        f"The day was closed early, by hand, at {at} (closing time {closes}): this summary "
        f"covers the day to {at} only.",
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
