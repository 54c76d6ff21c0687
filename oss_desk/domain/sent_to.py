"""Where a ticket may be sent (a transfer, a team leader's send) or a parked resident resumed,
the one refusal when nobody there would call them, and when a ticket sent somewhere goes back
to the queue (:func:`sent_nowhere`). Which desk may call which ticket is
:mod:`oss_desk.domain.queue`'s (:func:`~oss_desk.domain.queue.never_called_at`)."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence

from oss_desk.domain.counter import DESK_STATUS_WORDS
from oss_desk.domain.models import Desk, DeskStatus, Ticket, TicketStatus
from oss_desk.domain.queue import (
    Caller,
    Placed,
    Refusal,
    calls_tickets,
    never_called_at,
)

SENT_TO_DESK = "only that desk may call them, before the others waiting for it"
"""What sending a ticket to a desk means (:data:`~oss_desk.domain.queue.CALL_ORDER`), as the
questions that offer it explain it (F1)."""
SENT_TO_PERSON = (
    "only the desk that colleague is logged in to may call them, before the others waiting for it"
)
"""What sending a ticket to a named colleague means, as the questions that offer it say."""
TO_ANOTHER_SERVICE = "a new code in that service, keeping their place by the time they arrived"
"""What transferring a ticket to another service means, as the questions that offer it say."""

_BACK = ("goes back to the queue", "go back to the queue")


def back_to_queue_words(codes: Sequence[str], goes: tuple[str, str] = _BACK) -> str:
    """What closing a desk (or logging out) says of the tickets sent there that go back to the
    queue: "T004 goes back to the queue", "T004 and C003 go back to the queue" ("" for none);
    a break says what becomes of them so, with its own ``goes`` (``sent_to.on_break_words``)."""
    if not codes:
        return ""
    if len(codes) == 1:
        return f"{codes[0]} {goes[0]}"
    return f"{', '.join(codes[:-1])} and {codes[-1]} {goes[1]}"


def closed_words(done: str, sent_back: Iterable[Ticket]) -> str:
    """What closing a desk (or logging out) says: ``done``, then the tickets that went back to
    the queue: "Logged out: Desk 4 closed; T004 goes back to the queue"."""
    back = back_to_queue_words([t.code for t in sent_back])
    return f"{done}; {back}" if back else done


def not_sent_to(name: str, status: DeskStatus) -> str | None:
    """Why a ticket may not be sent to a desk (a transfer, a team leader's send) nor a parked
    resident resumed there: it is closed, so nobody there would call or serve them (a desk
    closes when its person logs out). A desk on a break is fine: it comes back. None when it
    may."""
    return f"{name} is closed" if status is DeskStatus.CLOSED else None


def not_served_at(
    name: str, status: DeskStatus, staffed: bool, *, staffed_only: bool
) -> str | None:
    """Why a parked resident may not be resumed (served at once) at a desk: as
    :func:`not_sent_to`, and (``staffed_only``: ``queue.staffed_desks_only``) nobody is logged
    in to it to serve them. None when they may."""
    closed = not_sent_to(name, status)
    if closed is None and staffed_only and not staffed:
        return f"nobody is logged in to {name}"
    return closed


def nobody_would_call(why: str, code: str, instead: str) -> str:
    """The one refusal of a ticket sent (or resumed) where nobody would call it: "Desk 3 is
    closed: nobody there would call C004; open the desk first, or send it to an open one"."""
    return f"{why}: nobody there would call {code}; {instead}"


def never_called_words(refusal: Refusal, service: str, code: str) -> str:
    """Why a desk never calls a ticket (:func:`~oss_desk.domain.queue.never_called_at`), as
    said after the desk's name: "does not serve Council Tax", "has no private room (C004
    needs one)"."""
    if refusal is Refusal.NO_PRIVATE_ROOM:
        return f"has no private room ({code} needs one)"
    return f"does not serve {service}"


def colleague_never_calls(person: str, desk: str, why: str, code: str) -> str:
    """The refusal of a ticket sent to a colleague logged in at a desk that never calls it
    (:func:`never_called_words`): "Dev Patel is at Desk 2, which does not serve Council Tax:
    nobody there would call C001; send it to a colleague at a desk that may, or to a desk"."""
    return nobody_would_call(
        f"{person} is at {desk}, which {why}",
        code,
        "send it to a colleague at a desk that may, or to a desk",
    )


def desk_never_calls(
    desk: Desk, site_id: str, service: str, private_room: bool, *, service_name: str, code: str
) -> str | None:
    """Why ticket ``code`` of ``service`` (named ``service_name``) at ``site_id``
    (``private_room``: it needs one) is never called at ``desk``, whoever is there, as said
    after the desk's name: "is at another site", "calls nobody from the queue", "does not serve
    Council Tax". The one rule of sending a ticket to a desk or to the colleague at it, for the
    refusal and for the lists the desk offers. None when it may be called there."""
    if desk.site_id != site_id:
        return "is at another site"
    if not calls_tickets(desk.kind):
        return "calls nobody from the queue"
    never = never_called_at(desk, service, private_room)
    return None if never is None else never_called_words(never, service_name, code)


def sent_nowhere(
    ticket: Placed,
    serving: Container[str],
    logged_in: Mapping[str, str],
    desks: Mapping[str, Caller],
) -> bool:
    """Whether a waiting ticket was sent where nobody will call it: to a desk that is closed
    (``serving``: the desks open or on a break, as
    :func:`oss_desk.domain.counter.effective_status` says), to a person logged in to no desk
    (``logged_in``: person -> their desk), or to a desk (or a person at one) that never calls
    it now (``desks``, as configured now: :func:`never_called_at`). It goes back to the queue
    at its place when its desk closes, its person logs out or a configuration is loaded
    (:func:`back_to_queue_words`): its arrival and priority are kept,
    so a checked-in appointment is still called before the walk-ins, by any desk serving it.
    A parked ticket (its resident fetching a document) waits to be resumed at its desk while
    that desk is open or on a break; once it closes it goes back to the queue at its place
    too."""
    if ticket.parked:
        return ticket.desk is not None and ticket.desk not in serving
    at = ticket.assigned_desk
    if at is not None and at not in serving:
        return True
    if ticket.assigned_person is not None:
        at = logged_in.get(ticket.assigned_person)
        if at is None:
            return True
    desk = desks.get(at) if at is not None else None
    if desk is None:
        return False
    return never_called_at(desk, ticket.service, ticket.needs_private_room) is not None


def waiting_for_desk(queue: Iterable[Ticket], desk_id: str, person: str | None) -> list[str]:
    """The codes of the waiting tickets of ``queue`` (in its order) sent to ``desk_id`` or to
    ``person``, logged in there: only that desk calls them, so a break keeps them waiting for
    it (:func:`on_break_words`). Parked ones wait to be resumed, not called."""
    return [
        t.code
        for t in queue
        if t.status is TicketStatus.WAITING
        and not t.parked
        and (t.assigned_desk == desk_id or (person is not None and t.assigned_person == person))
    ]


def on_break_words(codes: list[str], desk: str) -> str:
    """What a break says of the tickets sent to the desk (or to its person), as closing it says
    they go back to the queue: they stay sent there, waiting until the desk opens again:
    "B009 waits for Desk 1 until it opens again" ("" for none)."""
    until = f"for {desk} until it opens again"
    return back_to_queue_words(codes, goes=(f"waits {until}", f"wait {until}"))


def desk_status_said(
    desk: str,
    was: DeskStatus,
    now: DeskStatus,
    sent_back: Sequence[str] = (),
    waiting: Sequence[str] = (),
) -> str:
    """What opening a desk, putting it on a break or closing it says (``oss-desk desks open``,
    ``break``, ``close``; the team leader's B): "Desk 2: open -> break", or "Desk 2 is already
    on a break" when it was, then the tickets that go back to the queue (``sent_back``: it
    closed) or wait for it (``waiting``: it is on a break, :func:`on_break_words`)."""
    head = (
        f"{desk} is already {DESK_STATUS_WORDS[now]}" if was is now else f"{desk}: {was} -> {now}"
    )
    tail = (back_to_queue_words(sent_back), on_break_words(list(waiting), desk))
    return "; ".join([head, *(said for said in tail if said)])
