"""The waiting-room screen: a call to the screen updated, with 8 desks calling and 3 screens open.

Run: .venv/bin/python -m tests.benchmarks screen

The real `oss-desk screen` runs in its own process; 8 desk processes call the next resident,
each at its own pace (0.3 to 0.9 s at the desk between calls), and note the wall-clock time
each call was committed; 3 Chromium pages show the screen and note when each code first
appeared on them (the page's own record, wall clock, same machine). The floor, measured in
the same run, is the same server's event read by a plain HTTP client in this process (no
browser): what is left above it is the browser's share.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from oss_desk.clock import FixedClock
from oss_desk.domain.stats import percentile
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.browser_desks import NOW, clean_env  # noqa: E402
from tests.conftest import MONDAY_0930  # noqa: E402
from tests.screens import launch_kiosk, open_screen, start_screen, stop_screen  # noqa: E402

DESKS = 8
SCREENS = 3
DESK = textwrap.dedent(
    """
    import json, random, sys, time
    from oss_desk.services.queue import QueueService
    from oss_desk.services.session import open_session
    db, desk, calls, start_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    session = open_session(db=db, person="bench", desk_id=desk)
    queue = QueueService(session)
    pace = random.Random(desk)
    while time.time() < start_at:
        time.sleep(0.005)
    for _ in range(calls):
        ticket = queue.call_next(desk)
        if ticket is None:
            break
        print(json.dumps({"code": ticket.code, "t": time.time()}), flush=True)
        time.sleep(pace.uniform(0.3, 0.9))
        queue.finish(ticket.id, "resolved")
    session.close()
    """
)


def office(tmp: Path, tickets: int) -> Path:
    desks = "".join(f'\n[[desks]]\nid = "desk-{i}"\nname = "Desk {i}"\n' for i in range(1, 9))
    config = tmp / "site.toml"
    config.write_text(
        '[access]\nuser_override = "anyone"\nname_unlisted = true\n'  # many people, one login
        '[[sites]]\nid = "hq"\nname = "Civic Centre"\n'
        '[[services]]\ncode = "C"\nname = "Council Tax"\n'
        '[[services]]\ncode = "W"\nname = "Waste"\n'
        '[[desks]]\nid = "greet-1"\nkind = "meet-and-greet"\n'
        + desks
        + "\n[queue]\nstaffed_desks_only = false\n",
        encoding="utf-8",
    )
    db = tmp / "office.sqlite"
    initialise(db, clock=FixedClock(MONDAY_0930), config_path=config)
    session = open_session(db=db, clock=FixedClock(MONDAY_0930), person="bench", desk_id="greet-1")
    try:
        queue = QueueService(session)
        for n in range(tickets):
            queue.issue("C" if n % 3 else "W", print_ticket=False)
    finally:
        session.close()
    return db


class EventReader(threading.Thread):
    """A plain HTTP client on the screen's event stream: when each code was first seen."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.seen: dict[str, float] = {}

    def run(self) -> None:
        with urllib.request.urlopen(self.url + "/events", timeout=120) as stream:
            for raw in stream:
                if raw.startswith(b"data: "):
                    now = time.time()
                    for call in json.loads(raw[6:]).get("calls", []):
                        self.seen.setdefault(call["code"], now)


def pct(values: list[float], q: float) -> float:
    result = percentile(values, q)
    assert result is not None
    return result


def line(label: str, values: list[float], floor: float | None = None) -> str:
    p50, p95 = statistics.median(values), pct(values, 95)
    ratio = f", {p50 / floor:.1f}x the floor's median" if floor else ""
    top = max(values)
    return (
        f"  {label:26s} p50 {p50 * 1000:5.0f} ms   p95 {p95 * 1000:5.0f} ms   "
        f"max {top * 1000:5.0f} ms{ratio}"
    )


def every_call_shown(pages: list[Any], codes: set[str], timeout: float) -> None:
    """Return once each page has shown every one of ``codes`` or ``timeout`` s have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = [page.evaluate("window.ossDeskScreen.shown") for page in pages]
        if all(codes <= {key.split("#")[0] for key in record} for record in records):
            return
        time.sleep(0.02)


def main(quick: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    # The smoke run: one desk process calling twice, one screen.
    per_desk, desks_calling, screens = (2, 1, 1) if quick else (25, DESKS, SCREENS)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        db = office(tmp, desks_calling * per_desk + 10)
        screen = start_screen(db, tmp)
        try:
            with sync_playwright() as playwright:
                browser = launch_kiosk(playwright)
                pages = [open_screen(browser, screen.url)[0] for _ in range(screens)]
                reader = EventReader(screen.url)
                reader.start()
                # a desk process that starts late only starts calling late
                start_at = time.time() + (0.5 if quick else 2.0)
                env = clean_env(tmp) | {"PYTHONPATH": str(ROOT), "OSS_DESK_NOW": NOW}
                desks = [
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-c",
                            DESK,
                            str(db),
                            f"desk-{i}",
                            str(per_desk),
                            str(start_at),
                        ],
                        stdout=subprocess.PIPE,
                        text=True,
                        env=env,
                    )
                    for i in range(1, desks_calling + 1)
                ]
                committed: dict[str, float] = {}
                for desk in desks:
                    out, _ = desk.communicate(timeout=600)
                    assert desk.returncode == 0, "a desk process failed"
                    for row in out.splitlines():
                        call = json.loads(row)
                        committed[call["code"]] = call["t"]
                if quick:  # until every call is on every screen (at most the full run's wait)
                    every_call_shown(pages, set(committed), 1.5)
                else:
                    time.sleep(1.5)  # the last calls reach every screen
                shown = [page.evaluate("window.ossDeskScreen.shown") for page in pages]
                browser.close()
        finally:
            stop_screen(screen)
    floor = [reader.seen[c] - t for c, t in committed.items() if c in reader.seen]
    per_screen = []
    missed = 0
    for record in shown:
        first = {key.split("#")[0]: at / 1000 for key, at in record.items()}
        lags = [first[c] - t for c, t in committed.items() if c in first]
        missed += len(committed) - len(lags)
        per_screen.append(lags)
    every = [lag for lags in per_screen for lag in lags]
    print(
        f"A call to the waiting-room screen updated: {desks_calling} desk processes calling, "
        f"{screens} screens open in Chromium, {len(committed)} calls"
    )
    print(line("floor (plain HTTP client)", floor))
    base = statistics.median(floor) if floor else None
    for n, lags in enumerate(per_screen, start=1):
        print(line(f"screen {n}", lags, base))
    print(line("all screens", every, base) + "   (goal: p95 under 1 s)")
    print(f"  calls never shown on a screen: {missed} (of {len(committed) * screens})")
    codes = [{key.split("#")[0] for key in record} for record in shown]
    gone = {c for c in committed if any(c not in seen for seen in codes)}
    assert missed == 0, (
        f"calls never shown: {gone} (the plain client saw {gone & reader.seen.keys()})"
    )
