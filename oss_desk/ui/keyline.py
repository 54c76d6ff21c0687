"""Keys reach the desk one at a time, in the order typed, each exactly once.

Textual reads a key on the app and either runs a priority binding there at once or hands the
key to the focused widget's own queue; from there it goes up through each container, each with
its own queue and task, to the app, where the other bindings run. So the app reads the next key
while the one before is still on its way: in a burst (a scanner, a paste, a fast typist) a desk
key (N) ran before the digit typed before it had reached the rating prompt, digits reached a
text box before the Tab typed before them had moved the cursor, and a key reached a dialog that
had not yet mounted and taken its focus, and was lost.

:class:`KeyLine` keeps keys in a line and lets the next one go only when the one before has come
to the end of its way: its priority binding ran on the app, it came back up to the app (and
what its binding posted to the focus, a list's pick on Enter, was handled: a trail from there),
or a :class:`Trail` posted right behind it (it follows the key through every queue) came up to
the app. The next key then waits behind whatever the last one asked of the app (a focus moved,
say). Only a character typed into a text box does not wait: the box takes it (it never moves
the focus), and its queue keeps the characters in order, so a paste or a scan into a box goes
at the box's speed; the next key that is not a character waits for them. A screen newly on
top settles first (a trail through its own queue: mounted, its focus taken). Keys kept by a hold
while a flow goes from one dialog to the next (:mod:`oss_desk.ui.dialogs.hold`) are put back
at the front of the line.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from typing import Any, Protocol, runtime_checkable

from textual.app import App
from textual.dom import DOMNode
from textual.events import Key
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerError

from oss_desk.services.runner import longest_desk_write

FLOW_MARGIN = 5.0
"""Seconds a key's flow is given, past the longest its write may wait for the database, to
read back and show what it did."""


def flow_overdue() -> float:
    """Seconds after which a key's flow the line waits for (:meth:`KeyLine.behind`) counts as
    over: past the longest the desk's write may wait (a few seconds, whatever the busy timeout:
    :data:`~oss_desk.storage.faults.DESK_WRITE_WAIT_SECONDS`), after which the flow has said
    why not, and a margin."""
    return longest_desk_write() + FLOW_MARGIN


WAIT_SAID = 2.0
"""Seconds a key's flow may take, with keys typed behind it, before the desk says that they wait
(its write waiting for a database another process holds): they are never queued unseen. Past
then, each key typed behind the flow is said too, with how many wait now."""
TELL_AGAIN = 1.0
"""Seconds before keys typed behind a slow flow are said to wait again (a held key or a
scanner's burst would otherwise stack a notice for each)."""

OVERDUE = 1.0
"""Seconds between looks at a key whose trail has not come up. A trail is lost only when a
widget on its way is removed with it in its queue (a dialog that closes on the key it was
sent): the line notices the removal (:data:`LOOK`) and goes on at once. While every widget on
its way is still there, the trail is still in one of their queues, only slow (a loaded machine:
a Tab's trail took over a second, the next keys went before the focus moved and an email
landed in Name), and the line waits on, up to :func:`flow_overdue`, the last backstop."""

LOOK = 0.02
"""Seconds between looks, while a key is on its way, at whether a widget on its way (the one it
went to, or a container above it) has been removed."""


class Trail(Message, bubble=True):
    """Posted right behind a key (or to a screen newly on top): it comes up to the app once
    everything before it on the way has been handled."""

    def __init__(self, follows: Key | Screen[Any]) -> None:
        super().__init__()
        self.follows = follows


@runtime_checkable
class HoldsKeys(Protocol):
    """A screen that keeps the keys that reach it while a flow is between dialogs."""

    def take_held(self) -> list[Key]:
        """The keys kept, oldest first (kept no longer)."""
        ...


def fresh(key: Key) -> Key:
    """A new event for ``key`` (one already on its way is marked forwarded or stopped)."""
    return Key(key.key, key.character)


class KeyLine:
    """The app's keys, each handled to the end of its way before the next one goes."""

    def __init__(self, app: App[Any], handle: Callable[[Key], Awaitable[bool]]) -> None:
        """``handle`` runs one key on the app; True when its way ended there (a binding ran,
        or it was swallowed), False when it was handed on to a widget (or the screen)."""
        self.app = app
        self.handle = handle
        self.waiting: deque[Key] = deque()
        self.on_way: Key | Screen[Any] | Worker[Any] | None = None
        """The key on its way, or the screen settling; None: the next may go."""
        self.settled: Screen[Any] | None = None
        """The screen on top when the last key went (a new one settles before the next)."""
        self._overdue: asyncio.TimerHandle | None = None
        self._went_at = 0.0
        """When the key on its way (or the screen settling) went."""
        self._slow: asyncio.TimerHandle | None = None
        self._slow_flow: tuple[Worker[Any], float] | None = None
        """The flow the line waits for once past :data:`WAIT_SAID`, and when it began: each key
        typed behind it from then on is said as waiting."""
        self._flows: set[asyncio.Future[None]] = set()
        self._look: asyncio.TimerHandle | None = None
        self._way: list[DOMNode] = []
        """The nodes the trail goes up through, from where it was posted (the app last)."""
        self._running = False
        self._told_at = float("-inf")
        """When keys were last said to wait (a burst behind a slow flow is said once a second)."""

    @property
    def busy(self) -> bool:
        return self.on_way is not None or bool(self.waiting)

    async def put(self, key: Key) -> None:
        """A key read from the terminal (or let through by the scanner), at the back."""
        self.waiting.append(key)
        if (
            self._slow_flow is not None
            and self._slow_flow[0] is self.on_way
            and asyncio.get_running_loop().time() - self._told_at >= TELL_AGAIN
        ):  # typed behind a flow already slow: said at once (a burst, once a second)
            self._tell(*self._slow_flow)
        await self.run()

    def replay(self, keys: Iterable[Key]) -> None:
        """Keys typed before any still waiting (kept by a hold), at the front, in order."""
        self.waiting.extendleft(fresh(k) for k in reversed(list(keys)))
        self._later()

    def behind(self, flow: Worker[Any]) -> None:
        """The next key waits until ``flow`` is over: a key's flow that opens no screen of its
        own to hold the keys typed meanwhile (N's call: its save, drawn in the key's own frame),
        so that the next key acts on what it made (S after N starts the resident N called)."""
        if self._overdue is not None:
            self._overdue.cancel()
        self.on_way = flow
        loop = asyncio.get_running_loop()
        self._overdue = loop.call_later(flow_overdue(), self._late, flow)
        if self._slow is not None:
            self._slow.cancel()
        self._slow_flow = None
        self._slow = loop.call_later(WAIT_SAID, self._say_waiting, flow, loop.time())
        over = asyncio.ensure_future(self._over(flow))
        self._flows.add(over)  # kept until it is done (the loop keeps only weak references)
        over.add_done_callback(self._flows.discard)

    async def _over(self, flow: Worker[Any]) -> None:
        with suppress(WorkerError):
            await flow.wait()
        self._late(flow)

    def _say_waiting(self, flow: Worker[Any], since: float) -> None:
        """``flow`` is slow: say that the keys typed behind it wait, if any were, and how long
        at most (then the flow says why it was not done, and they go); each key typed behind
        it from now on is said too (:meth:`put`), one notice each, with the count."""
        self._slow = None
        if self.on_way is not flow:
            return
        self._slow_flow = (flow, since)
        if self.waiting:
            self._tell(flow, since)

    def _tell(self, flow: Worker[Any], since: float) -> None:
        """Say that the keys waiting behind ``flow`` (begun at ``since``) wait, and how long."""
        self._told_at = asyncio.get_running_loop().time()
        left = max(1, round(flow_overdue() - (self._told_at - since)))
        n = len(self.waiting)
        keys = f"the {n} keys typed since wait their" if n > 1 else "the key typed since waits its"
        self.app.notify(
            f"Waiting for the database: {keys} turn (at most {left} s)",
            severity="warning",
            timeout=4,
        )

    def arrived(self, key: Key) -> None:
        """A key handed on came back up to the app and was handled there. Its binding may have
        posted to the focused widget (a list's Enter posts its pick there, which then goes up
        to the dialog): the next key waits for a new trail from there, behind it (the key's
        first trail, still on its way up, no longer ends the wait)."""
        if key is not self.on_way:
            return
        self._stop_timers()
        target: DOMNode = self.app.focused or self.app.screen
        if not self._follow(target, fresh(key)):
            self._ended()

    def trailed(self, trail: Trail) -> None:
        """A trail came up to the app: whatever it followed is done."""
        if trail.follows is self.on_way:
            self._ended()

    async def run(self) -> None:
        """Let keys go, one at a time, while nothing is on its way."""
        if self._running:
            return
        self._running = True
        try:
            while self.waiting and self.on_way is None:
                screen = self.app.screen
                if screen is not self.settled:
                    self._take_held()
                    self.settled = screen
                    if self._follow(screen, screen):
                        return
                key = self.waiting.popleft()
                if await self.handle(key):
                    # Its way ended on the app. A flow it started (a worker) opens its first
                    # screen in its first step, and what it asked of the app (a focus) is in
                    # the app's queue: both before the next key.
                    await asyncio.sleep(0)
                    self._later()
                    return
                target: DOMNode = self.app.focused or self.app.screen
                if isinstance(target, Input) and key.is_printable:
                    continue  # typed: the box takes it, in its own queue's order (see above)
                if self._follow(target, key):
                    return
        except Exception:
            self._later()  # a key that failed (the fault funnel says so) stops no other
            raise
        finally:
            self._running = False

    def _follow(self, target: DOMNode, what: Key | Screen[Any]) -> bool:
        """Post a trail of ``what`` to ``target`` and wait for it (False: it could not be
        posted: nothing to wait for)."""
        if not target.post_message(Trail(what)):
            return False
        self.on_way = what
        self._way = target.ancestors_with_self
        loop = asyncio.get_running_loop()
        self._went_at = loop.time()
        self._overdue = loop.call_later(OVERDUE, self._late, what)
        self._look = loop.call_later(LOOK, self._removed, what)
        return True

    def _removed(self, what: Key | Screen[Any]) -> None:
        """While ``what`` is on its way: when the node its trail was posted to has been removed
        (its queue has ended, the trail handled or dropped with it), a new trail goes to the
        nearest node above it still there, behind anything the first may have become there,
        and the line waits for that one instead (the app takes one always)."""
        if self.on_way is not what:
            return
        if self._way and not self._way[0].is_attached:
            while len(self._way) > 1 and not (
                self._way[1].is_attached and self._way[1].post_message(Trail(what))
            ):
                del self._way[1]
            del self._way[0]
            if not self._way:
                self.app.post_message(Trail(what))  # nothing left: from the app's own queue
                return
        self._look = asyncio.get_running_loop().call_later(LOOK, self._removed, what)

    def _take_held(self) -> None:
        """Keys kept by a hold beneath the screen now on top were typed for it: first."""
        for screen in self.app.screen_stack[:-1]:
            if isinstance(screen, HoldsKeys):
                self.waiting.extendleft(fresh(k) for k in reversed(screen.take_held()))

    def _late(self, what: Key | Screen[Any] | Worker[Any]) -> None:
        if self.on_way is not what:
            return
        loop = asyncio.get_running_loop()
        if (
            not isinstance(what, Worker)
            and all(node.is_attached for node in self._way)
            and loop.time() - self._went_at < flow_overdue()
        ):  # its trail is still in a queue on its way, only slow: it comes up
            self._overdue = loop.call_later(OVERDUE, self._late, what)
            return
        self._ended()

    def _ended(self) -> None:
        if self._slow is not None:
            self._slow.cancel()
            self._slow = None
        self._slow_flow = None
        self.on_way = None
        self._way = []
        self._stop_timers()
        self._later()

    def _stop_timers(self) -> None:
        for timer in (self._overdue, self._look):
            if timer is not None:
                timer.cancel()
        self._overdue = self._look = None

    def _later(self) -> None:
        """Go on from the app's queue: behind what the last key asked of the app (a focus
        set with ``focus()`` is a callback there)."""
        if self.waiting and self.on_way is None:
            self.app.call_later(self.run)


def line_of(app: App[Any]) -> KeyLine | None:
    """The app's key line (None under an app without one: a widget tested on its own)."""
    line = getattr(app, "key_line", None)
    return line if isinstance(line, KeyLine) else None


def behind(app: App[Any], flow: Worker[Any]) -> None:
    """``flow``, started by a key, opens no screen: the next key waits until it is over (see
    :meth:`KeyLine.behind`)."""
    if (line := line_of(app)) is not None:
        line.behind(flow)
