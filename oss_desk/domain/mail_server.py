"""The mail server's URL (``email.smtp_url``): read once, in one place, for the worker that
sends, for ``doctor`` that tries it, and for the configuration that refuses a mistyped one.
Pure: no I/O.

``smtp://HOST:587`` (STARTTLS, the default), ``smtps://HOST:465`` (TLS from the start),
``smtp://HOST:25?starttls=off`` (a relay inside the council's network), ``capture://PATH`` (the
demo's and training's mailbox: messages appended to a file).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput

MAIL_SCHEMES = ("smtp", "smtps", "capture")


@dataclass(frozen=True, slots=True)
class MailServer:
    scheme: str
    host: str = ""
    port: int = 0
    implicit_tls: bool = False
    starttls: bool = False
    path: str = ""
    """For ``capture://``: the mailbox file."""

    @property
    def captured(self) -> bool:
        return self.scheme == "capture"


def parse_mail_url(url: str) -> MailServer:
    """``url`` read as a mail server, or :class:`InvalidInput` saying what is wrong with it in
    one line (a URL with no scheme was sent to localhost:587, the admin never told why)."""
    text = url.strip()
    example = "e.g. smtp://mail.example.gov.uk:587"
    if "://" not in text:
        raise InvalidInput(
            f"mail server {shown(text, 80)!r} must start with one of "
            + ", ".join(s + "://" for s in MAIL_SCHEMES)
            + f" ({example})"
        )
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in MAIL_SCHEMES:
        raise InvalidInput(
            f"mail server {shown(text, 80)!r}: {shown(scheme)}:// is not one of "
            + ", ".join(s + "://" for s in MAIL_SCHEMES)
        )
    if scheme == "capture":
        path = parts.netloc + parts.path
        if not path:
            raise InvalidInput(f"{shown(text, 80)}: give a file, e.g. capture:///var/tmp/mail.mbox")
        return MailServer(scheme, path=path)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(
            "the mail server's URL holds a login: give it as email.username, and the password "
            "in email.password_file (never in the URL, which is shown and logged)"
        )
    if parts.netloc.count(":") > 1 and "[" not in parts.netloc:
        raise InvalidInput(f"{shown(text, 80)}: an IPv6 address goes in brackets (smtp://[::1]:25)")
    if not parts.hostname:
        raise InvalidInput(f"{shown(text, 80)}: give the mail server's host ({example})")
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(f"{shown(text, 80)}: the port is not a number from 1 to 65535") from None
    if port == 0:
        raise InvalidInput(f"{shown(text, 80)}: the port is not a number from 1 to 65535")
    options = {key.lower(): value.lower() for key, value in parse_qsl(parts.query)}
    unknown = sorted(set(options) - {"starttls"})
    if unknown:
        raise InvalidInput(
            f"{shown(text, 80)}: {shown(unknown[0])!r} is not an option (only starttls=off)"
        )
    if options.get("starttls", "on") not in ("on", "off"):
        raise InvalidInput(f"{shown(text, 80)}: starttls is on or off")
    implicit_tls = scheme == "smtps"
    return MailServer(
        scheme,
        host=parts.hostname,
        port=port or (465 if implicit_tls else 587),
        implicit_tls=implicit_tls,
        starttls=not implicit_tls and options.get("starttls", "on") != "off",
    )
