"""The waiting-room screen for tests and benchmarks: the real `oss-desk screen`, Chromium pages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .browser_desks import CHROMIUM, CHROMIUM_ARGS, clean_env
from .conftest import ROOT
from .messaging import free_port

# What a kiosk gets (see the README): sound without a click first.
KIOSK_ARGS = [*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"]

# Records every Web Audio tone the page starts (an independent witness of the chime).
AUDIO_WITNESS = """
window.__tones = [];
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.__tones.push({ frequency: this.frequency.value, state: this.context.state });
  return start.apply(this, args);
};
"""


@dataclass
class Screen:
    process: subprocess.Popen[str]
    port: int
    db: Path
    folder: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_screen(
    db: Path,
    folder: Path,
    port: int | None = None,
    *args: str,
    now: str | None = None,
    env: dict[str, str] | None = None,
) -> Screen:
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oss_desk", "--db", str(db), "screen", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(folder) | ({"OSS_DESK_NOW": now} if now else {}) | (env or {}),
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "waiting-room screen on" in line, f"oss-desk screen did not start: {line!r}"
    return Screen(process, port, db, folder)


def stop_screen(screen: Screen, kill: bool = False) -> None:
    if screen.process.poll() is None:
        screen.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    try:
        screen.process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        screen.process.kill()
        screen.process.communicate()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def cli(db: Path, folder: Path, *args: str) -> str:
    """The real `oss-desk` in its own process, at the tests' fixed instant."""
    result = subprocess.run(
        [sys.executable, "-m", "oss_desk", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=clean_env(folder),
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def cli_here(db: Path, folder: Path, *args: str) -> str:
    """As :func:`cli`, with the real entry point run in the test's own process
    (tests/cli_here.py): for a test whose point is what the command does to the office the
    screen shows (the screen stays a process of its own), not the command's own process."""
    from .cli_here import run_cli_here

    result = run_cli_here("--db", str(db), *args, env=clean_env(folder))
    assert result.returncode == 0, result.stderr
    return result.stdout


def launch_kiosk(playwright: Any) -> Any:
    """Debian's Chromium, headless, with a kiosk's autoplay policy."""
    if not Path(CHROMIUM).exists():
        raise AssertionError(f"{CHROMIUM} is missing: install Debian's chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=KIOSK_ARGS)


def kiosk_browser() -> Iterator[Any]:
    """The body of a test's ``browser`` fixture: a kiosk Chromium, closed after the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_kiosk(playwright)
        try:
            yield browser
        finally:
            browser.close()


def open_screen(browser: Any, url: str) -> tuple[Any, list[str]]:
    """A screen page with the audio witness; returns it and every URL it requested."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script(AUDIO_WITNESS)
    page.goto(url + "/")
    page.wait_for_function("() => window.ossDeskScreen && window.ossDeskScreen.states > 0")
    return page, requests


def wait_for(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
