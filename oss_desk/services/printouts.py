"""What residents see of the system: a ticket as printed, and the board, built from the database.

The device worker prints and shows these; the desk app's resident's view (F10) previews them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from oss_desk.domain.delivery import job_word, print_state, resident_paper_said, stale_ticket_job
from oss_desk.domain.devices import parse_board_url
from oss_desk.domain.models import Ticket, TicketStatus
from oss_desk.domain.printouts import TicketPrintout, from_payload
from oss_desk.hardware.boards import BoardState, Call, geometry_for, pages_for
from oss_desk.hardware.templates import PreviewLine, preview
from oss_desk.services import resident
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import calls_cleared
from oss_desk.services.session import Session
from oss_desk.services.wording import wording_for
from oss_desk.storage import devices as d
from oss_desk.storage import queue as q
from oss_desk.storage.print_state import printed_copy, ticket_job


def ticket_printout(session: Session, ticket: Ticket, *, copy: bool = False) -> TicketPrintout:
    """The ticket as it goes on paper (``services/resident.py`` lays it out in the office's
    languages), its place in the queue read now while it waits; ``copy``: an earlier copy may
    have printed, so this one says COPY."""
    waiting = ticket.status is TicketStatus.WAITING
    printout = resident.draw_ticket(
        session, ticket, QueueService(session).entry(ticket) if waiting else None
    )
    return dataclasses.replace(printout, copy=True) if copy else printout


class TicketOver(ValueError):
    """A ticket job's ticket is no longer waiting or called: no paper for it (the reason,
    ``domain.delivery.stale_ticket_job``'s, is the exception's text)."""


def ticket_over(session: Session, kind: str, ticket_id: int | None) -> str | None:
    """Why a job of ``kind`` for ``ticket_id`` is not to be printed now, its ticket being over
    (``domain.delivery.stale_ticket_job``); None: print it. One indexed read; none for a slip."""
    if kind != "ticket" or ticket_id is None:
        return None
    ticket = q.get_ticket(session.store.conn, ticket_id)
    return stale_ticket_job(kind, ticket.status) if ticket is not None else None


def job_ticket(session: Session, ticket_id: int | None, *, copy: bool) -> TicketPrintout:
    """The ticket of a ticket print job, drawn now for the printer (ValueError: no ticket;
    :class:`TicketOver`: it is no longer waiting or called, so it is not drawn)."""
    if ticket_id is None:
        raise ValueError("a ticket job without a ticket")
    ticket = q.get_ticket(session.store.conn, ticket_id)
    if ticket is None:
        raise ValueError(f"ticket {ticket_id} is gone")
    if (over := stale_ticket_job("ticket", ticket.status)) is not None:
        raise TicketOver(over)
    session.refresh_directory()
    return ticket_printout(session, ticket, copy=copy)


def done_word(confirmed: bool) -> str:
    """A job whose bytes all left, in the desks' words: "printed" only when the printer
    confirmed it, else "sent to the printer" (``domain.delivery.JOB_WORDS``)."""
    return job_word(print_state("done", confirmed))


def board_state(session: Session, site_id: str, rows: int) -> BoardState:
    """The latest calls of the site today, as the board shows them (newest first)."""
    site = session.directory.sites[site_id]
    day, conn = session.today(site), session.store.conn
    calls = d.latest_calls(conn, site.id, day, rows, calls_cleared(session, conn, site, day))
    wording = wording_for(session.settings, site.id)
    shown = []
    for code, desk in calls:
        # Its board name, and in a bilingual office its Welsh name first where it has one.
        names = resident.desk_names(session, wording, desk, on_board=True)
        shown.append(Call(code, names[0], names[1] if len(names) > 1 else None))
    return BoardState(calls=tuple(shown), message=resident.board_message(session, site.id))


@dataclass(frozen=True, slots=True)
class ResidentView:
    """What the resident sees: their ticket on paper, and the board."""

    ticket_code: str | None
    ticket_lines: list[PreviewLine]
    board_lines: list[str]
    board_url: str | None
    paper_said: str = ""
    board_turns: list[str] = dataclasses.field(default_factory=list)
    """The rows of the board's other page, shown in turn with ``board_lines`` (a bilingual
    office's desks named in English after Welsh: ``hardware.boards.pages_for``)."""
    """Whether the resident has the ticket on paper, and whether the paper shown is what was
    printed (``domain.delivery.resident_paper_said``)."""


def resident_view(session: Session, ticket_id: int | None) -> ResidentView:
    ticket = q.get_ticket(session.store.conn, ticket_id) if ticket_id is not None else None
    lines, said = as_printed(session, ticket) if ticket is not None else ([], "")
    url = session.settings.board.url
    pages: list[list[str]] = [[]]  # no board configured: none is drawn (not an empty frame)
    if url:
        site = QueueService(session).board_site()
        geometry = geometry_for(parse_board_url(url))
        state = board_state(session, site, geometry.rows) if site else BoardState()
        pages = pages_for(state, geometry)
    return ResidentView(
        ticket_code=ticket.code if ticket else None,
        ticket_lines=lines,
        board_lines=pages[0],
        board_url=url,
        paper_said=said,
        board_turns=[row for page in pages[1:] for row in page],
    )


def as_printed(session: Session, ticket: Ticket) -> tuple[list[PreviewLine], str]:
    """The ticket as the printer was sent it (the places ahead and the wait of that moment, COPY
    if it said so), and what the resident holds: not printed yet, printed, or drawn again now
    when no printed drawing was kept."""
    conn = session.store.conn
    latest, printed_before = ticket_job(conn, ticket.id)
    copy = printed_copy(conn, ticket.id)
    printout = (
        from_payload("ticket", copy[1]) if copy is not None else ticket_printout(session, ticket)
    )
    state = print_state(latest.status, latest.confirmed) if latest is not None else None
    said = resident_paper_said(
        latest.id if latest is not None else None,
        state,
        latest.error if latest is not None else None,
        printed_before=printed_before,
        recorded=copy[0] if copy is not None else None,
    )
    return preview(printout), said
