"""What the waiting-room screen and the phone page show: codes, desks, counts; nobody's name.

``screen_state`` is the whole screen as plain data (JSON for the page): the latest calls (the
newest large, a few before it), how many are waiting per public service label, the office's
message line, the page's fixed texts and what to say aloud, all in the office's languages
(Welsh first where bilingual). ``phone_state`` is one ticket's place and estimated wait, found
by the unguessable token in its link, for its own day only.
"""

from __future__ import annotations

import hmac
from typing import Any

from oss_desk.clock import read_instant
from oss_desk.domain.access import Action
from oss_desk.domain.calendar import local
from oss_desk.domain.codes import parse_ticket_ref
from oss_desk.domain.models import Actor, Ticket, TicketStatus
from oss_desk.domain.public import spelled, ticket_token, token_from_link
from oss_desk.domain.qr_codes import NOT_OURS, NOT_OURS_TITLE, TICKET_QR
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput, NotFound, RuleViolation
from oss_desk.services.queue.day_end import calls_cleared
from oss_desk.services.resident import desk_names, label_names, not_open_words, site_names
from oss_desk.services.session import Session
from oss_desk.services.views import minutes
from oss_desk.services.wording import wording_for
from oss_desk.storage import queue as q
from oss_desk.storage import resident as r

SPEECH_LANGUAGE = {"cy": "cy-GB", "en": "en-GB"}
PAGE_TEXTS = ("screen.now", "screen.previous", "screen.waiting", "screen.nobody", "screen.offline")


def screen_site(session: Session) -> str:
    """The office the screen shows: ``screen.site``, else the only (or first) office."""
    return session.settings.screen.site or next(iter(session.directory.sites))


def screen_state(
    session: Session, site_id: str | None = None, since: int | None = None
) -> dict[str, Any]:
    """The screen as plain data; ``since``: the newest call event already sent to the screens,
    so that every call after it is in this state (shown and announced) however many came at
    once; the page lists only ``previous`` of them under the newest."""
    site = session.directory.sites[site_id or screen_site(session)]
    settings = session.settings.screen
    wording = wording_for(session.settings, site.id)
    now = session.clock.now()
    day = session.today(site)
    with session.store.read() as conn:
        cleared = calls_cleared(session, conn, site, day)
        calls = r.latest_calls(conn, site.id, day, settings.previous + 1, cleared, since)
        waiting = r.waiting_by_service(conn, site.id, day)
    shown_calls = []
    for call in calls:
        desks = desk_names(session, wording, call.desk_id)
        shown_calls.append(
            {
                "id": call.event_id,
                "code": call.code,
                "desk": list(desks),
                "recall": call.kind == "recalled",
                "age": max(0.0, (now - read_instant(call.at)).total_seconds()),
                "speech": [
                    wording.one(
                        language,
                        "speech.call",
                        code=spelled(call.code),
                        desk=desks[min(n, len(desks) - 1)],
                    )
                    for n, language in enumerate(wording.languages)
                ],
            }
        )
    counts: dict[tuple[str, ...], int] = {}
    for code, count in waiting.items():
        labels = label_names(session, wording, code)
        counts[labels] = counts.get(labels, 0) + count
    message = wording.names(settings.message, settings.message_cy) if settings.message else ()
    if settings.message_cy and not settings.message:
        message = (settings.message_cy,)
    return {
        "site": list(site_names(session, wording, site.id)),
        "languages": list(wording.languages),
        "texts": {key.split(".")[1]: list(wording.say(key)) for key in PAGE_TEXTS},
        "calls": shown_calls,
        "previous": settings.previous,
        "waiting": [
            {"label": list(labels), "count": count} for labels, count in sorted(counts.items())
        ],
        "message": list(message),
        "closed": list(not_open_words(session, site.id)),
        "speech": settings.speech,
        "voices": [SPEECH_LANGUAGE[language] for language in wording.languages],
        "day": day,
        "time": f"{local(now, site.timezone):%H:%M}",
    }


# The phone page -----------------------------------------------------------------------------


def find_by_token(session: Session, token: str, site_id: str | None = None) -> Ticket | None:
    """Today's ticket whose link carries ``token`` (compared in constant time), followed
    through transfers to the ticket the resident now holds."""
    sites = [site_id] if site_id else list(session.directory.sites)
    with session.store.read() as conn:
        key = r.secret(conn)
        for sid in sites:
            day = session.today(session.directory.sites[sid])
            for ticket_id in r.day_ticket_ids(conn, sid, day):
                if hmac.compare_digest(ticket_token(key, ticket_id, day), token):
                    current: int | None = ticket_id
                    seen = set()
                    while current is not None and current not in seen:
                        seen.add(current)
                        ticket = q.get_ticket(conn, current)
                        if ticket is None or ticket.status is not TicketStatus.TRANSFERRED:
                            return ticket
                        current = r.successor(conn, current)
                    return None
    return None


def phone_state(session: Session, token: str) -> dict[str, Any] | None:
    """One ticket's place and estimated wait, and nothing else from the queue (None: no such
    ticket today)."""
    from oss_desk.services.queue import QueueService

    ticket = find_by_token(session, token)
    if ticket is None:
        return None
    site = session.directory.sites[ticket.site_id]
    wording = wording_for(session.settings, site.id)
    state: dict[str, Any] = {
        "title": list(wording.say("phone.title")),
        "ticket": list(wording.say("phone.ticket", code=ticket.code)),
        "code": ticket.code,
        "label": list(label_names(session, wording, ticket.service)),
        "status": ticket.status.value,
        "lines": [],
        "updated": list(
            wording.say("phone.updated", time=f"{local(session.clock.now(), site.timezone):%H:%M}")
        ),
        "languages": list(wording.languages),
    }
    if ticket.status is TicketStatus.WAITING:
        entry = QueueService(session).entry(ticket)
        if entry is not None:  # the people ahead and the wait the paper ticket shows
            state["lines"] = wording.wait(entry.ahead, minutes(entry.estimated_wait_seconds))
    elif ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING):
        state["lines"] = wording.go_to(desk_names(session, wording, ticket.desk))
    else:
        state["lines"] = list(wording.say("phone.done"))
    return state


def expired_state(session: Session) -> dict[str, Any]:
    site = session.directory.sites[screen_site(session)]
    wording = wording_for(session.settings, site.id)
    return {
        "title": list(wording.say("phone.title")),
        "lines": list(wording.say("phone.expired")),
        "languages": list(wording.languages),
    }


def ticket_from_scan(session: Session, text: str, actor: Actor | None = None) -> Ticket:
    """The ticket a person at a desk means: a code typed (``C012``), the ticket's QR
    (``OSSD-T:hq:2026-11-23:C012``) or its phone-page link, as a scanner types them.
    Raises NotFound (a scanned QR that is none of the office's: :data:`NOT_OURS`, under its own
    heading, never the command line's "Invalid input"), or RuleViolation for a ticket of
    another day."""
    from oss_desk.services.queue import QueueService

    queue = QueueService(session, actor)
    cleaned = text.strip()
    if cleaned.upper().startswith(TICKET_QR):
        parts = cleaned[len(TICKET_QR) :].split(":")
        if len(parts) != 3:
            raise NotFound(NOT_OURS, title=NOT_OURS_TITLE)
        site_id, day, code = parts
        _ticket_code(code)
        site = session.directory.sites.get(site_id.lower())
        if site is None:
            raise NotFound(f"that ticket is from another office ({shown(site_id)})")
        if day != session.today(site):
            raise RuleViolation(f"that ticket ({shown(code)}) is from {shown(day)}, not today")
        return queue.look_up(code, site.id)
    token = token_from_link(cleaned, session.settings.screen.public_url)
    if token is not None:
        session.require(Action.FIND_TICKET, queue.actor)
        # A scanner with Caps Lock on swaps the case of everything it types.
        ticket = find_by_token(session, token) or find_by_token(session, token.swapcase())
        if ticket is None:
            raise NotFound("that ticket's link is for another day or another office")
        return ticket
    return queue.look_up(cleaned)  # typed: a mistyped code is told how codes are written


def _ticket_code(text: str) -> None:
    """Refuse a scanned ticket's QR whose code cannot be a ticket's at all, in the desk's
    words."""
    try:
        parse_ticket_ref(text)
    except InvalidInput:
        raise NotFound(NOT_OURS, title=NOT_OURS_TITLE) from None
