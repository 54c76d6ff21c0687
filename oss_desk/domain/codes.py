"""Ticket codes (``C012``) and references typed at the desk or on the command line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

_CODE = re.compile(r"^([A-Za-z])\s*-?\s*0*(\d{1,4})$")
_ID = re.compile(r"^#?(\d{1,12})$")
SERVICE_CODE = re.compile(r"^[A-Z]$")
MAX_ROW_ID = 2**63 - 1
"""The largest id SQLite can hold: a bigger number names nothing (and must not reach a query)."""


@dataclass(frozen=True, slots=True)
class TicketRef:
    """Either a ticket id or today's code."""

    id: int | None = None
    service: str | None = None
    number: int | None = None

    @property
    def code(self) -> str | None:
        if self.service is None or self.number is None:
            return None
        return f"{self.service}{self.number:03d}"

    def __str__(self) -> str:
        return self.code or f"#{self.id}"


def code_said(code: str, ticket_id: int, sites: int) -> str:
    """A ticket as the command line's text names it for a person to act on next (``ticket
    call-next``, ``queue``): at an office of ``sites`` sites, each of which starts at C001 every
    day, its code and its id, "C001 (id 4)", either of which a REF takes; at an office of one
    site its code alone, which names it all day."""
    return f"{code} (id {ticket_id})" if sites > 1 else code


def parse_ticket_ref(text: str) -> TicketRef:
    """``42`` or ``#42`` is an id; ``C012``, ``c12`` or ``C-12`` is today's code."""
    value = text.strip()
    if m := _ID.match(value):
        return TicketRef(id=int(m.group(1)))
    if m := _CODE.match(value):
        number = int(m.group(2))
        if number == 0:
            raise InvalidInput(f"ticket {value!r}: numbers start at 001")
        return TicketRef(service=m.group(1).upper(), number=number)
    raise InvalidInput(
        f"{shown(value)!r} is not a ticket: give its code (e.g. C012) or its id (e.g. 42)"
    )


def parse_service_code(text: str) -> str:
    value = text.strip().upper()
    if not SERVICE_CODE.match(value):
        raise InvalidInput(f"{shown(text)!r} is not a service code: use its letter, e.g. C")
    return value


Numbering = dict[tuple[str, str, str], int]
"""(site, service, business day) -> the last ticket number given out."""


def parse_last_code(text: str) -> tuple[str, int]:
    """A code on paper given to ``db restore --last-code`` (``C028``): (service, number)."""
    try:
        ref = parse_ticket_ref(text)
    except InvalidInput:
        ref = TicketRef()
    if ref.service is None or ref.number is None:
        raise InvalidInput(
            f"{shown(text)!r} is not a ticket code: give the last ticket code on paper, e.g. C028",
            cli_hint="--last-code",
        )
    return ref.service, ref.number


def numbering_floor(
    today: dict[str, str],
    services: list[str],
    backup: Numbering,
    last_codes: dict[str, int],
    skip_ahead: int | None,
) -> Numbering:
    """Where today's numbering must carry on from when the replaced database's own counters
    are not known: after the last code on paper of each service given (``last_codes``), and
    for every other service of every site (``today``: site -> its business day) ``skip_ahead``
    numbers past the backup's last one (none given: left as the backup has it)."""
    floor: Numbering = {}
    for site, day in today.items():
        for service in services:
            key = (site, service, day)
            if service in last_codes:
                floor[key] = last_codes[service]
            elif skip_ahead:
                floor[key] = backup.get(key, 0) + skip_ahead
    return floor
