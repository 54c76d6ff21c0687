"""Call next with 8 desks open: key to the frame showing the called code, while 7 other desk
processes watch the same database (issue 17's goal: median under 50 ms).

Run: .venv/bin/python -m tests.benchmarks desk (this is its last section).

The other desks are the real command (``oss-desk desk --desk ID``), each in a terminal of its
own (a tmux server of its own), polling the database as they do at a counter: every call made
here changes the database, so each of them reads the queue again and redraws (their screens are
checked to have followed). The measuring desk runs in this process, headless, and times from
the key handed to the driver to the first frame whose big code shows the ticket called (as the
one-desk figure above does). Beside it, in the same run: the same desk with no other desk open,
and the floor, a trivial Textual app's key to frame (a key that changes one label), measured
the same way.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from oss_desk.clock import FixedClock
from oss_desk.domain.models import Actor
from oss_desk.domain.queue import waiting_for
from oss_desk.services.queue import QueueService
from oss_desk.services.runner import SessionRunner
from oss_desk.services.session import Session, open_session
from oss_desk.services.site import demo_toml, initialise
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.widgets.big_code import BigCode

from .bench_core import percentile
from .bench_desk import NOW, OSS_DESK, Tmux, env_for

OTHER_DESKS = ("greet-1", "desk-2", "desk-3", "desk-4", "room-1", "desk-5", "desk-6")
"""The 7 desks open beside the measuring one (desk-1)."""
WAITING = 12
"""Residents waiting (as in the one-desk figure above): each call is followed by an arrival."""
PACE = 0.25
"""Seconds between presses: a person's pace, so the desk is idle when a key comes."""


def crowded_office(tmp: Path, waiting: int) -> Path:
    """The demo office with two more adviser desks (8 desks in all) and ``waiting`` residents."""
    db = tmp / "crowd.sqlite"
    config = tmp / "crowd.toml"
    extra = "".join(
        f'\n[[desks]]\nid = "desk-{n}"\nname = "Desk {n}"\nperson = "adv{n}"\n'
        f'\n[[staff]]\nid = "adv{n}"\nlogin = "adv{n}"\nname = "Adviser {n}"\nrole = "adviser"\n'
        for n in (5, 6)
    )
    config.write_text(demo_toml(tmp) + extra, encoding="utf-8")
    initialise(db, clock=FixedClock(NOW), config_path=config)
    session = open_session(db=db, clock=FixedClock(NOW), person="chloe", desk_id="greet-1")
    try:
        queue = QueueService(session)
        with session.store.write():
            for i in range(waiting):
                queue.issue("CBTQW"[i % 5], print_ticket=False)
    finally:
        session.close()
    return db


async def _timed_presses(
    app: App[Any],
    key: str,
    character: str | None,
    presses: int,
    marker: Callable[[], bool],
    before: Callable[[], Any] | None = None,
    pace: float = PACE,
) -> list[float]:
    """For each press: the seconds from the key handed to the driver to the first frame drawn
    while ``marker()`` holds (``before`` puts the screen back between presses; ``pace``: the
    idle seconds before each key)."""
    original = app._display
    times: list[float] = []
    for _ in range(presses):
        if before is not None:
            await before()
        await asyncio.sleep(pace)
        box: dict[str, float] = {}

        def display(screen: Any, renderable: Any, box: dict[str, float] = box) -> Any:
            if "t" not in box and renderable is not None and marker():
                box["t"] = time.perf_counter()
            return original(screen, renderable)

        app._display = display  # type: ignore[method-assign]
        started = time.perf_counter()
        app._driver.send_message(events.Key(key, character))  # type: ignore[union-attr]
        while "t" not in box:
            await asyncio.sleep(0.0005)
        times.append(box["t"] - started)
        app._display = original  # type: ignore[method-assign]
    return times


class Trivial(App[None]):
    """The floor: one label, one key that changes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("n", "call", "Call")]

    def compose(self) -> ComposeResult:
        yield Static("----", id="code")

    def action_call(self) -> None:
        self.calls = getattr(self, "calls", 0) + 1
        self.query_one("#code", Static).update(f"C{self.calls:03d}")


async def floor(presses: int, pace: float = PACE) -> list[float]:
    app = Trivial()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.8 * pace)
        label = app.query_one("#code", Static)
        shown = {"code": "----"}

        def changed() -> bool:
            return str(label.render()) != shown["code"]

        async def note() -> None:
            shown["code"] = str(label.render())

        return await _timed_presses(app, "n", "n", presses, changed, note, pace)


async def call_next(db: Path, presses: int, pace: float = PACE) -> list[float]:
    """Desk 1: finish the resident at the desk, then N, timed to the frame with the code."""
    clock = FixedClock(NOW)
    runner = SessionRunner(lambda: open_session(db=db, clock=clock, desk_id="desk-1"))
    runner.start()
    app = OssDeskApp(runner, desk_id="desk-1", cursor_blink=False)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            while app.snapshot is None:
                await asyncio.sleep(0.01)
            await pilot.pause(0.8 * pace)

            def code() -> str:
                return app.screen.query_one(BigCode).code

            async def free_the_desk() -> None:
                """Finish the resident at the desk; one more arrives (the queue stays at its
                length, as on a steady morning)."""
                ticket = app.screen.my_ticket()  # type: ignore[attr-defined]
                if ticket is not None:

                    def finish_and_arrive(session: Session) -> None:
                        QueueService(session).finish(ticket.id, "resolved")
                        greeter = QueueService(session, Actor("chloe", "greet-1"))
                        greeter.issue(ticket.service, print_ticket=False)

                    await runner.call(finish_and_arrive)
                    await app.after_write()
                    while code() != "----":
                        await asyncio.sleep(0.005)

            return await _timed_presses(
                app, "n", "n", presses, lambda: code() not in ("", "----"), free_the_desk, pace
            )
    finally:
        runner.close()


def waiting_at(db: Path, desk: str) -> int:
    session = open_session(db=db, clock=FixedClock(NOW), person="chloe", desk_id="greet-1")
    try:
        return len(waiting_for(session.desk(desk), QueueService(session).queue()))
    finally:
        session.close()


def crowd(
    tmp: Path, others: int, presses: int, pace: float = PACE
) -> tuple[list[float], list[float], list[float]]:
    """(floor, call next alone, call next with ``others`` desk processes open)."""
    db = crowded_office(tmp, WAITING)
    floors = asyncio.run(floor(presses, pace))
    alone = asyncio.run(call_next(db, presses, pace))
    terms: list[Tmux] = []
    try:
        for desk in OTHER_DESKS[:others]:
            terms.append(Tmux(f"{OSS_DESK} desk --desk {desk}", env_for(db, tmp), (80, 24)))
        for term in terms:
            term.wait_for("Waiting", timeout=60)  # open, with the live queue on screen
        crowded = asyncio.run(call_next(db, presses, pace))
        # The others followed every call: the last count of desk-2's queue is on its screen.
        if "desk-2" in OTHER_DESKS[:others]:
            terms[1].wait_for(f"Waiting for Desk 2: {waiting_at(db, 'desk-2')}", timeout=10)
    finally:
        for term in terms:
            term.close()
    return floors, alone, crowded


def main(quick: bool = False) -> None:
    # The smoke run: one other desk, 2 presses each, a short pause before each.
    others, presses, pace = (1, 2, 0.05) if quick else (len(OTHER_DESKS), 30, PACE)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as name:
        floors, alone, crowded = crowd(Path(name), others, presses, pace)
    base = statistics.median(floors)
    print(
        f"\nCall next with {others + 1} desks open ({others} other desk processes in terminals"
        f" of their own, polling the same database), {presses} presses each, {WAITING} waiting"
    )
    for label, values in (
        ("floor: a trivial Textual app", floors),
        ("call next, this desk alone", alone),
        (f"call next, {others + 1} desks open", crowded),
    ):
        median = statistics.median(values)
        print(
            f"  {label:31s} median {median * 1000:.1f} ms, p90 "
            f"{percentile(values, 90) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"
            f"   ({median / base:.1f}x the floor)"
        )
    print("  goal: call next with 8 desks open, median under 50 ms")
