"""Settings of delivery: the mail server, GOV.UK Notify, how long messages are retried and when
staff are alerted, and who drives the devices.

Sections of :class:`oss_desk.config.Settings` (kept here so that ``config.py`` stays small);
every field documents itself and the README's configuration table is checked against them.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from oss_desk.config_base import Section, checked_or_none
from oss_desk.domain.mail_server import parse_mail_url


class EmailSettings(Section):
    smtp_url: Annotated[str | None, checked_or_none(parse_mail_url)] = None
    """smtp://HOST:587 (STARTTLS), smtps://HOST:465 (TLS), or smtp://HOST:25?starttls=off."""
    username: str | None = None
    """SMTP login, if the server wants one."""
    password_file: str | None = None
    """File holding the SMTP password (readable by the service user only)."""
    from_address: str = "oss-desk@localhost"
    """The sender of every email: appointment messages, referral references and reports."""
    from_name: str | None = None
    """The sender's name the inbox shows beside ``from_address`` (default: the council's
    name, Welsh first in a bilingual office)."""
    replies: str | None = None
    """One line under every email to a resident saying what happens to a reply, e.g. "Replies
    to this email are not read: call 01632 960000." (default: no line)."""
    replies_cy: str | None = None
    """The same line in Welsh (bilingual offices)."""
    timeout: float = Field(10.0, gt=0, le=120)
    """Seconds to wait to connect to the mail server."""
    reply_timeout: float = Field(300.0, gt=0, le=3600)
    """Seconds to wait for each reply of the mail server and to send each block of a message
    (RFC 5321 4.5.3.2: at least 5 minutes for the greeting, MAIL and RCPT)."""
    data_timeout: float = Field(600.0, gt=0, le=3600)
    """Seconds to wait for the reply to the end of a message (RFC 5321: 10 minutes); a message
    is never sent again while this wait lasts."""


class NotifySettings(Section):
    api_key_file: str | None = None
    """File holding the GOV.UK Notify API key (never put the key itself in the configuration)."""
    base_url: str = "https://api.notifications.service.gov.uk"
    """The Notify API (tests point it at a local server)."""
    email_template: str | None = None
    """Notify template id for emails (personalisation: ((subject)), ((heading)), ((body)))."""
    sms_template: str | None = None
    """Notify template id for texts (personalisation: ((heading)), ((body)))."""
    timeout: float = Field(10.0, gt=0, le=120)
    """Seconds to wait for Notify."""


class MessageSettings(Section):
    notice_hours: float = Field(24.0, gt=0, le=24 * 14)
    """How long a confirmation, change or cancellation is retried (never past the appointment);
    then it has failed and the team leader is alerted."""
    reminder_until_minutes: float = Field(0.0, ge=0, le=24 * 60)
    """A reminder is retried until this many minutes before the appointment (0: its start)."""
    alert_minutes: float = Field(30.0, ge=0, le=24 * 60)
    """A message still not delivered this many minutes before it stops mattering alerts the team
    leader (and `doctor`, and `report daily`) until someone acknowledges it."""


class WorkerSettings(Section):
    take_over: bool = True
    """Desk apps run the device worker themselves when none runs, and take over within seconds
    when it stops; false: only `oss-desk worker` (the service) drives the devices."""
