"""Sections of the site configuration that stand on their own, and the base they share.

:mod:`oss_desk.config` gathers them into :class:`~oss_desk.config.Settings`; import them from
there.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from oss_desk.config_base import Section
from oss_desk.config_methods import AccessMethods
from oss_desk.domain.backup_age import KEEP_DAYS
from oss_desk.domain.models import Role

ENV_PREFIX = "OSS_DESK_"


def normal_origin(value: str) -> str:
    """``scheme://host[:port]`` of a web origin, lower-case, default ports left out; a
    ValueError for anything that is not one (a path, a query, a user name...)."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not a web origin (e.g. https://desks.example.gov.uk)")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValueError(f"{value!r}: give only the scheme, host and port")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{value!r}: the port is not a number from 0 to 65535") from None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


class BackupSettings(Section):
    folder: str | None = None
    """Where `oss-desk db backup` writes (default: a backups folder next to the database)."""
    keep: int = Field(14, ge=1, le=3650)
    """How many backups to keep in that folder (the oldest are deleted after a new backup)."""
    keep_days: int = Field(KEEP_DAYS, ge=1, le=3650)
    """Days a backup is kept at most: older ones are deleted after a new backup, so a detail
    purged or erased on request survives in backups no longer (``doctor`` warns of older ones)."""


class RetentionSettings(Section):
    contacts_days: int | None = Field(None, ge=0, le=3650)
    """Days after an appointment when the resident's name, email and phone (and any reason given
    for cancelling) are deleted; default: appointments.keep_contacts_days (30)."""
    notes_days: int = Field(730, ge=1, le=3650)
    """Days after a visit note was written when its text is deleted (2 years)."""
    messages_days: int = Field(7, ge=1, le=3650)
    """Days after a message was sent (or given up) when its delivery traces are deleted (the
    provider's message id and error text; the outbox never stores recipients or text)."""
    print_jobs_days: int = Field(30, ge=1, le=3650)
    """Days after which finished print jobs' content (e.g. a slip's booking reference) is
    deleted."""
    comments_days: int = Field(365, ge=1, le=3650)
    """Days after a resident wrote a comment with their rating when its text is deleted."""
    feedback_texts_days: int = Field(14, ge=1, le=3650)
    """Days after a visit when the mobile number given for its follow-up text (asking how it
    went) is deleted; a text not sent by then is not sent."""
    followups_days: int = Field(30, ge=1, le=3650)
    """Days after a ring-back or referral was closed (or, still open, received) when the
    resident's name, phone, email and the topic are deleted."""
    records_days: int = Field(730, ge=1, le=3650)
    """Days after a comment, compliment or complaint was answered (or, still open, received)
    when its personal data (name, contact details, topic, the action's text) is deleted."""


class DeskSessionSettings(Section):
    person: str | None = None
    """Who is using this process (staff id or login); default: the operating-system login."""


class AccessSettings(Section, AccessMethods):
    unlisted_role: Literal["meet-and-greet", "adviser", "team-leader", "admin", "none"] = (
        "team-leader"
    )
    """The role of a person not in the staff list (a script, a kiosk, the host's own login);
    "none" refuses them."""
    name_unlisted: bool = False
    """Whether a name typed with --user (or OSS_DESK_USER) that is not on the staff list acts
    (with ``unlisted_role``): for test suites and scripts acting as made-up people. Otherwise
    it is refused as a typo, exit 9."""
    user_override: Literal["admin", "anyone"] = "admin"
    """Who may act as someone other than their own login with --user, OSS_DESK_USER or
    desk.person: "admin" (an admin's login only; a refusal is recorded) or "anyone" (the demo,
    training and tests only: never for a real office)."""
    booking_roles: list[Role] = Field(
        default_factory=lambda: [Role.MEET_AND_GREET, Role.ADVISER, Role.TEAM_LEADER]
    )
    """The roles that may book appointments (advisers book the next step when a visit needs
    an appointment)."""


class ServeSettings(Section):
    user_header: str = Field("X-Remote-User", pattern=r"^[A-Za-z0-9-]{1,64}$")
    """HTTP header in which the authenticating proxy passes the signed-in login (browser desks)."""
    max_sessions: int = Field(30, ge=1, le=500)
    """Most browser desks open at once (each tab is one desk process of about 60 MB)."""
    max_sessions_per_user: int = Field(2, ge=1, le=50)
    """Most browser desks one login may have open at once."""
    public_origin: str | None = None
    """Where people open the desks, as the browser sees it (scheme, host and port, e.g.
    "https://desks.example.gov.uk"): a websocket whose Origin differs is refused. Default: the
    address the server itself is reached at."""

    @field_validator("public_origin")
    @classmethod
    def _origin(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        return normal_origin(value)
