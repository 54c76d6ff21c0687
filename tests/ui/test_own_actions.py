"""A desk's own change is on its screen from the change's result, before any new snapshot of
the queue is taken (the snapshot, with every place and estimate worked out again, follows)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import Static

from oss_desk.domain.models import TicketStatus
from oss_desk.services.desk_view import with_change
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session
from oss_desk.ui.app import OssDeskApp
from oss_desk.ui.dialogs.hold import KeyHold
from oss_desk.ui.screens.adviser import AdviserScreen
from oss_desk.ui.widgets.big_code import BigCode
from oss_desk.ui.widgets.key_bar import KeyBar
from oss_desk.ui.widgets.queue_table import QueueTable

from .conftest import AppFactory, acting, adviser_desk, rows, said, settled, until


class Gate:
    """Holds the app's snapshot refreshes shut until opened (what a slow snapshot would do)."""

    def __init__(self, app: OssDeskApp) -> None:
        self.open = asyncio.Event()
        self.open.set()
        self.taken = 0
        refresh = app.refresh_data

        async def gated() -> None:
            await self.open.wait()
            self.taken += 1
            await refresh()

        app.refresh_data = gated  # type: ignore[method-assign]


def shown(app: OssDeskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def test_call_next_shows_the_called_ticket_before_any_new_snapshot(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ben")
    gate = Gate(app)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await adviser_desk(app)
        await until(lambda: "Waiting for Desk 1: 4" in shown(app, "#waiting-title"))
        gate.open.clear()
        taken = gate.taken
        await pilot.press("n")
        # On screen from the call's own result (the snapshots are held shut, so nothing else
        # can show it), its parts drawn one after another: wait for the last the test reads.
        await until(
            lambda: (
                "called 0 min ago" in shown(app, "#now-timer")
                and "Waiting for Desk 1: 3" in shown(app, "#waiting-title")
            )
        )
        assert gate.taken == taken  # no snapshot has been taken since the key
        assert screen.query_one(BigCode).code == "C001"
        assert screen.query_one(QueueTable).row_count == 3
        assert rows(office, "SELECT status FROM tickets WHERE id = 1") == [("called",)]
        gate.open.set()  # the full snapshot follows and agrees
        await until(lambda: gate.taken > taken)
        await until(lambda: app.refresh_count > 0 and not app._refreshing)
        assert "called 0 min ago" in shown(app, "#now-timer")
        assert "Waiting for Desk 1: 3" in shown(app, "#waiting-title")

        gate.open.clear()
        taken = gate.taken
        await pilot.press("s")  # started: "serving for 0 min", at once
        timer = screen.query_one("#now-timer", Static)  # beneath the key hold of S's flow
        await until(lambda: "serving for" in str(timer.content))
        assert gate.taken == taken
        # S's flow ends with its look at the queue (a key typed meanwhile waits for it): let
        # it, and hold the next look again for F.
        gate.open.set()
        await until(lambda: not any(isinstance(s, KeyHold) for s in app.screen_stack))
        gate.open.clear()
        taken = gate.taken
        await pilot.press("f", "1")  # finished: the desk is free, at once
        await until(lambda: screen.query_one(BigCode).code == "----")
        assert gate.taken == taken
        # The desk's own screen (a key hold may still be over it until the rating prompt is up)
        assert "serving for" not in str(screen.query_one("#now-timer", Static).content)
        gate.open.set()
        # F's flow (its rating prompt) done before the app closes: closing it mid-flow cancels
        # the flow's last steps, and the test would fail at shutdown, not on what it checks.
        await until(lambda: not any(isinstance(s, KeyHold) for s in app.screen_stack))
        await pilot.pause()


async def test_an_own_change_holds_other_desks_changes_only_until_it_has_run(
    office: Path, make_app: AppFactory
) -> None:
    """Call next hands its transaction over at the key and its worker waits for it: looks for
    other desks' changes wait while it runs, and start again once it has run, even when nobody
    waited for its result (its worker was cancelled by another key)."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36)):
        await until(lambda: "Waiting for Desk 1: 4" in shown(app, "#waiting-title"))
        running, finish = threading.Event(), threading.Event()

        def own_change(session: Session) -> None:
            running.set()
            finish.wait(10)

        app.begin(own_change, own_change=True)  # nobody settles it
        await until(running.is_set)
        assert app._quiet()  # no look for other desks' changes now
        finish.set()
        await until(lambda: not app._quiet(), timeout=2)
        with acting(office, person="x", desk=None) as other:
            QueueService(other).issue("C", print_ticket=False)
        await until(lambda: "Waiting for Desk 1: 5" in shown(app, "#waiting-title"))


async def test_with_change_moves_a_ticket_through_the_snapshot(
    office: Path, make_app: AppFactory
) -> None:
    """The pure part: called -> at the desk, out of the waiting counts; finished -> gone."""
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36)):
        await until(lambda: app.snapshot is not None)
        snap = app.snapshot
        assert snap is not None
        first = snap.waiting[0].ticket
        line = next(x for x in snap.by_service if x.code == first.service)
        called = first.__class__(
            **{
                **{f: getattr(first, f) for f in first.__dataclass_fields__},
                "status": TicketStatus.CALLED,
                "desk": "desk-1",
            }
        )
        after = with_change(snap, called)
        assert [e.ticket.id for e in after.waiting] == [e.ticket.id for e in snap.waiting[1:]]
        state = after.desk("desk-1")
        assert state is not None and state.ticket == called
        assert next(x for x in after.by_service if x.code == first.service).waiting == (
            line.waiting - 1
        )
        done = called.__class__(
            **{
                **{f: getattr(called, f) for f in called.__dataclass_fields__},
                "status": TicketStatus.DONE,
            }
        )
        gone = with_change(after, done)
        assert all(e.ticket.id != first.id for e in gone.queue)
        state = gone.desk("desk-1")
        assert state is not None and state.ticket is None


def same_as_textual(screen: AdviserScreen) -> None:
    """The screen's one-key answer is Textual's whole map's, for every key it has and some it
    has not."""
    bound = screen.active_bindings
    assert bound, "no keys at all"
    for key in [*bound, "n", "c", "f", "y", "j", "ctrl+q", "escape"]:
        assert screen.active_binding(key) == bound.get(key), key


async def test_a_key_press_works_out_only_its_own_binding_and_agrees_with_textual(
    office: Path, make_app: AppFactory
) -> None:
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await adviser_desk(app)
        await until(lambda: "Waiting for Desk 1: 4" in shown(app, "#waiting-title"))
        same_as_textual(screen)  # free: N on, F dimmed
        call = screen.active_binding("n")
        assert call is not None and call.enabled
        finish = screen.active_binding("f")
        assert finish is not None and not finish.enabled
        await pilot.press("n")
        await until(lambda: "called 0 min ago" in shown(app, "#now-timer"))
        await until(lambda: app.refresh_count > 1 and not app._refreshing)
        same_as_textual(screen)  # a ticket at the desk: N dimmed, F on
        call = screen.active_binding("n")
        assert call is not None and not call.enabled
        await pilot.press("n")  # a dimmed key pressed: it says why, as before
        still = "C001 is still at Desk 1: finish, park or transfer it first"
        await until(lambda: said(app, still))
        await pilot.press("j")  # no such key here
        await until(lambda: said(app, "'j' is not a key here"))


async def test_the_key_bar_is_drawn_again_only_when_its_keys_change(
    office: Path, make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Most snapshots change no key: the key bar is then left as drawn (no new text, no layout
    of the whole screen); call next changes them (N dimmed, F on), in place."""
    drawn: list[tuple[Text, bool]] = []
    update = KeyBar.update

    def counted(bar: KeyBar, content: Any = "", *, layout: bool = True) -> None:
        assert isinstance(content, Text)
        drawn.append((content, layout))
        update(bar, content, layout=layout)

    def dimmed(keys: Text, word: str) -> bool:
        start = keys.plain.index(word)
        return any(s.start <= start < s.end and "dim" in str(s.style) for s in keys.spans)

    monkeypatch.setattr(KeyBar, "update", counted)
    app = make_app(office, "desk-1", person="ben")
    async with app.run_test(size=(120, 36)) as pilot:
        await until(lambda: "Waiting for Desk 1: 4" in shown(app, "#waiting-title"))
        await until(lambda: bool(drawn) and not dimmed(drawn[-1][0], "Call next"))
        await settled(pilot)
        before = len(drawn)
        assert dimmed(drawn[-1][0], "Finish")
        for _ in range(3):
            taken = app.refresh_count
            await app.refresh_data()
            await until(lambda taken=taken: app.refresh_count > taken)  # type: ignore[misc]
            await settled(pilot)
        assert len(drawn) == before  # three snapshots, the same keys: not drawn again
        await pilot.press("n")
        await until(lambda: len(drawn) > before)
        keys, layout = drawn[-1]
        assert dimmed(keys, "Call next") and not dimmed(keys, "Finish")
        assert not layout  # as many lines as before: repainted in place
        assert app.screen.query_one(KeyBar).content is keys
