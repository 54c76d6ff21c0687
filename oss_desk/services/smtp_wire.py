"""The SMTP client's message and connection: a booking's QR code in the email, and smtplib's
client with one timeout for connecting and another for every reply
(:class:`oss_desk.services.senders.SmtpSender`; the message's bytes on the wire and its header
policy are :mod:`oss_desk.services.email_wire`'s)."""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.message import EmailMessage
from typing import Any

from oss_desk.services.messages import Composed


def add_qr(email: EmailMessage, message: Composed, reference: str) -> None:
    """The booking's QR code, shown in the message: an HTML alternative to the plain text,
    related to the code as an inline PNG by its Content-ID (multipart/alternative of text and
    multipart/related of HTML and image). Mail clients show an image referred to so inside the
    message, where a plain attachment is a file to open (or a thumbnail at the end) and an
    image from a web address is held back until the reader allows it (and tells us they
    read it); a data: address is blocked by the big webmail services. Readers of plain text
    have the reference in words, as before."""
    from oss_desk.hardware.qr import qr_png
    from oss_desk.services.messages import email_html

    assert message.qr is not None
    cid = f"qr.{reference}@oss-desk"  # the message's own reference: nothing personal
    email.add_alternative(email_html(message, cid), subtype="html")
    html = email.get_body(preferencelist=("html",))
    assert isinstance(html, EmailMessage)
    html.add_related(
        qr_png(message.qr),
        maintype="image",
        subtype="png",
        cid=f"<{cid}>",
        disposition="inline",
        filename="booking-code.png",
    )


class TimedSmtp(smtplib.SMTP):
    """smtplib's client with one timeout for connecting and another for every reply."""

    def __init__(self, connect_timeout: float, reply_timeout: float) -> None:
        self.reply_timeout = reply_timeout
        super().__init__(timeout=connect_timeout)

    def connect(
        self, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> tuple[int, bytes]:
        # The name TLS (smtps://, STARTTLS) checks the certificate against: smtplib takes it
        # only from the constructor, which would connect at once, before the reply timeout is
        # set; without it every TLS send failed ("check_hostname requires server_hostname").
        self._host = host
        return super().connect(host, port, source_address)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        sock.settimeout(self.reply_timeout)
        return sock  # type: ignore[no-any-return]


class TimedSmtpSsl(TimedSmtp, smtplib.SMTP_SSL):
    """The same over TLS from the start (smtps://)."""

    def __init__(self, connect_timeout: float, reply_timeout: float) -> None:
        self.reply_timeout = reply_timeout
        smtplib.SMTP_SSL.__init__(
            self, timeout=connect_timeout, context=ssl.create_default_context()
        )
