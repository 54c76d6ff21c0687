"""The waiting-room screen end to end: the real `oss-desk screen`, Chromium, the real CLI.

A call made with the command line shows on the page within a second (waited for, never
timed); the chime plays (a Web Audio tone, seen by a witness the test puts in the page); the
page asks nothing of any other origin; killed and started again, the server is found again by
the page on its own. The screen shows codes, desks and public labels, never a name.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock
from oss_desk.services.site import initialise

from .conftest import MONDAY_0930, site_toml
from .screens import (
    Screen,
    cli_here,
    get,
    kiosk_browser,
    open_screen,
    start_screen,
    stop_screen,
)

pytestmark = pytest.mark.slow

WELSH = """
[screen]
message = "Open 9 to 5"
message_cy = "Ar agor 9 tan 5"
"""


def office(folder: Path, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "site.toml"
    config.write_text(site_toml(extra=extra), encoding="utf-8")
    db = folder / "office.sqlite"
    initialise(db, clock=FixedClock(MONDAY_0930), config_path=config)
    return db


chromium = pytest.fixture(scope="module", name="chromium")(kiosk_browser)


@pytest.fixture
def browser(chromium: Any) -> Iterator[Any]:
    """The module's kiosk Chromium (started once, a second or more each time): every page a
    test opens is in a context of its own (``new_page``), closed when the test ends."""
    before = set(chromium.contexts)
    yield chromium
    for context in chromium.contexts:
        if context not in before:
            context.close()


@pytest.fixture
def screen(tmp_path: Path) -> Iterator[Screen]:
    db = office(tmp_path)
    served = start_screen(db, tmp_path)
    try:
        yield served
    finally:
        stop_screen(served)


def latest(page: Any) -> str:
    return str(page.text_content("#latest"))


def test_a_call_from_the_command_line_shows_chimes_and_stays_home(
    screen: Screen, browser: Any
) -> None:
    page, requests = open_screen(browser, screen.url)
    assert page.evaluate("window.__tones.length") == 0  # nothing announced on opening
    cli_here(screen.db, screen.folder, "ticket", "issue", "--service", "C", "--desk", "greet-1")
    cli_here(screen.db, screen.folder, "ticket", "issue", "--service", "H", "--desk", "greet-1")
    cli_here(screen.db, screen.folder, "ticket", "call-next", "--desk", "desk-1")
    # From the moment the command has returned, the page has one second.
    page.wait_for_function(
        "() => document.querySelector('#latest .code')?.textContent === 'C001'", timeout=1000
    )
    assert "Desk 1" in latest(page)
    page.wait_for_function("() => window.__tones.length >= 2", timeout=3000)  # the chime: two tones
    tones = page.evaluate("window.__tones")
    assert [t["frequency"] for t in tones[:2]] == [880, 659.25]
    assert tones[0]["state"] == "running"  # a kiosk browser lets it sound
    waiting = str(page.text_content("#waiting-list"))
    assert "Housing" in waiting and "1" in waiting
    body = str(page.text_content("body"))
    assert "homelessness" not in body  # the service's name never; its public label only
    origin = screen.url + "/"
    assert requests and all(url.startswith(origin) for url in requests), requests
    # The page loads nothing from elsewhere: no absolute URL to anywhere, and its policy says so.
    status, page_source = get(origin)
    assert status == 200
    assert "http" not in page_source.replace(screen.url, "")
    with urllib.request.urlopen(origin) as response:
        policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy


def test_the_screen_finds_the_server_again_after_it_restarts(tmp_path: Path, browser: Any) -> None:
    db = office(tmp_path)
    first = start_screen(db, tmp_path)
    page, requests = open_screen(browser, first.url)
    cli_here(db, tmp_path, "ticket", "issue", "--service", "C", "--desk", "greet-1")
    cli_here(db, tmp_path, "ticket", "call-next", "--desk", "desk-1")
    page.wait_for_function("() => document.querySelector('#latest .code')?.textContent === 'C001'")
    stop_screen(first, kill=True)  # gone without a word (kill -9)
    page.wait_for_selector("#offline", state="visible", timeout=10_000)
    again = start_screen(db, tmp_path, first.port)
    try:
        cli_here(db, tmp_path, "ticket", "issue", "--service", "W", "--desk", "greet-1")
        cli_here(db, tmp_path, "ticket", "call-next", "--desk", "desk-2")
        page.wait_for_function(
            "() => document.querySelector('#latest .code')?.textContent === 'W001'", timeout=10_000
        )
        page.wait_for_selector("#offline", state="hidden")
        assert "C001" in str(page.text_content("#previous-list"))
        page.wait_for_function("() => window.__tones.length >= 4")  # both calls were announced
    finally:
        stop_screen(again)
    assert all(url.startswith(first.url + "/") for url in requests)
    assert requests.count(first.url + "/") == 1  # found again without a reload (that forgets)


def first_event(url: str) -> str:
    """The first state a screen is sent on connecting to ``url``'s event stream."""
    with urllib.request.urlopen(url + "/events", timeout=10) as stream:
        for raw in stream:
            line = bytes(raw).decode()
            if line.startswith("data: "):
                return line.removeprefix("data: ").strip()
    raise AssertionError("the stream ended before any state")


def test_a_screen_back_at_once_is_sent_a_whole_state(tmp_path: Path) -> None:
    """A screen that reconnects the moment the server is up again (before it has read the
    queue) waits for the state: an empty one made the page reload as if upgraded, and forget
    which calls it had announced, so a call made meanwhile was shown but never said."""
    db = office(tmp_path)
    cli_here(db, tmp_path, "ticket", "issue", "--service", "C", "--desk", "greet-1")
    cli_here(db, tmp_path, "ticket", "call-next", "--desk", "desk-1")
    served = start_screen(db, tmp_path)
    try:
        status, body = get(served.url + "/state.json")  # at once: unknown yet, or whole
        assert status == 503 or '"code":"C001"' in body, (status, body)
        state = first_event(served.url)
        assert '"version":' in state and '"code":"C001"' in state, state
    finally:
        stop_screen(served)


def test_a_recall_is_announced_again(screen: Screen, browser: Any) -> None:
    page, _ = open_screen(browser, screen.url)
    cli_here(screen.db, screen.folder, "ticket", "issue", "--service", "C", "--desk", "greet-1")
    cli_here(screen.db, screen.folder, "ticket", "call-next", "--desk", "desk-1")
    page.wait_for_function("() => window.__tones.length >= 2")
    cli_here(screen.db, screen.folder, "ticket", "recall", "C001")
    page.wait_for_function("() => window.__tones.length >= 4", timeout=5000)
    assert latest(page).startswith("C001")


def test_a_welsh_office_screen(tmp_path: Path, browser: Any) -> None:
    extra = WELSH
    db = office(tmp_path, extra)
    toml = (tmp_path / "site.toml").read_text(encoding="utf-8")
    toml = toml.replace('name = "Civic Centre"', 'name = "Civic Centre"\nnation = "WLS"')
    toml = toml.replace('name = "Desk 1"', 'name = "Desk 1"\nname_cy = "Desg 1"')
    (tmp_path / "site.toml").write_text(toml, encoding="utf-8")
    initialise(db, clock=FixedClock(MONDAY_0930), config_path=tmp_path / "site.toml")
    served = start_screen(db, tmp_path)
    try:
        page, _ = open_screen(browser, served.url)
        cli_here(db, tmp_path, "ticket", "issue", "--service", "C", "--desk", "greet-1")
        cli_here(db, tmp_path, "ticket", "call-next", "--desk", "desk-1")
        page.wait_for_function(
            "() => document.querySelector('#latest .code')?.textContent === 'C001'"
        )
        assert str(page.text_content("#now-title")) == "Yn galw nawr / Now calling"
        assert "Desg 1 / Desk 1" in latest(page)
        assert str(page.text_content("#message")).startswith("Ar agor 9 tan 5")
        assert page.evaluate("document.documentElement.lang") == "cy"
        status, state = get(served.url + "/state.json")
        assert status == 200
        assert '"speech":["Tocyn C 0 0 1, Desg 1","Ticket C 0 0 1, Desk 1"]' in state
        assert '"voices":["cy-GB","en-GB"]' in state
    finally:
        stop_screen(served)


CARRY = """(back) => {
  const ids = Object.keys(window.ossDeskScreen.shown).map((key) => Number(key.split("#")[1]));
  sessionStorage.setItem(
    "ossDeskScreenSeen", JSON.stringify({ seen: Math.max(...ids), at: Date.now() - back })
  );
}"""
"""What an upgrade's reload does to the page: the newest call it had seen, kept with the time
(``back`` milliseconds ago), before it goes."""


@pytest.mark.parametrize(("saved_ago_ms", "chimes"), [(0, 1), (180_000, 0)])
def test_a_call_made_while_the_page_reloads_is_announced(
    screen: Screen, browser: Any, saved_ago_ms: int, chimes: int
) -> None:
    """An upgrade reloads the page; a call made meanwhile was shown but never chimed or said
    (the new page had forgotten what it had announced). What it had seen is carried across the
    reload, for a couple of minutes at most (an older record: nothing announced)."""
    page, _ = open_screen(browser, screen.url)
    cli_here(screen.db, screen.folder, "ticket", "issue", "--service", "C", "--desk", "greet-1")
    cli_here(screen.db, screen.folder, "ticket", "issue", "--service", "H", "--desk", "greet-1")
    cli_here(screen.db, screen.folder, "ticket", "call-next", "--desk", "desk-1")
    page.wait_for_function("() => window.ossDeskScreen.chimes === 1")  # C001 announced
    page.evaluate(CARRY, saved_ago_ms)
    page.goto("about:blank")  # the page gone, as during a reload
    cli_here(screen.db, screen.folder, "ticket", "call-next", "--desk", "desk-2")  # meanwhile
    page.goto(screen.url + "/")
    page.wait_for_function("() => window.ossDeskScreen && window.ossDeskScreen.states > 0")
    page.wait_for_function(
        "() => document.querySelector('#latest .code')?.textContent === 'H001'", timeout=3000
    )
    assert page.evaluate("window.ossDeskScreen.chimes") == chimes  # decided on the first state
    assert page.evaluate("sessionStorage.getItem('ossDeskScreenSeen')") is None  # used once
