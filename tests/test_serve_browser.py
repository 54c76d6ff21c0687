"""Browser desks end to end: the real `oss-desk serve`, a real browser, a real terminal desk.

Chromium (Debian's, headless) opens the meet-and-greet desk through a small authenticating proxy
(tests/authproxy.py, doing what deploy/nginx does); a ticket issued there from the keyboard
must appear on an adviser desk running in a real terminal (tmux). Also: the server refuses to
listen beyond loopback unless told, refuses people the proxy did not sign in (or whom the site
does not know), and gives every tab its own desk process.
"""

from __future__ import annotations

import json
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.site import initialise

from .authproxy import auth_proxy
from .browser_desks import (
    CHROMIUM,
    CSI,
    PASSWORDS,
    Served,
    Tab,
    clean_env,
    launch_chromium,
    rss_mib,
    signed_in,
    site_with_logins,
    start_server,
    stop_server,
)
from .conftest import MONDAY_0930, rows, run_cli_process
from .messaging import free_port

pytestmark = pytest.mark.slow

NO_USER = "no signed-in user: open the desks through the office's sign-in page"


@pytest.fixture
def office(tmp_path: Path) -> Path:
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(MONDAY_0930), config_path=site_with_logins(tmp_path))
    return db


@pytest.fixture
def server(office: Path, tmp_path: Path) -> Iterator[Served]:
    served = start_server(office, tmp_path)
    try:
        yield served
    finally:
        stop_server(served)
        # Its desk processes were told to quit; none may outlive it.
        deadline = time.monotonic() + 10
        while served.desk_processes() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert served.desk_processes() == {}


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


# Listening ---------------------------------------------------------------------------------


def test_refuses_a_non_loopback_address_without_allow_remote(office: Path) -> None:
    port = free_port()
    result = run_cli_process(
        "--db", str(office), "serve", "--host", "0.0.0.0", "--port", str(port), timeout=30
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "refusing to listen on 0.0.0.0" in result.stderr
    assert "--allow-remote" in result.stderr
    assert result.stdout == ""


def test_allow_remote_listens_with_a_warning(office: Path, tmp_path: Path) -> None:
    served = start_server(office, tmp_path, "--host", "0.0.0.0", "--allow-remote")
    warning, listening = served.lines
    try:
        assert "warning" in warning and "no authentication" in warning
        assert "browser desks on http://0.0.0.0:" in listening
        assert get(served.url + "/")[0] == 403  # and still nobody without the header
    finally:
        stop_server(served)


def test_a_missing_database_is_one_line_before_listening(tmp_path: Path) -> None:
    result = run_cli_process(
        "--db", str(tmp_path / "none.sqlite"), "serve", "--port", str(free_port())
    )
    assert result.returncode == 4
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# Who gets a desk ---------------------------------------------------------------------------


def no_header_or_an_unknown_login_gets_a_refusal_page(server: Served) -> None:
    """Refusals before any desk is open: no header, a login the site does not know, a desk
    outside the person's role, another site's page; the person's own desk and a team leader's
    choice are pages; no desk process starts."""
    status, page = get(server.url + "/")
    assert status == 403
    assert "Not signed in" in page and "textual.js" not in page
    status, page = get(server.url + "/", {"X-Remote-User": "mallory"})
    assert status == 403
    assert "&#x27;mallory&#x27; is not on this office&#x27;s staff list" in page
    assert "<title>oss-desk: Not on the staff list</title>" in page  # signed in, but unknown
    assert "textual.js" not in page
    # A staff member without a login in the configuration is nobody to the proxy either.
    assert get(server.url + "/", {"X-Remote-User": "chloe"})[0] == 403
    # A desk outside the person's role.
    status, page = get(server.url + "/?desk=greet-1", {"X-Remote-User": "ben.login"})
    assert status == 403 and "adviser staff cannot use desk" in page
    # Their own desk is the default; a team leader may choose any desk.
    status, page = get(server.url + "/", {"X-Remote-User": "chloe.login"})
    assert status == 200 and "<title>oss-desk: Reception</title>" in page
    status, page = get(server.url + "/?desk=greet-1", {"X-Remote-User": "amina.login"})
    assert status == 200 and "Reception" in page
    # The icon every browser asks for: nothing, not a 404 (anyone may ask).
    assert get(server.url + "/favicon.ico") == (204, "")
    # The page asks nothing of any other site (no web fonts from elsewhere).
    assert re.findall(r"(?:src|href)=\"(https?:)?//", page) == []

    # The websocket, which starts the desk process, checks again: no header, no process.
    import aiohttp

    async def handshake(headers: dict[str, str]) -> Any:
        """The handshake's refusal status, or the first message of an opened socket; a
        refused one then closes."""
        async with aiohttp.ClientSession() as client:
            try:
                async with client.ws_connect(server.url + "/ws/greet-1", headers=headers) as ws:
                    first = await ws.receive_json(timeout=20)
                    closed = await ws.receive(timeout=20)
                    assert closed.type is aiohttp.WSMsgType.CLOSE, closed
                    return first
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status

    import asyncio

    # Refused in words the page shows (the socket opens to say why, then closes).
    said = asyncio.run(handshake({}))
    assert said == ["refused", {"title": "Not signed in", "message": NO_USER}]
    assert asyncio.run(handshake({"X-Remote-User": "mallory"}))[1]["title"] == (
        "Not on the staff list"
    )
    not_his = asyncio.run(handshake({"X-Remote-User": "ben.login"}))[1]["message"]
    assert "adviser staff cannot use desk" in not_his
    # Another site's page cannot drive a desk with the browser's sign-in, nor learn anything.
    forged = {"X-Remote-User": "chloe.login", "Origin": "https://evil.example"}
    assert asyncio.run(handshake(forged)) == 403
    assert server.desk_processes() == {}


def test_who_gets_a_desk_and_at_most_max_sessions_desks_and_one_header(
    office: Path, tmp_path: Path
) -> None:
    """Who gets a desk's page and socket (refused without a header, for an unknown login...),
    checked first, before any desk is open (serve.max_sessions is not reached until one is);
    then one desk open, a second refused, and one user header only."""
    import asyncio

    import aiohttp

    served = start_server(office, tmp_path, env={"OSS_DESK_SERVE__MAX_SESSIONS": "1"})
    chloe = {"X-Remote-User": "chloe.login"}

    async def scenario() -> tuple[Any, int, int]:
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(served.url + "/ws/greet-1", headers=chloe) as first:
                # The desk process has started and talks (its first screen).
                message = await first.receive(timeout=60)
                assert message.type == aiohttp.WSMsgType.BINARY
                # The second is told why (the page shows it), then closed: no desk process.
                refused = await client.ws_connect(served.url + "/ws/greet-1", headers=chloe)
                second = await refused.receive_json(timeout=20)
                assert (await refused.receive(timeout=20)).type is aiohttp.WSMsgType.CLOSE
                async with client.get(served.url + "/?desk=greet-1", headers=chloe) as page:
                    page_status = page.status
                    assert "Too many desks open" in await page.text()
            twice = [("X-Remote-User", "chloe.login"), ("X-Remote-User", "amina.login")]
            async with client.get(served.url + "/", headers=twice) as doubled:
                return second, page_status, doubled.status

    try:
        no_header_or_an_unknown_login_gets_a_refusal_page(served)
        second, page_status, doubled = asyncio.run(scenario())
        # The second desk is refused while the first is open.
        assert second[0] == "refused" and second[1]["title"] == "Too many desks open"
        assert page_status == 503  # and the page says so, rather than a desk that never opens
        assert doubled == 403  # a client's header that a proxy appended to
    finally:
        out = stop_server(served)
    assert "desk greet-1 opened for chloe" in out
    assert re.search(r"desk greet-1 closed for chloe \(process \d+, exit status 0\)", out), out


# In the browser ----------------------------------------------------------------------------


def launched() -> Iterator[Any]:
    """Debian's Chromium, headless, closed after. While it runs, Playwright's event loop is the
    thread's running loop: ``asyncio.run`` cannot be called."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


# Started once for the module (a second or more each time): its one test that runs an event
# loop of its own (the desk socket's handshakes) comes before every test that uses it.
chromium = pytest.fixture(scope="module", name="chromium")(launched)


@pytest.fixture
def browser(chromium: Any) -> Iterator[Any]:
    """The module's Chromium: every context a test opens (its tabs with them) is closed when
    the test ends, before its server stops, as closing the browser did."""
    before = set(chromium.contexts)
    yield chromium
    for context in chromium.contexts:
        if context not in before:
            context.close()


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_a_ticket_issued_in_the_browser_reaches_a_terminal_desk(
    server: Served, office: Path, browser: Any, tmp_path: Path
) -> None:
    from .ui.test_tmux import Terminal

    oss_desk = Path(sys.executable).parent / "oss-desk"
    env = clean_env(tmp_path) | {"TERM": "xterm-256color"}
    terminal = Terminal(f"{oss_desk} --db {office} --user ben desk --desk desk-1", env, (120, 30))
    try:
        terminal.wait_for("Adviser desk")
        with auth_proxy(server.port, PASSWORDS) as proxy:
            context = signed_in(browser, "chloe.login")
            tab = Tab(context, proxy.url + "/")
            # Chloe's own desk: the meet-and-greet desk, as Chloe (not whom the client claimed).
            tab.wait_for("Meet and greet")
            tab.wait_for("Chloe Price")
            tab.wait_for("No ticket issued yet")
            (pid,) = server.desk_processes()
            # Council Tax, Enter: the ticket is issued.
            tab.page.keyboard.press("c")
            tab.page.keyboard.press("Enter")
            tab.wait_for("C001")
            # ... and the adviser desk in the terminal shows it waiting.
            shown = terminal.wait_for("C001", timeout=20)
            assert "Council Tax" in shown
            # Only this server was asked for anything.
            assert tab.requests and all(u.startswith(proxy.url) for u in tab.requests)
            figures = {
                "first_frame_seconds": round(tab.first_frame_seconds, 2),
                "desk_process_rss_mib": round(rss_mib(pid), 1),
            }
            print("browser desk:", json.dumps(figures))
            context.close()
    finally:
        terminal.close()
    # The event log says who did it and where: Chloe at greet-1.
    import sqlite3

    conn = sqlite3.connect(office)
    try:
        actors = conn.execute(
            "SELECT DISTINCT actor, desk_id FROM events WHERE kind = 'ticket_issued'"
        ).fetchall()
    finally:
        conn.close()
    assert actors == [("chloe", "greet-1")]


def test_two_tabs_are_two_desk_processes(server: Served, browser: Any) -> None:
    with auth_proxy(server.port, PASSWORDS) as proxy:
        greet = signed_in(browser, "chloe.login")
        lead = signed_in(browser, "amina.login")
        first = Tab(greet, proxy.url + "/")
        second = Tab(lead, proxy.url + "/?desk=desk-2")
        first.wait_for("Meet and greet")
        second.wait_for("Adviser desk")
        processes = server.desk_processes()
        assert len(processes) == 2
        commands = sorted(processes.values())
        assert any("--user amina desk --desk desk-2" in c for c in commands), commands
        assert any("--user chloe desk --desk greet-1" in c for c in commands), commands
        # Closing a tab ends its process, and only that one.
        second_pid = next(p for p, c in processes.items() if "desk-2" in c)
        second.page.close()
        wait_until(
            lambda: second_pid not in server.desk_processes(), 15, "the closed tab's desk lives on"
        )
        assert len(server.desk_processes()) == 1
        greet.close()
        lead.close()


def test_a_browser_desk_takes_its_keys_without_a_click_and_ctrl_q_does_not_close_it(
    server: Served, browser: Any
) -> None:
    """A browser desk's keyboard, in one desk (each part had a desk, a server and a page of its
    own; every check is kept):

    - Trial 6, P1: the page gives the terminal the keyboard once its desk is connected; keys
      did nothing until the page was clicked. Here nothing clicks or focuses the page.
    - Ctrl+Q is the browser's key (Firefox quits with it): a browser desk's F1 help offers no
      Ctrl+Q but says to close the tab, and Ctrl+Q that reaches the page (Chromium) ends nothing.
    - A browser keeps Ctrl+N (a new window) and Ctrl+T (a new tab) and never passes them to the
      page: there Text me is Ctrl+O, on the key bar from the first frame, and Ctrl+O typed in
      the page reaches the desk and opens the box."""
    with auth_proxy(server.port, PASSWORDS) as proxy:
        context = signed_in(browser, "chloe.login")
        tab = Tab(context, proxy.url + "/", focus=False)  # no click, no focus by the test
        tab.wait_for("No ticket issued yet")
        tab.wait_for("^o Text me")
        assert "^n Text me" not in tab.text() and "^t Contrast" not in tab.text()
        (pid,) = server.desk_processes()
        tab.page.keyboard.press("F1")  # the first key, reaching the desk without a click
        tab.wait_for("Close this browser tab")
        assert "Ctrl+Q" not in tab.text() and "Close the desk app" not in tab.text()
        tab.page.keyboard.press("Control+q")
        tab.page.keyboard.press("F1")  # read after Ctrl+Q: the help closes
        tab.page.keyboard.press("c")
        tab.page.keyboard.press("Enter")
        tab.wait_for("C001")
        assert list(server.desk_processes()) == [pid]
        tab.page.keyboard.press("Control+o")
        tab.wait_for("Texts for C001")
        context.close()


def _typed_before_the_first_frame(server: Served, browser: Any, keys: str, shows: str) -> None:
    """Open a meet-and-greet tab, press ``keys`` (Playwright's names, space apart) before the
    desk process has drawn anything (it takes a second to start), and wait until its frames
    show ``shows``."""
    with auth_proxy(server.port, PASSWORDS) as proxy:
        context = signed_in(browser, "chloe.login")
        page = context.new_page()
        frames: list[bytes] = []
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived", lambda d: frames.append(d if isinstance(d, bytes) else b"")
            ),
        )
        page.goto(proxy.url + "/")
        for key in keys.split():
            page.keyboard.press(key)
        assert not page.evaluate("document.body.classList.contains('-first-byte')")
        deadline = time.monotonic() + 60
        while True:
            text = CSI.sub(b"", b"".join(frames)).decode("utf-8", "replace")
            if shows in text:
                break
            assert time.monotonic() < deadline, text[-2000:]
            page.wait_for_timeout(50)
        context.close()


def test_keys_typed_before_the_desks_first_frame_reach_it_in_order_escape_a_key_of_its_own(
    server: Served, office: Path, browser: Any
) -> None:
    """Keys typed while the page still says "Opening..." were lost (the terminal had no
    keyboard yet): they are kept and reach the desk, in order, once it has drawn.

    Review 14, finding 5: the keys kept before the first frame went to the desk as one
    string, and its terminal reader took Escape and the key after it for one key (Escape then
    C read as Alt+C): F1 Escape C Enter left the help open and issued nothing. (The two had a
    desk each; here one desk is typed both: Council Tax after the Escape, then Welfare.)"""
    _typed_before_the_first_frame(server, browser, "F1 Escape c Enter w Enter", "W001")
    issued = rows(office, "SELECT id, service_code FROM tickets ORDER BY id")
    assert [service for _, service in issued] == ["C", "W"]


def test_a_refused_desk_socket_says_why_in_the_page_and_the_log(
    office: Path, tmp_path: Path, browser: Any
) -> None:
    """Trial 6, P2: the page came with the signed-in user, its websocket without (Chromium sends
    a context's extra headers with pages, not websockets; or a sign-in lapsed): the page says
    why instead of "The desk was closed", the server logs the refusal, and no desk starts."""
    served = start_server(office, tmp_path)
    try:
        context = browser.new_context(extra_http_headers={"X-Remote-User": "chloe.login"})
        page = context.new_page()
        page.goto(served.url + "/")
        page.wait_for_selector("body.-closed", timeout=60_000)
        assert page.inner_text("#ended-why") == (
            "The desk did not open. Not signed in: no signed-in user: open the desks through "
            "the office's sign-in page"
        )
        assert served.desk_processes() == {}
        context.close()
    finally:
        log = stop_server(served)
    assert "refused /ws/greet-1: no signed-in user" in log, log
