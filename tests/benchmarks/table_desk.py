"""The speed table's rows about start-up and the desk app: `oss-desk queue` as a whole process,
the desk's launch and memory in a real terminal, a key to the frame that shows its result, and a
change made elsewhere reaching a desk's screen. Each beside a floor measured in the same run."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.benchmarks.bench_desk import NOW, OSS_DESK, Tmux, env_for, office, settled_rss_mb
from tests.benchmarks.bench_table import Row, alternate, median, ms

if TYPE_CHECKING:
    from oss_desk.domain.models import Ticket

BIN = Path(sys.executable).parent

TRIVIAL_APP = textwrap.dedent(
    """
    from textual.app import App, ComposeResult
    from textual.binding import Binding
    from textual.widgets import Static


    class Trivial(App[None]):
        BINDINGS = [Binding("n", "next", "Next")]
        count = 0

        def compose(self) -> ComposeResult:
            yield Static("Trivial app ready", id="line")

        def action_next(self) -> None:
            self.count += 1
            self.query_one("#line", Static).update(f"called {self.count}")


    if __name__ == "__main__":
        Trivial().run()
    """
)


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stderr.decode()[-300:]}")
    return took


def start_up(quick: bool) -> list[Row]:
    runs = 1 if quick else 11
    with tempfile.TemporaryDirectory(prefix="speed-table-") as name:
        tmp = Path(name)
        db = office(tmp, 12)
        env = {**env_for(db, tmp), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
        commands = {
            "ours": [str(OSS_DESK), "queue"],
            "sqlite_utils": [str(BIN / "sqlite-utils"), "tables", str(db)],
            "bare": [sys.executable, "-c", "import sqlite3, click"],
        }
        if not quick:  # the smoke run only shows that each command is measured
            for command in commands.values():
                _timed(command, env)  # warm the page cache
        found = alternate(
            runs, **{key: (lambda c=command: _timed(c, env)) for key, command in commands.items()}
        )
        ours, peer, bare = (median(found[k]) for k in ("ours", "sqlite_utils", "bare"))
        queue_row = Row(
            "`oss-desk queue`, whole process",
            f"median {ms(ours)} ({runs} runs)",
            f'`sqlite-utils tables` {ms(peer)}; `python -c "import sqlite3, click"` {ms(bare)}',
            ours / peer,
            "<= 1x sqlite-utils",
            ours <= peer,
        )
        launch_row, memory_row = desk_launch(db, tmp, quick)
    return [queue_row, launch_row, memory_row]


def desk_launch(db: Path, tmp: Path, quick: bool) -> tuple[Row, Row]:
    """The rows "desk launch to first frame" and "desk RSS"."""
    # The smoke run: one launch each, one more memory reading after a quarter second, no pause.
    launch_runs, settle, pause = (1, 0.25, 0.0) if quick else (7, 3.0, 0.2)
    first, memory = launches(db, tmp, launch_runs, settle, pause)
    ours_first, trivial_first = median(first["ours"]), median(first["trivial"])
    ours_live = median(first["ours live"])
    ours_rss, trivial_rss = median(memory["ours"]), median(memory["trivial"])
    launch_row = Row(
        "desk launch to first frame",
        f"median {ms(ours_first)} ({launch_runs} runs; tmux 120x36)",
        f"a trivial Textual app {ms(trivial_first)}",
        ours_first / trivial_first,
        "<= 2x",
        ours_first <= 2 * trivial_first,
        note=f"the live queue (its first ticket, from the first snapshot) at {ms(ours_live)}",
    )
    memory_row = Row(
        "desk RSS",
        f"median {ours_rss:.1f} MB (most in the {settle:g} s after the first frame, devices "
        "running)",
        f"a trivial Textual app {trivial_rss:.1f} MB",
        ours_rss / trivial_rss,
        "<= 2x",
        ours_rss <= 2 * trivial_rss,
    )
    return launch_row, memory_row


def launches(
    db: Path, tmp: Path, runs: int, settle: float = 3.0, pause: float = 0.2
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Seconds from starting the command to its first frame in tmux (for the desk app also to
    its live queue: ``ours live``), and the most RSS (MB) in the ``settle`` seconds after (the
    desk's device worker starts after its first frame): the desk app at meet-and-greet and a
    trivial Textual app, turn about, ``pause`` seconds apart."""
    script = tmp / "trivial_app.py"
    script.write_text(TRIVIAL_APP)
    env = env_for(db, tmp)
    commands = {
        "ours": (f"{OSS_DESK} desk --desk greet-1", "Meet and greet"),
        "trivial": (f"{sys.executable} {script}", "Trivial app ready"),
    }
    first: dict[str, list[float]] = {k: [] for k in (*commands, "ours live")}
    memory: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(runs):
        for key, (command, marker) in commands.items():
            term = Tmux(command, env)
            try:
                first[key].append(term.wait_for(marker) - term.started)
                if key == "ours":
                    first["ours live"].append(term.wait_for("C001") - term.started)
                memory[key].append(settled_rss_mb(term.pid(), settle))
            finally:
                term.close()
            time.sleep(pause)
    return first, memory


# A key to the frame that shows its result ----------


async def _key_to_frame(
    app: Any,
    key: str,
    character: str,
    done: Callable[[], bool],
    presses: int,
    before: Any,
    marks: list[tuple[float, float]] | None = None,
    pace: float = 0.2,
) -> list[float]:
    """Seconds from each key to the frame that shows its result (``marks``: each press's key
    and frame, on the ``time.perf_counter`` clock; ``pace``: the idle seconds before each key,
    a person's pace)."""
    from textual import events

    times: list[float] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(1.5 * pace)
        original = app._display
        for _ in range(presses):
            await before(app, pilot)
            await pilot.pause(pace)  # a person's pace: the app is idle when the key comes
            box: dict[str, float] = {}

            def display(screen: Any, renderable: Any, box: dict[str, float] = box) -> Any:
                if "t" not in box and renderable is not None and done():
                    box["t"] = time.perf_counter()
                return original(screen, renderable)

            app._display = display
            t0 = time.perf_counter()
            app._driver.send_message(events.Key(key, character))
            deadline = t0 + 10
            while "t" not in box:
                if time.perf_counter() > deadline:
                    raise RuntimeError("the frame never came")
                await asyncio.sleep(0.0005)
            times.append(box["t"] - t0)
            if marks is not None:
                marks.append((t0, box["t"]))
            app._display = original
            await pilot.pause(pace / 4)
    return times


def _trivial_presses(presses: int, script: Path, pace: float = 0.2) -> list[float]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("trivial_app", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = module.Trivial()

    def done() -> bool:
        line = app.query_one("#line")
        return str(line.content) == f"called {app.count}" and app.count > 0

    async def before(app: Any, pilot: Any) -> None:
        return None

    return asyncio.run(_key_to_frame(app, "n", "n", done, presses, before, pace=pace))


class Breakdown:
    """Where a press's time goes: from the key to the start of call next on the database
    thread, call next itself (its one durable transaction, the commit's sync included; its
    ``COMMIT`` statement alone beside it: the WAL pages written and synced, which no desk can
    leave out and which a loaded disk stretches most), and from its result to the frame, split
    where the event loop takes the result up (the app's ``show_result`` begins: before it, the
    hand-over from the database thread and the desk's worker waking; after it, the desk's
    widgets and the frame, which the adviser draws within ``show_result``). Marks taken with
    ``time.perf_counter`` around the service's ``call_next`` and its ``COMMIT`` (on the
    database thread), at the start of the app's ``show_result``, and at the key and the
    frame."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, float]] = []
        self.commits: list[tuple[float, float]] = []
        self.shown: list[float] = []
        self.presses: list[tuple[float, float]] = []

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        from oss_desk.services.queue import QueueService
        from oss_desk.storage.faults import DecodingConnection
        from oss_desk.ui.app import OssDeskApp

        original = QueueService.call_next
        show = OssDeskApp.show_result
        run = DecodingConnection._run
        calls, shown, commits = self.calls, self.shown, self.commits

        def timed(conn: Any, statement: Callable[..., Any], *args: Any) -> Any:
            if not (args and args[0] == "COMMIT"):
                return run(conn, statement, *args)
            started = time.perf_counter()
            try:
                return run(conn, statement, *args)
            finally:
                commits.append((started, time.perf_counter()))

        def call_next(service: Any, desk_id: str | None = None) -> Ticket | None:
            started = time.perf_counter()
            try:
                return original(service, desk_id)
            finally:
                calls.append((started, time.perf_counter()))

        def show_result(app: OssDeskApp, ticket: Ticket) -> None:
            shown.append(time.perf_counter())
            show(app, ticket)

        QueueService.call_next = call_next  # type: ignore[method-assign,assignment]
        OssDeskApp.show_result = show_result  # type: ignore[method-assign,assignment]
        DecodingConnection._run = timed  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            QueueService.call_next = original  # type: ignore[method-assign]
            OssDeskApp.show_result = show  # type: ignore[method-assign]
            DecodingConnection._run = run  # type: ignore[method-assign]

    def parts(self) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {
            "to": [],
            "call": [],
            "commit": [],
            "after": [],
            "hop": [],
            "draw": [],
        }
        for key, frame in self.presses:
            call = next(((a, b) for a, b in self.calls if key <= a and b <= frame), None)
            if call is not None:
                found["to"].append(call[0] - key)
                found["call"].append(call[1] - call[0])
                commit = next((b - a for a, b in self.commits if call[0] <= a <= call[1]), None)
                if commit is not None:
                    found["commit"].append(commit)
                found["after"].append(frame - call[1])
                shown = next((t for t in self.shown if call[1] <= t <= frame), None)
                if shown is not None:
                    found["hop"].append(shown - call[1])
                    found["draw"].append(frame - shown)
        return found

    def note(self) -> str:
        parts = self.parts()
        if not parts["call"]:
            return "no breakdown: no call next seen between a key and its frame"
        split = (
            f" (back on the event loop after {ms(median(parts['hop']))}, then the desk's "
            f"widgets and the frame {ms(median(parts['draw']))})"
            if parts["hop"]
            else ""
        )
        commit = (
            f" (its COMMIT, the WAL pages written and synced, {ms(median(parts['commit']))})"
            if parts["commit"]
            else ""
        )
        return (
            f"medians: key to call next {ms(median(parts['to']))}, call next (one durable "
            f"transaction) {ms(median(parts['call']))}{commit}, its result to the frame "
            f"{ms(median(parts['after']))}{split}"
        )


def _desk_presses(
    db: Path, presses: int, breakdown: Breakdown | None = None, pace: float = 0.2
) -> list[float]:
    from textual.widgets import Static

    from oss_desk.clock import FixedClock
    from oss_desk.domain.models import Actor
    from oss_desk.services.queue import QueueService
    from oss_desk.services.runner import SessionRunner
    from oss_desk.services.session import open_session
    from oss_desk.ui.app import OssDeskApp
    from oss_desk.ui.widgets.big_code import BigCode

    clock = FixedClock(NOW)
    runner = SessionRunner(lambda: open_session(db=db, clock=clock, desk_id="desk-1"))
    runner.start()
    app = OssDeskApp(runner, desk_id="desk-1", cursor_blink=False)

    def timer() -> str:
        return str(app.screen.query_one("#now-timer", Static).content)

    def code() -> str:
        return str(app.screen.query_one(BigCode).code)

    def done() -> bool:
        return "called" in timer() and code() != "----"

    async def before(app: Any, pilot: Any) -> None:
        while app.snapshot is None:
            await asyncio.sleep(0.01)
        ticket = app.screen.my_ticket()
        if ticket is not None:
            ticket_id = ticket.id
            adviser = app.actor("desk-1")
            await runner.call(lambda s: QueueService(s, adviser).finish(ticket_id, "resolved"))
        greeter = Actor("bench", "greet-1")
        await runner.call(lambda s: QueueService(s, greeter).issue("C", print_ticket=False))
        await app.after_write()
        deadline = time.monotonic() + 10
        while code() != "----":
            assert time.monotonic() < deadline, code()
            await asyncio.sleep(0.005)

    marks = None if breakdown is None else breakdown.presses
    try:
        with contextlib.nullcontext() if breakdown is None else breakdown.watching():
            return asyncio.run(_key_to_frame(app, "n", "n", done, presses, before, marks, pace))
    finally:
        runner.close()


def own_actions(quick: bool) -> list[Row]:
    # The smoke run: a few presses, a short pause before each (the app still idle by then).
    blocks, presses, pace = (1, 3, 0.05) if quick else (6, 6, 0.2)
    with tempfile.TemporaryDirectory(prefix="speed-table-") as name:
        tmp = Path(name)
        db = office(tmp, 12)
        script = tmp / "trivial_app.py"
        script.write_text(TRIVIAL_APP)
        ours: list[float] = []
        trivial: list[float] = []
        breakdown = Breakdown()
        for _ in range(blocks):
            trivial += _trivial_presses(presses, script, pace)
            ours += _desk_presses(db, presses, breakdown, pace)
    return [
        Row(
            '"now called" line after pressing call next',
            f"median {ms(median(ours))}, max {ms(max(ours))} ({len(ours)} presses, headless)",
            f"a trivial Textual app's key to frame {ms(median(trivial))}",
            median(ours) / median(trivial),
            "<= 2.5x",
            median(ours) <= 2.5 * median(trivial),
            breakdown.note(),
        )
    ]


# A change visible at another desk ----------


POLLER = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    seen = None
    while True:
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version != seen:
            seen = version
            count = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
            print(f"bare poller: {count} tickets", flush=True)
        time.sleep(0.15)
    """
)


def _both_panes(
    desk: Tmux, poller: Tmux, texts: tuple[str, str], timeout: float = 10
) -> list[float]:
    """When each pane first showed its text (perf_counter). Each terminal has a tmux server of
    its own, so each is read by its own call, in alternating order (neither is always first)."""
    terms = (desk, poller)
    seen: list[float | None] = [None, None]
    deadline = time.perf_counter() + timeout
    turn = 0
    while None in seen:
        if time.perf_counter() > deadline:
            missing = [texts[i] for i in (0, 1) if seen[i] is None]
            raise RuntimeError(f"not shown: {missing}")
        for i in (turn, 1 - turn):
            if seen[i] is None and texts[i] in terms[i].screen():
                seen[i] = time.perf_counter()
        turn = 1 - turn
        time.sleep(0.001)
    return [t for t in seen if t is not None]


def other_desks(quick: bool) -> list[Row]:
    from oss_desk.clock import FixedClock
    from oss_desk.domain.queue import waiting_for
    from oss_desk.services.queue import QueueService
    from oss_desk.services.session import open_session

    samples = 2 if quick else 40
    rng = random.Random(20)
    with tempfile.TemporaryDirectory(prefix="speed-table-") as name:
        tmp = Path(name)
        db = office(tmp, 12)
        script = tmp / "poller.py"
        script.write_text(POLLER)
        env = env_for(db, tmp)
        desk = Tmux(f"{OSS_DESK} desk --desk desk-1", env)
        poller = Tmux(f"{sys.executable} {script} {db}", env)
        session = open_session(db=db, clock=FixedClock(NOW), person="greeter")
        ours: list[float] = []
        bare: list[float] = []
        try:
            queue = QueueService(session)
            waiting = len(waiting_for(session.desk("desk-1"), queue.queue()))
            tickets = session.store.conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
            desk.wait_for(f"Waiting for Desk 1: {waiting}")
            poller.wait_for(f"bare poller: {tickets} tickets")
            for _ in range(samples):
                time.sleep(rng.uniform(0.05, 0.3))  # commits land at any phase of the polls
                queue.issue("W", print_ticket=False)
                committed = time.perf_counter()
                waiting += 1
                tickets += 1
                seen = _both_panes(
                    desk, poller, (f"Waiting for Desk 1: {waiting}", f"poller: {tickets} tickets")
                )
                ours.append(seen[0] - committed)
                bare.append(seen[1] - committed)
        finally:
            session.close()
            desk.close()
            poller.close()
    return [
        Row(
            "a change visible at another desk",
            f"median {ms(median(ours))}, max {ms(max(ours))} ({samples} tickets; tmux screens)",
            f"a bare 150 ms SQLite poller {ms(median(bare))} (the same commits)",
            median(ours) / median(bare),
            "<= 1.2x",
            median(ours) <= 1.2 * median(bare),
        )
    ]


def desk_rows(quick: bool = False) -> list[Row]:
    """The desk app's rows alone (launch, memory, own action, another desk's change)."""
    with tempfile.TemporaryDirectory(prefix="speed-table-") as name:
        tmp = Path(name)
        launch_row, memory_row = desk_launch(office(tmp, 12), tmp, quick)
    return [launch_row, memory_row, *own_actions(quick), *other_desks(quick)]


if __name__ == "__main__":
    # .venv/bin/python -m tests.benchmarks.table_desk [--quick] [--own]: the desk's rows of the
    # table (--own: only "now called" after pressing call next)
    quick = "--quick" in sys.argv[1:]
    for row in own_actions(quick) if "--own" in sys.argv[1:] else desk_rows(quick):
        print("\n".join(row.lines()), flush=True)
