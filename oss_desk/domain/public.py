"""The public side of a ticket: its unguessable link for the phone page, a code read aloud,
when its call leaves the board.

Pure functions: the key comes from the database (``storage/resident.py``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from oss_desk.domain.models import TicketStatus

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


MOBILE_DIGITS = 11
MOBILE_RULE = f"a UK mobile number is {MOBILE_DIGITS} digits starting 07 (07700 900123)"
NOT_UK = "is not a UK number (+44 or 07...)"
"""A number with another country's code (``+33...``, ``0033...``): texts go to UK mobiles."""


def mobile_wrong(digits: str) -> str | None:
    """What is wrong with ``digits`` (a number in its national form) as a UK mobile number:
    None, nothing. (``+44``/``0044`` are read as ``0`` already: any other ``+`` or ``00`` is
    another country's code.) A digit is one of 0-9 (``str.isdigit`` takes ``²`` too)."""
    if not digits:
        return "is empty"
    code = digits[1:] if digits.startswith("+") else digits[2:] if digits.startswith("00") else ""
    if code.isascii() and code.isdigit():
        return NOT_UK
    if not (digits.isascii() and digits.isdigit()):
        return "has a character that is not a digit"
    if not digits.startswith("07"):
        return "does not start 07"
    if len(digits) != MOBILE_DIGITS:
        return f"is too {'short' if len(digits) < MOBILE_DIGITS else 'long'} ({len(digits)} digits)"
    return None


def normalise_mobile(text: str) -> str:
    """A UK mobile number for texts, as +447...: ``07700 900123`` or ``+44 7700 900123``; one
    that is not says what is wrong: "'0770090012' is too short (10 digits): a UK mobile number
    is 11 digits starting 07 (07700 900123)"."""
    from oss_desk.domain.appointments import national_digits
    from oss_desk.domain.text import shown
    from oss_desk.errors import InvalidInput

    digits = national_digits(text)
    wrong = mobile_wrong(digits)
    if wrong is not None:
        typed = repr(shown(text)) if text.strip() else "the number"
        raise InvalidInput(f"{typed} {wrong}: {MOBILE_RULE}")
    return "+44" + digits[1:]


def normalise_number(text: str, *, texted: bool) -> str:
    """A resident's number as a booking or a follow-up keeps it: one that will be texted (a
    booking confirmed by text, a reference sent by text) is a UK mobile, refused in
    :func:`normalise_mobile`'s words as every text is; one only rung (a ring-back, a contact
    number) any UK phone number (``normalise_phone``)."""
    from oss_desk.domain.appointments import normalise_phone

    return normalise_mobile(text) if texted else normalise_phone(text)


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
