"""Real message servers for the tests: an SMTP server (aiosmtpd) and a local GOV.UK Notify.

The Notify fake speaks the API's paths (POST /v2/notifications/email and /sms, GET
/v2/notifications?reference=) and checks the official client's JWT; each request can be told to
answer 201, 429, 500, 400 or 403, or to time out (while still recording the notification, as a
real timed-out request may have reached Notify), or to be slow (taken in, and accepted only when
the test releases it: a look-up meanwhile finds nothing) or lost (taken in, held, never
accepted). Its log (``NotifyState.log``: POST, ACCEPTED, LOST, GET lines) can be waited on.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from aiosmtpd.controller import Controller

from .hardware.fakes import closed_port

SERVICE_ID = str(uuid.UUID(int=1))
SECRET = str(uuid.UUID(int=2))
API_KEY = f"oss_desk_test-{SERVICE_ID}-{SECRET}"


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    """Each message's envelope recipients (RCPT TO), as the server was given them."""
    stall_rcpt: float = 0.0
    data_delay: float = 0.0
    """Seconds before the reply to the end of DATA."""
    arrived: threading.Event = field(default_factory=threading.Event)
    rcpt_seen: threading.Event = field(default_factory=threading.Event)
    before_reply: Callable[[], None] | None = None
    """Run once, as the server has the message and before it answers the end of DATA."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        self.rcpt_seen.set()
        if self.stall_rcpt:
            import asyncio

            await asyncio.sleep(self.stall_rcpt)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        self.arrived.set()
        hook, self.before_reply = self.before_reply, None
        if hook is not None:
            hook()
        if self.data_delay:  # a slow server: it has the message, its reply comes late
            import asyncio

            await asyncio.sleep(self.data_delay)
        return "250 Message accepted for delivery"

    def by_reference(self, reference_prefix: str) -> list[EmailMessage]:
        return [
            m for m in self.messages if str(m["X-OSS-Desk-Reference"]).startswith(reference_prefix)
        ]


def qr_shown(message: EmailMessage) -> str | None:
    """What the QR code an email shows holds, read from its image as a phone camera would (None:
    it shows none). The image must be the one its HTML part shows: an inline PNG in the
    HTML's multipart/related, named by its Content-ID."""
    import io

    import zxingcpp
    from PIL import Image

    html = message.get_body(preferencelist=("html",))
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    if html is None:
        assert images == []
        return None
    (image,) = images
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    assert image in related.iter_parts() and html in related.iter_parts()
    assert image.get_content_disposition() == "inline"
    cid = str(image["Content-ID"]).strip("<>")
    assert f'src="cid:{cid}"' in str(html.get_content())
    picture = Image.open(io.BytesIO(image.get_content())).convert("L")
    (found,) = zxingcpp.read_barcodes(picture)
    return str(found.text)


def free_port() -> int:
    """A loopback port nobody listens on (yet): refused until a server here listens on it. It
    stays bound (:func:`closed_port`) so that no other test's process is given it between now
    and then, as one was when the probe was closed at once."""
    return closed_port()


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.mailbox = Mailbox()
        # aiosmtpd's Controller cannot take port 0 (it connects to itself to check it started):
        # ask the kernel for a free port first, held till the test ends (a listener may share it).
        self.port = port or free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=off"

    def stop(self) -> None:
        self.controller.stop()


@dataclass
class NotifyState:
    sent: list[dict[str, Any]] = field(default_factory=list)
    script: list[str] = field(default_factory=list)
    """What the next sends answer: "201" (default), "429", "500", "400", "403", "timeout"
    (recorded at once, answered after ``timeout_seconds``), "slow" (held until ``release`` is
    set, at most ``slow_seconds``, then recorded and answered 201) or "lost" (held the same way,
    never recorded, then answered 500 into what is by then a closed connection)."""
    look_up_script: list[str] = field(default_factory=list)
    """What the next look-ups answer: "200" (default: what it holds) or "500"."""
    timeout_seconds: float = 2.0
    slow_seconds: float = 30.0
    release: threading.Event = field(default_factory=threading.Event)
    requests: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    """What Notify did, in order: "POST sms ref=R mode=M", "ACCEPTED ref=R", "LOST ref=R",
    "GET ref=R found=N", "CUT OFF" (a request whose client went before its body arrived)."""
    changed: threading.Condition = field(default_factory=threading.Condition)
    before_reply: Callable[[], None] | None = None
    """Run once, after the next send is accepted and before Notify answers (another process
    taking the database, say)."""

    def say(self, line: str) -> None:
        with self.changed:
            self.log.append(line)
            self.changed.notify_all()

    def wait_for(self, line: str, count: int = 1, timeout: float = 30.0) -> list[str]:
        """The log once ``line`` is in it ``count`` times (AssertionError after ``timeout``)."""
        return self.wait_until(lambda said: said == line, count, timeout)

    def wait_until(
        self, test: Callable[[str], bool], count: int = 1, timeout: float = 30.0
    ) -> list[str]:
        """The log once ``count`` of its lines pass ``test`` (AssertionError after ``timeout``)."""
        with self.changed:
            seen = self.changed.wait_for(lambda: sum(map(test, self.log)) >= count, timeout)
            assert seen, f"Notify's log never had {count} such lines: {self.log}"
            return list(self.log)


class NotifyServer:
    def __init__(self) -> None:
        self.state = NotifyState()
        state = self.state

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _auth(self) -> bool:
                header = self.headers.get("Authorization", "")
                try:
                    token = header.split(" ", 1)[1]
                    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
                except Exception:
                    self._reply(403, {"errors": [{"error": "AuthError", "message": "bad token"}]})
                    return False
                if claims.get("iss") != SERVICE_ID:
                    self._reply(403, {"errors": [{"error": "AuthError", "message": "bad iss"}]})
                    return False
                return True

            def _reply(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a slow or lost request)

            def do_POST(self) -> None:
                state.requests.append(f"POST {self.path}")
                if not self._auth():
                    return
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if len(raw) < length:
                    # The client went (a worker killed) before its whole request arrived: an
                    # incomplete request is no notification (Notify never has it).
                    state.say("CUT OFF")
                    return
                body = json.loads(raw or b"{}")
                kind = "email" if self.path.endswith("/email") else "sms"
                answer = state.script.pop(0) if state.script else "201"
                reference = body.get("reference")
                state.say(f"POST {kind} ref={reference} mode={answer}")
                if answer in ("slow", "lost"):
                    state.release.wait(state.slow_seconds)
                if answer == "lost":
                    state.say(f"LOST ref={reference}")
                    answer = "500"
                if answer in ("201", "timeout", "slow"):
                    record = {"id": str(uuid.uuid4()), "type": kind, **body}
                    state.sent.append(record)
                    state.say(f"ACCEPTED ref={reference}")
                    hook, state.before_reply = state.before_reply, None
                    if hook is not None:
                        hook()
                    if answer == "timeout":
                        time.sleep(state.timeout_seconds)
                    self._reply(
                        201,
                        {
                            "id": record["id"],
                            "reference": body.get("reference"),
                            "content": {},
                            "template": {},
                        },
                    )
                    return
                errors = {
                    "429": "RateLimitError",
                    "500": "Exception",
                    "400": "BadRequestError",
                    "403": "AuthError",
                }
                self._reply(
                    int(answer),
                    {
                        "status_code": int(answer),
                        "errors": [{"error": errors[answer], "message": answer}],
                    },
                )

            def do_GET(self) -> None:
                state.requests.append(f"GET {self.path}")
                if not self._auth():
                    return
                query = parse_qs(urlsplit(self.path).query)
                reference = next(iter(query.get("reference", [])), None)
                if state.look_up_script and state.look_up_script.pop(0) == "500":
                    state.say(f"GET ref={reference} failed=500")
                    self._reply(500, {"status_code": 500, "errors": [{"error": "Exception"}]})
                    return
                found = [
                    {
                        "id": n["id"],
                        "reference": n.get("reference"),
                        "type": n["type"],
                        "status": "delivered",
                    }
                    for n in state.sent
                    if n.get("reference") == reference
                ]
                state.say(f"GET ref={reference} found={len(found)}")
                self._reply(200, {"notifications": found, "links": {}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.state.release.set()  # no request held past the test
        self.server.shutdown()
        self.server.server_close()
