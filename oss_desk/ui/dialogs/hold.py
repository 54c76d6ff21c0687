"""Keys typed while a flow goes from one dialog to the next never reach the screen beneath.

A flow of several dialogs (finish, then book the appointment; transfer, then which service)
awaits each one in a worker. When a dialog closes, the screen beneath is on top again until
the worker has run on and opened the next one (after a look-up in the database, say): a key
typed meanwhile by someone who knows what comes next went to that screen, where the adviser's
keys act at once (T, X or H started another flow and cancelled this one, the booking never
came). :func:`keys_held` puts an invisible screen under the flow's dialogs while it goes from
one to the next: a key typed between two dialogs waits there, and goes to the next dialog once
it is open (it was typed for it), or to the screen once the dialogs are over, in the order
typed (at the front of the app's key line: :mod:`oss_desk.ui.keyline`). A flow's change after
its dialogs runs after the hold, unless a dialog follows it (the follow-up form after a finish)
or the flow is one dialog and its save: then the hold lasts through the save, and the desk
shows its change beneath it at once.

A screen's keys start their flows in one exclusive worker group (a new flow cancels the one
before): every such flow is declared with ``key_flow`` (:mod:`oss_desk.ui.screens.base`), which
runs it whole under the hold, so that no key typed while a flow runs starts another that cuts it
short (its change was made, the database thread's wait is shielded, but what it says after,
"reprint queued" say, never was).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar

from rich.console import RenderableType
from textual.app import App
from textual.binding import BindingType
from textual.events import Key
from textual.screen import ModalScreen

from oss_desk.ui.compositor import beneath
from oss_desk.ui.faults import guarded
from oss_desk.ui.keyline import fresh, line_of


class KeyHold(ModalScreen[None]):
    """Nothing to see (the screen beneath shows through); it keeps the keys that reach it."""

    DEFAULT_CSS = """
    KeyHold { background: transparent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self) -> None:
        super().__init__()
        self.held: list[Key] = []
        self.over = False
        """The flow has ended (with a dialog of its still open above: it goes with that)."""

    def render(self) -> RenderableType:
        return beneath(super().render())  # what is beneath, each style worked out once

    @guarded
    def on_key(self, event: Key) -> None:
        event.stop()
        event.prevent_default()
        self.held.append(event)

    @guarded
    def on_screen_suspend(self) -> None:
        self.hand_on()  # the next dialog is open: they were typed for it

    @guarded
    async def on_screen_resume(self) -> None:
        if self.over:
            await self.close()

    async def close(self) -> None:
        """Off the screens, then the keys kept handed on (also when the flow is cancelled
        meanwhile). The pop is shielded: the app's own queue awaits the same pop, and a cancel
        of the flow waiting for it here (the next key's flow, exclusive in the screen's group:
        F read just as S's flow let its hold go) reached it there and ended the app's queue:
        the desk closed at once, without a word, and the keys typed after were never handled."""
        try:
            await asyncio.shield(asyncio.ensure_future(self.app.pop_screen()))
        finally:
            self.hand_on()

    def take_held(self) -> list[Key]:
        """The keys kept, oldest first (the key line asks when a dialog opens above)."""
        held, self.held = self.held, []
        return held

    def hand_on(self) -> None:
        """The keys kept, to whatever is on top now, in the order they were typed: at the front
        of the app's key line (before any key typed after them)."""
        held = self.take_held()
        if (line := line_of(self.app)) is not None:
            line.replay(held)
            return
        for event in held:
            self.app.post_message(fresh(event))


@asynccontextmanager
async def keys_held(app: App[Any]) -> AsyncIterator[None]:
    """Run a flow of dialogs with :class:`KeyHold` under them."""
    hold = KeyHold()
    await app.push_screen(hold)
    try:
        yield
    finally:
        hold.over = True
        if app.screen is hold:
            await hold.close()
