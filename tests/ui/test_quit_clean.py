"""Quitting the desk leaves nothing half-done: no "coroutine ... was never awaited" on the
terminal. A new user saw it after Ctrl+Q: a look for changes (the doorbell rang as the desk
closed) was handed to a worker as a coroutine already made, and the worker was cancelled at
exit before it ever ran it. Workers are now given the function, which makes the coroutine only
when the worker runs.

The desk runs in its own interpreter with ``-W error::RuntimeWarning``, so that what Python says
at exit (``sys:1: RuntimeWarning`` or ``Exception ignored in``) is on stderr. Not under
tracemalloc: with the warning made an error, Python prints the same lines with it or without it
(the allocation's traceback is added only to a warning printed as a warning), and tracing every
allocation of the desk's run made the test ten times slower."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from ..conftest import ROOT

SCRIPT = textwrap.dedent(
    """
    import asyncio, gc, sys
    from pathlib import Path

    from oss_desk.clock import FixedClock
    from oss_desk.services.queue import QueueService
    from oss_desk.services.runner import SessionRunner
    from oss_desk.services.session import open_session
    from oss_desk.ui.app import OssDeskApp
    from tests.conftest import MONDAY_0930, make_db, site_toml

    db = make_db(Path(sys.argv[1]), site_toml())
    clock = FixedClock(MONDAY_0930)


    async def until(predicate):
        for _ in range(2000):
            if predicate():
                return
            await asyncio.sleep(0.005)
        raise AssertionError("condition not met in time")


    async def main():
        runner = SessionRunner(
            lambda: open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
        )
        runner.start()
        app = OssDeskApp(runner, desk_id="greet-1", poll_interval=0.05, cursor_blink=False)
        other = open_session(db=db, clock=clock, person="x", desk_id="greet-1")
        try:
            async with app.run_test(size=(100, 30)) as pilot:
                await until(lambda: app.snapshot is not None)
                # Another desk's commit rings the doorbell just as the desk closes: the look
                # it starts is cancelled with every other worker before it runs.
                QueueService(other).issue("C", print_ticket=False)
                app._heard()
                app.workers.cancel_group(app, "refresh")
                await pilot.press("ctrl+q")
        finally:
            other.close()
            runner.close()
        gc.collect()
        print("quit")


    asyncio.run(main())
    """
)


def test_quitting_leaves_no_coroutine_never_awaited(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-W",
            "error::RuntimeWarning",
            "-c",
            SCRIPT,
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("quit")
    assert "never awaited" not in done.stderr, done.stderr
    assert "RuntimeWarning" not in done.stderr, done.stderr
