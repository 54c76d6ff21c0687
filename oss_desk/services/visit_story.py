"""A visit's story, computed once for whoever reads it back (a complaint, a resident's query):
its day, what happened to it step by step (arrival, calls and to which desk by whom, transfers
and sends, the end) from the event log, how long the resident waited by the reports' own rule
(the visit's facts read exactly as the day's report reads them, classified by
:func:`oss_desk.domain.standards.classify_visit`), and how, why and by whom it ended.

``ticket show`` (and its JSON), the desks' ticket view (F7) and ``followup show`` ask it. It
holds no resident's name and no note: staff names only, as every staff screen shows them, so
reading it is no read of personal data.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from oss_desk.clock import format_instant
from oss_desk.domain.calendar import day_said, local, says_zones, time_said
from oss_desk.domain.epoch import epoch_ms, from_epoch_ms
from oss_desk.domain.models import Ticket
from oss_desk.domain.standards import (
    GONE,
    TAKEN_BACK,
    VisitEnd,
    classify_visit,
)
from oss_desk.domain.visit_story import (
    OPEN_PAST_CLOSING,
    about_visit_said,
    ended_said,
    waited_said,
)
from oss_desk.domain.wait_clock import waited_seconds
from oss_desk.domain.wait_target import clock_start, within_target
from oss_desk.domain.waits import waited_minutes
from oss_desk.services.queue.day_end import due_close_at
from oss_desk.services.session import Session
from oss_desk.services.visit_history import Line, VisitHistory, line_text
from oss_desk.storage import queue as q
from oss_desk.storage.events import EventRow, events_for_visit
from oss_desk.storage.reports_visits import facts_of_visit

ENDS = ("finished", *GONE)
"""The events that end a visit, as the reports read its last end."""

STORY_HEADING = "What happened:"


@dataclass(frozen=True, slots=True)
class VisitStory:
    code: str | None
    """The code of the visit's ticket (None: dealt with at meet-and-greet, no ticket)."""
    day: date
    """The visit's business day."""
    today: date
    timezone: str
    lines: list[Line]
    """What happened, step by step (no notes)."""
    end: VisitEnd
    """What the reports counted the visit as."""
    wait_ms: int
    """Its wait as the reports counted it (0 when none is counted); while it is open, its wait
    so far by the live queue's clock (:func:`oss_desk.domain.wait_clock.waited_seconds`), or,
    once its day's closing time has passed, to closing time as the report will count it."""
    target_ms: int
    ended: str
    """How and why it ended, in words (:func:`~oss_desk.domain.visit_story.ended_said`)."""
    ending: Line | None
    """Who ended it, where and when (None: not ended yet)."""

    def _when(self, line: Line, dated: bool, zoned: bool) -> str:
        return time_said(line.at, self.timezone, self.today, dated=dated, zoned=zoned)

    def text(self) -> list[str]:
        """The story in lines, as the command line and the desks' ticket view show them."""
        # the day is said once (when not today); each time with its day only when they differ
        dated = len({local(line.at, self.timezone).date() for line in self.lines}) > 1
        # each time with its zone when the clocks changed among them (01:50 BST, then 01:10 GMT)
        zoned = says_zones([line.at for line in self.lines], self.timezone)
        out = [f"Day:       {day_said(self.day, self.today)}"] if self.day != self.today else []
        out.append(f"Waited:    {waited_said(self.end, self.wait_ms, self.target_ms)}")
        ended = self.ended
        if (end := self.ending) is not None:
            ended += f", {self._when(end, dated, zoned)}"
            if end.name:
                ended += f" by {end.name}" + (f" at {end.desk}" if end.desk else "")
        out.append(f"Ended:     {ended}")
        out.append(STORY_HEADING)
        out += [line_text(line, self._when(line, dated, zoned)) for line in self.lines]
        return out

    @property
    def day_over(self) -> bool:
        """Its day is over while it is still open: an earlier day's, or today's past closing
        time (close of day not run yet; its wait counted to closing time)."""
        return self.ending is None and (self.day != self.today or self.ended == OPEN_PAST_CLOSING)

    @property
    def waited_min(self) -> int | None:
        """The wait, in the whole minutes every screen says: as the report counted it, or so
        far while the visit is open (None: none counted, a ticket issued in error)."""
        if self.end is VisitEnd.ERROR:
            return None
        return waited_minutes(self.wait_ms / 1000)

    def about(self) -> str:
        """The visit in one line, for a follow-up linked to it."""
        day = day_said(self.day, self.today)
        return about_visit_said(self.code, day, self.end, self.wait_ms, self.ended)

    def as_json(self) -> dict[str, Any]:
        waited = self.waited_min
        end = self.ending
        return {
            "business_day": self.day.isoformat(),
            "counted_as": self.end.value,
            "waited_min": waited,
            "within_target": None
            if waited is None
            else within_target(self.wait_ms, self.target_ms),
            "ended": self.ended,
            "ended_at": format_instant(end.at) if end else None,
            "ended_by": end.person if end else None,
            "ended_by_name": end.name if end else None,
            "ended_desk": end.desk if end else None,
            "lines": [
                {
                    "at": format_instant(line.at),
                    "what": line.what,
                    "person": line.person,
                    "person_name": line.name,
                    "desk": line.desk,
                }
                for line in self.lines
            ],
        }


def visit_story(session: Session, ticket: Ticket) -> VisitStory:
    """The story of ``ticket``'s visit (its whole visit: a transfer's new ticket too)."""
    return _story(session, ticket.visit_id, ticket.site_id, ticket.business_day, ticket.code)


def story_of_visit(session: Session, visit_id: int) -> VisitStory | None:
    """The story of visit ``visit_id``, named by its latest ticket (None: no such visit)."""
    with session.store.read() as conn:
        visit = q.get_visit(conn, visit_id)
        tickets = [e.ticket_id for e in events_for_visit(conn, visit_id) if e.ticket_id]
        last = q.get_ticket(conn, tickets[-1]) if tickets else None
    if visit is None:
        return None
    code = last.code if last is not None else None
    return _story(session, visit_id, visit.site_id, visit.business_day, code)


def _story(session: Session, visit_id: int, site_id: str, day: str, code: str | None) -> VisitStory:
    site = session.site_ever(site_id)
    today = local(session.clock.now(), site.timezone).date()
    history = VisitHistory(session)
    with session.store.read() as conn:
        events = events_for_visit(conn, visit_id)
        facts = facts_of_visit(conn, visit_id)
        lines = history.event_lines(conn, events)
        last = _last_end(events, facts.ended if facts is not None else None)
        ending = history.event_lines(conn, [last]) if last is not None else []
        end, wait_ms = classify_visit(facts) if facts is not None else (VisitEnd.OPEN, 0)
        closes = _due_close(session, conn, visit_id, site_id, day) if end is VisitEnd.OPEN else None
    ended = ended_said(
        last.kind if last else None,
        last.data if last else None,
        last.outcome if last else None,
        at_desk=last is not None and last.ticket_id is not None,
    )
    if facts is not None and closes is not None:  # its day has closed: counted to closing
        end, ended = VisitEnd.CLOSED, OPEN_PAST_CLOSING  # time, as the report will count it
        wait_ms = max(0, epoch_ms(closes) - clock_start(facts.arrived_ms, facts.booked_ms))
    elif end is VisitEnd.OPEN and facts is not None:  # not counted yet: its wait so far, as
        arrived, booked = facts.arrived_ms, facts.booked_ms  # the live queue counts it
        booked_at = None if booked is None else from_epoch_ms(booked)
        wait_ms = 1000 * waited_seconds(from_epoch_ms(arrived), booked_at, session.clock.now())
    return VisitStory(
        code,
        date.fromisoformat(day),
        today,
        site.timezone,
        lines,
        end,
        wait_ms,
        session.settings.queue.target_minutes * 60_000,
        ended,
        dataclasses.replace(ending[0], what=ended) if ending else None,
    )


def _due_close(
    session: Session, conn: sqlite3.Connection, visit_id: int, site_id: str, day: str
) -> datetime | None:
    """When close of day, once it runs, records the open visit's ticket as closed (None: not
    due yet, or a site close of day no longer closes): the instant the report counts its wait
    to (:func:`~oss_desk.services.queue.day_end.due_close_at`)."""
    site = session.directory.sites.get(site_id)
    if site is None:
        return None
    now = session.clock.now()
    due = [
        at
        for ticket in q.left_open(conn, site_id, day)
        if ticket.visit_id == visit_id
        and (at := due_close_at(session, conn, site, ticket, now)) is not None
    ]
    return min(due, default=None)


def _last_end(events: list[EventRow], kind: str | None) -> EventRow | None:
    """The event that ended the visit last (of the kind the reports read as its end), latest
    by instant, then by its place in the log."""
    ends = [e for e in events if e.kind == kind and kind in ENDS]
    last = max(ends, key=lambda e: (e.at, e.id), default=None)
    taken_back = last is not None and any(  # they came after all: not ended by it
        e.kind == TAKEN_BACK and e.ticket_id == last.ticket_id and e.id > last.id for e in events
    )
    return None if taken_back else last
