"""Review 16, 8: the next key waits behind a key's flow (N's call) until the flow is over, with
a backstop for a flow that never says so. The backstop was a fixed 20 s while the busy timeout
may be set up to 600 s: with a longer busy timeout and another writer holding the database, N's
write was still waiting when the next key (S) was let go, acting on the desk before the call.
The backstop now follows the busy timeout in force: past the longest a write may wait (its turn,
then SQLite's lock, each up to the busy timeout), plus a margin."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App
from textual.events import Key
from textual.worker import Worker

from oss_desk.storage.faults import BUSY_TIMEOUT_ENV, busy_timeout
from oss_desk.ui.keyline import KeyLine, flow_overdue


@pytest.mark.parametrize("seconds", ["0.1", "15", "30", "600"])
def test_a_flow_counts_as_over_only_past_the_longest_wait_of_its_write(
    monkeypatch: pytest.MonkeyPatch, seconds: str
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, seconds)
    assert busy_timeout() == float(seconds)
    assert flow_overdue() > 2 * float(seconds)


def test_with_no_busy_timeout_set_the_default_s_wait_is_covered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(BUSY_TIMEOUT_ENV, raising=False)
    assert flow_overdue() > 2 * busy_timeout()


async def test_the_line_waits_behind_a_flow_for_the_busy_timeout_in_force(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under a busy timeout of 30 s, the key after N's flow is not let go by the backstop
    before the flow's write could have given up (60 s): the line's own timer says when."""
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "30")
    app: App[None] = App()
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
        assert overdue.when() - asyncio.get_running_loop().time() > 60
        never.set()
        await flow.wait()
        for _ in range(100):  # the flow over: S goes at once
            if handled:
                break
            await asyncio.sleep(0.01)
        assert handled == ["s"]
