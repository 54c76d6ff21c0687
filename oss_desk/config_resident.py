"""Settings of what residents see and get: the board, tickets, wording, the screen, texts.

Sections of :class:`oss_desk.config.Settings` (kept here so that ``config.py`` stays small);
every field documents itself and the README's configuration table is checked against them.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from oss_desk.config_base import Section, checked_or_none
from oss_desk.domain.devices import parse_board_url
from oss_desk.domain.qr_codes import TICKET_QR


class BoardSettings(Section):
    url: Annotated[str | None, checked_or_none(parse_board_url)] = None
    """Device URL of the queue display board, e.g. ascii+serial:///dev/ttyUSB1?baudrate=9600."""
    site: str | None = None
    """The office whose calls it shows (may be left out when there is one office)."""
    message: str = Field("Please take a ticket", max_length=40)
    """Shown when nobody has been called yet today."""
    message_cy: str | None = Field(None, max_length=40)
    """The same in Welsh, shown first in a bilingual office (default: the built-in wording)."""
    poll_seconds: float = Field(5.0, gt=0, le=600)
    """How often the worker checks the board is still there when nothing changes (an unplugged
    board shows as such within this time)."""
    page_seconds: float = Field(4.0, gt=0, le=60)
    """How long each page stays up on a board that names the desks in Welsh, then in English,
    in turn (a bilingual office whose desk names do not fit side by side in a row)."""


class PrintingSettings(Section):
    ticket_qr: str = TICKET_QR + "{site}:{date}:{code}"
    """QR payload on queue tickets ({site}, {date}, {code}); empty for none. Never personal."""
    attempts: int = Field(6, ge=1, le=50)
    """Tries on a desk's printer before its fallback printer (then a waiting ticket's paper keeps
    waiting, any other job is marked failed: ``domain.delivery.WAITING_TICKET_RETRY_SECONDS``)."""
    status_every_seconds: float = Field(30.0, ge=1, le=3600)
    """How often the worker asks each idle printer how it is."""
    retry_seconds: float = Field(2.0, gt=0, le=600)
    """Wait before the first retry of a job that certainly did not print (then doubling, up to
    a minute)."""


class TextsSettings(Section):
    welsh_file: str | None = None
    """A TOML file of Welsh wording that replaces the built-in texts key by key (a council's
    corrections; keys as in oss_desk/data/texts/cy.toml)."""
    english_file: str | None = None
    """The same for the English wording."""


class ScreenSettings(Section):
    site: str | None = None
    """The office the waiting-room screen shows (may be left out when there is one office)."""
    public_url: str | None = None
    """The screen's public address (e.g. https://queue.example.gov.uk): tickets then carry a QR
    of a phone page with the ticket's place and wait. Leave out for none."""
    message: str = Field("", max_length=120)
    """The message line at the foot of the screen (e.g. opening hours)."""
    message_cy: str = Field("", max_length=120)
    """The message line in Welsh (a bilingual office)."""
    previous: int = Field(5, ge=0, le=10)
    """How many earlier calls the screen lists under the latest."""
    speech: bool = True
    """Say each call aloud where the browser has a voice (Welsh first in a bilingual office)."""

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("public_url must be an http:// or https:// address")
        if parts.query or parts.fragment:
            raise ValueError("public_url must not have a query or fragment")
        return value.rstrip("/")


class TurnTextSettings(Section):
    position: int = Field(2, ge=1, le=20)
    """A resident who gave a mobile number is texted when they are this place in line (2: one
    person ahead of them, as their paper ticket counts the people ahead)."""
    when_called: bool = True
    """Also text them when they are called, with the desk to go to."""
