"""The demo's messages to residents: those of its simulated past never leave the demo.

``oss-desk demo`` books its appointments "days ago" (and on its past days) and sends their
confirmations and reminders as the worker did then. Its residents are made up: every message of
an appointment booked before the demo was built (its ``demo_built`` instant), then or later (a
reminder that falls due while the demo runs), goes to the demo's own mailbox and phone (the
``capture://`` files the built-in demo site names beside its database, never the environment's
``OSS_DESK_EMAIL__SMTP_URL`` or ``OSS_DESK_NOTIFY__BASE_URL``). Messages of appointments booked
in the demo after it was built follow the settings, the environment's included: someone trying
their mail server with the demo gets those.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from oss_desk.clock import read_instant
from oss_desk.services.senders import NotifySender, SmtpSender
from oss_desk.services.session import Session
from oss_desk.storage.demo_clock import demo_built_at, holds_the_demo, read_demo_clock

CAPTURE = "capture://"


@dataclass(frozen=True, slots=True)
class OwnDevices:
    """The demo's own mailbox and phone (``capture://`` URLs)."""

    mailbox: str
    phone: str

    def senders(self, session: Session) -> tuple[SmtpSender, NotifySender]:
        """Senders that deliver to them, whatever the settings say."""
        return (
            SmtpSender(session.settings.email, capture=self.mailbox),
            NotifySender(session.settings.notify, capture=self.phone),
        )


def own_devices(session: Session) -> OwnDevices | None:
    """The demo's own mailbox and phone, as the built-in demo site names them beside its
    database (the stored copy holds the settings as loaded, the environment's included); None
    when the database is not a demo one."""
    if not holds_the_demo(session.store.conn):
        return None
    return _named_beside(session.store.path.parent)


@functools.lru_cache(maxsize=16)
def _named_beside(demo_dir: Path) -> OwnDevices | None:
    """The mailbox and phone the built-in demo site names in ``demo_dir`` (the site's text is
    the package's own, so it is read once per folder: the demo's build asks at each of its
    hundreds of worker passes, and parsing the site's TOML each time cost seconds)."""
    from oss_desk.services.site import demo_document  # demo databases only

    document = demo_document(demo_dir)
    mailbox = document.get("email", {}).get("smtp_url")
    phone = document.get("notify", {}).get("base_url")
    if not (isinstance(mailbox, str) and isinstance(phone, str)):
        return None
    if not (mailbox.startswith(CAPTURE) and phone.startswith(CAPTURE)):
        return None
    return OwnDevices(mailbox, phone)


@dataclass(frozen=True, slots=True)
class DemoPast:
    """Where the messages of the demo's simulated past go."""

    until: datetime
    """Appointments booked up to this instant are the demo's past."""
    smtp: SmtpSender
    notify: NotifySender

    def senders(self, booked_at: datetime) -> tuple[SmtpSender, NotifySender] | None:
        """The demo's own senders for an appointment of its past; None for one booked since."""
        return (self.smtp, self.notify) if booked_at <= self.until else None


def demo_past(session: Session) -> DemoPast | None:
    """The demo's past in this database, for the worker; None when it is no demo built by
    ``oss-desk demo`` (a real office: a read of the demo's clock row by its key, and at most of
    its latest configuration's source)."""
    conn = session.store.conn
    if read_demo_clock(conn) is None or not holds_the_demo(conn):
        return None
    built = demo_built_at(conn)
    own = own_devices(session) if built is not None else None
    if built is None or own is None:
        return None
    smtp, notify = own.senders(session)
    return DemoPast(read_instant(built), smtp, notify)


def where_messages_go(session: Session) -> str | None:
    """The ready message's lines on where the demo's messages to residents go: its own mailbox
    and phone; and, when the environment names a mail server or Notify, that appointments
    booked in it from now on follow that. None when the database is not a demo one."""
    own = own_devices(session)
    if own is None:
        return None
    mailbox, phone = own.mailbox[len(CAPTURE) :], own.phone[len(CAPTURE) :]
    said = f"  Messages to its residents go to its own mailbox and phone: {mailbox}, {phone}."
    elsewhere = []
    email = session.settings.email.smtp_url or ""
    if email != own.mailbox:
        elsewhere.append(f"emails to {_server(email) if email else 'GOV.UK Notify'}")
    if session.settings.notify.base_url != own.phone:
        elsewhere.append(f"texts to {_server(session.settings.notify.base_url)}")
    if not elsewhere:
        return said
    return (
        f"{said}\n  Appointments booked in it from now on follow the environment's settings: "
        f"{' and '.join(elsewhere)}."
    )


def _server(url: str) -> str:
    """A server's URL as said to a person: its scheme, host and port (never a login in it)."""
    if url.startswith(CAPTURE):
        return url[len(CAPTURE) :]
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}"
