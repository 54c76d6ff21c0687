"""What residents see, built from the office's data and wording: tickets, slips, names.

Nothing here identifies a resident: a code, a neutral service label, times, a booking reference
at most. Names come from the configuration, in Welsh first where the office is bilingual and
the council gave a Welsh form; fixed texts come from the wording (``services/wording.py``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from oss_desk.domain.appointments import Appointment
from oss_desk.domain.calendar import clock_said, local
from oss_desk.domain.closed_day import not_open_text
from oss_desk.domain.models import Desk, QueueEntry, Service, Site, Ticket, TicketStatus
from oss_desk.domain.needs import COLLECT_IN_PERSON, LARGE_PRINT
from oss_desk.domain.printouts import SlipPrintout, TicketPrintout, slip, ticket
from oss_desk.domain.public import ticket_link, ticket_token
from oss_desk.domain.wording import ENGLISH, Untranslated, Wording
from oss_desk.services.opening import opening_time
from oss_desk.services.queue.day_end import closing_time
from oss_desk.services.session import Session
from oss_desk.services.views import minutes
from oss_desk.services.wording import record_wording, site_as_was, wording_for
from oss_desk.storage import day_closures as dc
from oss_desk.storage import resident as r


def council_names(session: Session, wording: Wording) -> tuple[str, ...]:
    council = session.settings.council
    return wording.names(council.name, council.name_cy)


def site_names(session: Session, wording: Wording, site_id: str) -> tuple[str, ...]:
    site = session.site_ever(site_id)  # one that left the configuration: by its last name
    config = site_as_was(session, site_id)
    return wording.names(site.name, config.name_cy if config is not None else None)


def label_names(session: Session, wording: Wording, code: str) -> tuple[str, ...]:
    svc = session.directory.services.get(code)
    config = session.settings.service(code)
    return wording.names(svc.label if svc else code, config.label_cy if config else None)


def desk_names(
    session: Session,
    wording: Wording,
    desk_id: str | None,
    *,
    board: bool = True,
    on_board: bool = False,
) -> tuple[str, ...]:
    """A desk's public name (its board name, or its full name), Welsh first where it has one;
    ``on_board``: as the display board names it (its Welsh board name, where it has one)."""
    config = next((d for d in session.settings.desks if d.id == desk_id), None)
    if config is None:  # a desk no longer configured: its id, never mutated as Welsh
        return (Untranslated(desk_id or ""),)
    if on_board:
        return wording.names(*config.board_names)
    english = config.board_names[0] if board else config.display_name
    return wording.names(english, config.name_cy)


def not_open_words(session: Session, site_id: str) -> tuple[str, ...]:
    """What the board and the waiting-room screen say while the site is not open now, Welsh
    first in a Welsh office: "Office closed" while its day is over (closed by hand, or past
    closing time) and all day on a day it does not open, "Opens at 09:00" before opening time
    (the one rule, :func:`~oss_desk.domain.closed_day.not_open_text`); nothing while it is
    open. Indexed reads: the day's close by hand and the stored bank holidays."""
    site = session.directory.sites[site_id]
    today = session.today(site)
    with session.store.read() as conn:
        closed = dc.closed_day(conn, site.id, today)
        opens = opening_time(session, conn, site, today)
    key = not_open_text(closed, session.clock.now(), opens, closing_time(session, site, today))
    if key is None:
        return ()
    at = f"{local(opens, site.timezone):%H:%M}" if opens is not None else ""
    return wording_for(session.settings, site_id).say(key, time=at)


def board_message(session: Session, site_id: str) -> str:
    """The board's message when nobody has been called: one line per language, Welsh first;
    while the office is not open (its day over, a day it does not open, before opening time),
    that it is closed or when it opens (:func:`not_open_words`), never "take a ticket"."""
    if closed := not_open_words(session, site_id):
        return "\n".join(closed)
    board = session.settings.board
    wording = wording_for(session.settings, site_id)
    if not wording.bilingual:
        return board.message
    default = board.message == ENGLISH["board.take_ticket"]
    welsh = board.message_cy or (wording.one("cy", "board.take_ticket") if default else None)
    return "\n".join(wording.names(board.message, welsh))


def ticket_qr(session: Session, ticket_row: Ticket) -> str | None:
    """The ticket's QR payload: ``printing.ticket_qr`` (read at a desk to open the ticket)."""
    template = session.settings.printing.ticket_qr
    if not template:
        return None
    try:
        return template.format(
            site=ticket_row.site_id, date=ticket_row.business_day, code=ticket_row.code
        )
    except (KeyError, IndexError, ValueError):
        return None


def token_for(session: Session, ticket: Ticket) -> str:
    """The ticket's token for its phone-page link (see ``domain/public.py``)."""
    with session.store.read() as conn:
        key = r.secret(conn)
    return ticket_token(key, ticket.id, ticket.business_day)


def public_link(session: Session, ticket: Ticket) -> str | None:
    """The ticket's phone-page link, where the office set the screen's public address."""
    public_url = session.settings.screen.public_url
    if not public_url:
        return None
    return ticket_link(public_url, token_for(session, ticket))


def draw_ticket(session: Session, ticket_row: Ticket, entry: QueueEntry | None) -> TicketPrintout:
    """The ticket as it goes on paper: no name, no reason, a neutral label and the code. Its
    QR is the phone page's link where the office set the screen's public address, else
    ``printing.ticket_qr``; a desk's scanner opens the ticket from either. ``entry``: its line
    in the queue while it waits (the people ahead and the wait), else None
    (:func:`oss_desk.services.printouts.ticket_printout` reads it)."""
    site = session.site_ever(ticket_row.site_id)
    wording = record_wording(session, site.id)
    ahead = estimate = None
    if ticket_row.status is TicketStatus.WAITING and entry is not None:
        ahead = entry.ahead
        estimate = minutes(entry.estimated_wait_seconds)
    council = council_names(session, wording)
    site_said = site_names(session, wording, site.id)
    label = label_names(session, wording, ticket_row.service)
    # Called before its paper printed (the printer was down): the paper sends them to the desk.
    called = ticket_row.status is TicketStatus.CALLED and ticket_row.desk is not None
    desk = desk_names(session, wording, ticket_row.desk) if called else ()
    plain = TicketPrintout(
        council=council[-1],
        site=site_said[-1],
        code=ticket_row.code,
        label=label[-1],
        issued=local(ticket_row.issued_at, site.timezone).strftime("%H:%M"),
        ahead=ahead,
        estimate_minutes=estimate,
        qr=public_link(session, ticket_row) or ticket_qr(session, ticket_row),
        large_print=LARGE_PRINT in ticket_row.needs,
        collected=COLLECT_IN_PERSON in ticket_row.needs,
        called_to=desk[-1] if desk else None,
    )
    return ticket(wording, plain, council, site_said, label, desk)


@dataclass(frozen=True, slots=True)
class AppointmentWording:
    """What an appointment's slip and its messages are both made from, read one way: the
    office's wording and the site as it was when the booking's office left the configuration."""

    site: Site
    wording: Wording
    address: str
    """The site's address in English ("" when it has none)."""
    addresses: tuple[str, ...]
    """Its address in the office's languages (none when it has none)."""
    service: Service
    welsh_items: list[str]
    """The service's checklist in Welsh, as far as the council gave it."""
    wall: datetime
    """The start, in the office's time."""
    room: Desk | None
    change_line: tuple[str, ...]
    """How to change or cancel, in the office's languages (the council's, or oss-desk's)."""


def appointment_wording(session: Session, appt: Appointment) -> AppointmentWording:
    site = session.site_ever(appt.site_id)
    config = site_as_was(session, site.id)  # one that left the configuration: as it was
    wording = wording_for(session.settings, site.id, config)
    address = config.address if config is not None else ""
    svc_config = session.settings.service(appt.service)
    change = session.settings.appointments
    return AppointmentWording(
        site=site,
        wording=wording,
        address=address,
        addresses=wording.names(address, config.address_cy) if config and address else (),
        service=session.directory.services[appt.service],
        welsh_items=list(svc_config.checklist_cy) if svc_config else [],
        wall=local(appt.starts_at, site.timezone),
        room=session.directory.desks.get(appt.room or ""),
        change_line=wording.configured(
            "message.change_line", change.change_line, change.change_line_cy
        ),
    )


def slip_printout(session: Session, appt: Appointment, qr: str) -> SlipPrintout:
    """An appointment slip: what, when, where, what to bring, the reference and its QR."""
    said = appointment_wording(session, appt)
    wording, wall, room, addresses = said.wording, said.wall, said.room, said.addresses
    names = site_names(session, wording, said.site.id)
    where = tuple(
        f"{name}, {addresses[min(i, len(addresses) - 1)]}" if addresses else name
        for i, name in enumerate(names)
    )
    welsh_items = said.welsh_items
    checklist = tuple(
        wording.names(item, welsh_items[i] if i < len(welsh_items) else None)
        for i, item in enumerate(said.service.checklist)
    )
    return slip(
        wording,
        council=council_names(session, wording),
        site=names,
        address=said.address,
        where=where,
        service=label_names(session, wording, appt.service),
        day=date(wall.year, wall.month, wall.day),
        time=clock_said(wall),
        place=desk_names(session, wording, room.id, board=False) if room else names,
        reference=appt.ref,
        checklist=checklist,
        qr=qr,
        change_line=said.change_line,
        large_print="large-print" in appt.needs,
    )


def office_timezone(db: str | None, config: str | None) -> str:
    """The office's timezone (its first site's), from ``config`` or the stored configuration;
    UK time when there is no office yet (a printer tried before ``init``)."""
    from oss_desk.config import load_file
    from oss_desk.errors import OssDeskError
    from oss_desk.services.session import resolve_config_path, resolve_db_path, settings_for
    from oss_desk.storage.database import open_store

    try:
        path = resolve_config_path(config)
        if path is not None:
            return load_file(path).sites[0].timezone
        target = resolve_db_path(db)
        if not target.exists():
            return DEFAULT_TIMEZONE
        store = open_store(target, create=False, migrate=False, check=False)
        try:
            settings, _ = settings_for(store, None)
        finally:
            store.close()
        return settings.sites[0].timezone
    except (OssDeskError, sqlite3.Error):
        return DEFAULT_TIMEZONE


DEFAULT_TIMEZONE = "Europe/London"
