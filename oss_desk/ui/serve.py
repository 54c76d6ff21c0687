"""Browser desks: textual-serve, one desk process per browser tab, people from the proxy.

The server listens on the loopback interface behind an authenticating reverse proxy, which
passes the signed-in login in one header (``serve.user_header``). Each page load and each
websocket is checked again against the current site configuration (see
``oss_desk.services.browser_desks``); a websocket then starts its own process,
``oss-desk --db DB --user PERSON desk --desk ID``, as an argument list (no shell). The page is
our own: it loads only this server's files (no web fonts from elsewhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import os
import signal
import sys
from asyncio.subprocess import Process
from pathlib import Path
from typing import Any
from urllib.parse import quote

import textual_serve
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from oss_desk.config_sections import normal_origin
from oss_desk.domain.text import shown
from oss_desk.errors import NotFound, OssDeskError, PermissionDenied
from oss_desk.services.browser_desks import SERVER_PID_ENV, DeskChoice, choose_desk, load_settings
from oss_desk.services.session import PROXY_USER_ENV, resolve_db_path

log = logging.getLogger("oss_desk.serve")

STATIC = Path(textual_serve.__file__).parent / "static"
# Variables a desk process must not inherit: who it is comes from its own arguments.
QUIT_SECONDS = 10  # a desk told to quit that is still running after this is killed
UNINHERITED = (
    "OSS_DESK_USER",
    "OSS_DESK_DESK__PERSON",
    "OSS_DESK_CONFIG",
    "OSS_DESK_DB",
    PROXY_USER_ENV,
    "SUDO_USER",
    "SUDO_UID",
)


class DeskProcess(AppService):
    """One browser tab's desk process, started without a shell from an argument list, acting
    for the login the proxy signed in (``OSS_DESK_PROXY_USER``: its events record that login as
    the account)."""

    def __init__(self, argv: list[str], *, login: str, **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv
        self.login = login
        self.pid: int | None = None
        self._stderr_task: asyncio.Task[None] | None = None
        closing = self.remote_close

        async def app_closed() -> None:
            """The desk's app says it has closed (its tab went, or it quit): logged, so that
            "the app has left the desk" can be told from "the process has ended" (the process
            still logs its person out after what the app sent the database, which may wait its
            turn to write)."""
            log.info("desk process %s: its app has closed", self.pid)
            await closing()

        self.remote_close = app_closed

    # What the desk sends its tab. Once the tab has gone, its websocket refuses every write
    # (aiohttp's ConnectionResetError): what the desk still draws is dropped and its output
    # read on, so that its app's exit is heard (textual-serve stopped reading at the first
    # refusal: a frame drawn as the tab closed hid the exit, and a desk still drawing could
    # fill its pipe and wait there until killed, before it had logged its person out).

    async def on_data(self, payload: bytes) -> None:
        with contextlib.suppress(ConnectionError):
            await super().on_data(payload)

    async def on_meta(self, data: bytes) -> None:
        with contextlib.suppress(ConnectionError):
            await super().on_meta(data)

    async def on_packed(self, payload: bytes) -> None:
        with contextlib.suppress(ConnectionError):
            await super().on_packed(payload)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        for name in UNINHERITED:
            environment.pop(name, None)
        environment[PROXY_USER_ENV] = self.login
        environment[SERVER_PID_ENV] = str(os.getpid())  # the desk ends with this server
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        self.pid = process.pid
        # textual-serve copies a desk's stderr into the server's log; a crashing desk's
        # traceback may quote what was typed (names, phone numbers), so only its size is logged.
        real, empty = process.stderr, asyncio.StreamReader()
        empty.feed_eof()
        process.stderr = empty
        if real is not None:
            self._stderr_task = asyncio.create_task(self._discard(real))
        return process

    async def _discard(self, stream: asyncio.StreamReader) -> None:
        size = 0
        while chunk := await stream.read(4096):
            size += len(chunk)
        if size:
            log.warning(
                "desk process %s wrote %d bytes of errors (not logged: they may quote what was "
                "typed; open the same desk in a terminal to see them)",
                self.pid,
                size,
            )

    async def finish(self) -> None:
        """Wait for the process told to quit to end (killed after QUIT_SECONDS)."""
        if self._process is None:
            return
        try:
            await asyncio.wait_for(self._process.wait(), QUIT_SECONDS)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
        if self._stderr_task is not None:
            await self._stderr_task

    @property
    def returncode(self) -> int | None:
        return self._process.returncode if self._process is not None else None


class DeskServer(Server):
    """textual-serve's server with people, desks and our own page."""

    def __init__(
        self,
        *,
        db: str | None,
        config: str | None,
        host: str,
        port: int,
    ) -> None:
        super().__init__("oss-desk desk", host=host, port=port, title="oss-desk")
        self.db = str(resolve_db_path(db))
        self.config = str(Path(config).expanduser().resolve()) if config else None
        self.sessions: dict[str, DeskProcess] = {}

    # Set-up ------------------------------------------------------------------------------------

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)

    def serve(self, debug: bool = False) -> None:
        """Listen until SIGINT or SIGTERM; say so on stdout once the port is bound."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.add_signal_handler(signal.SIGINT, self.request_exit)
        loop.add_signal_handler(signal.SIGTERM, self.request_exit)
        url = f"http://{self.host}:{self.port}/"
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=lambda *_: print(f"oss-desk serve: browser desks on {url}", flush=True),  # noqa: T201
        )

    async def _make_app(self) -> web.Application:
        app = web.Application()
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws/{desk}", self.handle_websocket, name="websocket"),
                web.get("/favicon.ico", self.handle_favicon, name="favicon"),
                web.static("/static", STATIC, show_index=False, name="static"),
            ]
        )
        return app

    # Who and which desk ------------------------------------------------------------------------

    async def _choice(
        self, request: web.Request, desk: str | None, origin: str | None
    ) -> tuple[DeskChoice, str | None]:
        """The person and desk for this request, or :class:`Refused`; and the origin a
        browser's page must have to open a desk (None: not known). The page's address is
        checked first: a page of another site is told nothing about who is signed in."""
        try:
            settings = await asyncio.to_thread(load_settings, self.db, self.config, check=False)
        except OssDeskError as exc:
            raise Refused(web.HTTPForbidden, exc, tell=False) from None
        public_origin = settings.serve.public_origin
        expected = _expected_origin(request, public_origin)
        if origin is not None and not _origin_allowed(origin, expected):
            other = _not_this_site(origin, expected, configured=public_origin is not None)
            raise Refused(web.HTTPForbidden, other, tell=False)
        try:
            header = settings.serve.user_header
            choice = choose_desk(settings, request.headers.get(header), desk)
            if len(request.headers.getall(header, [])) > 1:
                raise PermissionDenied(f"the {header} header was sent more than once")
        except NotFound as exc:
            raise Refused(web.HTTPNotFound, exc) from None
        except OssDeskError as exc:
            raise Refused(web.HTTPForbidden, exc) from None
        if desk is not None and len(self.sessions) >= settings.serve.max_sessions:
            raise Refused(
                web.HTTPServiceUnavailable,
                OssDeskError(
                    f"{len(self.sessions)} browser desks are open, the most this office allows "
                    "(serve.max_sessions): close one first",
                    title="Too many desks open",
                ),
            )
        mine = sum(1 for s in self.sessions.values() if s.login == choice.login)
        if desk is not None and mine >= settings.serve.max_sessions_per_user:
            raise Refused(
                web.HTTPTooManyRequests,
                OssDeskError(
                    f"you have {mine} desks open in browsers, the most one person may "
                    "(serve.max_sessions_per_user): close one first",
                    title="Too many desks open",
                ),
            )
        return choice, expected

    async def handle_index(self, request: web.Request) -> web.Response:
        # A browser does not send its page's Origin with a page load, only with the desk's
        # websocket, where a refusal never reaches the page: so the desk page compares its own
        # origin with the one expected and, if they differ, loads again saying its origin here.
        said = request.query.get("origin")
        origin = said if said is not None else request.headers.get("Origin")
        try:
            choice, expected = await self._choice(request, request.query.get("desk"), origin)
        except Refused as refused:
            raise refused.logged(request).page() from None
        if choice.desk is None:
            return web.Response(text=_chooser_page(choice), content_type="text/html")
        font_size = max(8, min(40, to_int(request.query.get("fontsize", "16"), 16)))
        check = expected if said is None else None  # said and allowed: never again
        return web.Response(
            text=_desk_page(choice, choice.desk, font_size, check), content_type="text/html"
        )

    async def handle_favicon(self, request: web.Request) -> web.Response:
        """Every browser asks for one: no icon and no content (not a 404 in the log)."""
        return web.Response(status=204)

    # The desk process --------------------------------------------------------------------------

    def _argv(self, choice: DeskChoice, desk: str) -> list[str]:
        argv = [sys.executable, "-m", "oss_desk", "--db", self.db]
        if self.config:
            argv += ["--config", self.config]
        return [*argv, "--user", choice.person, "desk", "--desk", desk]

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        desk = request.match_info["desk"]
        try:
            choice, _ = await self._choice(request, desk, request.headers.get("Origin"))
        except Refused as refused:
            return await refused.logged(request).told(request)
        websocket = web.WebSocketResponse(heartbeat=15)
        width = max(20, min(500, to_int(request.query.get("width", "80"), 80)))
        height = max(10, min(200, to_int(request.query.get("height", "24"), 24)))
        service: DeskProcess | None = None
        try:
            await websocket.prepare(request)
            service = DeskProcess(
                self._argv(choice, desk),
                login=choice.login,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self.sessions[service.app_service_id] = service
            await service.start(width, height)
            log.info("desk %s opened for %s (process %s)", desk, choice.person, service.pid)
            try:
                await self._process_messages(websocket, service)
            finally:
                await service.stop()
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # the tab's problem, never the server's
            log.error("desk %s: %s", desk, type(error).__name__)
        finally:
            if service is not None:
                await service.stop()
                await service.finish()
                self.sessions.pop(service.app_service_id, None)
                log.info(
                    "desk %s closed for %s (process %s, exit status %s)",
                    desk,
                    choice.person,
                    service.pid,
                    service.returncode,
                )
        return websocket


def _expected_origin(request: web.Request, public_origin: str | None) -> str | None:
    """This office's desk address: ``serve.public_origin``, or without one, the address this
    server was reached at (None if the request's Host is no web origin)."""
    try:
        return public_origin or normal_origin(f"{request.scheme}://{request.host}")
    except ValueError:
        return None


def _origin_allowed(origin: str, expected: str | None) -> bool:
    """A browser's request must come from a page of this office's desk address: its Origin
    must equal the expected one (scheme, host and port). Cross-site websocket hijacking: the
    browser would send the proxy's sign-in along with another site's request. A client that
    sends no Origin is not a browser (the caller passes None and checks nothing)."""
    try:
        return expected is not None and normal_origin(origin) == expected
    except ValueError:
        return False


def _not_this_site(origin: str, expected: str | None, *, configured: bool) -> OssDeskError:
    """The refusal of a page at another address, in words a newcomer can act on."""
    setting = "serve.public_origin" if configured else "serve.public_origin is not set"
    return OssDeskError(
        f"this page is at {shown(origin, 80)}, but desks open only from a page at "
        f"{expected or 'the address this server was reached at'} ({setting}): open the desks "
        "at that address, or ask an administrator to set serve.public_origin to the address "
        "staff open",
        title="Not this site",
    )


class Refused(Exception):
    """A page or desk refused: the HTTP answer's kind and the refusal in words. ``tell``: a
    desk's websocket refused so is opened to say why, then closed (the page shows the words;
    a browser shows nothing of a refused handshake), else refused at the handshake (another
    site's page, or the office's configuration cannot be read)."""

    def __init__(
        self, kind: type[web.HTTPException], error: OssDeskError, *, tell: bool = True
    ) -> None:
        super().__init__(error.message)
        self.kind, self.error, self.tell = kind, error, tell

    def logged(self, request: web.Request) -> Refused:
        """Every refusal is a line of the server's log (staff-facing: it may name a login)."""
        log.warning("refused %s: %s", request.path, self.error.message)
        return self

    def page(self) -> web.HTTPException:
        title, message = self.error.title, self.error.message
        body = _page(title, f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>")
        return self.kind(text=body, content_type="text/html")

    async def told(self, request: web.Request) -> web.WebSocketResponse:
        """The desk's websocket: opened, told the refusal (``["refused", ...]``, a message
        textual-serve's script passes by and the desk page shows), closed; no desk process."""
        if not self.tell:
            raise self.page()
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        said = {"title": self.error.title, "message": self.error.message}
        await websocket.send_str(json.dumps(["refused", said]))
        await websocket.close(code=WSCloseCode.POLICY_VIOLATION, message=b"refused")
        return websocket


STYLE = """
body { background: #0c181f; color: #f0f0f0; font-family: "Roboto Mono", monospace; margin: 0; }
main { max-width: 44rem; margin: 4rem auto; padding: 0 1rem; }
a { color: #8fd3ff; } li { margin: 0.5rem 0; }
@font-face { font-family: "Roboto Mono";
  src: url("static/fonts/RobotoMono-VariableFont_wght.ttf"); }
"""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>oss-desk: {html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _chooser_page(choice: DeskChoice) -> str:
    items = "".join(
        f"<li><a href='?desk={quote(d.id)}'>{html.escape(d.name)}</a> ({html.escape(d.kind)})</li>"
        for d in choice.allowed
    )
    return _page(
        "choose a desk",
        f"<h1>Choose your desk</h1><p>Signed in as {html.escape(choice.person_name)}.</p>"
        f"<ul>{items}</ul>",
    )


DESK_PAGE = """<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>oss-desk: {desk_name}</title>
    <link rel="stylesheet" href="static/css/xterm.css">
    <script src="static/js/textual.js"></script>
    <style>
      @font-face {{ font-family: "Roboto Mono";
        src: url("static/fonts/RobotoMono-VariableFont_wght.ttf"); }}
      body {{ background: #0c181f; margin: 0; }}
      .textual-terminal {{ width: 100vw; height: 100vh; opacity: 0; }}
      body.-first-byte .textual-terminal {{ opacity: 1; }}
      .notice {{ position: absolute; inset: 0; display: flex; align-items: center;
        justify-content: center; color: #f0f0f0; font: 16px "Roboto Mono", monospace; }}
      body.-first-byte .starting {{ display: none; }}
      .ended {{ display: none; }}
      body.-closed .ended {{ display: flex; background: #0c181f; z-index: 10; }}
      button {{ margin-left: 1rem; font: inherit; }}
    </style>
  </head>
  <body>
    <div class="notice starting">Opening {desk_name}...</div>
    <div class="notice ended"><span id="ended-why">The desk was closed.</span>
      <button type="button" onclick="window.location.reload()">Open it again</button></div>
    <div id="terminal" class="textual-terminal" data-font-size="{font_size}"></div>
    <script>
      (function () {{
        var expected = {origin_js};
        if (expected && window.location.origin !== expected) {{
          var terminal = document.getElementById("terminal");
          terminal.parentNode.removeChild(terminal);
          window.location.replace(window.location.pathname + "?desk=" + {desk_js} +
            "&origin=" + encodeURIComponent(window.location.origin));
          return;
        }}
        // Keys typed before the desk's first frame (someone who knows the desk types at once)
        // are kept, in order, and sent to the desk as the terminal would send them once it
        // has drawn: before, the terminal had no keyboard and they were lost. Each goes in a
        // message of its own, and the key after a lone Escape waits until the desk has read
        // the Escape as a key of its own (its terminal reader waits 100 ms for what follows an
        // Escape): sent as one string, Escape then N read as Alt+N, Escape then Enter as Enter.
        var early = [], drawn = false, ESCAPE_READ_MS = 250;
        function typed(e) {{
          var named = {{Enter: "\\r", Tab: e.shiftKey ? "\\x1b[Z" : "\\t", Backspace: "\\x7f",
            Escape: "\\x1b", ArrowUp: "\\x1b[A", ArrowDown: "\\x1b[B", ArrowRight: "\\x1b[C",
            ArrowLeft: "\\x1b[D", Home: "\\x1b[H", End: "\\x1b[F", Delete: "\\x1b[3~",
            PageUp: "\\x1b[5~", PageDown: "\\x1b[6~", F1: "\\x1bOP", F2: "\\x1bOQ",
            F3: "\\x1bOR", F4: "\\x1bOS", F5: "\\x1b[15~", F6: "\\x1b[17~", F7: "\\x1b[18~",
            F8: "\\x1b[19~", F9: "\\x1b[20~", F10: "\\x1b[21~", F11: "\\x1b[23~",
            F12: "\\x1b[24~"}};
          if (e.metaKey) return null;
          if (named.hasOwnProperty(e.key)) return (e.altKey ? "\\x1b" : "") + named[e.key];
          if (e.key.length !== 1) return null;  // Shift, Control... alone
          if (e.ctrlKey) {{
            var code = e.key.toUpperCase().charCodeAt(0);
            return code >= 64 && code <= 95 ? String.fromCharCode(code - 64) : null;
          }}
          return (e.altKey ? "\\x1b" : "") + e.key;
        }}
        function keep(e) {{
          var data = typed(e);
          if (data === null) return;
          e.preventDefault();
          e.stopPropagation();
          early.push(data);
        }}
        document.addEventListener("keydown", keep, true);
        // The kept keys, one by one (keys typed meanwhile join the end of the line); then the
        // keyboard goes to the terminal.
        function handOn(socket) {{
          if (early.length) {{
            var key = early.shift();
            socket.send(JSON.stringify(["stdin", key]));
            setTimeout(function () {{ handOn(socket); }}, key === "\\x1b" ? ESCAPE_READ_MS : 0);
            return;
          }}
          document.removeEventListener("keydown", keep, true);
          var keys = document.querySelector("#terminal textarea.xterm-helper-textarea");
          if (keys && document.activeElement === document.body) keys.focus();
        }}
        // textual-serve's script opens the desk's websocket and never gives the terminal the
        // keyboard (keys did nothing until a click) nor shows why the server refused the desk
        // (it only closes): the desk's socket is watched for both.
        var Native = window.WebSocket;
        function DeskSocket(url, protocols) {{
          var socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
          socket.addEventListener("message", function (event) {{
            if (typeof event.data !== "string") {{
              // The desk's first frame (more than 10 bytes, as textual-serve's script counts
              // it for "-first-byte"): it runs, takes the keys kept meanwhile, and then the
              // keyboard unless the page gave it to something else meanwhile.
              if (drawn || event.data.byteLength <= 10) return;
              drawn = true;
              handOn(socket);
              return;
            }}
            var said = JSON.parse(event.data);
            if (said[0] === "refused") {{
              document.getElementById("ended-why").textContent =
                "The desk did not open. " + said[1].title + ": " + said[1].message;
            }}
          }});
          return socket;
        }}
        DeskSocket.prototype = Native.prototype;
        ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) {{
          DeskSocket[k] = Native[k];
        }});
        window.WebSocket = DeskSocket;
        var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
        var base = window.location.pathname.replace(/[^/]*$/, "");
        document.getElementById("terminal").dataset.sessionWebsocketUrl =
          scheme + "//" + window.location.host + base + "ws/" + {desk_js};
      }})();
    </script>
  </body>
</html>
"""


def _desk_page(choice: DeskChoice, desk: str, font_size: int, origin: str | None) -> str:
    """The desk's page; ``origin``: the one its address must have, or the page reloads with
    its own (``?origin=``) to be told why not (None: no check)."""
    name = next((d.name for d in choice.allowed if d.id == desk), desk)
    desk_js = '"' + quote(desk, safe="") + '"'  # percent-encoded: safe inside a JS string
    origin_js = json.dumps(origin).replace("<", "\\u003c")  # a JS string, or null
    return DESK_PAGE.format(
        desk_name=html.escape(name), font_size=font_size, desk_js=desk_js, origin_js=origin_js
    )


def serve_desks(*, db: str | None, config: str | None, host: str, port: int) -> None:
    """Run the server until SIGINT or SIGTERM (each tab's process is told to quit)."""
    DeskServer(db=db, config=config, host=host, port=port).serve()
