"""Browser desks for tests and benchmarks: the office, the real `oss-desk serve`, Chromium tabs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .conftest import ROOT
from .messaging import free_port

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
    text = re.sub(r'^login = "[a-z]+"\n', "", text, flags=re.M)  # the demo's own logins
    text = re.sub(
        r'(\[\[staff\]\]\nid = "([a-z]+)"\n)', lambda m: f'{m[1]}login = "{m[2]}.login"\n', text
    )
    path = folder / "site.toml"
    path.write_text(text.replace("{demo_dir}", str(folder)), encoding="utf-8")
    return path


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
    port = free_port()  # held for this test: no other test's process is given it meanwhile
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


class Tab:
    """A browser tab on a desk; ``text()`` is what the desk has sent it, escapes removed."""

    def __init__(self, context: Any, url: str, *, focus: bool = True) -> None:
        self.frames: list[bytes] = []
        self.page = context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("websocket", self._websocket)
        started = time.monotonic()
        self.page.goto(url)
        self.page.wait_for_selector("body.-first-byte", timeout=60_000)
        self.first_frame_seconds = time.monotonic() - started
        if focus:  # keys go to the terminal's (hidden) input, as after a click on the desk
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


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless (never a browser downloaded by Playwright)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
