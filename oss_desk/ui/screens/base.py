"""What the desk screens share: the bars, the live snapshot, acting, and the fault funnel.

A screen knows the desk only as a :class:`~oss_desk.ui.context.DeskContext` (``self.desk``),
handed to it when the app builds it; it never imports the app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from functools import partial, wraps
from typing import TYPE_CHECKING, Any, ClassVar, Concatenate, Generic, ParamSpec, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker

from oss_desk.domain.access import Action
from oss_desk.domain.models import Actor, Ticket
from oss_desk.services.session import Session
from oss_desk.ui.compositor import LineCompositor
from oss_desk.ui.context import DeskContext, Ok, Result
from oss_desk.ui.faults import guard, guarded, worker_failed
from oss_desk.ui.modes import key_of, key_said, keys_of
from oss_desk.ui.screens.logged_out import watch_logins
from oss_desk.ui.widgets.bars import StatusBar, TopBar
from oss_desk.ui.widgets.devices import device_parts
from oss_desk.ui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from oss_desk.domain.models import QueueEntry
    from oss_desk.services.desk_view import DeskSnapshot
    from oss_desk.services.queue import Issued

P = ParamSpec("P")
R = TypeVar("R")
V = TypeVar("V")
S = TypeVar("S", bound="DeskScreen")
T = TypeVar("T")


def help_of(screen: Screen[Any]) -> str:
    """F1's words about ``screen``: a desk screen's :meth:`DeskScreen.help_words` (which may
    depend on what it shows), else its ``HELP``."""
    if isinstance(screen, DeskScreen):
        return screen.help_words()
    return getattr(screen, "HELP", "") or ""


class DeskScreen(Screen[None]):
    AREA = ""
    HELP = ""
    HELP_KEYS: ClassVar[dict[str, str]] = {}
    """F1's sentence about a key, by its action: said only to a person the key is offered to
    (:meth:`help_words`)."""
    ROLE_ACTIONS: ClassVar[dict[str, Action]] = {}
    """Which permission each of the screen's actions needs (see ``oss_desk.domain.access``)."""
    FOCUS = ""
    """The widget (a selector) that has the keyboard when the screen opens."""
    SHOWS_ALERTS = False
    """The status area shows message alerts and every desk's unanswered print jobs."""

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        if cls.FOCUS:  # focused as the screen is built: a key typed meanwhile finds it there
            cls.AUTO_FOCUS = cls.FOCUS

    def __init__(self, desk: DeskContext) -> None:
        super().__init__()
        self._compositor = LineCompositor()  # a small change renders only its own lines
        self.desk = desk
        self._drawn = False

    def _compositor_refresh(self) -> None:
        """Textual (8.2) renders a whole update even inside a batch of updates, and then drops
        it (``App._display`` writes nothing until the batch ends). At start-up that is a whole
        screen rendered for nothing before the first frame: until this screen has drawn its
        first frame, an update asked for inside a batch is left as a repaint for after it (the
        terminal's size, sent once the app runs, draws it)."""
        app = self.app
        if app._batch_count and not self._drawn and self is app.screen:
            self._repaint_required = True
            return
        super()._compositor_refresh()
        self._drawn = self._drawn or not app._batch_count

    def compose(self) -> ComposeResult:
        """Every desk screen: where and who at the top, the screen's own body, then the desk
        and device state and the keys."""
        top = TopBar()
        # Where and who is known before the first snapshot: in the first frame already.
        snapshot = self.desk.snapshot
        self.show_top_bar(snapshot.site_id if snapshot is not None else None, top)
        yield top
        yield from self.compose_body()
        yield StatusBar()
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets, between the bars."""
        yield from ()

    @guarded
    def on_mount(self) -> None:
        self.desk.follow_snapshot(self, self._on_snapshot)
        if self.FOCUS:
            self.query_one(self.FOCUS).focus()

    @guarded
    def on_screen_resume(self) -> None:
        desk = self.desk
        if desk.snapshot is not None:
            self._on_snapshot(desk.snapshot)
        if self.wants_fresh_data():
            desk.request_refresh()
        desk.resume_scans()  # a scan that came while a dialog was open

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker_failed(self, event)

    def help_words(self) -> str:
        """F1's words about the screen: its ``HELP``, then a sentence for each key in
        ``HELP_KEYS`` offered to this person (or why it is not set up here), so the words never
        describe a key the key table below leaves out (a screen whose words depend on what it
        shows gives them here). A sentence's "{key}" is the action's key as this desk takes it
        (:meth:`key_named`: a browser desk's own, a council's keymap)."""
        said = [self.HELP]
        for action, sentence in self.HELP_KEYS.items():
            if self.offers(action):
                if "{key}" in sentence:  # (worked out only where a sentence names it)
                    sentence = sentence.replace("{key}", self.key_named(action))
                said.append(sentence)
            elif self.role_allows(action) and (missing := self.not_set_up(action)):
                said.append(f"{missing}.")
        return " ".join(part for part in said if part)

    def wants_fresh_data(self) -> bool:
        return False

    @guarded
    def _on_snapshot(self, snapshot: DeskSnapshot | None) -> None:
        watch_logins(self, self.desk, snapshot)  # logged out from elsewhere: said once
        if snapshot is None or not self.is_current:
            return
        self.show_bars(snapshot)
        self.show_snapshot(snapshot)

    def show_snapshot(self, snapshot: DeskSnapshot) -> None:
        """Update the screen's widgets from a new snapshot (by key, never rebuilt)."""

    def show_detail(self) -> None:
        """A screen with a list: the panel about its highlighted row."""

    def show_highlighted(self) -> None:
        """The highlighted row changed (or the list did): its panel, and the keys that apply."""
        self.show_detail()
        self.refresh_bindings()

    def current_desk(self) -> str | None:
        return None

    def role_allows(self, action: str, own: bool | None = None) -> bool:
        """Whether the person acting here may do the screen action ``action`` at all."""
        needed = self.ROLE_ACTIONS.get(action)
        if needed is None:
            return True
        return self.desk.may(needed, self.acting_as(), own=own)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # False hides the key (the role may not, or the office has not set it up); None would
        # show it dimmed (not now).
        return self.offers(action)

    def offers(self, action: str) -> bool:
        """Whether the key of ``action`` is offered to this person here at all: their role may
        (its row's ``may=``) and the office has set up what it needs (:meth:`not_set_up`)."""
        return self.role_allows(action) and self.not_set_up(action) is None

    def key_named(self, action: str) -> str:
        """The key of this screen's ``action`` as this desk takes it, in a sentence ("Ctrl+N";
        "Ctrl+O" at a browser desk, where the browser keeps Ctrl+N)."""
        mine = (b for b in self.BINDINGS if isinstance(b, Binding) and b.action == action)
        binding = next(mine, None)
        return key_said(key_of(self.app, binding)) if binding is not None else action

    def not_set_up(self, action: str) -> str | None:
        """Why ``action`` is not offered in this office (its key is hidden, and F1 says this
        instead of what the key does); None: nothing it needs is missing."""
        return None

    def why_not(self, action: str) -> str | None:
        """Why the screen action ``action`` does nothing now (its key is dimmed): said when the
        key is pressed, so no key is a silent no-op."""
        return None

    @guarded
    def on_key(self, event: Key) -> None:
        """A key that does nothing here says why: a dimmed key (not now), a key of another
        role, or a key this screen does not have."""
        if isinstance(self.focused, Input) or event.key in ("escape", "tab", "shift+tab"):
            return
        active = self.active_binding(event.key)
        if active is not None:
            if not active.enabled:
                action = active.binding.action.partition("(")[0].removeprefix("app.")
                self.say(self.disabled_reason(action, active.binding.description), timeout=4)
            return
        screens = [b for b in self.app.BINDINGS if "switch_mode" in getattr(b, "action", "")]
        mine = next(  # the screen's keys, then the screens' (F3 at meet-and-greet, say)
            (
                b
                for b in (*self.BINDINGS, *screens)
                if isinstance(b, Binding) and event.key in keys_of(self.app, b) and b.description
            ),
            None,
        )
        if mine is not None:
            missing = self.not_set_up(mine.action.partition("(")[0].removeprefix("app."))
            role = self.desk.names.person_label(self.acting_as())
            self.say(missing or f"{mine.description}: not for {role}", timeout=4)
        elif event.is_printable and event.character not in (None, " "):
            from oss_desk.domain.counter import not_a_key_here

            self.say(not_a_key_here(event.character), timeout=3)

    def active_binding(self, key: str) -> ActiveBinding | None:
        """``self.active_bindings.get(key)``, working out only ``key``'s bindings: the whole
        map asks every key's ``check_action`` (about 0.4 ms on each key press, while call
        next's transaction waits for the interpreter)."""
        found: ActiveBinding | None = None
        for namespace, bindings in self._modal_binding_chain:
            for binding in bindings.key_to_bindings.get(key, ()):
                if found is not None and not (binding.priority and not found.binding.priority):
                    continue  # bound already nearer the focus (only a priority key overrides)
                state = self.app._check_action_state(binding.action, namespace)
                if state is not False:  # False hides the key; None shows it dimmed
                    found = ActiveBinding(namespace, binding, bool(state), binding.tooltip)
        return found

    def disabled_reason(self, action: str, description: str) -> str:
        if action == "switch_mode":
            return f"{description}: you are there already"
        return self.why_not(action) or f"{description}: not now"

    def acting_as(self) -> Actor:
        return self.desk.actor(self.current_desk())

    def show_top_bar(self, site_id: str | None, bar: TopBar | None = None) -> None:
        """Where and who (on ``bar``, else the screen's): the office (``site_id``'s, else this
        desk's), the area, the desk, the person and the time."""
        names = self.desk.names
        (bar or self.query_one(TopBar)).show(
            site=names.site(site_id),
            area=self.AREA,
            desk=names.desk(self.current_desk()),
            person=names.person_label(self.acting_as()),
            clock=names.clock_text(),
        )

    def waiting_entries(self, snapshot: DeskSnapshot) -> list[QueueEntry]:
        """What the status bar's "Waiting" counts: the whole queue (an adviser desk: what it
        may call)."""
        return snapshot.waiting

    def show_bars(self, snapshot: DeskSnapshot) -> None:
        from oss_desk.domain.wait_clock import past_target

        self.show_top_bar(snapshot.site_id)
        from oss_desk.services.delivery import StatusPart  # loaded with the first snapshot

        desk = self.current_desk()
        parts: list[StatusPart] = []
        state = snapshot.desk(desk) if desk else None
        if state is not None:
            parts.append(StatusPart("Desk", _status_word(state.status.value)))
        waiting = self.waiting_entries(snapshot)
        parts.append(StatusPart("Waiting", str(len(waiting))))
        over = sum(1 for e in waiting if past_target(e, snapshot.target_seconds))
        if over:  # (the queue's colours say it too: left out when the bar is too narrow)
            label = f"Over {snapshot.target_seconds // 60} min"
            parts.append(StatusPart(label, str(over), optional=True))
        devices = device_parts(self.desk, desk, snapshot, leader=self.SHOWS_ALERTS)
        parts += devices
        self.query_one(StatusBar).show(parts, fault=any(part.fault for part in devices))

    def shown_ticket_id(self) -> int | None:
        """The ticket this screen is about (for the resident's view, F10)."""
        return None

    def highlighted_ticket(self) -> int | None:
        """The ticket highlighted in the screen's queue list, for a key that acts on it; None,
        said, when no row is highlighted (after its ticket left the list: what became of it)."""
        from oss_desk.ui.widgets.queue_table import QueueTable

        table = self.query_one(QueueTable)
        ticket_id = table.selected_ticket_id()
        if ticket_id is None:
            self.say(self.not_highlighted(table.gone), severity="warning", timeout=6)
        return ticket_id

    def not_highlighted(self, gone: Ticket | None) -> str:
        """Why no ticket is highlighted: ``gone`` (the one that was) left the list, and where
        it is now as the live queue has it; or nothing was highlighted."""
        from oss_desk.domain.counter import NOTHING_HIGHLIGHTED, left_the_list  # (_status_word)

        if gone is None:
            return NOTHING_HIGHLIGHTED
        snap = self.desk.snapshot
        live = [e.ticket for e in snap.queue] if snap is not None else []
        now = next((t for t in live if t.id == gone.id), None) or next(
            (t for t in live if t.transferred_from == gone.id), None
        )
        names = self.desk.names
        where = ""
        if now is not None:
            desk = now.desk or now.assigned_desk
            person = now.assigned_person
            where = names.person(person) if person and not desk else names.desk(desk)
        return left_the_list(gone.code, now, where)

    def checked_in(self, issued: Issued) -> None:
        """A resident with a booking was checked in here (typed or scanned): ``issued`` is
        their ticket."""

    def reprinted(self, ticket_id: int, job: int) -> None:
        """The ticket ``ticket_id`` was sent to the printer again, as the print job ``job``."""

    def ticket_actions(self, ticket: Ticket) -> list[tuple[str, str]]:
        """What this screen can do with a ticket found or scanned: (letter, words)."""
        return []

    async def ticket_action(self, ticket: Ticket, key: str) -> None:
        """Do what :meth:`ticket_actions` offered under ``key``."""

    def notify_done(self, message: str) -> None:
        self.app.notify(message, markup=False, timeout=4)

    def say(self, message: str, **options: Any) -> None:
        """A plain notification (never markup: it may hold what someone typed)."""
        self.app.notify(message, markup=False, **options)

    async def commit(self, fn: Callable[[Session], R], done: str | None = None) -> Result[R]:
        """Make a change: run ``fn`` on the database thread; when it is done, say ``done`` and
        catch up with it (a refusal or failure has been shown already)."""
        result = await self.desk.act(fn)
        if isinstance(result, Ok):
            if isinstance(result.value, Ticket):
                self.desk.show_result(result.value)  # at once; the full snapshot follows
            if done:
                self.notify_done(done)
            await self.desk.after_write()
        return result

    def refresh_bindings_soon(self, *_: Any) -> None:
        self.refresh_bindings()


def acts_on(
    pick: Callable[[S], T | None],
) -> Callable[[Callable[[S, T], Awaitable[None]]], Callable[[S], Coroutine[Any, Any, None]]]:
    """A key's action on what the screen has highlighted or chosen (``pick`` finds it, and may
    say why there is nothing): nothing to do when there is nothing. Under :func:`key_flow`::

        @key_flow("appt-action")
        @acts_on(highlighted_appointment)
        async def action_no_show(self, appt: Appointment) -> None: ..."""

    def decorate(
        action: Callable[[S, T], Awaitable[None]],
    ) -> Callable[[S], Coroutine[Any, Any, None]]:
        @wraps(action)
        async def run(screen: S) -> None:
            picked = pick(screen)
            if picked is not None:
                await action(screen, picked)

        return run

    return decorate


def key_flow(
    group: str,
) -> Callable[
    [Callable[Concatenate[S, P], Awaitable[None]]], Callable[Concatenate[S, P], Worker[None]]
]:
    """A key's flow on a screen: one at a time in the screen's exclusive worker ``group`` (a
    fault goes to the funnel and the desk carries on), run whole under the key hold
    (:func:`~oss_desk.ui.dialogs.hold.keys_held`: a key typed meanwhile acts once it is over,
    and never cancels it half-way). Every flow of a group that cancels the one before is
    declared with it::

        @key_flow("leader")
        @acts_on(_highlighted_ticket)
        async def action_reprint(self, ticket_id: int) -> None: ..."""

    def decorate(
        flow: Callable[Concatenate[S, P], Awaitable[None]],
    ) -> Callable[Concatenate[S, P], Worker[None]]:
        @wraps(flow)
        async def held(screen: S, /, *args: P.args, **kwargs: P.kwargs) -> None:
            from oss_desk.ui.dialogs.hold import keys_held  # with the first flow, not the screen

            async with keys_held(screen.app):
                await flow(screen, *args, **kwargs)

        return guarded(
            work(exclusive=True, group=group, exit_on_error=False, name=flow.__name__)(held)
        )

    return decorate


class ReadOnce(Generic[V]):
    """Personal details a screen reads once a record while the app runs (the use case records
    each read): on the database thread, in a worker of the screen's; ``shown`` draws them when
    they come. A refresh of the screen does not read them again."""

    def __init__(self, screen: DeskScreen, group: str, shown: Callable[[], None]) -> None:
        self.screen = screen
        self.group = group
        self.shown = shown
        self.found: dict[int, V] = {}
        self._reading: set[int] = set()

    def __contains__(self, record: int) -> bool:
        """Read already, or being read."""
        return record in self.found or record in self._reading

    def get(self, record: int) -> V | None:
        return self.found.get(record)

    def read(self, record: int, fn: Callable[[Session], V]) -> None:
        """Read ``record``'s details with ``fn`` (unless they are read or being read)."""
        if record in self:
            return
        self._reading.add(record)
        work = guard(self.screen, partial(self._read, record, fn))  # made when it runs
        self.screen.run_worker(work, group=self.group, exit_on_error=False)

    async def _read(self, record: int, fn: Callable[[Session], V]) -> None:
        try:
            found = await self.screen.desk.act(fn)
        finally:
            self._reading.discard(record)
        if isinstance(found, Ok):
            self.found[record] = found.value
            self.shown()


def _status_word(status: str) -> str:
    # The counter's rules (and the queue's they import) load with the first snapshot, after
    # the desk's first frame.
    from oss_desk.domain.counter import DESK_STATUS_WORDS

    return next((w for s, w in DESK_STATUS_WORDS.items() if s.value == status), status)
