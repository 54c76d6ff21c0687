"""What a desk asks of the follow-up register, and what it gets back: the typed request to make
one, what was made, what is shown; and the parsing of typed choices into one clear line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from oss_desk.domain import followups as fu
from oss_desk.domain.followups import Details, Followup, Kind, SendBy, Via
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

TOPIC_LIMIT = 200
NAME_LIMIT = 80
ACTION_LIMIT = 500
OFFICER_LIMIT = 80


def parse_choice(enum: type[Any], text: str | None, what: str) -> Any:
    """A typed choice (``no-answer``, ``In person``) as the enum's member, or one clear line."""
    if text is None:
        return None
    if isinstance(text, enum):
        return text
    value = text.strip().lower().replace("_", "-").replace(" ", "-")
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(m.value for m in enum)
        raise InvalidInput(f"unknown {what} {shown(text)!r}: expected one of {known}") from None


def parse_yes_no(text: str | bool | None, what: str) -> bool | None:
    if text is None or isinstance(text, bool):
        return text
    value = text.strip().lower()
    if value in ("yes", "y", "true", "1"):
        return True
    if value in ("no", "n", "false", "0"):
        return False
    raise InvalidInput(f"{what} {shown(text)!r}: expected yes or no")


@dataclass(frozen=True)
class Request:
    """What the desk typed to make a follow-up."""

    kind: Kind | str
    service: str | None = None
    topic: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    back_office: str | None = None
    send_by: SendBy | str | None = None
    via: Via | str | None = None
    category: str | None = None
    stage: int = 1
    due: date | str | None = None
    """Ring-backs and referrals: an agreed day instead of the standard one."""
    received: datetime | None = None
    """When it reached the council, if earlier than now (a letter opened today)."""
    ticket: str | int | None = None
    """The visit's ticket it comes from (its service and visit are taken from it)."""
    visit: int | None = None
    """The visit it comes from (a visit dealt with at meet-and-greet has no ticket)."""
    site_id: str | None = None
    print_to: str | None = None
    """Referral slips: this printer URL instead of the desk's."""


@dataclass(frozen=True)
class Created:
    followup: Followup
    print_job: int | None = None
    """The referral slip's print job (None: not printed, see ``note``)."""
    note: str | None = None
    message: int | None = None
    """The referral message queued for the resident's email or phone."""


@dataclass
class Shown:
    """A follow-up with what the desk may see of it."""

    followup: Followup
    attempts: list[fu.Attempt] = field(default_factory=list)
    details: Details | None = None
    """Only when asked for (and then the read is recorded)."""
