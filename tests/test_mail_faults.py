"""Why an email was not sent, in plain words for staff, never the error's class name (which goes
to the log): a refused connection, a mail server that never answers, TLS that fails, a name
not found (team leader's trial, part B, finding 2)."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import pytest

from oss_desk.clock import FixedClock
from oss_desk.config_delivery import EmailSettings
from oss_desk.domain.send_faults import (
    MAIL_UNREACHABLE,
    NO_STARTTLS,
    connection_fault,
    unreachable,
)
from oss_desk.services import doctor_devices
from oss_desk.services.messages import Composed
from oss_desk.services.senders import SendFault, SmtpSender

if TYPE_CHECKING:
    from oss_desk.config import Settings

from .appointments_site import NOW, make_office, service_at
from .hardware.fakes import closed_port
from .messaging import SmtpServer
from .test_messages import at, deliver, rows

MESSAGE = Composed(heading="Hello", subject="Hello", body="Hello", sms="Hello", ics=None)


@pytest.fixture
def silent_server() -> Iterator[tuple[int, socket.socket]]:
    """A loopback port that takes the connection and says nothing (it may be sent a TLS
    hello: it answers with a line of plain text, which no TLS client accepts)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], listener
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def fault_of(url: str, **settings: float) -> SendFault:
    sender = SmtpSender(EmailSettings.model_validate({"smtp_url": url, **settings}))
    with pytest.raises(SendFault) as raised:
        sender.send("resident@example.org", MESSAGE, "ref-1")
    return raised.value


def fault_while(server: socket.socket, talk: Callable[[], None], scheme: str) -> SendFault:
    """The fault of a send to ``server`` (``scheme``://) while ``talk`` answers it on a thread;
    the server closed after."""
    thread = threading.Thread(target=talk, daemon=True)
    thread.start()
    try:
        return fault_of(f"{scheme}://127.0.0.1:{server.getsockname()[1]}", timeout=2.0)
    finally:
        thread.join(timeout=5)
        server.close()


def test_a_refused_connection_is_said_in_plain_words_and_its_class_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="oss_desk.sending"):
        fault = fault_of(f"smtp://127.0.0.1:{closed_port()}?starttls=off")
    assert fault.reason == "cannot reach the mail server (connection refused)"
    assert fault.retry and not fault.uncertain
    assert "Error" not in fault.reason
    assert "ConnectionRefusedError" in caplog.text


def test_a_mail_server_that_never_answers_timed_out(
    silent_server: tuple[int, socket.socket],
) -> None:
    port, _ = silent_server
    fault = fault_of(f"smtp://127.0.0.1:{port}?starttls=off", timeout=1.0, reply_timeout=0.3)
    assert fault.reason == "cannot reach the mail server (timed out)"


def test_tls_that_fails_is_said_so(silent_server: tuple[int, socket.socket]) -> None:
    port, _ = silent_server
    # The server says nothing to the TLS hello: a timeout in the handshake...
    fault = fault_of(f"smtps://127.0.0.1:{port}", timeout=1.0, reply_timeout=0.3)
    assert fault.reason == "cannot reach the mail server (timed out)"
    # ...and plain text where TLS was expected: the handshake fails.
    server = socket.create_server(("127.0.0.1", 0))

    def greet_in_plain() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"220 plain text here, no TLS\r\n" * 4)
            conn.recv(1024)

    fault = fault_while(server, greet_in_plain, "smtps")
    assert fault.reason == "cannot reach the mail server (secure connection (TLS) failed)"


def test_a_name_not_found_and_an_unknown_fault() -> None:
    # The resolver's own error, as getaddrinfo raises it for a name nobody knows.
    missing = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    assert unreachable(MAIL_UNREACHABLE, missing) == "cannot reach the mail server (name not found)"
    # An error with no plain words: the bare sentence, never the class name.
    assert unreachable(MAIL_UNREACHABLE, OSError("odd")) == MAIL_UNREACHABLE
    assert connection_fault(ValueError("x")) is None


def test_starttls_that_fails_is_said_so() -> None:
    """The default, smtp://HOST:587 with STARTTLS: a server that offers it, then answers the
    TLS hello in plain text. Before, no TLS was ever tried: smtplib had no server name to check
    ("check_hostname requires server_hostname", a ValueError no lane expected; here it came
    out as "the mail server said -1", failed for good)."""
    server = socket.create_server(("127.0.0.1", 0))

    def offer_starttls() -> None:
        conn, _ = server.accept()
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 test ESMTP\r\n")
            lines.readline()  # EHLO
            conn.sendall(b"250-test\r\n250 STARTTLS\r\n")
            lines.readline()  # STARTTLS
            conn.sendall(b"220 go ahead\r\n")
            conn.recv(1024)  # the TLS hello
            conn.sendall(b"this is not TLS\r\n" * 8)

    fault = fault_while(server, offer_starttls, "smtp")
    assert fault.reason == "cannot reach the mail server (secure connection (TLS) failed)"


def test_a_message_goes_through_starttls_with_the_servers_certificate_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mail server that requires STARTTLS, with a certificate for 127.0.0.1 that this host
    trusts: the message goes, encrypted, the server's name checked against it."""
    key, cert = _certificate(tmp_path, "127.0.0.1")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted here, as a council's CA would be
    controller, port = _tls_server(key, cert)
    try:
        sender = SmtpSender(EmailSettings.model_validate({"smtp_url": f"smtp://127.0.0.1:{port}"}))
        assert sender.send("resident@example.org", MESSAGE, "ref-1") == "<ref-1@localhost>"
    finally:
        controller.stop()
    assert len(controller.handler.messages) == 1


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed key and certificate for ``name`` (an IP address or a DNS name)."""
    import subprocess

    key, cert = folder / f"{name}.key", folder / f"{name}.pem"
    kind = "IP" if name[0].isdigit() else "DNS"
    made = ("-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}")
    alt = ("-addext", f"subjectAltName={kind}:{name}")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", *made, *alt],
        check=True,
        capture_output=True,
    )
    return key, cert


def _tls_server(key: Path, cert: Path) -> tuple[Any, int]:
    """A mail server on loopback that offers STARTTLS with this certificate (and requires it)."""
    import ssl

    from aiosmtpd.controller import Controller

    from .messaging import Mailbox, free_port

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    port = free_port()
    controller = Controller(
        Mailbox(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
    )
    controller.start()
    return controller, port


def test_a_mail_server_without_starttls_is_said_so_and_not_tried_again(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    """Reached, but it offers no STARTTLS (wanted by default): its configuration, which will not
    change by itself. Before, "cannot reach the mail server", tried again until the deadline."""
    fault = fault_of(f"smtp://127.0.0.1:{smtp.port}")
    assert (fault.reason, fault.retry, fault.alert) == (NO_STARTTLS, False, True)
    # The worker fails the message at once (the team leader is alerted), nothing went.
    db = make_office(tmp_path, smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    svc, session = service_at(db, FixedClock(NOW))
    svc.book("C", at(26, 11), channel="email", email="resident@example.org")
    session.close()
    assert deliver(db, NOW) == (0, 1)
    confirmation = "SELECT status, last_error FROM messages WHERE kind = 'confirmation'"
    assert rows(db, confirmation) == [("failed", NO_STARTTLS)]
    assert smtp.mailbox.messages == []


@pytest.mark.parametrize(
    ("name", "trusted", "said"),
    [
        ("mail.other.example", True, "the mail server's certificate is not for 127.0.0.1"),
        (
            "127.0.0.1",
            False,
            "the mail server's certificate is not trusted (self-signed certificate)",
        ),
    ],
)
def test_a_certificate_for_another_name_or_not_trusted_is_said_so_and_not_tried_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, trusted: bool, said: str
) -> None:
    key, cert = _certificate(tmp_path, name)
    if trusted:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trusted here, as a council's CA would be
    controller, port = _tls_server(key, cert)
    url = f"smtp://127.0.0.1:{port}"
    try:
        fault = fault_of(url)
        checked = doctor_devices.smtp(
            cast("Settings", SimpleNamespace(email=EmailSettings.model_validate({"smtp_url": url})))
        )
    finally:
        controller.stop()
    assert (fault.reason, fault.retry, fault.alert) == (said, False, True)
    # doctor, which only says hello, says it in the same words.
    assert (checked.status, checked.detail) == ("fail", f"STARTTLS failed ({said})")
