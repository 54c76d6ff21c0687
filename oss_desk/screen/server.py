"""``oss-desk screen``: the waiting-room screen and the phone page, over HTTP (aiohttp).

One process serves any number of screens. A single thread owns the database session: every
``POLL_SECONDS`` it asks SQLite whether anything changed (``PRAGMA data_version``, about 0.1 ms)
and, when something did, builds the screen's state once and pushes it to every open screen as a
server-sent event. A screen reconnects by itself when the server restarts (the browser's
EventSource retries; the page also starts a new one if it stays silent). The pages load only
this server's own files (a Content-Security-Policy says so): no fonts, scripts or images from
elsewhere, no build step.

Routes: ``/`` the screen, ``/events`` its event stream, ``/state.json`` the same state once,
``/t/TOKEN`` a ticket's phone page and ``/t/TOKEN.json`` its state, ``/f/TOKEN`` a desk's
feedback page (:mod:`oss_desk.screen.feedback`), the answer page of a follow-up text
(:mod:`oss_desk.screen.answer`), ``/health``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from oss_desk import __version__
from oss_desk.screen import answer, feedback
from oss_desk.screen.page import html_page
from oss_desk.services.screen import expired_state, phone_state, screen_site, screen_state
from oss_desk.services.session import Session, open_session
from oss_desk.storage.changes import ChangeFeed

log = logging.getLogger("oss_desk.screen")

POLL_SECONDS = 0.05
REFRESH_SECONDS = 15.0
"""The state is rebuilt this often even without changes (call ages, the clock)."""
PING_SECONDS = 10.0
STATIC = resources.files("oss_desk") / "screen" / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
T = TypeVar("T")


class ScreenServer:
    """The screens' shared state and the one thread that reads the database."""

    def __init__(self, open_session: Callable[[], Session], *, site: str | None = None) -> None:
        self._open_session = open_session
        self.site = site
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oss-desk-screen")
        self._session: Session | None = None
        self._feed: ChangeFeed | None = None
        self.state: bytes | None = None  # none until the first is built: never an empty one
        self._sent_call: int | None = None  # the newest call event in the state last built
        self.updates = 0
        self.clients: set[asyncio.Queue[bytes | None]] = set()
        self._task: asyncio.Task[None] | None = None

    # The database thread ------------------------------------------------------------------

    def _open(self) -> Session:
        if self._session is None:
            self._session = self._open_session()
            self._session.host = True  # reads the queue for the public: no person acts
            self._feed = ChangeFeed(self._session.store)
            if self.site is None:
                self.site = screen_site(self._session)
        return self._session

    def session(self) -> Session:
        """The server's session (on its database thread only: inside :meth:`run`)."""
        return self._open()

    def _build(self) -> bytes:
        session = self._open()
        state = screen_state(session, self.site, self._sent_call)
        self._sent_call = max((call["id"] for call in state["calls"]), default=0)
        state["version"] = __version__
        return json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode()

    def _changed(self) -> bool:
        self._open()
        assert self._feed is not None
        changes = self._feed.poll()
        if changes is not None and changes.config_changed and self._session is not None:
            self._session.refresh_directory()
        return changes is not None

    def _phone(self, token: str) -> dict[str, Any]:
        session = self._open()
        return phone_state(session, token) or {"expired": True, **expired_state(session)}

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    # Pushing -------------------------------------------------------------------------------

    async def watch(self) -> None:
        """Build the state at once, then again when the database changes (or every
        REFRESH_SECONDS), and push it."""
        refreshed: float | None = None  # not built yet
        while True:
            try:
                if refreshed is not None:
                    await asyncio.sleep(POLL_SECONDS)
                    changed = await self.run(self._changed)
                    if not changed and time.monotonic() - refreshed < REFRESH_SECONDS:
                        continue
                state = await self.run(self._build)
            except Exception:  # a database fault: keep serving the last state, try again
                log.exception("could not read the queue; trying again")
                await asyncio.sleep(1.0)
                continue
            refreshed = time.monotonic()
            if state != self.state:
                if self.state is not None:
                    self.updates += 1
                self.state = state
                for queue in list(self.clients):
                    queue.put_nowait(state)

    async def start(self, app: web.Application) -> None:
        self._task = asyncio.create_task(self.watch())

    async def stop(self, app: web.Application) -> None:
        for queue in list(self.clients):
            queue.put_nowait(None)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.run(self._close)
        self._pool.shutdown(wait=True)

    def _close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    # Routes --------------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.StreamResponse:
        shown = json.loads(self.state or b"{}")  # the site's names, Welsh first where it is
        html = html_page(
            title=" / ".join(shown.get("site") or ["Queue"]),
            stylesheet="screen.css",
            body=_static_text("screen.html"),
            lang=(shown.get("languages") or ["en"])[0],
        )
        return web.Response(
            text=html, content_type="text/html", charset="utf-8", headers=SECURITY_HEADERS
        )

    async def events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={
                **SECURITY_HEADERS,
                "Content-Type": "text/event-stream",
                "Connection": "keep-alive",
            }
        )
        await response.prepare(request)
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.clients.add(queue)
        try:
            # A screen that comes (back) before the first state is built gets it when it is:
            # never an empty state, which the page would take for an upgrade and reload on,
            # forgetting which calls it had announced.
            first = _event(self.state) if self.state is not None else b""
            await response.write(b"retry: 1000\n\n" + first)
            while True:
                try:
                    state = await asyncio.wait_for(queue.get(), PING_SECONDS)
                except TimeoutError:
                    await response.write(b"event: ping\ndata: {}\n\n")
                    continue
                if state is None:
                    break
                while not queue.empty():  # only the newest matters
                    newer = queue.get_nowait()
                    if newer is None:
                        return response
                    state = newer
                await response.write(_event(state))
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.clients.discard(queue)
        return response

    async def state_json(self, request: web.Request) -> web.StreamResponse:
        if self.state is None:  # just started: not read yet (unknown, not empty)
            headers = {**SECURITY_HEADERS, "Retry-After": "1"}
            return web.json_response({"error": "starting"}, status=503, headers=headers)
        return web.Response(
            body=self.state, content_type="application/json", headers=SECURITY_HEADERS
        )

    async def phone_page(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        state = await self.run(lambda: self._phone(token))
        body = _static_text("phone.html").replace("{{STATE}}", _escape_json(state))
        html = html_page(
            title=" / ".join(state["title"]),  # "Eich lle yn y ciw / Your place in the queue"
            stylesheet="phone.css",
            body=body,
            lang=state["languages"][0],
        )
        return web.Response(
            text=html,
            content_type="text/html",
            status=404 if state.get("expired") else 200,
            headers=SECURITY_HEADERS,
        )

    async def phone_json(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        state = await self.run(lambda: self._phone(token))
        return web.json_response(
            state, status=404 if state.get("expired") else 200, headers=SECURITY_HEADERS
        )

    async def asset(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        kinds = {".js": "text/javascript", ".css": "text/css"}
        suffix = Path(name).suffix
        if suffix not in kinds or "/" in name or not (STATIC / name).is_file():
            raise web.HTTPNotFound()
        return _static(name, kinds[suffix])

    async def health(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {"screens": len(self.clients), "updates": self.updates}, headers=SECURITY_HEADERS
        )

    async def favicon(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=204, headers=SECURITY_HEADERS)


def _event(state: bytes) -> bytes:
    return b"data: " + state + b"\n\n"


def _escape_json(state: dict[str, Any]) -> str:
    """The state inside a <script type="application/json">: no way out of the element."""
    return json.dumps(state, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")


def _static_text(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _static(name: str, kind: str) -> web.Response:
    return web.Response(
        text=_static_text(name), content_type=kind, charset="utf-8", headers=SECURITY_HEADERS
    )


def build_app(server: ScreenServer) -> web.Application:
    app = web.Application()
    app.router.add_get("/", server.page)
    app.router.add_get("/events", server.events)
    app.router.add_get("/state.json", server.state_json)
    app.router.add_get("/health", server.health)
    app.router.add_get("/favicon.ico", server.favicon)
    app.router.add_get("/t/{token:[A-Za-z0-9_-]{1,64}}.json", server.phone_json)
    app.router.add_get("/t/{token:[A-Za-z0-9_-]{1,64}}", server.phone_page)
    app.router.add_get("/static/{name}", server.asset)
    feedback.add_routes(app, server)
    answer.add_routes(app, server)
    app.on_startup.append(server.start)
    app.on_shutdown.append(server.stop)
    return app


def serve_screen(
    *, db: str | None, config: str | None, host: str, port: int, site: str | None
) -> None:
    """Serve until SIGTERM or SIGINT."""
    server = ScreenServer(lambda: open_session(db=db, config=config, host=True), site=site)
    app = build_app(server)

    async def main() -> None:
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        site_ = web.TCPSite(runner, host, port, reuse_address=True)
        await site_.start()
        print(f"waiting-room screen on http://{host}:{port}/", flush=True)  # noqa: T201
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await runner.cleanup()

    asyncio.run(main())
