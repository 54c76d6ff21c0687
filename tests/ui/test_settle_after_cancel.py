"""A change a key started still runs when another key's flow cancels its worker (the wait for
the database thread is shielded). Its flow is then gone, so nothing was said of how it ended: a
refusal was never shown, and a fault never reached the desk's fault funnel (asyncio only logged
"Future exception was never retrieved"). Review 14, finding 4."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from oss_desk.errors import RuleViolation, StorageFull
from oss_desk.services.session import Session

from .conftest import AppFactory, said, until


def broken(session: Session) -> None:
    raise KeyError("a fault in the code")


def refused(session: Session) -> None:
    raise RuleViolation("Desk 2 still has C001")


def full(session: Session) -> None:
    raise StorageFull("the disk holding the database is full: nothing was saved")


async def test_a_change_whose_flow_was_cancelled_still_says_how_it_ended(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "greet-1")
    async with app.run_test(size=(120, 36), notifications=True):
        await until(lambda: app.snapshot is not None)
        busy = threading.Event()
        app.begin(lambda session: busy.wait(10))  # the database thread is busy meanwhile
        flows = [asyncio.ensure_future(app.settle(app.begin(fn))) for fn in (broken, refused, full)]
        await asyncio.sleep(0)  # both flows now wait for their jobs
        for flow in flows:
            flow.cancel()  # as another key's flow in the same exclusive group does
        busy.set()
        await until(lambda: app.faults == ["KeyError"])
        await until(lambda: said(app, "Desk 2 still has C001"))
        # Review 15, finding 1: a change not made for a full disk was not said either (a later
        # look at the queue only reads, which works on a full disk).
        await until(lambda: said(app, "the disk holding the database is full"))
        assert all(flow.cancelled() for flow in flows)
