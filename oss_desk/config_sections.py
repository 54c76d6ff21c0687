"""Sections of the site configuration that stand on their own, and the base they share.

:mod:`oss_desk.config` gathers them into :class:`~oss_desk.config.Settings`; import them from
there.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from oss_desk.config_base import Section
from oss_desk.domain.calendar import zone
from oss_desk.domain.calls import (
    DEFAULT_ABANDONED,
    DEFAULT_ANSWERED,
    DEFAULT_COLUMNS,
    DEFAULT_TIME_FORMATS,
    check_columns,
    check_time_format,
)
from oss_desk.domain.models import Role
from oss_desk.errors import InvalidInput

ENV_PREFIX = "OSS_DESK_"
_Section = Section


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


class BackupSettings(_Section):
    folder: str | None = None
    """Where `oss-desk db backup` writes (default: a backups folder next to the database)."""
    keep: int = Field(14, ge=1, le=3650)
    """How many backups to keep in that folder (the oldest are deleted after a new backup)."""


class RetentionSettings(_Section):
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
    followups_days: int = Field(30, ge=1, le=3650)
    """Days after a ring-back or referral was closed (or, still open, received) when the
    resident's name, phone, email and the topic are deleted."""
    records_days: int = Field(730, ge=1, le=3650)
    """Days after a comment, compliment or complaint was answered (or, still open, received)
    when its personal data (name, contact details, topic, the action's text) is deleted."""


class CallsSettings(_Section):
    columns: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_COLUMNS))
    """Which export column is what: started, answered, wait_seconds (needed), talk_seconds and
    call_id (optional); given keys replace the defaults one by one."""
    time_format: list[str] = Field(default_factory=lambda: list(DEFAULT_TIME_FORMATS))
    """How call start times are written, tried in order: "iso" (ISO 8601) or strftime formats."""
    timezone: str | None = None
    """Timezone of times without an offset in the export (default: the site's)."""
    answered_values: list[str] = Field(default_factory=lambda: list(DEFAULT_ANSWERED))
    """Values of the answered column that mean answered (any case)."""
    abandoned_values: list[str] = Field(default_factory=lambda: list(DEFAULT_ABANDONED))
    """Values that mean abandoned (any case); [] for "every other value"."""
    delimiter: str = Field(",", min_length=1, max_length=1)
    """The CSV field separator ("," or ";" or "\\t")."""
    durations: Literal["auto", "seconds", "hh:mm:ss"] = "auto"
    """How waits and talk times are written: seconds, HH:MM:SS (or MM:SS), or either."""

    @field_validator("columns")
    @classmethod
    def _columns(cls, value: dict[str, str]) -> dict[str, str]:
        merged = {**DEFAULT_COLUMNS, **value}
        try:
            check_columns(merged)
        except InvalidInput as exc:
            raise ValueError(exc.message) from None
        return merged

    @field_validator("time_format", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("time_format")
    @classmethod
    def _formats(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("give at least one time format")
        for text in value:
            try:
                check_time_format(text)
            except InvalidInput as exc:
                raise ValueError(exc.message) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        try:
            zone(value)
        except InvalidInput as exc:
            raise ValueError(exc.message) from None
        return value

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str) -> str:
        if value in ('"', "\r", "\n"):
            raise ValueError("the delimiter cannot be a quote or a line break")
        return value

    @model_validator(mode="after")
    def _values(self) -> CallsSettings:
        if not self.answered_values:
            raise ValueError("answered_values: give at least one value")
        both = {v.strip().casefold() for v in self.answered_values} & {
            v.strip().casefold() for v in self.abandoned_values
        }
        if both:
            raise ValueError(f"{sorted(both)[0]!r} cannot mean both answered and abandoned")
        return self


class DeskSessionSettings(_Section):
    person: str | None = None
    """Who is using this process (staff id or login); default: the operating-system login."""


class AccessSettings(_Section):
    unlisted_role: Literal["meet-and-greet", "adviser", "team-leader", "admin", "none"] = (
        "team-leader"
    )
    """The role of a person not in the staff list (a script, a kiosk, the host's own login);
    "none" refuses them."""
    user_override: Literal["admin", "anyone"] = "admin"
    """Who may act as someone other than their own login with --user, OSS_DESK_USER or
    desk.person: "admin" (an admin's login only; a refusal is recorded) or "anyone" (the demo,
    training and tests only: never for a real office)."""

    def role(self) -> Role | None:
        return None if self.unlisted_role == "none" else Role(self.unlisted_role)


class ServeSettings(_Section):
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
