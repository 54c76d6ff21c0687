"""Review 16, 8: the next key waits behind a key's flow (N's call) until the flow is over, with
a backstop for a flow that never says so. The backstop was a fixed 20 s while the busy timeout
may be set up to 600 s: with a longer busy timeout and another writer holding the database, N's
write was still waiting when the next key (S) was let go, acting on the desk before the call.
The backstop now follows the busy timeout in force: past the longest a write may wait (its turn,
then SQLite's lock, each up to the busy timeout), plus a margin.

Note 14: with the busy timeout near 600 s that bound was about 20 minutes, a desk that sat dead
behind a locked database. A desk's write now waits for the lock a few seconds at most
(``DESK_WRITE_WAIT_SECONDS``), whatever the busy timeout; then it is refused as busy, said at
once, and the keys typed after it go on: the backstop follows the desk's wait."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from textual.app import App
from textual.events import Key
from textual.worker import Worker

from oss_desk.storage.faults import (
    BUSY_TIMEOUT_ENV,
    DESK_WRITE_WAIT_SECONDS,
    busy_timeout,
    desk_write_wait,
)
from oss_desk.ui.keyline import FLOW_MARGIN, KeyLine, Trail, flow_overdue

from .conftest import AppFactory, adviser_desk, kept_notices, settled, staffed, until
from .test_faults import shows_code

LONGEST_KEY_WAIT = 2 * DESK_WRITE_WAIT_SECONDS + FLOW_MARGIN
"""The longest the next key may wait behind a key's flow (15 s), whatever the busy timeout."""


@pytest.mark.parametrize("seconds", ["0.1", "3", "15", "30", "600"])
def test_a_flow_counts_as_over_only_past_the_longest_wait_of_a_desk_write(
    monkeypatch: pytest.MonkeyPatch, seconds: str
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, seconds)
    assert busy_timeout() == float(seconds)
    assert desk_write_wait() == min(float(seconds), DESK_WRITE_WAIT_SECONDS)
    assert 2 * desk_write_wait() < flow_overdue() <= LONGEST_KEY_WAIT


def test_with_no_busy_timeout_set_the_default_s_wait_is_covered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(BUSY_TIMEOUT_ENV, raising=False)
    assert flow_overdue() > 2 * desk_write_wait()


async def test_the_line_waits_behind_a_flow_for_the_desk_s_write_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under a busy timeout of 600 s, the key after N's flow is let go by the backstop soon
    after the desk's write could have given up (2 x 5 s), not after 20 minutes; before then it
    waits: the line's own timer says when."""
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "600")
    line: KeyLine | None = None

    class Desk(App[None]):
        def on_trail(self, trail: Trail) -> None:  # as the desk's app: a trail ends its wait
            assert line is not None
            line.trailed(trail)

    app = Desk()
    async with app.run_test():
        handled: list[str] = []

        async def handle(key: Key) -> bool:
            handled.append(key.key)
            return True

        line = KeyLine(app, handle)
        never = asyncio.Event()

        async def flow_of_n() -> None:  # N's flow: its write waiting on the database
            await never.wait()

        flow: Worker[None] = app.run_worker(flow_of_n, exit_on_error=False)
        line.behind(flow)
        await line.put(Key("s", "s"))
        assert handled == []  # behind the flow
        overdue = line._overdue
        assert overdue is not None
        assert 10 < overdue.when() - asyncio.get_running_loop().time() <= LONGEST_KEY_WAIT
        never.set()
        await flow.wait()
        for _ in range(100):  # the flow over: S goes at once
            if handled:
                break
            await asyncio.sleep(0.01)
        assert handled == ["s"]


async def test_n_under_a_long_busy_timeout_is_refused_in_seconds_and_s_goes_on(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OSS_DESK_BUSY_TIMEOUT=600 and another process (the sqlite3 shell, a backup) holding the
    database: N was refused only after 600 s (its turn, then SQLite's lock: up to 20 minutes)
    and S, typed after it, waited as long. Now N is refused as busy within the desk's wait,
    said with the usual words, and S acts next, in the order typed; meanwhile the desk says
    that S waits (it was queued without a word)."""
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "600")
    app = make_app(office, "desk-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await adviser_desk(app, staffed)  # its log-in written before the lock is taken
        holder = sqlite3.connect(office, timeout=10)
        try:
            holder.execute("BEGIN IMMEDIATE")
            # Every notice kept: the one that says S waits times out after 4 s, and under three
            # test workers on 2 cores S's answer came after it had gone from the app's toasts.
            words = kept_notices(app)
            await pilot.press("n", "s")
            took = await until(
                lambda: any("Nobody is at" in w for w in words), timeout=LONGEST_KEY_WAIT + 5
            )
            assert took < LONGEST_KEY_WAIT
            busy = [i for i, w in enumerate(words) if "database locked" in w]
            assert busy, words
            assert "Not done: press the key again" in words[busy[0]]
            assert f"for more than {DESK_WRITE_WAIT_SECONDS:g} s" in words[busy[0]]
            assert busy[0] < next(i for i, w in enumerate(words) if "Nobody is at" in w)
            # Meanwhile S was not queued unseen: the desk said it waits, and for how long.
            waiting = "Waiting for the database: the key typed since waits its turn (at most"
            waits = [i for i, w in enumerate(words) if w.startswith(waiting)]
            assert waits and waits[0] < busy[0], words
            await settled(pilot)
        finally:
            holder.rollback()
            holder.close()
        await shows_code(app, pilot, ("n",), "C001")  # pressed again: done
