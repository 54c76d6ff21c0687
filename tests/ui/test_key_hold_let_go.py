"""A flow cancelled while its key hold is being taken off the screens leaves the desk running.

The next key's flow, in the screen's exclusive group, cancels the one before; F read just as
S's flow let its hold go cancelled S's flow while it waited for the hold's pop. The app's own
queue waits for that same pop, and the cancel reached it there: the desk app ended at once,
exit 0, without a word, and every key typed after (the outcome, the rating, N) was never
handled. Under load, the pty test of "ns" then "f14n" lost N about once in 40 runs this way.
Pilot, real SQLite file: the cancel lands as the pop begins, as F's flow's did."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.events import Key
from textual.worker import WorkerState

from oss_desk.ui.dialogs.hold import KeyHold
from oss_desk.ui.dialogs.scorecard import FinishDialog

from .conftest import AppFactory, rows, until
from .test_scorecard_ui import called_at_desk


async def test_a_flow_cancelled_as_its_hold_goes_leaves_the_desk_running(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await called_at_desk(app, pilot)
        held: list[KeyHold] = []
        starting: list[WorkerState] = []

        def changed(screen: object) -> None:
            """The hold is off the stack, its pop about to be waited for: S's flow is
            cancelled then (as F's flow cancels it), and F is read."""
            if isinstance(screen, KeyHold):
                held.append(screen)
            elif held and not starting:
                for worker in app.workers:
                    if worker.name == "action_start":
                        starting.append(worker.state)
                        asyncio.get_running_loop().call_soon(worker.cancel)
                app.post_message(Key("f", "f"))  # as read from the terminal: the key line

        app.screen_change_signal.subscribe(app, changed, immediate=True)
        app.post_message(Key("s", "s"))
        await until(lambda: bool(starting), 20)
        assert starting == [WorkerState.RUNNING]  # S's flow, still waiting for its pop
        await until(lambda: isinstance(app.screen, FinishDialog), 20)  # the desk went on
        await pilot.press("1")
        await until(lambda: rows(office, "SELECT status FROM tickets WHERE id = 1") == [("done",)])
        assert app.is_running
