"""Browser desks as a real office runs them (identities strict): each desk process acts for the
login the proxy signed in; a page of another origin (scheme, host or port) cannot open a desk;
one login holds at most serve.max_sessions_per_user desks."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.site import initialise

from .browser_desks import site_with_logins, start_server, stop_server
from .conftest import MONDAY_0930

pytestmark = pytest.mark.slow

PUBLIC = "https://desks.example.gov.uk"
OTHER_ORIGINS = (
    "https://evil.example",  # the host differs
    "http://desks.example.gov.uk",  # the scheme differs
    "https://desks.example.gov.uk:8443",  # the port differs
    "null",
)
"""Pages of other sites than PUBLIC, as their Origin header says."""


@pytest.fixture
def strict_office(tmp_path: Path) -> Path:
    """The demo site with proxy logins, without the demo's "anyone may act as anyone"."""
    config = site_with_logins(tmp_path)
    text = config.read_text(encoding="utf-8")
    text = re.sub(r'\[access\]\nuser_override = "anyone"\n', "", text)
    assert "user_override" not in text
    config.write_text(text, encoding="utf-8")
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(MONDAY_0930), config_path=config)
    return db


async def handshake(url: str, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as client:
        try:
            async with client.ws_connect(url, headers=headers):
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


def test_each_desk_acts_for_the_signed_in_login_and_one_login_holds_two(
    strict_office: Path, tmp_path: Path
) -> None:
    """Also: with no serve.public_origin, a desk opens from a page at the server's own address
    (the first desk here), and not from a page at another port of it."""
    served = start_server(strict_office, tmp_path)
    ws_url = served.url + "/ws/greet-1"
    chloe = {"X-Remote-User": "chloe.login"}
    amina = {"X-Remote-User": "amina.login"}

    async def scenario() -> tuple[str, int, int]:
        async with aiohttp.ClientSession() as client:
            # Without a configured origin: the server's own address, port included.
            other_port = f"http://127.0.0.1:{served.port + 1}"
            refused_origin = await handshake(ws_url, {**chloe, "Origin": other_port})
            assert refused_origin == 403
            first = await client.ws_connect(ws_url, headers={**chloe, "Origin": served.url})
            second = await client.ws_connect(served.url + "/ws/greet-1", headers=chloe)
            for ws in (first, second):  # both desk processes started and draw their screens
                message = await ws.receive(timeout=60)
                assert message.type == aiohttp.WSMsgType.BINARY
            # A third is told why (the page shows it), then closed: no desk process.
            refused = await client.ws_connect(served.url + "/ws/greet-1", headers=chloe)
            third = (await refused.receive_json(timeout=20))[1]["message"]
            assert (await refused.receive(timeout=20)).type is aiohttp.WSMsgType.CLOSE
            async with client.get(served.url + "/?desk=greet-1", headers=chloe) as page:
                page_status = page.status
                assert "serve.max_sessions_per_user" in await page.text()
            other = await client.ws_connect(served.url + "/ws/desk-1", headers=amina)
            message = await other.receive(timeout=60)
            assert message.type == aiohttp.WSMsgType.BINARY
            # The desk issues a ticket: Enter on the chosen service (C is first).
            await first.send_str('["stdin", "c"]')
            await first.send_str('["stdin", "\\r"]')
            deadline = asyncio.get_running_loop().time() + 60
            while asyncio.get_running_loop().time() < deadline:
                if issued(strict_office):
                    break
                await asyncio.sleep(0.2)
            for ws in (first, second, other):
                await ws.close()
            return third, page_status, len(issued(strict_office))

    try:
        third, page_status, count = asyncio.run(scenario())
    finally:
        out = stop_server(served)
    assert "serve.max_sessions_per_user" in third and page_status == 429
    assert count == 1
    assert issued(strict_office) == [("chloe", "chloe.login")]  # the person and the account
    closed = re.findall(r"desk (\S+) closed for (\w+) \(process \d+, exit status (\d+)\)", out)
    expected = [("desk-1", "amina", "0"), ("greet-1", "chloe", "0"), ("greet-1", "chloe", "0")]
    assert sorted(closed) == expected, out


def issued(db: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        return [
            (str(r[0]), str(r[1]))
            for r in conn.execute("SELECT actor, account FROM events WHERE kind = 'ticket_issued'")
        ]
    finally:
        conn.close()


def test_a_page_at_another_address_is_told_why_and_the_log_says_so(
    strict_office: Path, tmp_path: Path
) -> None:
    """The example configuration's public_origin, desks opened at another address: the page
    says why (not "The desk was closed"), and the server's log has one line with the reason.
    A desk's websocket opens only from a page at the public origin itself: another scheme,
    port or host, or none ("null"), is refused at the handshake (no desk process), each
    refusal one line of the log."""
    from playwright.sync_api import sync_playwright

    from .authproxy import auth_proxy
    from .browser_desks import PASSWORDS, launch_chromium, signed_in

    served = start_server(strict_office, tmp_path, env={"OSS_DESK_SERVE__PUBLIC_ORIGIN": PUBLIC})
    chloe = {"X-Remote-User": "chloe.login"}
    url = served.url + "/ws/greet-1"
    try:
        with auth_proxy(served.port, PASSWORDS) as proxy, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                page = signed_in(browser, "chloe.login").new_page()
                page.goto(proxy.url + "/?desk=greet-1")
                page.wait_for_url("**origin=**", timeout=30_000)
                shown = page.inner_text("body")
                assert page.title() == "oss-desk: Not this site"
            finally:
                browser.close()
        assert f"this page is at {proxy.url}" in shown, shown
        assert f"desks open only from a page at {PUBLIC} (serve.public_origin)" in shown, shown
        assert served.desk_processes() == {}
        # A page at the desk address itself: no second look (never a loop of reloads).
        with urllib.request.urlopen(
            urllib.request.Request(served.url + f"/?desk=greet-1&origin={PUBLIC}", headers=chloe),
            timeout=20,
        ) as response:
            assert response.status == 200
            assert "var expected = null;" in response.read().decode()
        # A websocket from another site: refused, and logged with the reason too.
        for origin in OTHER_ORIGINS:
            assert asyncio.run(handshake(url, {**chloe, "Origin": origin})) == 403, origin
        assert served.desk_processes() == {}
        assert asyncio.run(handshake(url, {**chloe, "Origin": PUBLIC + ":443"})) == 101
    finally:
        out = stop_server(served)
    refusals = [line for line in out.splitlines() if "refused" in line]
    assert len(refusals) == 1 + len(OTHER_ORIGINS), out
    assert f"refused /: this page is at {proxy.url}" in refusals[0]
    for origin, refusal in zip(OTHER_ORIGINS, refusals[1:], strict=True):
        assert f"refused /ws/greet-1: this page is at {origin}" in refusal, refusal
    assert all("serve.public_origin" in r and "chloe" not in r for r in refusals), refusals
