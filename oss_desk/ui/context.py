"""What a desk screen may ask of the desk it runs in: :class:`DeskContext`, and what acting says.

Screens never import the app. The app hands each screen a ``DeskContext`` (it implements the
protocol itself) and the screen asks it for the live snapshot, the names of things, who is
acting, and to run a use case on the database thread. That keeps the dependencies pointing one
way (``app -> screens -> flows -> dialogs | widgets -> context``) and lets a screen be read, and
tested, knowing only this page.

``act`` answers with one of three values, so a caller can never mistake a failure for an empty
answer ("nobody is waiting"): :class:`Ok` (with the use case's value, which may itself be None),
:class:`Refused` (a rule, a role or the input said no) or :class:`Failed` (the database could
not do it, or a fault in the code). Unless the caller asks to show it itself (``quiet``), the
refusal or failure has already been shown to the person when ``act`` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeAlias, TypeVar

from textual.dom import DOMNode
from textual.notifications import SeverityLevel

from oss_desk.domain.access import Action
from oss_desk.domain.models import Actor, Ticket
from oss_desk.domain.print_questions import Asker, asked_here, asked_instead
from oss_desk.errors import DatabaseUnsafe, OssDeskError, ResourceFault, StorageError
from oss_desk.services.session import Session
from oss_desk.ui.names import Names

if TYPE_CHECKING:
    from oss_desk.services.desk_view import DeskSnapshot
    from oss_desk.services.queue import Issued
    from oss_desk.storage.outbox import JobNeedingAnswer

R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Ok(Generic[T]):
    """It was done; ``value`` is the use case's answer (None can be an answer: nobody waiting)."""

    value: T


@dataclass(frozen=True, slots=True)
class NotDone:
    """Nothing changed; ``title`` and ``message`` say why, in words for the person."""

    title: str
    message: str


@dataclass(frozen=True, slots=True)
class Refused(NotDone):
    """A rule, the person's role or what was typed said no."""


@dataclass(frozen=True, slots=True)
class Failed(NotDone):
    """The database is busy, full or damaged, or the code has a fault (then a fault report
    was written)."""


Result: TypeAlias = Ok[T] | Refused | Failed


class Settles(Protocol):
    """What :func:`settle` tells of how a use case went (the app)."""

    def block(self, exc: DatabaseUnsafe) -> None: ...

    def fault(self, error: BaseException) -> None: ...

    def notify(
        self,
        message: str,
        *,
        title: str,
        severity: SeverityLevel,
        markup: bool,
        timeout: float | None,
    ) -> None: ...


async def settle(desk: Settles, future: Future[R], *, quiet: bool = False) -> Result[R]:
    """Wait for a use case started on the database thread and say how it went: the desk keeps
    working (a rule says no: a warning; the database busy or full: an error; the unexpected: the
    fault funnel), unless its database is gone or damaged (``block``). ``quiet``: a refusal or
    failure is not shown (the caller shows it)."""
    # The wait is the flow's own: a worker cancelled meanwhile (another key's flow in its
    # exclusive group) never takes back a change its key started. (Cancelling a wait made with
    # asyncio.wrap_future cancelled the job too while it still queued behind another, the
    # desk's first look at the queue: a ticket issued with C Enter, then W Enter at once, was
    # never issued.) The result is handed straight to it, one turn of the event loop sooner
    # than through a shielded wrap_future: the frame that shows call next's result is sooner.
    loop = asyncio.get_running_loop()
    waiting: asyncio.Future[R] = loop.create_future()

    future.add_done_callback(lambda ended: _call_soon(loop, _hand_over, ended, waiting))
    try:
        return Ok(await waiting)
    except asyncio.CancelledError:
        # The flow that waited is gone, but its change goes on: it is still said when it ends.
        future.add_done_callback(
            lambda ended: _call_soon(loop, _settled_after_its_flow, desk, ended)
        )
        raise
    except Exception as exc:
        return _not_done(desk, exc, quiet=quiet)


def _hand_over(ended: Future[R], waiting: asyncio.Future[R]) -> None:
    """``ended``'s outcome to the flow waiting for it (unless that wait was cancelled)."""
    if waiting.done():
        return
    if ended.cancelled():
        waiting.cancel()
    elif (exc := ended.exception()) is not None:
        waiting.set_exception(exc)
    else:
        waiting.set_result(ended.result())


def _call_soon(loop: asyncio.AbstractEventLoop, fn: Callable[..., object], *args: Any) -> None:
    with contextlib.suppress(RuntimeError):  # the app has closed its event loop
        loop.call_soon_threadsafe(fn, *args)


def _not_done(desk: Settles, exc: Exception, *, quiet: bool) -> Refused | Failed:
    """Say why a use case did not happen (unless ``quiet``), and what came of it."""
    if isinstance(exc, DatabaseUnsafe):  # gone, moved, replaced or damaged: the desk stops
        desk.block(exc)
        return Failed(exc.title, exc.message)
    if isinstance(exc, ResourceFault):  # disk, file system or a lock: nothing saved, try again
        # Not retried by itself (a second press could then issue twice): said as not done.
        failed: Refused | Failed = Failed(
            exc.title, f"{exc.message}. Not done: press the key again once that is fixed."
        )
    elif isinstance(exc, StorageError):
        failed = Failed(exc.title, exc.message)
    elif isinstance(exc, OssDeskError):
        failed = Refused(exc.title, exc.message)
    else:
        desk.fault(exc)
        return Failed("Unexpected problem", "That did not work: see the message")
    if not quiet:
        error = isinstance(failed, Failed)
        desk.notify(
            failed.message,
            title=failed.title,
            severity="error" if error else "warning",
            markup=False,
            timeout=10 if error else None,
        )
    return failed


def _settled_after_its_flow(desk: Settles, ended: Future[Any]) -> None:
    """A use case whose flow was cancelled while it ran (another key's flow in the same
    exclusive group) has ended, and its flow is no longer there to say how: a refusal or a
    failure (the database busy or full: a change not made, which no later look at the queue
    would say) is said as any other, a fault goes to the fault funnel, a database gone or
    damaged stops the desk. A change it made shows at the desk's next look."""
    if ended.cancelled():
        return
    exc = ended.exception()
    if exc is None:
        return
    if isinstance(exc, Exception):
        _not_done(desk, exc, quiet=False)
    else:  # SystemExit or the like, raised on the database thread
        desk.fault(exc)


class DeskContext(Protocol):
    """The desk as a screen sees it. Keep it small: add a member only when a screen needs it."""

    @property
    def names(self) -> Names:
        """What things are called (services, desks, people) and the office's local time."""
        ...

    @property
    def snapshot(self) -> DeskSnapshot | None:
        """The latest snapshot of the queue, the desks and the devices (None until the first)."""
        ...

    def follow_snapshot(
        self, node: DOMNode, callback: Callable[[DeskSnapshot | None], None]
    ) -> None:
        """Call ``callback`` (on ``node``'s own message loop) with every new snapshot."""
        ...

    def request_refresh(self) -> None:
        """Take a new snapshot soon (requests that arrive meanwhile are coalesced)."""
        ...

    @property
    def greet_desk_id(self) -> str | None:
        """The meet-and-greet desk this terminal acts as."""
        ...

    @property
    def adviser_desk_id(self) -> str | None:
        """The adviser desk this terminal acts as (see :meth:`use_adviser_desk`)."""
        ...

    @property
    def terminal_desk(self) -> str | None:
        """The desk this terminal was started at, if it is one of the office's desks."""
        ...

    @property
    def cursor_blink(self) -> bool: ...

    def use_adviser_desk(self, desk_id: str) -> None:
        """From now on this terminal is ``desk_id`` at the adviser screen."""
        ...

    def actor(self, desk_id: str | None) -> Actor:
        """Who acts at ``desk_id`` (in the demo, each desk has its own person)."""
        ...

    def leader_actor(self) -> Actor:
        """Who acts as the team leader (the leader and reports screens)."""
        ...

    def mode_actor(self, mode: str) -> Actor:
        """Who acts in ``mode`` (in the demo each mode has its own person)."""
        ...

    def may(self, action: Action, actor: Actor, own: bool | None = None) -> bool:
        """Whether ``actor``'s role allows ``action`` (the services check it again)."""
        ...

    async def act(
        self, fn: Callable[[Session], R], *, quiet: bool = False, own_change: bool = False
    ) -> Result[R]:
        """Run ``fn`` on the database thread. A refusal or failure is shown to the person
        (``quiet``: the caller shows it, e.g. inline in a form); a fault in the code always goes
        to the fault funnel. ``own_change``: its result is shown at once (:meth:`show_result`):
        nothing else runs on the database thread until that frame is out."""
        ...

    def begin(self, fn: Callable[[Session], R], *, own_change: bool = False) -> Future[R]:
        """Start ``fn`` on the database thread now, before anything else is done (``act``
        is ``settle(begin(fn))``): a key's action can hand its use case over at once and leave
        the waiting to its worker."""
        ...

    async def settle(self, future: Future[R], *, quiet: bool = False) -> Result[R]:
        """How a use case started by :meth:`begin` went, as :meth:`act` says it."""
        ...

    issued_here: Issued | None
    """The last ticket this terminal issued: at meet-and-greet, or by checking a resident in
    on any screen (F5, a scan). Meet-and-greet shows it large; its Ctrl+R and Ctrl+N act on it."""

    own_change: bool
    """True while the screens are told of this desk's own change: a screen may draw only its
    own line for it in this frame, and the rest in the next."""

    def show_result(self, ticket: Ticket) -> None:
        """Show a ticket this desk has just changed (the change's result) at once, in this
        frame; the full snapshot follows (:meth:`after_write`)."""
        ...

    def show_login(self, desk_id: str, person: str | None) -> None:
        """Show this desk's own log-in (``person``) or log-out (None) at ``desk_id`` at once; the
        full snapshot follows (:meth:`after_write`)."""
        ...

    async def after_write(self) -> None:
        """Catch up with this desk's own commit at once (they do not move its change feed)."""
        ...

    def resume_scans(self) -> None:
        """Handle the QR scans that came while a dialog was open (the screen is back on top)."""
        ...


@dataclass(frozen=True, slots=True)
class PrintAsking:
    """How this terminal stands to one print job that needs an answer
    (:func:`~oss_desk.domain.print_questions.asked_here`): the question it asks and the
    status line it shows both follow it, so they agree."""

    here: bool
    """This terminal is asked "Reprint it?"."""
    mine: bool
    """The job is of this terminal's own desk (else the team leader acts for its desk)."""
    actor: Actor
    """Who answers from this terminal."""
    instead: str
    """Who is asked when this terminal is not, in the status line's words."""


def print_asking(desk: DeskContext, snapshot: DeskSnapshot, job: JobNeedingAnswer) -> PrintAsking:
    """Whether this terminal is asked about ``job`` (its own desk's; for the team leader, slips
    and summaries, and jobs at a desk whose person may not reprint), and who is instead."""
    own = desk.terminal_desk or desk.greet_desk_id  # a terminal at no desk is meet-and-greet
    leader = desk.leader_actor()
    # (the leader acts for the job's desk: a ticket's copy goes to that desk's printer)
    mine = job.desk_id is not None and job.desk_id == own
    actor = desk.actor(job.desk_id) if mine else Actor(leader.person, job.desk_id)
    asker = Asker(own, desk.may(Action.REPRINT, actor), desk.may(Action.ACKNOWLEDGE_ALERT, leader))
    there = snapshot.desk(job.desk_id) if job.desk_id is not None else None
    person = there.login.person if there is not None and there.login is not None else None
    desk_may = None if person is None else desk.may(Action.REPRINT, Actor(person, job.desk_id))
    here = asked_here(asker, job.desk_id, job.kind, desk_may_reprint=desk_may)
    return PrintAsking(here, mine, actor, asked_instead(job.kind, desk_may_reprint=desk_may))
