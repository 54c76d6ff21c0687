"""The desk said once that keys wait behind a slow key's flow (N's call, its write waiting for a
database another process holds): 2 s after the flow began, and only for the keys typed by then.
A key typed after that moment behind the same flow was queued without a word, though the key
line promises that keys are never queued unseen. Now each key typed behind a flow already slow
is said at once, one notice each, with how many wait."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from oss_desk.ui.keyline import TELL_AGAIN, WAIT_SAID

from .conftest import AppFactory, adviser_desk, kept_notices, settled, staffed, until

WAITING = "Waiting for the database: "


async def test_each_key_typed_behind_a_slow_flow_is_told_it_waits(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="tl")
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await adviser_desk(app, staffed)  # its log-in written before the lock is taken
        holder = sqlite3.connect(office, timeout=10)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another process holds the database
            words = kept_notices(app)
            await pilot.press("n")  # N's call: its write waits for the database
            await asyncio.sleep(WAIT_SAID + 0.5)  # past the moment the desk says keys wait
            assert not [w for w in words if w.startswith(WAITING)], words  # none typed yet
            await pilot.press("s")
            waits = [w for w in words if w.startswith(WAITING)]
            assert waits and waits[0].startswith(
                WAITING + "the key typed since waits its turn (at most"
            ), words  # before: no word at all
            await pilot.press("s", "s")  # a burst at once: no notice stacked for each key
            assert len([w for w in words if w.startswith(WAITING)]) == 1, words
            await asyncio.sleep(TELL_AGAIN)
            await pilot.press("s")  # a key typed a second later is said, with the count
            waits = [w for w in words if w.startswith(WAITING)]
            assert len(waits) == 2, words
            assert waits[1].startswith(WAITING + "the 4 keys typed since wait their turn"), words
            await until(lambda: any("database locked" in w for w in words), timeout=30)
            await settled(pilot)
        finally:
            holder.rollback()
            holder.close()
