"""The SMTP client's wire: smtplib's client with one timeout for connecting and another for
every reply, and a message as SMTP carries it (:class:`oss_desk.services.senders.SmtpSender`)."""

from __future__ import annotations

import io
import re
import smtplib
import socket
import ssl
from email import generator
from email.message import EmailMessage
from typing import Any


def dot_stuffed(email: EmailMessage) -> bytes:
    """The message as SMTP carries it: CRLF lines, a leading dot doubled, ending in CRLF (the
    closing "." line is sent on its own)."""
    buffer = io.BytesIO()
    generator.BytesGenerator(buffer, policy=email.policy.clone(linesep="\r\n")).flatten(email)
    data = re.sub(rb"(?m)^\.", b"..", buffer.getvalue())
    return data if data.endswith(b"\r\n") else data + b"\r\n"


class TimedSmtp(smtplib.SMTP):
    """smtplib's client with one timeout for connecting and another for every reply."""

    def __init__(self, connect_timeout: float, reply_timeout: float) -> None:
        self.reply_timeout = reply_timeout
        super().__init__(timeout=connect_timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        sock.settimeout(self.reply_timeout)
        return sock  # type: ignore[no-any-return]


class TimedSmtpSsl(smtplib.SMTP_SSL):
    def __init__(self, connect_timeout: float, reply_timeout: float) -> None:
        self.reply_timeout = reply_timeout
        super().__init__(timeout=connect_timeout, context=ssl.create_default_context())

    def connect(
        self, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> tuple[int, bytes]:
        # The name TLS checks the certificate against: smtplib takes it only from the
        # constructor (which would connect at once, before the reply timeout is set); without
        # it every smtps:// send failed with "check_hostname requires server_hostname".
        self._host = host
        return super().connect(host, port, source_address)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        sock = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        sock.settimeout(self.reply_timeout)
        return sock  # type: ignore[no-any-return]
