"""One funnel for the desk's unexpected faults: a notification, a fault report, the desk goes on.

Textual closes the app when the code raises something nobody caught. At a front desk that
would close the desk in the middle of the day, so every way the desk's code runs leads here
instead, through public Textual APIs only:

- keys, the command palette and callbacks posted to the app: the app's ``on_event`` (guarded)
  and its ``run_action`` (overridden), which every binding and palette action goes through;
- workers: every ``@work``/``run_worker`` passes ``exit_on_error=False``, and the node that ran
  the worker hands its ``Worker.StateChanged`` (state ERROR) to :func:`worker_failed`;
- message handlers, reactive watchers and timer callbacks: :func:`guarded`;
- a use case that raises something unexpected on the database thread: ``act`` (see
  :mod:`oss_desk.ui.context`).

The app implements :class:`FaultSink` (the report and the notification happen there, once).
Under an app that is not a ``FaultSink`` (a widget tested on its own) the error is raised again,
as Textual would have it.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any, Protocol, TypeVar, cast, runtime_checkable

from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from oss_desk.domain.unexpected import unexpected_fault

F = TypeVar("F", bound=Callable[..., Any])

GUARDED = "__oss_desk_guarded__"
"""Set on every function :func:`guarded` returns (the structure test looks for it)."""


@runtime_checkable
class FaultSink(Protocol):
    def fault(self, error: BaseException) -> None:
        """Write a fault report, tell the person, and carry on."""
        ...


def report(node: MessagePump, error: BaseException) -> None:
    """Send ``error`` (raised by ``node``'s code) to the app's funnel."""
    app = node.app
    if not isinstance(app, FaultSink):
        raise error
    app.fault(error)


def notice(report_path: str | None) -> str:
    """What the person is told: plain words and where the fault report is; the error's class and
    message are not said (the report keeps the class; the message may quote what someone typed)."""
    return f"That did not work: {unexpected_fault(report_path)}. The desk carries on."


def worker_failed(node: MessagePump, event: Worker.StateChanged) -> None:
    """For a node's ``on_worker_state_changed``: a worker that raised goes to the funnel.

    (``Worker.StateChanged`` does not bubble, so every node that runs workers calls this.)"""
    error = event.worker.error
    if event.state is WorkerState.ERROR and isinstance(error, Exception):
        report(node, error)


def guarded(handler: F) -> F:
    """Decorate a message handler, watcher or callback method of a node: whatever it raises
    goes to the funnel, and the handler returns None."""
    if inspect.iscoroutinefunction(handler):

        @wraps(handler)
        async def run_async(node: MessagePump, *args: Any, **kwargs: Any) -> Any:
            try:
                return await handler(node, *args, **kwargs)
            except Exception as error:
                report(node, error)
                return None

        run: Callable[..., Any] = run_async
    else:

        @wraps(handler)
        def run_sync(node: MessagePump, *args: Any, **kwargs: Any) -> Any:
            try:
                return handler(node, *args, **kwargs)
            except Exception as error:
                report(node, error)
                return None

        run = run_sync
    setattr(run, GUARDED, True)
    return cast(F, run)


def guard(node: MessagePump, callback: Callable[[], object]) -> Callable[[], Awaitable[None]]:
    """``callback`` (for a timer or ``call_later``; it may return an awaitable) with its faults
    sent to the funnel."""

    async def run() -> None:
        try:
            result = callback()
            if inspect.isawaitable(result):
                await result
        except Exception as error:
            report(node, error)

    return run
