"""A tiny authenticating reverse proxy, doing what deploy/nginx does in front of `oss-desk serve`.

HTTP basic authentication against a dict of logins and passwords; whatever ``X-Remote-User``
the client sent is dropped and the authenticated login is set instead; HTTP requests and
websockets are passed on to the server. It runs on its own event loop in a thread.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import socket
import threading
from collections.abc import Iterator

import aiohttp
from aiohttp import WSMsgType, web

HOP = {"connection", "upgrade", "keep-alive", "transfer-encoding", "te", "trailer", "proxy-"}
HEADER = "X-Remote-User"


class AuthProxy:
    def __init__(self, upstream_port: int, users: dict[str, str]) -> None:
        self.upstream = f"127.0.0.1:{upstream_port}"
        self.users = users
        # Bound here to a port the kernel picks, and listened on from this socket: a port
        # found free and bound later could be another test's process's by then.
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _login(self, request: web.Request) -> str | None:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return None
        try:
            login, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return login if self.users.get(login) == password else None

    def _headers(self, request: web.Request, login: str) -> dict[str, str]:
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in HOP
            and k.lower() != HEADER.lower()
            and k.lower() != "authorization"
            and not k.lower().startswith("sec-websocket")
        }
        headers[HEADER] = login
        return headers

    async def handle(self, request: web.Request) -> web.StreamResponse:
        login = self._login(request)
        if login is None:
            return web.Response(
                status=401, headers={"WWW-Authenticate": 'Basic realm="oss-desk"'}, text="sign in"
            )
        url = f"http://{self.upstream}{request.rel_url}"
        headers = self._headers(request, login)
        async with aiohttp.ClientSession(auto_decompress=False) as client:
            if request.headers.get("Upgrade", "").lower() == "websocket":
                return await self._websocket(request, client, url, headers)
            async with client.request(request.method, url, headers=headers) as upstream:
                body = await upstream.read()
                out = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP}
                out.pop("Content-Length", None)
                return web.Response(status=upstream.status, headers=out, body=body)

    async def _websocket(
        self,
        request: web.Request,
        client: aiohttp.ClientSession,
        url: str,
        headers: dict[str, str],
    ) -> web.StreamResponse:
        try:
            upstream = await client.ws_connect(url.replace("http://", "ws://"), headers=headers)
        except aiohttp.WSServerHandshakeError as exc:
            return web.Response(status=exc.status, text="refused upstream")
        down = web.WebSocketResponse()
        await down.prepare(request)

        async def pump(
            src: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
            dst: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
        ) -> None:
            try:
                async for message in src:
                    if message.type == WSMsgType.TEXT:
                        await dst.send_str(message.data)
                    elif message.type == WSMsgType.BINARY:
                        await dst.send_bytes(message.data)
                    else:
                        break
                await dst.close()
            except (ConnectionError, aiohttp.ClientError):
                pass  # the other side went first

        tasks = [
            asyncio.ensure_future(pump(down, upstream)),
            asyncio.ensure_future(pump(upstream, down)),
        ]
        _done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await upstream.close()
        await down.close()
        return down

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        self.loop.run_until_complete(self._runner.setup())
        site = web.SockSite(self._runner, self._socket)
        self.loop.run_until_complete(site.start())
        self._ready.set()
        self.loop.run_forever()

    def start(self) -> AuthProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        async def cleanup() -> None:
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()
            if self._runner is not None:
                await self._runner.cleanup()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self._socket.close()


@contextlib.contextmanager
def auth_proxy(upstream_port: int, users: dict[str, str]) -> Iterator[AuthProxy]:
    proxy = AuthProxy(upstream_port, users).start()
    try:
        yield proxy
    finally:
        proxy.stop()
