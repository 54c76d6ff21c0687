"""Why a waiting ticket will not be called now, as every command and screen says it: sent to a
desk that is on a break ("sent to Desk 2 (Dev Patel), on a break": the desk is open, its adviser
is away), or no open desk may call it (:data:`~oss_desk.domain.waits.NO_OPEN_DESK`). The words
are :func:`oss_desk.domain.waits.unserved_said`'s."""

from __future__ import annotations

from collections.abc import Mapping

from oss_desk.domain.logins import DeskLogin
from oss_desk.domain.models import DeskStatus, Ticket
from oss_desk.domain.waits import unserved_said
from oss_desk.services.queue.view import LiveView
from oss_desk.services.session import Session


class Unserved:
    """The desks' states and logins read once, for the reasons of many tickets (a queue)."""

    def __init__(self, session: Session) -> None:
        queue = LiveView(session)  # reads only: not the code that changes the queue
        self.s = session
        self.states: Mapping[str, DeskStatus] = queue.desk_statuses()
        self.logins: Mapping[str, DeskLogin] = queue.logins()

    def why(self, ticket: Ticket) -> str:
        """Why ``ticket`` (waiting, with no estimate) waits: its desk's break (the desk it was
        sent to, or the one its person is logged in to), or no open desk."""
        sent = ticket.assigned_desk
        if sent is None and ticket.assigned_person is not None:
            held = (d for d, login in self.logins.items() if login.person == ticket.assigned_person)
            sent = next(held, None)
        if sent is None or self.states.get(sent) is not DeskStatus.BREAK:
            return unserved_said()
        login = self.logins.get(sent)
        return unserved_said(
            self.s.desk(sent).name, self.s.name_of(login.person) if login else None
        )


def unserved(session: Session, ticket: Ticket) -> str | None:
    """Why a ticket just issued or checked in will not be called now (said at check-in and
    issue as the queue says it); None: an open desk will call it."""
    entry = LiveView(session).entry(ticket)
    if entry is None or entry.position is None or entry.estimated_wait_seconds is not None:
        return None
    return Unserved(session).why(ticket)
