"""Close of day: at closing time (or at the first action after it) the tickets still waiting or
called are closed as "office closed", recorded at the closing time of the day they arrived, so
that they count on that day (as misses of the 15-minute standard, never silently dropped).

A day closes at its site's closing time (``[[sites]] opening_hours``); a day the office was
closed (a ticket issued on a bank holiday, say) closes at its end, and so do tickets issued
after closing time (an evening event): those stay open until the day is over. Tickets being
served, or parked while their resident fetches a document, are left alone: the adviser
finishes them. Each closed ticket's ``cancelled`` event says
``"reason": "office_closed"``, when it was done (``closed_at``) and whether it was automatic.
A checked-in appointment whose ticket closes so is then "came, not seen"
(``AppointmentStatus.NOT_SEEN``): kept, as every check-in is, never a no-show. A closed
ticket's print jobs still queued (the printer down, no worker running) are settled unprinted in
the closing transaction ("the ticket is closed"): never tried again, never "failed".

The team leader may also close the day by hand (:func:`close_now`: the office closes early, or
everyone has gone): the same tickets, recorded at the same closing time when it has passed, or
at that moment when it has not (a ticket that came after closing time: at that moment too).
A day closed by hand then takes no more arrivals until a team leader reopens it
(:func:`reopen_now`; the rule is :mod:`oss_desk.domain.closed_day`'s).
"""

from __future__ import annotations

import secrets
import sqlite3
from datetime import UTC, date, datetime, time, timedelta

from oss_desk.clock import format_instant, read_instant
from oss_desk.domain.access import CLOSING_THE_DAY, REOPENING_THE_DAY, Action
from oss_desk.domain.calendar import business_day, hours_on, zone
from oss_desk.domain.closed_day import (
    OFFICE_CLOSED,
    ClosedDay,
    LeftOpen,
    Reopened,
    arrivals_refused,
    calls_cleared_at,
    cancelled_on_reopen,
    cancelled_words,
    closed_by_day_end,
    day_over,
    reopen_question,
    sent_early,
)
from oss_desk.domain.delivery import CLOSED_TICKET_JOB
from oss_desk.domain.models import Actor, EventKind, Site, Ticket, TicketStatus, VisitStatus
from oss_desk.errors import RuleViolation
from oss_desk.services.events import of_ticket, record_event
from oss_desk.services.queue.board import board_changed, tickets_left_board
from oss_desk.services.session import Session
from oss_desk.services.wording import site_as_was
from oss_desk.storage import day_closures as dc
from oss_desk.storage import queue as q
from oss_desk.storage import report_mails as rm
from oss_desk.storage.events import visit_last_event_at
from oss_desk.storage.print_state import settle_queued

REASON = OFFICE_CLOSED


def closing_time(session: Session, site: Site, day: str) -> datetime:
    """When ``day`` closed (closes) at ``site``, as a UTC instant: its closing time, or the
    last millisecond of the day when the office was closed that day."""
    config = site_as_was(session, site.id)  # a site the load drops: its own hours
    when = date.fromisoformat(day)
    hours = hours_on(config.opening_hours, when) if config is not None else None
    if hours is None:
        return end_of_day(site, day)
    return datetime.combine(when, hours.closes, tzinfo=zone(site.timezone)).astimezone(UTC)


def days_over(session: Session, site_id: str | None, day: str, at: datetime) -> bool:
    """Whether ``day`` was over at ``at`` at the site ``site_id`` (None: at every site of the
    office): closed by hand by then (a close still standing), or past its closing time (the one
    rule, :func:`~oss_desk.domain.closed_day.day_over`); a report's last day then counts whole
    (:func:`~oss_desk.domain.periods.counted_to`)."""
    sites = session.directory.sites
    asked = [sites[site_id]] if site_id in sites else list(sites.values())
    for site in asked:
        closed = dc.closed_day(session.store.conn, site.id, day)
        if closed is not None and closed.closed_at > at:
            closed = None
        if not day_over(closed, at, closing_time(session, site, day)):
            return False
    return True


def end_of_day(site: Site, day: str) -> datetime:
    """The last millisecond of ``day`` at ``site``, as a UTC instant."""
    when = date.fromisoformat(day) + timedelta(days=1)
    end = datetime.combine(when, time(0), tzinfo=zone(site.timezone))
    return (end - timedelta(milliseconds=1)).astimezone(UTC)


def calls_cleared(session: Session, conn: sqlite3.Connection, site: Site, day: str) -> str:
    """The instant before which ``day``'s calls are no longer listed on the site's display
    board and waiting-room screen ("": none yet): the day's close, by hand or at closing time
    once that has passed (:func:`~oss_desk.domain.closed_day.calls_cleared_at`; one indexed
    read)."""
    closes = closing_time(session, site, day)
    cleared = calls_cleared_at(closes, session.clock.now(), dc.last_closed_at(conn, site.id, day))
    return "" if cleared is None else format_instant(cleared)


def due_days(session: Session, conn: sqlite3.Connection, now: datetime) -> list[tuple[Site, str]]:
    """The (site, day) with tickets to close now: any earlier day with tickets left waiting or
    called, and today once its closing time has passed and a ticket issued before then is
    still open. Tickets issued after closing time (an evening event) wait for the day's end:
    a day holding only those is not due, so nobody takes a write turn (and wakes every desk)
    to close nothing."""
    found = []
    for site_id, day in q.open_days(conn):
        site = session.directory.sites.get(site_id)
        if site is None:
            continue
        if day < business_day(now, site.timezone):
            found.append((site, day))
            continue
        closing = closing_time(session, site, day)
        if now >= closing and any(t.queued_at < closing for t in q.left_open(conn, site_id, day)):
            found.append((site, day))
    return found


def close_due(session: Session, actor: Actor | None = None) -> list[Ticket]:
    """Close every day that is due (one write transaction; nothing when none is due, after one
    cheap read). Returns the tickets closed."""
    now = session.clock.now()
    with session.store.read() as conn:
        if not due_days(session, conn, now):
            return []
    with session.store.write() as conn:
        return close_due_in(session, conn, now, actor)


def close_due_in(
    session: Session, conn: sqlite3.Connection, now: datetime, actor: Actor | None = None
) -> list[Ticket]:
    """:func:`close_due` in the caller's write transaction (an arrival closes what is due in
    the transaction that records it, first: no read transaction of its own before)."""
    closed: list[Ticket] = []
    who = actor or session.actor
    for site, day in due_days(session, conn, now):
        closed += _close_day(session, conn, site, day, now, who, by_hand=False)
    tickets_left_board(session, conn, closed, now)
    return closed


def left_open_now(session: Session, site_id: str | None = None) -> LeftOpen:
    """The tickets :func:`close_now` would close at the site (its own day's and any earlier
    day's still open)."""
    site = session.site(site_id)
    today = session.today(site)
    with session.store.read() as conn:
        tickets = [
            t for s, day in q.open_days(conn) if s == site.id for t in q.left_open(conn, s, day)
        ]
    waiting = sum(1 for t in tickets if t.status is TicketStatus.WAITING)
    earlier = sum(1 for t in tickets if t.business_day != today)
    return LeftOpen(waiting=waiting, called=len(tickets) - waiting, earlier=earlier)


def close_now(
    session: Session, actor: Actor | None = None, site_id: str | None = None
) -> list[Ticket]:
    """The team leader closes the day at the site now: every ticket still waiting or called is
    closed as "office closed" (at its day's closing time when that has passed, else now); one
    left from an earlier day is closed as that day's own close would have (automatic, not by
    hand: :func:`~oss_desk.domain.closed_day.day_closed_said` names them apart).
    Refused to any role that may not cancel tickets (advisers, meet-and-greet, admin)."""
    who = actor or session.actor
    session.require(Action.CANCEL_TICKET, who, doing=CLOSING_THE_DAY)
    site = session.site(site_id)
    now = session.clock.now()
    closed: list[Ticket] = []
    today = session.today(site)
    with session.store.write() as conn:
        for where, day in q.open_days(conn):
            if where == site.id:
                # An earlier day's leftovers close as its own close would have closed them (at
                # that day's closing time, by nobody), not as closed by hand today.
                closed += _close_day(session, conn, site, day, now, who, by_hand=day == today)
        if dc.closed_day(conn, site.id, today) is None:
            dc.close_day(conn, site.id, today, format_instant(now), who.person)
            # Every call made before the close leaves the board, finished ones too.
            board_changed(session, conn, site.id, "put_back", now)
        else:
            tickets_left_board(session, conn, closed, now)
    return closed


def closed_today(session: Session, site_id: str | None = None) -> ClosedDay | None:
    """The team leader's close of today at the site, while it holds (None: open)."""
    site = session.site(site_id)
    with session.store.read() as conn:
        return dc.closed_day(conn, site.id, session.today(site))


def reopen_asked(session: Session, site_id: str | None = None) -> str | None:
    """The question before reopening today at the site (None: it is open): who closed it and
    when, and how many tickets that close closed, which stay closed (one indexed read)."""
    site = session.site(site_id)
    with session.store.read() as conn:
        closed = dc.closed_day(conn, site.id, session.today(site))
        count = 0 if closed is None else dc.tickets_closed(conn, closed)
    return None if closed is None else reopen_question(described(session, closed), count)


def described(session: Session, closed: ClosedDay) -> str:
    """ "closed by Tess Leader at 16:55" (the office's time)."""
    site = session.directory.sites[closed.site_id]
    return f"closed by {session.name_of(closed.closed_by)} at {closed.when(site.timezone)}"


def closed_at_close_of_day(session: Session, ticket: Ticket) -> bool:
    """Close of day closed the ticket (at closing time or the team leader's close), not a
    person cancelling it (:func:`~oss_desk.domain.closed_day.closed_by_day_end`); one indexed
    read for a cancelled ticket, none for any other."""
    if ticket.status is not TicketStatus.CANCELLED:
        return False
    with session.store.read() as conn:
        return closed_by_day_end(dc.cancelled_data(conn, ticket.visit_id, ticket.id))


def ended_words(session: Session, ticket: Ticket) -> str | None:
    """A cancelled ticket's words ("closed at close of day (office closed)" or "cancelled",
    one indexed read); None for any other ticket (its status says it)."""
    if ticket.status is not TicketStatus.CANCELLED:
        return None
    with session.store.read() as conn:
        return cancelled_words(dc.cancelled_data(conn, ticket.visit_id, ticket.id))


def refuse_if_closed(session: Session, conn: sqlite3.Connection, site: Site, now: datetime) -> None:
    """In the caller's transaction: refuse an arrival (a ticket issued, a quick visit, an
    appointment checked in) at ``now`` at a site whose day the team leader closed
    (:func:`~oss_desk.domain.closed_day.arrivals_refused`); one indexed read."""
    closed = dc.closed_day(conn, site.id, business_day(now, site.timezone))
    who = session.name_of(closed.closed_by) if closed is not None else ""
    why = arrivals_refused(closed, who, site.timezone)
    if why is not None:
        raise RuleViolation(why, "Day closed", cli_hint="oss-desk desks reopen-day")


def reopen_now(
    session: Session, actor: Actor | None = None, site_id: str | None = None
) -> Reopened:
    """A team leader reopens today at the site after closing it by hand: meet-and-greet issues
    tickets and appointments check residents in again (the tickets it closed stay closed).
    Today's summary sent early because of the close and not gone yet is cancelled in the same
    transaction (:func:`~oss_desk.domain.closed_day.cancelled_on_reopen`; kept, ``cancelled``,
    with when and by whom); one that went is
    followed by the whole day's after closing time. Returns the close it undid and what became
    of the early summary; refused when the day is not closed, and to any role that may not
    close it."""
    who = actor or session.actor
    session.require(Action.CANCEL_TICKET, who, doing=REOPENING_THE_DAY)
    site = session.site(site_id)
    now = session.clock.now()
    today = session.today(site)
    with session.store.write() as conn:
        closed = dc.closed_day(conn, site.id, today)
        if closed is None:
            raise RuleViolation(f"The day is open at {site.name}: nothing to reopen")
        dc.reopen_day(conn, site.id, today, format_instant(now), who.person)
        cancelled, gone = _early_summaries(conn, closing_time(session, site, today), site, today)
        if cancelled:
            rm.cancel(conn, cancelled, now=format_instant(now), by=who.person)
        kept_closed = dc.tickets_closed(conn, closed)
    return Reopened(closed, len(cancelled), gone, kept_closed)


def _early_summaries(
    conn: sqlite3.Connection, closes: datetime, site: Site, today: str
) -> tuple[list[int], int]:
    """Today's daily summaries of the site (its own, or every site's) sent early: the ids of
    those a reopen cancels, and how many went (or may have: one that failed did not). Only each
    recipient's latest counts (an earlier round was replaced by it)."""
    latest: dict[tuple[str, str], rm.ReportMail] = {}
    for mail in rm.of_period(conn, "daily", today, [site.id, rm.ALL_SITES]):
        if mail.status != "cancelled":  # withdrawn at an earlier reopen: never went
            latest[(mail.scope, mail.recipient)] = mail
    cancelled: list[int] = []
    gone = 0
    for mail in latest.values():
        queued_at = read_instant(mail.created_at)
        if not sent_early(queued_at, closes):
            continue
        pending, taken = mail.status == "pending", mail.unconfirmed > 0
        if cancelled_on_reopen(queued_at, closes, pending=pending, maybe_taken=taken):
            cancelled.append(mail.id)
        elif mail.status != "failed":
            gone += 1
    return cancelled, gone


def _close_day(
    session: Session,
    conn: sqlite3.Connection,
    site: Site,
    day: str,
    now: datetime,
    actor: Actor,
    *,
    by_hand: bool,
) -> list[Ticket]:
    """Close one day's tickets still waiting or called, each recorded at its
    :func:`_closes_at`."""
    over = day < session.today(site)
    closing = closing_time(session, site, day)
    closed: list[Ticket] = []
    for ticket in q.left_open(conn, site.id, day):
        at = _closes_at(ticket, closing, end_of_day(site, day), now, over=over, by_hand=by_hand)
        if at is not None:
            at = _not_before_its_history(conn, ticket, at)
            ended = _close(conn, site, ticket, at, now, actor, automatic=not by_hand)
            if ended and not over:
                tell_closed(conn, ticket, now)
            closed += ended
    return closed


def tell_closed(conn: sqlite3.Connection, ticket: Ticket, now: datetime) -> None:
    """A resident waiting for a text (they gave a number for "nearly your turn") whose ticket
    close of day closed is told so, once, by a short text in their language (queued here, in
    the closing transaction; sent by the worker as the other turn texts are: only the code,
    never a name or reason). Not the morning after (a day closed late, the worker down): the
    resident knows by then."""
    from oss_desk.storage import resident as r

    if r.phone_of(conn, ticket.visit_id) is None:
        return
    r.queue_turn_text(
        conn,
        visit_id=ticket.visit_id,
        ticket_id=ticket.id,
        kind="closed",
        reference=f"oss-t{ticket.id}-closed-{secrets.token_hex(4)}",
        now=format_instant(now),
    )


def due_close_at(
    session: Session, conn: sqlite3.Connection, site: Site, ticket: Ticket, now: datetime
) -> datetime | None:
    """When close of day records ``ticket`` (still waiting or called at ``now``) as closed once
    it runs, the instant the report counts its wait to: its day's closing time once that has
    passed (the end of its day, once over, for one that came after closing time); None while
    it is not due (its day has not closed yet)."""
    day = ticket.business_day
    closing = closing_time(session, site, day)
    over = day < session.today(site)
    at = _closes_at(ticket, closing, end_of_day(site, day), now, over=over, by_hand=False)
    if at is None or now < closing:
        return None
    return _not_before_its_history(conn, ticket, at)


def _not_before_its_history(conn: sqlite3.Connection, ticket: Ticket, at: datetime) -> datetime:
    """A ticket is never recorded as closed before the last thing that happened in its visit:
    one sent back to the queue after closing time (its desk closed at 17:05) is closed then,
    not at 17:00, or its history would read "back in the queue 17:05" before "closed 17:00"."""
    last = visit_last_event_at(conn, ticket.visit_id)
    return max(at, read_instant(last)) if last is not None else at


def _closes_at(
    ticket: Ticket,
    closing: datetime,
    end: datetime,
    now: datetime,
    *,
    over: bool,
    by_hand: bool,
) -> datetime | None:
    """When a ticket left open is recorded as closed (None: not yet). One that came before
    closing time: at closing time (or now, when the team leader closes the day before it); one
    that came after it: at the end of its day once that is over (an evening event), or now when
    the team leader closes the day."""
    if ticket.queued_at < closing:
        return min(closing, now)
    if over:
        return end
    return now if by_hand else None


def _close(
    conn: sqlite3.Connection,
    site: Site,
    ticket: Ticket,
    closed_at: datetime,
    now: datetime,
    actor: Actor,
    *,
    automatic: bool = True,
) -> list[Ticket]:
    """One ticket closed as "office closed", recorded at ``closed_at``."""
    stamp = format_instant(closed_at)
    ended = q.transition(
        conn,
        ticket.id,
        from_statuses=(TicketStatus.WAITING, TicketStatus.CALLED),
        to_status=TicketStatus.CANCELLED,
        finished_at=stamp,
    )
    if ended is None:  # pragma: no cover - changed in this same transaction
        return []
    settle_queued(conn, ticket.id, CLOSED_TICKET_JOB)  # no paper, nor tries, for it now
    if not q.visit_has_active_ticket(conn, ticket.visit_id):
        q.finish_visit(
            conn, ticket.visit_id, status=VisitStatus.CANCELLED, outcome=None, finished_at=stamp
        )
        # A checked-in appointment's resident came and was not seen: the appointment says so
        # as its ticket does (kept, not a no-show, not attended). Imported here: every
        # arrival may close a day, and most commands load nothing of appointments.
        from oss_desk.domain.appointments import TicketEnd
        from oss_desk.storage.appointments import ticket_ended

        ticket_ended(conn, ticket.visit_id, TicketEnd.OFFICE_CLOSED, ending=ticket.id)
    record_event(
        conn,
        site,
        closed_at,
        EventKind.CANCELLED,
        actor,
        desk_id=ticket.desk,
        **of_ticket(ticket),
        data={
            "reason": REASON,
            "automatic": automatic,
            "closed_at": format_instant(now),
            "was": ticket.status.value,
            **_appointment_after(conn, ticket),
        },
    )
    return [ended]


def _appointment_after(conn: sqlite3.Connection, ticket: Ticket) -> dict[str, object]:
    """The state the close of day left the visit's appointment in, for the event log (the
    audit trail then says what became of the appointment, "not seen" or "attended", not only
    of its ticket); nothing while the visit has a ticket in the queue, or for a walk-in."""
    if q.visit_has_active_ticket(conn, ticket.visit_id):
        return {}
    from oss_desk.storage.appointments import of_visit

    found = of_visit(conn, ticket.visit_id)
    return {} if found is None else {"appointment_id": found[0], "appointment": found[1].value}
