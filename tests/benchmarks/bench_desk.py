"""Desk app benchmarks: launch to first frame, key to updated frame, memory, live propagation.

Run: .venv/bin/python -m tests.benchmarks desk

Its last section (``desk_crowd``) is call next with 8 desk processes open on one database.

Launch, memory and propagation are measured on the real command in a real terminal (tmux), as
a person would see them. Key to frame is measured inside the app: from the key event handed to
the driver to the first frame that shows the result (Pilot's idle waits are not in it).
"""

from __future__ import annotations

import asyncio
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from textual import events

from oss_desk.clock import FixedClock
from oss_desk.domain.queue import waiting_for
from oss_desk.services.queue import QueueService
from oss_desk.services.runner import SessionRunner
from oss_desk.services.session import open_session
from oss_desk.services.site import initialise
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.widgets.big_code import BigCode

from .bench_core import percentile

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
OSS_DESK = Path(sys.executable).parent / "oss-desk"


def office(tmp: Path, waiting: int) -> Path:
    db = tmp / "office.sqlite"
    initialise(db, clock=FixedClock(NOW), demo_dir=tmp)
    session = open_session(db=db, clock=FixedClock(NOW - timedelta(minutes=20)), person="b")
    try:
        queue = QueueService(session)
        with session.store.write():
            for i in range(waiting):
                queue.issue("CBTQ"[i % 4], print_ticket=False)
    finally:
        session.close()
    return db


class Tmux:
    def __init__(self, command: str, env: dict[str, str], size: tuple[int, int] = (120, 36)):
        self.name = f"bench-{uuid.uuid4().hex[:8]}"
        # A server of its own: on the shared default server, a session closed just before
        # can take the server down while the next one is starting ("server exited unexpectedly").
        self.tmux = ["tmux", "-L", self.name]
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        self.started = time.perf_counter()
        subprocess.run(
            [
                *self.tmux,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(size[0]),
                "-y",
                str(size[1]),
                f"exec env {exports} {command}",
            ],
            check=True,
        )

    def screen(self) -> str:
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        ).stdout

    def wait_for(self, text: str, timeout: float = 20) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if text in self.screen():
                return time.perf_counter()
            time.sleep(0.002)
        raise RuntimeError(f"{text!r} did not appear")

    def pid(self) -> int:
        out = subprocess.run(
            [*self.tmux, "list-panes", "-t", self.name, "-F", "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return int(out.split()[0])

    def close(self) -> None:
        """End the session and wait (up to 10 s) for the program in it to be gone: it may still be
        writing beside its database (WAL, lock file) when a caller removes the folder."""
        try:
            pid: int | None = self.pid()
        except (subprocess.CalledProcessError, ValueError, IndexError):
            pid = None
        subprocess.run([*self.tmux, "kill-server"], check=False)
        deadline = time.monotonic() + 10
        while pid is not None and Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.02)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def settled_rss_mb(pid: int, seconds: float = 3.0) -> float:
    """The most resident memory (MB) over ``seconds``: the desk starts its device worker after
    its first frame, so a single early reading would miss it."""
    found = rss_mb(pid)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        time.sleep(0.25)
        found = max(found, rss_mb(pid))
    return found


def env_for(db: Path, tmp: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp),
        "TERM": "xterm-256color",
        "OSS_DESK_DB": str(db),
        "OSS_DESK_NOW": NOW.isoformat(),
    }


def launch(
    db: Path, tmp: Path, runs: int, settle: float = 3.0
) -> tuple[list[float], list[float], list[float]]:
    """Seconds from starting the command to the first frame and to the live queue; RSS MB
    (the most in the ``settle`` seconds after the live queue)."""
    first, loaded, memory = [], [], []
    for _ in range(runs):
        term = Tmux(f"{OSS_DESK} desk --desk greet-1", env_for(db, tmp))
        try:
            first.append(term.wait_for("Meet and greet") - term.started)
            loaded.append(term.wait_for("C001") - term.started)
            memory.append(settled_rss_mb(term.pid(), settle))
        finally:
            term.close()
    return first, loaded, memory


def propagation(db: Path, tmp: Path, samples: int) -> list[float]:
    """A ticket issued by another process, until it is on the adviser desk's screen."""
    term = Tmux(f"{OSS_DESK} desk --desk desk-1", env_for(db, tmp))
    session = open_session(db=db, clock=FixedClock(NOW), person="greeter")
    lags = []
    try:
        queue = QueueService(session)
        waiting = len(waiting_for(session.desk("desk-1"), queue.queue()))
        term.wait_for(f"Waiting for Desk 1: {waiting}")
        for _ in range(samples):
            queue.issue("W", print_ticket=False)
            committed = time.perf_counter()
            waiting += 1
            seen = term.wait_for(f"Waiting for Desk 1: {waiting}", timeout=10)
            lags.append(seen - committed)
            time.sleep(0.05 + (len(lags) % 7) * 0.02)  # commits land at varied poll phases
    finally:
        session.close()
        term.close()
    return lags


async def key_to_frame(
    db: Path, presses: int, pauses: tuple[float, float, float] = (0.2, 0.25, 0.05)
) -> tuple[list[float], list[float]]:
    """Key to the first frame that shows its result, for issue ticket and for call next
    (``pauses``: the idle seconds once the desk is up, before each key, a person's pace, and
    after each frame)."""
    clock = FixedClock(NOW)
    settle, pace, after = pauses

    async def measure(desk: str, key: str, character: str | None, done, before=None):  # type: ignore[no-untyped-def]
        runner = SessionRunner(lambda: open_session(db=db, clock=clock, desk_id=desk))
        runner.start()
        app = OssDeskApp(runner, desk_id=desk, cursor_blink=False)
        times: list[float] = []
        try:
            async with app.run_test(size=(120, 36)) as pilot:
                while app.snapshot is None:
                    await asyncio.sleep(0.01)
                await pilot.pause(settle)
                original = app._display
                for _ in range(presses):
                    if before is not None:
                        await before(app, runner)
                    await pilot.pause(pace)  # a person's pace: the desk is idle when a key comes
                    marker = done(app)
                    box: dict[str, float] = {}

                    def display(screen, renderable, marker=marker, box=box):  # type: ignore[no-untyped-def]
                        if "t" not in box and renderable is not None and marker():
                            box["t"] = time.perf_counter()
                        return original(screen, renderable)

                    app._display = display  # type: ignore[method-assign]
                    t0 = time.perf_counter()
                    app._driver.send_message(events.Key(key, character))  # type: ignore[union-attr]
                    while "t" not in box:
                        await asyncio.sleep(0.0005)
                    times.append(box["t"] - t0)
                    app._display = original  # type: ignore[method-assign]
                    await pilot.pause(after)
        finally:
            runner.close()
        return times

    def issued(app: OssDeskApp):  # type: ignore[no-untyped-def]
        code = app.screen.query_one(BigCode).code
        return lambda: app.screen.query_one(BigCode).code not in ("", code)

    def called(app: OssDeskApp):  # type: ignore[no-untyped-def]
        return lambda: app.screen.query_one(BigCode).code not in ("", "----")

    async def free_the_desk(app: OssDeskApp, runner: SessionRunner) -> None:
        ticket = app.screen.my_ticket()  # type: ignore[attr-defined]
        if ticket is not None:
            await runner.call(lambda s: QueueService(s).finish(ticket.id, "resolved"))
            await app.after_write()
            while app.screen.query_one(BigCode).code != "----":
                await asyncio.sleep(0.005)

    async def choose_service(app: OssDeskApp, runner: SessionRunner) -> None:
        app.screen.choose("C")  # type: ignore[attr-defined]  # chosen for one ticket only

    issue = await measure("greet-1", "enter", "\r", issued, choose_service)
    call = await measure("desk-1", "n", "n", called, free_the_desk)
    return issue, call


async def reports_mode_open(
    db: Path, now: datetime, runs: int, pauses: tuple[float, float] = (0.3, 0.1)
) -> tuple[list[float], list[float]]:
    """F6 to the frame showing the day's report, then M to the frame showing the month (with
    its 12-month trend): each in a freshly started app, as a team leader opens it
    (``pauses``: the idle seconds once the app is up, and after each frame)."""
    from oss_desk.ui.screens.reports import ReportsScreen

    days: list[float] = []
    months: list[float] = []
    for _ in range(runs):
        clock = FixedClock(now)
        runner = SessionRunner(partial(open_session, db=db, clock=clock, check=False))
        runner.start()
        app = OssDeskApp(runner, desk_id=None, cursor_blink=False)
        try:
            async with app.run_test(size=(120, 36)) as pilot:
                while app.snapshot is None:
                    await asyncio.sleep(0.01)
                await pilot.pause(pauses[0])
                original = app._display
                for key, period, into in (("f6", "day", days), ("m", "month", months)):
                    box: dict[str, float] = {}

                    def display(
                        screen: Any,
                        renderable: Any,
                        period: str = period,
                        box: dict[str, float] = box,
                        app: OssDeskApp = app,
                        original: Any = original,
                    ) -> Any:
                        current = app.screen
                        if (
                            "t" not in box
                            and renderable is not None
                            and isinstance(current, ReportsScreen)
                            and current.shown is not None
                            and current.shown[0] == period
                        ):
                            box["t"] = time.perf_counter()
                        return original(screen, renderable)

                    app._display = display  # type: ignore[method-assign]
                    t0 = time.perf_counter()
                    app._driver.send_message(events.Key(key, None))  # type: ignore[union-attr]
                    while "t" not in box:
                        await asyncio.sleep(0.0005)
                    into.append(box["t"] - t0)
                    app._display = original  # type: ignore[method-assign]
                    await pilot.pause(pauses[1])
        finally:
            runner.close()
    return days, months


def main(quick: bool = False) -> None:
    # The smoke run: one launch, one more memory reading after a quarter second; few presses,
    # keys and samples, short pauses between them (each still waits for what it measures).
    runs, settle = (1, 0.25) if quick else (7, 3.0)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        db = office(tmp, 12)
        first, loaded, memory = launch(db, tmp, runs, settle)
        print(f"Launch, `oss-desk desk` in a real terminal (tmux 120x36), {runs} runs")
        print(
            f"  to first frame:       median {statistics.median(first) * 1000:.0f} ms, "
            f"max {max(first) * 1000:.0f} ms   (goal: under 600 ms)"
        )
        print(f"  to the live queue:    median {statistics.median(loaded) * 1000:.0f} ms")
        print(
            f"  resident memory:      median {statistics.median(memory):.0f} MB, "
            f"max {max(memory):.0f} MB   (goal: under 80 MB)"
        )
        presses = 2 if quick else 40
        pauses = (0.05, 0.05, 0.0) if quick else (0.2, 0.25, 0.05)
        issue, call = asyncio.run(key_to_frame(db, presses, pauses))
        print(f"\nKey to updated frame, inside the app (headless), {presses} presses each")
        for label, values in (("issue ticket (Enter)", issue), ("call next (n)", call)):
            print(
                f"  {label:21s} median {statistics.median(values) * 1000:.1f} ms, "
                f"p90 {percentile(values, 90) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"
                "   (goal: median under 30 ms)"
            )
        from tests.benchmarks.bench_reports import END, QUICK_PER_DAY, history, quick_history

        busy = quick_history(1) if quick else history(1, 1, 700, weeks=2)
        evening = datetime(END.year, END.month, END.day, 17, 30, tzinfo=UTC)
        idle = (0.05, 0.0) if quick else (0.3, 0.1)
        opened, month = asyncio.run(reports_mode_open(Path(busy["db"]), evening, runs, idle))
        what = f"3 weeks, ~{QUICK_PER_DAY} a day" if quick else "2 weeks, ~1,000 visits a day"
        print(
            f"\nReports mode (F6) in a fresh app, {runs} runs, {END} of generated history ({what})"
        )
        print(
            f"  F6 to the day's report:  median {statistics.median(opened) * 1000:.0f} ms, "
            f"max {max(opened) * 1000:.0f} ms   (goal: under 300 ms)"
        )
        print(
            f"  M to the month's report: median {statistics.median(month) * 1000:.0f} ms, "
            f"max {max(month) * 1000:.0f} ms"
        )
        samples = 2 if quick else 40
        lags = propagation(db, tmp, samples)
        print(f"\nChange propagation between two desk processes (tmux screen), {samples} tickets")
        print(
            f"  median {statistics.median(lags) * 1000:.0f} ms, "
            f"p95 {percentile(lags, 95) * 1000:.0f} ms, max {max(lags) * 1000:.0f} ms"
            "   (goal: p95 under 500 ms)"
        )
    from tests.benchmarks.desk_crowd import main as with_desks_open

    with_desks_open(quick)
