"""The desk app: modes for meet-and-greet, the adviser desk, the team leader, appointments and
reports.

The app is the desk's composition root: it builds each mode's screen with itself as the
screen's :class:`~oss_desk.ui.context.DeskContext` (screens never import this module), and it
is the one fault funnel (:mod:`oss_desk.ui.faults`).

All database work runs on one thread (:class:`~oss_desk.services.runner.SessionRunner`); the
event loop only awaits results. Other desks' changes arrive through the change feed, polled
every 150 ms; the app then takes a fresh snapshot and each screen updates its widgets by key.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, replace
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import work
from textual.actions import ActionParseResult
from textual.binding import BindingType
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.worker import Worker

from oss_desk.domain.access import Action, refusal
from oss_desk.domain.models import Actor, DeskKind, Ticket
from oss_desk.errors import DatabaseUnsafe
from oss_desk.logs import write_fault_report
from oss_desk.services.live import ChangeFeed, open_doorbell, open_feed, poll
from oss_desk.services.runner import SessionRunner
from oss_desk.services.session import Session
from oss_desk.ui import acting
from oss_desk.ui.commands import DeskCommands, help_screen
from oss_desk.ui.context import Ok, Result, settle
from oss_desk.ui.faults import guard, guarded, notice, worker_failed
from oss_desk.ui.keyboard import Keyboard
from oss_desk.ui.listen import CommitListener
from oss_desk.ui.modes import (
    APP_BINDINGS,
    BROWSER_KEYS,
    MODE_NEEDS,
    MODE_TITLES,
    SCREENS_BY_MODE,
    web_driver,
)
from oss_desk.ui.names import Names
from oss_desk.ui.scanner import scan_prefixes
from oss_desk.ui.screens.base import DeskScreen
from oss_desk.ui.theme import THEMES

if TYPE_CHECKING:
    from oss_desk.services.desk_view import DeskSnapshot
    from oss_desk.services.queue import Issued

R = TypeVar("R")

STYLES = Path(__file__).parent / "styles"
DEVICE_CHECK_SECONDS = 1.0
"""How often a desk asks whether the owner of the devices is still there."""
OWN_FRAME_WAIT = 0.1
"""The longest the catch-up after the desk's own change waits for the frame that shows it."""


@dataclass(frozen=True, slots=True)
class Started:
    """Measured start-up, for the benchmark and the log."""

    process_start: float
    first_frame: float | None = None


class OssDeskApp(Keyboard):
    CSS_PATH = [STYLES / "app.tcss"]  # noqa: RUF012 - Textual's own type for it
    """The app's own styles; each screen brings its own (read when it is first shown)."""
    TITLE = "oss-desk"
    SCREENS_BY_MODE: ClassVar[dict[str, str]] = SCREENS_BY_MODE
    """Each mode's screen (``module:class``), built with this app as its
    :class:`~oss_desk.ui.context.DeskContext` and imported when the mode is first shown."""
    COMMANDS = {DeskCommands}  # noqa: RUF012 - the desk's own only (no theme picker, screenshots)
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

    snapshot: reactive[DeskSnapshot | None] = reactive(None, always_update=True, repaint=False)
    """Each screen updates its own widgets from it (a repaint of the app would redraw the
    whole terminal for every snapshot, not only what changed)."""

    def __init__(
        self,
        runner: SessionRunner,
        *,
        desk_id: str | None = None,
        demo: bool = False,
        poll_interval: float = 0.15,
        tick_seconds: float = 15.0,
        cursor_blink: bool = True,
        started: float | None = None,
        scan_pause: float = 0.25,
        when_live: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(scan_prefixes(runner.session), scan_pause)
        for theme in THEMES:
            self.register_theme(theme)
        # Before the app runs, so its style sheets are first read with the council's colours
        # (a theme set once running reads and applies every style sheet again).
        self.theme = "council"
        self._when_live = when_live
        self._first_frame = asyncio.Event()
        for mode in self.SCREENS_BY_MODE:
            self.add_mode(mode, partial(self._build_screen, mode))
        self.runner = runner
        self.demo = demo
        self.poll_interval = poll_interval
        self.tick_seconds = tick_seconds
        self.cursor_blink = cursor_blink
        self.started = Started(process_start=started or time.perf_counter())
        session = runner.session
        self.names = Names(lambda: self.runner.session)
        self.person = session.actor.person
        self.terminal_desk = desk_id if desk_id in session.directory.desks else None
        self.greet_desk_id = self._default_desk(DeskKind.MEET_AND_GREET)
        self.adviser_desk_id = self._default_desk(DeskKind.ADVISER)
        self._feed: ChangeFeed | None = None
        self._listener = CommitListener(self._heard)
        self._refreshing = False
        self._own_drawn: asyncio.Future[None] | None = None
        self._own_writes = 0
        """This desk's own changes on the database thread now (see :meth:`_quiet`)."""
        self._quiet_until = 0.0
        self.issued_here: Issued | None = None  # the last ticket issued here (see DeskContext)
        self.own_change = False
        """True while the screens are told of this desk's own change (:meth:`show_result`)."""
        self._refresh_again = False
        self._refresh_asks = 0
        """Refreshes asked for so far (each snapshot's taking starts after a number of them)."""
        self._refresh_waits: list[tuple[int, asyncio.Future[None]]] = []
        """Refreshes asked for while another ran, each waiting for a snapshot taken after it."""
        self._last_refresh = 0.0
        self.refresh_count = 0
        self.faults: list[str] = []
        self._asked_jobs: set[int] = set()
        self._asking = False
        self.blocked: DatabaseUnsafe | None = None  # why this desk stopped for good, if it has
        self.first_mode = self._first_mode()
        # The keys, before the first screen's key bar is drawn (it is, before the app mounts).
        keymap = session.settings.keymap
        if self.is_web or web_driver(self.driver_class):  # a browser keeps Ctrl+T and Ctrl+N
            keymap = {**BROWSER_KEYS, **keymap}  # a council's own keymap over ours
        if keymap:
            self.set_keymap(keymap)
        # The app starts in its first mode (Textual 8.2 builds the current mode's screen when
        # the app composes): no default screen is built, suspended and switched away from.
        self._screen_stacks = {self.first_mode: []}
        self._current_mode = self.first_mode
        # The first screen's style sheet is read with the app's, in the one parse at start
        # (read when the screen is shown, it would parse and apply every style sheet again).
        first_css = self._screen_class(self.first_mode).CSS_PATH
        if first_css is not None:
            paths = first_css if isinstance(first_css, list) else [first_css]
            self.css_path = [*self.css_path, *(Path(p) for p in paths)]

    # Start-up --------------------------------------------------------------------------------

    def _screen_class(self, mode: str) -> type[DeskScreen]:
        module, _, name = self.SCREENS_BY_MODE[mode].partition(":")
        screen: type[DeskScreen] = getattr(import_module(module), name)
        return screen

    def _build_screen(self, mode: str) -> DeskScreen:
        screen = self._screen_class(mode)(self)
        # Its widgets take the styles as they are when they are mounted: without this, Textual
        # (8.2) parses and applies every style sheet twice more when a mode is first shown.
        screen._css_update_count = self._css_update_count
        return screen

    def _first_mode(self) -> str:
        """The mode the desk opens in: its kind's, else the first this person may use."""
        first = "greet"
        if self.terminal_desk is not None:
            kind = self.runner.session.directory.desks[self.terminal_desk].kind
            first = "greet" if kind is DeskKind.MEET_AND_GREET else "desk"
        if not self.may_use(first):
            first = next((m for m in MODE_NEEDS if self.may_use(m)), first)
        return first

    def _default_desk(self, kind: DeskKind) -> str | None:
        desks = self.runner.session.directory.desks
        if self.terminal_desk is not None:
            mine = desks[self.terminal_desk]
            if (mine.kind is DeskKind.MEET_AND_GREET) == (kind is DeskKind.MEET_AND_GREET):
                return mine.id
        site = desks[self.terminal_desk].site_id if self.terminal_desk else None
        for desk in desks.values():
            if site is not None and desk.site_id != site:
                continue
            if (desk.kind is DeskKind.MEET_AND_GREET) == (kind is DeskKind.MEET_AND_GREET):
                return desk.id
        return None

    @guarded
    def on_mount(self) -> None:
        self.run_worker(guard(self, self._start_live), group="refresh", exit_on_error=False)

    async def _start_live(self) -> None:
        # The feed is opened before the first snapshot, so nothing committed in between is
        # missed (a change after the feed opens is seen by the first poll). The first frame is
        # the screen without its data: drawn without waiting for the snapshot (taken on the
        # database thread, it would compete with the frame for the interpreter), filled at once.
        try:
            await self._open_feed()
            await self._first_frame.wait()
            await self.refresh_data()
        finally:
            # The first frame and the first live data are on screen: now the rest of the process
            # (the devices' standby) may start, never delaying the desk's start-up.
            await self._first_frame.wait()
            if self._when_live is not None:
                self._when_live()
        await self._listen()
        self.set_interval(self.poll_interval, guard(self, self._poll))
        self.set_interval(self.tick_seconds, guard(self, self.request_refresh))
        self.set_interval(DEVICE_CHECK_SECONDS, guard(self, self._check_devices))

    @guarded
    def on_unmount(self) -> None:
        self._listener.stop()

    @guarded
    def on_ready(self) -> None:
        self.started = Started(self.started.process_start, time.perf_counter())
        self._first_frame.set()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "quit" and self.is_web:
            return False  # in a browser Ctrl+Q is the browser's (Firefox quits): never offered
        if action == "switch_mode" and parameters:
            if not self.may_use(str(parameters[0])):
                return False  # not this person's role: the key is hidden
            if parameters[0] == self.current_mode:
                return None  # already there: shown dimmed
        return True

    def block(self, exc: DatabaseUnsafe) -> None:
        """The database cannot be written safely any more: stop everything, say why."""
        from oss_desk.ui.dialogs.blocked import DatabaseBlocked

        if self.blocked is None:
            self.blocked = exc
            self.push_screen(DatabaseBlocked(exc.title, exc.message))
        elif type(exc) is type(self.blocked) and exc.message != self.blocked.message:
            # Told again once more is known (a copy seen half-written over the file, now whole).
            self.blocked = exc
            for screen in self.screen_stack:
                if isinstance(screen, DatabaseBlocked):
                    screen.retell(exc.message)

    # The fault funnel (see oss_desk.ui.faults) --------------------------------------------------

    def fault(self, error: BaseException) -> None:
        """Every unexpected fault ends here: a report for support, a notice; the desk carries on."""
        where = write_fault_report(error, "desk")
        self.faults.append(type(error).__name__)
        self.notify(
            notice(where),
            title="Unexpected problem",
            severity="error",
            markup=False,
            timeout=10,
        )

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Every key binding and palette action of every screen runs through here."""
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except Exception as error:
            self.fault(error)
            return True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker_failed(self, event)

    # Roles ---------------------------------------------------------------------------------------

    def may(self, action: Action, actor: Actor, own: bool | None = None) -> bool:
        """Whether ``actor``'s role allows ``action`` (the services check it again)."""
        return self.runner.session.may(action, actor, own=own)

    def mode_actor(self, mode: str) -> Actor:
        """Who acts in ``mode`` (in the demo each mode has its own person)."""
        return acting.mode_actor(self, mode)

    def may_use(self, mode: str) -> bool:
        needed = MODE_NEEDS.get(mode)
        return needed is None or self.may(needed, self.mode_actor(mode))

    def refuse_mode(self, mode: str) -> None:
        """Tell the person their role may not use ``mode``; the desk carries on."""
        actor = self.mode_actor(mode)
        session = self.runner.session
        message = refusal(
            session.name_of(actor.person), session.role_of(actor.person), MODE_NEEDS[mode]
        )
        self.notify(message, title="Not your role", severity="warning", markup=False)

    def actor(self, desk_id: str | None) -> Actor:
        """Who acts at ``desk_id`` (see :func:`oss_desk.ui.acting.desk_actor`)."""
        return acting.desk_actor(self, desk_id)

    def leader_actor(self) -> Actor:
        """The team leader: the logged-in person (in the demo, the demo's team leader)."""
        return acting.leader_actor(self)

    def use_adviser_desk(self, desk_id: str) -> None:
        self.adviser_desk_id = desk_id
        self.request_refresh()

    # Data --------------------------------------------------------------------------------------

    def follow_snapshot(
        self, node: DOMNode, callback: Callable[[DeskSnapshot | None], None]
    ) -> None:
        node.watch(self, "snapshot", callback, init=False)

    def wants_figures(self) -> bool:
        return self.current_mode == "leader"

    def request_refresh(self) -> None:
        self.run_worker(guard(self, self.refresh_data), group="refresh", exit_on_error=False)

    async def refresh_data(self) -> None:
        """Take a new snapshot and show it (requests that arrive while one is being taken are
        coalesced into the next). Returns once a snapshot whose taking began after the call is
        on screen (or could not be taken: that was said), so that what the caller wrote before
        (:meth:`after_write`) is in it, and a key handled next is judged against it."""
        from oss_desk.services.desk_view import take_snapshot  # after the first frame

        self._refresh_asks += 1
        if self._refreshing:
            self._refresh_again = True
            shown = asyncio.get_running_loop().create_future()
            self._refresh_waits.append((self._refresh_asks, shown))
            await shown
            return
        self._refreshing = True
        try:
            while True:
                self._refresh_again = False
                asked = self._refresh_asks  # the requests this snapshot answers
                figures = self.wants_figures()
                taken = await self.act(
                    partial(
                        take_snapshot,
                        figures=figures,
                        actor=self.leader_actor() if figures else None,
                    )
                )
                if isinstance(taken, Ok):
                    self.snapshot = taken.value
                    self.refresh_count += 1
                    self._last_refresh = time.monotonic()
                    if taken.value.attention and not self._asking:  # made when it runs:
                        ask = guard(self, partial(self._ask_about_prints, taken.value))
                        self.run_worker(ask, exit_on_error=False)
                self._answered(asked)
                if not self._refresh_again:
                    break
        finally:
            self._refreshing = False
            self._answered(self._refresh_asks)  # none left waiting (a refresh cancelled)

    def _answered(self, asked: int) -> None:
        """The requests up to ``asked`` have their snapshot on screen: their callers go on."""
        waiting = self._refresh_waits
        self._refresh_waits = [(n, shown) for n, shown in waiting if n > asked]
        for n, shown in waiting:
            if n <= asked and not shown.done():
                shown.set_result(None)

    async def _open_feed(self) -> None:
        opened = await self.act(open_feed)
        self._feed = opened.value if isinstance(opened, Ok) else None

    async def _listen(self) -> None:
        """Look for changes the moment another process commits; the poll stays as fallback."""
        opened = await self.act(open_doorbell, quiet=True)
        if isinstance(opened, Ok):
            self._listener.start(opened.value)

    def _quiet(self) -> bool:
        """Whether this desk's own change is on its way to its screen (from the key to the
        frame that shows it, at most :data:`OWN_FRAME_WAIT` after the result): looks for other
        desks' changes wait meanwhile, so that nothing else runs on the database thread or the
        event loop before that frame (:meth:`after_write` looks at once after it). Its own
        commit rings this desk's doorbell too."""
        return self._own_writes > 0 or time.monotonic() < self._quiet_until

    def _heard(self) -> None:
        """A commit rang the doorbell: look for changes (unless this desk's own is on its way
        to the screen: :meth:`after_write` looks then)."""
        if not self._quiet():
            self.run_worker(guard(self, self._poll), group="refresh", exit_on_error=False)

    async def _poll(self) -> None:
        if self._quiet():
            return  # after_write looks in a moment
        feed = self._feed
        if feed is None:
            await self._open_feed()
            if self._feed is not None:
                await self.refresh_data()
            return
        changes = await self.act(lambda s: poll(s, feed))
        if isinstance(changes, Ok) and changes.value is not None:
            await self.refresh_data()

    async def _check_devices(self) -> None:
        """Every second: has the owner of the devices gone (or come)? Then the status area is
        refreshed at once, never left saying a device is fine while no worker runs. While it is
        gone, what is said of it (how long since its last heartbeat) is kept current too."""
        from oss_desk.services.delivery import current_worker

        if self.snapshot is None or self._quiet():
            return
        now = await self.act(current_worker, quiet=True)
        # The snapshot on screen now: a newer one (a finish's, a call's) may have come while
        # the worker was read, and the desk never goes back to an older one.
        snap = self.snapshot
        if not isinstance(now, Ok) or snap is None or self._quiet():
            return
        if now.value.alive != snap.worker.alive:
            await self.refresh_data()
        elif now.value.describe() != snap.worker.describe():
            seen = now.value.seen_seconds
            self.snapshot = replace(snap, worker=now.value, worker_seen_seconds=seen)

    async def _ask_about_prints(self, snap: DeskSnapshot) -> None:
        from oss_desk.ui.screens.prints import ask_about_prints

        self._asking = True
        try:
            await ask_about_prints(self, self.push_screen_wait, snap, self._asked_jobs)
        finally:
            self._asking = False

    def show_result(self, ticket: Ticket) -> None:
        """This desk's own change, from its result, on screen in this frame (the full snapshot,
        with places and estimates, follows from :meth:`after_write`). The database thread runs
        one call at a time, in order, so a snapshot taken before the change always arrives
        before it: the screen never goes back to the old state.

        A screen may draw only its own line for the result in this frame (the counter's "now
        called", see :attr:`own_change`), so that the frame is small, and the rest of the screen
        (the queue table, the counts, the keys) in the next; :meth:`after_write` waits for that
        first frame before it takes the full snapshot."""
        from oss_desk.services.desk_view import with_change

        if self.snapshot is None:
            return
        drawn = self._own_drawn = asyncio.get_running_loop().create_future()
        self._quiet_until = time.monotonic() + OWN_FRAME_WAIT
        self.own_change = True
        try:
            self.snapshot = with_change(self.snapshot, ticket)
        finally:
            self.own_change = False
        self.call_after_refresh(self._drawn, drawn)

    def show_login(self, desk_id: str, person: str | None) -> None:
        """This desk's own log-in (``person``) or log-out (None) at ``desk_id`` on screen at
        once, before it is said: the desk's title never names the person before (the full
        snapshot follows from :meth:`after_write`)."""
        from oss_desk.domain.logins import DeskLogin
        from oss_desk.services.desk_view import with_login

        if self.snapshot is None:
            return
        now = self.runner.session.clock.now()
        login = None if person is None else DeskLogin(desk_id, person, now)
        self.snapshot = with_login(self.snapshot, desk_id, login)

    def _drawn(self, drawn: asyncio.Future[None]) -> None:
        if not drawn.done():
            drawn.set_result(None)

    async def after_write(self) -> None:
        """Our own commits do not move our data_version: catch up at once, once the frame with
        the desk's own line is out (the snapshot's work on the database thread would hold it)."""
        drawn, self._own_drawn = self._own_drawn, None
        if drawn is not None:
            with contextlib.suppress(TimeoutError):  # a frame not drawn (another screen on top)
                await asyncio.wait_for(drawn, OWN_FRAME_WAIT)
        self._quiet_until = 0.0
        feed = self._feed
        if feed is not None:
            await self.act(lambda s: poll(s, feed, True))
        await self.refresh_data()

    def begin(self, fn: Callable[[Session], R], *, own_change: bool = False) -> Future[R]:
        """Start ``fn`` on the database thread now (:meth:`settle` says how it went). With
        ``own_change`` (see :meth:`act`) the hold on other desks' changes ends when ``fn`` has
        run, whoever waits for it: a flow cancelled meanwhile leaves nothing held."""
        future = self.runner.submit(fn)
        if own_change:
            self._own_writes += 1
            self._listener.hold()  # its own commit's rings would only slow it down
            loop = asyncio.get_running_loop()

            def ran(done: Future[R]) -> None:  # on the database thread
                with contextlib.suppress(RuntimeError):  # the app has closed its event loop
                    loop.call_soon_threadsafe(self._own_done, done)

            future.add_done_callback(ran)
        return future

    def _own_done(self, done: Future[Any]) -> None:
        self._own_writes -= 1
        if not done.cancelled() and done.exception() is None:  # shown in a moment: wait for it
            self._quiet_until = max(self._quiet_until, time.monotonic() + OWN_FRAME_WAIT)
        self._listener.release()

    async def settle(self, future: Future[R], *, quiet: bool = False) -> Result[R]:
        return await settle(self, future, quiet=quiet)

    async def act(
        self, fn: Callable[[Session], R], *, quiet: bool = False, own_change: bool = False
    ) -> Result[R]:
        """Run ``fn`` on the database thread and say how it went (:func:`settle`).
        ``own_change``: ``fn`` makes a change this desk shows at once (:meth:`show_result`),
        so looks for other desks' changes wait until it is on screen (:meth:`_quiet`)."""
        return await self.settle(self.begin(fn, own_change=own_change), quiet=quiet)

    # Actions ------------------------------------------------------------------------------------

    @guarded
    def action_help(self) -> None:
        self.push_screen(help_screen(self, MODE_TITLES.get(self.current_mode, self.current_mode)))

    @guarded
    @work(exclusive=True, group="preview", exit_on_error=False)
    async def action_resident_view(self) -> None:
        from oss_desk.services.printouts import resident_view
        from oss_desk.ui.dialogs.resident_view import ResidentViewDialog

        screen = self.screen
        ticket_id = screen.shown_ticket_id() if isinstance(screen, DeskScreen) else None
        view = await self.act(lambda s: resident_view(s, ticket_id))
        if not isinstance(view, Ok):
            return
        await self.push_screen_wait(ResidentViewDialog(view.value))

    @guarded
    def action_toggle_contrast(self) -> None:
        self.theme = "high-contrast" if self.theme == "council" else "council"

    @guarded
    async def action_quit(self) -> None:
        """Leaving the desk logs its person out (see ``counter.leave_desk``), then closes."""
        from oss_desk.ui.screens.counter import leave_desk

        await leave_desk(self)
        self.exit()

    @guarded
    async def on_exit_app(self) -> None:
        """A browser tab closed (textual-serve's quit, no Ctrl+Q in a browser) leaves the desk
        as Ctrl+Q does in a terminal: its person is logged out before the app stops."""
        from oss_desk.ui.screens.counter import leave_desk

        if self.is_web:
            await leave_desk(self)

    @guarded
    def watch_theme(self) -> None:
        if self.snapshot is not None:
            self.snapshot = self.snapshot  # recolour the waiting times
