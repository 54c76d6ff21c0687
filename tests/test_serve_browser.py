"""Browser desks end to end: the real `oss-desk serve`, a real browser, a real terminal desk.

Chromium (Debian's, headless) opens the meet-and-greet desk through a small authenticating proxy
(tests/authproxy.py, doing what deploy/nginx does); a ticket issued there from the keyboard
must appear on an adviser desk running in a real terminal (tmux). Also: the server refuses to
listen beyond loopback unless told, refuses people the proxy did not sign in (or whom the site
does not know), and gives every tab its own desk process.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.site import initialise

from .authproxy import auth_proxy, free_port
from .conftest import MONDAY_0930, ROOT, run_cli_process

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOW = "2026-11-23T09:30:00Z"  # MONDAY_0930: the office is open
PASSWORDS = {"chloe.login": "greet-pw", "ben.login": "desk-pw", "amina.login": "lead-pw"}
CSI = re.compile(rb"\x1b\[[0-9;?$]*[A-Za-z]|\x1b\][^\x07]*\x07")


def site_with_logins(folder: Path) -> Path:
    """The demo site, with a proxy login for every member of staff (`<id>.login`)."""
    text = (ROOT / "oss_desk" / "data" / "demo-site.toml").read_text(encoding="utf-8")
    text = re.sub(
        r'(\[\[staff\]\]\nid = "([a-z]+)"\n)', lambda m: f'{m[1]}login = "{m[2]}.login"\n', text
    )
    path = folder / "site.toml"
    path.write_text(text.replace("{demo_dir}", str(folder)), encoding="utf-8")
    return path


@pytest.fixture
def office(tmp_path: Path) -> Path:
    db = tmp_path / "office.sqlite"
    initialise(db, clock=FixedClock(MONDAY_0930), config_path=site_with_logins(tmp_path))
    return db


def clean_env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "LANG": "C.UTF-8",
        "OSS_DESK_NOW": NOW,
    }


@dataclass
class Served:
    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def desk_processes(self) -> dict[int, str]:
        """The server's child processes: pid -> command line."""
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid:
                found[int(entry.name)] = cmdline
        return found


def start_server(db: Path, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Served:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oss_desk", "--db", str(db), "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(tmp_path) | (env or {}),
        cwd=ROOT,
    )
    served = Served(process, port)
    assert process.stdout is not None
    for _ in range(5):  # a warning may come first
        line = process.stdout.readline()
        served.lines.append(line)
        if "browser desks on" in line or not line:
            break
    assert "browser desks on" in line, f"oss-desk serve did not start: {served.lines!r}"
    return served


def stop_server(served: Served) -> str:
    served.process.send_signal(signal.SIGTERM)
    try:
        out, _ = served.process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        served.process.kill()
        out, _ = served.process.communicate()
    return "".join(served.lines) + out


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


def test_no_header_or_an_unknown_login_gets_a_refusal_page(server: Served) -> None:
    status, page = get(server.url + "/")
    assert status == 403
    assert "Not signed in" in page and "textual.js" not in page
    status, page = get(server.url + "/", {"X-Remote-User": "mallory"})
    assert status == 403
    assert "&#x27;mallory&#x27; is not on this office&#x27;s staff list" in page
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
    # The page asks nothing of any other site (no web fonts from elsewhere).
    assert re.findall(r"(?:src|href)=\"(https?:)?//", page) == []

    # The websocket, which starts the desk process, checks again: no header, no process.
    import aiohttp

    async def handshake(headers: dict[str, str]) -> int:
        async with aiohttp.ClientSession() as client:
            try:
                async with client.ws_connect(server.url + "/ws/greet-1", headers=headers):
                    return 101
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status

    import asyncio

    assert asyncio.run(handshake({})) == 403
    assert asyncio.run(handshake({"X-Remote-User": "mallory"})) == 403
    assert asyncio.run(handshake({"X-Remote-User": "ben.login"})) == 403  # not his desk
    # Another site's page cannot drive a desk with the browser's sign-in.
    forged = {"X-Remote-User": "chloe.login", "Origin": "https://evil.example"}
    assert asyncio.run(handshake(forged)) == 403
    assert server.desk_processes() == {}


def test_at_most_max_sessions_desks_and_one_header(office: Path, tmp_path: Path) -> None:
    import asyncio

    import aiohttp

    served = start_server(office, tmp_path, env={"OSS_DESK_SERVE__MAX_SESSIONS": "1"})
    chloe = {"X-Remote-User": "chloe.login"}

    async def scenario() -> tuple[int, int, int]:
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(served.url + "/ws/greet-1", headers=chloe) as first:
                # The desk process has started and talks (its first screen).
                message = await first.receive(timeout=60)
                assert message.type == aiohttp.WSMsgType.BINARY
                try:
                    await client.ws_connect(served.url + "/ws/greet-1", headers=chloe)
                    second = 101
                except aiohttp.WSServerHandshakeError as exc:
                    second = exc.status
                async with client.get(served.url + "/?desk=greet-1", headers=chloe) as page:
                    page_status = page.status
                    assert "Too many desks open" in await page.text()
            twice = [("X-Remote-User", "chloe.login"), ("X-Remote-User", "amina.login")]
            async with client.get(served.url + "/", headers=twice) as doubled:
                return second, page_status, doubled.status

    try:
        second, page_status, doubled = asyncio.run(scenario())
        assert second == 503  # the second desk is refused while the first is open
        assert page_status == 503  # and the page says so, rather than a desk that never opens
        assert doubled == 403  # a client's header that a proxy appended to
    finally:
        out = stop_server(served)
    assert "desk greet-1 opened for chloe" in out and "desk greet-1 closed for chloe" in out


# In the browser ----------------------------------------------------------------------------


class Tab:
    """A browser tab on a desk; ``text()`` is what the desk has sent it, escapes removed."""

    def __init__(self, context: Any, url: str) -> None:
        self.frames: list[bytes] = []
        self.page = context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("websocket", self._websocket)
        started = time.monotonic()
        self.page.goto(url)
        self.page.wait_for_selector("body.-first-byte", timeout=60_000)
        self.first_frame_seconds = time.monotonic() - started
        # Keys go to the terminal's (hidden) input, as after a click on the desk.
        self.page.focus("textarea.xterm-helper-textarea")

    def _websocket(self, ws: Any) -> None:
        ws.on("framereceived", lambda d: self.frames.append(d if isinstance(d, bytes) else b""))

    def text(self) -> str:
        return CSI.sub(b"", b"".join(self.frames)).decode("utf-8", "replace")

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never reached the browser:\n{self.text()[-2000:]}")
            self.page.wait_for_timeout(50)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in(browser: Any, login: str) -> Any:
    return browser.new_context(
        http_credentials={"username": login, "password": PASSWORDS[login]},
        # What a client sends itself is dropped by the proxy: this must not make anyone Amina.
        extra_http_headers={"X-Remote-User": "amina.login"},
        viewport={"width": 1280, "height": 800},
    )


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
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
