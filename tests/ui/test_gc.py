"""A desk runs all day: what it shows must not pile up in memory.

After a warm-up, many more rounds of a busy desk's work (tickets issued, help opened and closed,
modes visited, refreshes from other desks' changes) leave the same number of live DOM nodes: no
screen, dialog, row or toast is kept alive after it has gone (the pattern of Textual's own
``tests/test_gc.py``).
"""

from __future__ import annotations

import gc
from functools import partial
from pathlib import Path

import pytest
from textual.dom import DOMNode
from textual.pilot import Pilot

from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.screens.appointments import AppointmentsScreen
from oss_desk.ui.screens.greet import GreetScreen
from oss_desk.ui.screens.leader import LeaderScreen
from oss_desk.ui.widgets.big_code import BigCode

from .conftest import AppFactory, pressed_to, settled, until

pytestmark = pytest.mark.usefixtures("quick_keys")  # every step waits for what its keys lead to

ROUNDS = 3
"""The rounds counted, after the warm-up (each round is a few seconds of a loaded machine)."""


def live_nodes() -> int:
    gc.collect()
    return sum(isinstance(obj, DOMNode) for obj in gc.get_objects())


async def busy_round(app: OssDeskApp, pilot: Pilot[None], n: int) -> None:
    letter = "bcw"[n % 3]
    code = app.screen.query_one(BigCode).code
    await pilot.press(letter, "enter")
    await until(lambda: app.screen.query_one(BigCode).code != code)
    await pilot.press("f1")
    await until(lambda: not isinstance(app.screen, GreetScreen))
    await pressed_to(pilot, GreetScreen, "f1")
    for key, mode in (("f4", LeaderScreen), ("f5", AppointmentsScreen)):
        await pilot.press(key)
        await until(partial(lambda kind: isinstance(app.screen, kind), mode))
        await pressed_to(pilot, GreetScreen, "f2")
    refreshed = app.refresh_count
    await app.after_write()
    await until(lambda: app.refresh_count > refreshed)
    app.clear_notifications()
    await settled(pilot)


async def test_a_long_running_desk_keeps_no_dead_nodes(office: Path, make_app: AppFactory) -> None:
    app = make_app(office)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await until(lambda: app.snapshot is not None)
        for n in range(2):  # every screen and dialog built once, caches warm
            await busy_round(app, pilot, n)
        before = live_nodes()
        for n in range(2, 2 + ROUNDS):  # each service once more
            await busy_round(app, pilot, n)
        after = live_nodes()
    # A leak of even one node a round would show as ROUNDS.
    assert after - before < ROUNDS, (before, after)
