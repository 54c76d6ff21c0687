"""The public side of a ticket: its unguessable link for the phone page, a code read aloud,
when its call leaves the board.

Pure functions: the key comes from the database (``storage/resident.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from oss_desk.domain.models import EventKind, TicketStatus

TOKEN_BYTES = 15
"""120 bits of HMAC-SHA256: 24 characters in a URL, never guessed."""
LINK_PATH = "/t/"


def _token(key: bytes, *message: object) -> str:
    """The keyed hash (HMAC-SHA256) of ``message``'s parts joined with colons, cut to
    :data:`TOKEN_BYTES` and written URL-safe: every public token is made this way."""
    text = ":".join(str(part) for part in message)
    mac = hmac.new(key, text.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:TOKEN_BYTES]).decode("ascii")


def ticket_token(key: bytes, ticket_id: int, business_day: str) -> str:
    """The ticket's token for its day: the same on every reprint, useless the next day (the
    phone page looks it up among that day's tickets only)."""
    return _token(key, "ticket", ticket_id, business_day)


def feedback_desk_token(key: bytes, desk_id: str) -> str:
    """A desk's feedback page (the counter tablet's address): cannot be guessed from outside,
    and the same for as long as the office's key."""
    return _token(key, "feedback-desk", desk_id)


def feedback_visit_token(key: bytes, visit_id: int, business_day: str) -> str:
    """The token the feedback page rates one visit by (the visit it offers is the one just
    finished at its desk; the token says which, and cannot be made for another)."""
    return _token(key, "feedback-visit", visit_id, business_day)


def ticket_link(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + LINK_PATH + token


def token_from_link(text: str, public_url: str | None) -> str | None:
    """The token of a link to this office's phone page (as a scanner types it), else None."""
    if not public_url:
        return None
    prefix = public_url.rstrip("/") + LINK_PATH
    cleaned = text.strip()
    if cleaned.lower().startswith(prefix.lower()):
        token = cleaned[len(prefix) :]
        return token if token and len(token) <= 64 else None
    return None


def spelled(code: str) -> str:
    """A ticket code as a voice should say it: ``C012`` -> ``C 0 1 2``."""
    return " ".join(code)


OFF_THE_BOARD = (
    TicketStatus.WAITING,
    TicketStatus.TRANSFERRED,
    TicketStatus.CANCELLED,
    TicketStatus.NO_SHOW,
)
"""Tickets whose call the board and the waiting-room screen no longer list among the latest
calls: back in the queue (put back after a call nobody answered, parked, or sent to another
desk), moved to another service, cancelled, or marked a no-show. (A resident served and
finished keeps their call among the previous calls: it was answered.) Nobody is expected at
the desk that called them, so a resident coming back to read the board is not sent there."""


PLACED_AT_A_DESK = (
    EventKind.CALLED,
    EventKind.RECALLED,
    EventKind.RESUMED,
    EventKind.NO_SHOW_UNDONE,
)
"""Events after which a resident is expected at a desk: called or recalled there, a parked
resident resumed there, a no-show taken back to it. A desk's closing hides the calls placed
before it (nobody is expected at a closed desk); one of these after the close, even when the
call itself came before it, brings the call back to the board."""


def board_moved_by(was: TicketStatus, to: TicketStatus, *, called: bool) -> bool:
    """Whether a ticket's change from ``was`` to ``to`` changes the board's list of calls (and
    the waiting-room screen's: the same list), so the board must redraw at once. ``called``:
    the ticket was called before the change and still has that call (parked, a no-show). A call
    leaves the list (put back, parked, sent elsewhere, transferred, cancelled, a no-show) or
    comes back to it (a no-show taken back, a parked resident resumed); a first call is the
    call's own board update."""
    if was is TicketStatus.WAITING and to is TicketStatus.CALLED:  # called again from the
        return False  # queue (parked, then sent to another desk): the call queues its own
    return called and (was in OFF_THE_BOARD) != (to in OFF_THE_BOARD)
