"""What every command shares: global options, the session, JSON output, one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import click

from oss_desk.domain.text import printable
from oss_desk.errors import OssDeskError

if TYPE_CHECKING:
    from oss_desk.services.session import Session

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
FC = TypeVar("FC", bound=Callable[..., Any])


@dataclass
class State:
    """The global options (``--db``, ``--config``, ``--user``) and the lazily opened session."""

    db: str | None = None
    config: str | None = None
    user: str | None = None
    site: str | None = None
    """``--site`` of a command on a ticket named by today's code: see :data:`ticket_site`."""
    sessions: list[Session] = field(default_factory=list)
    warned: bool = False
    """Whether the simulated time (OSS_DESK_NOW on a live office) was said (once a command)."""

    def session(
        self, desk_id: str | None = None, *, check: bool = False, host: bool = False
    ) -> Session:
        """The session of a command; ``host``: a host-level command (not role-checked)."""
        # the settings: only when needed
        from oss_desk.services.session import open_session, simulated_on_live

        session = open_session(
            db=self.db,
            config=self.config,
            person=self.user,
            desk_id=desk_id,
            check=check,
            host=host,
            typed=True,
            site_id=self.site,
        )
        session.site_said_by = site_said_by(click.get_current_context(silent=True))
        self.sessions.append(session)
        if not self.warned:
            self.warned = True
            warning = simulated_on_live(session)
            if warning:
                click.echo(f"oss-desk: {warning}", err=True)
        return session

    def close(self) -> None:
        for session in self.sessions:
            session.close()
        self.sessions.clear()


pass_state = click.make_pass_decorator(State, ensure=True)


def site_said_by(ctx: click.Context | None) -> str:
    """How the command being run says which site: ``--site ID`` when it takes it, else
    ``--desk ID`` (a desk at the site) when it takes that, else nothing."""
    options = {o for p in (ctx.command.params if ctx else ()) for o in p.opts}
    if "--site" in options:
        return "--site ID"
    return "--desk ID: a desk at that site" if "--desk" in options else ""


site_option = click.option(
    "--site",
    "site_id",
    metavar="ID",
    help="The site, when the database has several "
    "(default: the site of the desk you logged in to today).",
)
"""``--site``: the site a ticket, a quick visit, the queue, the appointments or the follow-ups are
of (``ticket issue``, ``visit quick``, ``queue``, ``appointment slots`` and ``list``, ``followup
add`` and ``list``)."""


def _told_site(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(State).site = value


ticket_site = click.option(
    "--site",
    metavar="ID",
    expose_value=False,
    callback=_told_site,
    help="The site whose code REF is (every site starts at C001 each day), when the database "
    "has several (default: the site of --desk, else of the desk you logged in to today).",
)
"""``--site`` of every command on a ticket named by ``REF``: today's code is looked up at that
site (see :meth:`oss_desk.services.session.Session.acting_site`, the one rule)."""


def emit_json(value: Any) -> None:
    """Exactly one JSON value on stdout, and nothing else."""
    click.echo(json.dumps(value, ensure_ascii=False, sort_keys=False))


def answer(as_json: bool, value: Any, text: str) -> None:
    """A command's answer: ``value`` as one JSON value (``--json``), else ``text`` as a line."""
    if as_json:
        emit_json(value)
    else:
        click.echo(text)


def answer_each(
    as_json: bool,
    found: Sequence[T],
    json_of: Callable[[T], Any],
    line_of: Callable[[T], str],
    none: str,
) -> None:
    """A list as a command's answer: one JSON list of each one's ``json_of`` (``--json``), else a
    line each, or ``none`` when there are none."""
    if as_json:
        emit_json([json_of(item) for item in found])
        return
    if not found:
        click.echo(none)
    for item in found:
        click.echo(line_of(item))


def json_option(func: Callable[P, R]) -> Callable[P, R]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON value.")(func)


def closing(func: Callable[P, R]) -> Callable[P, R]:
    """Close the sessions a command opened, whatever happens."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        finally:
            ctx = click.get_current_context(silent=True)
            if ctx is not None:
                state = ctx.find_object(State)
                if state is not None:
                    state.close()

    return wrapper


def json_command(func: Callable[Concatenate[State, P], R]) -> Callable[P, R]:
    """What most commands take: ``--json``, the global options' state, and their sessions closed
    when they end (``@json_option``, ``@pass_state`` and ``@closing`` in one)."""
    return json_option(pass_state(closing(func)))


def ref_command(func: Callable[Concatenate[State, P], R]) -> Callable[..., R]:
    """:func:`json_command` for a command about one record named by its ``REF`` (a ticket code,
    a booking reference, a follow-up reference or an id): that argument as well. Its only
    argument: put it last, under the command's options."""
    return click.argument("ref")(json_command(func))


def ticket_command(func: Callable[Concatenate[State, P], R]) -> Callable[..., R]:
    """:func:`ref_command` for a command on one ticket: ``--site`` (:data:`ticket_site`) too."""
    return ticket_site(ref_command(func))


def number_option(
    *decls: str, default: int, within: tuple[int, int], help: str | None = None
) -> Callable[[FC], FC]:
    """An option taking a whole number in the range ``within``, its default shown in ``--help``."""
    low, high = within
    return click.option(
        *decls, default=default, show_default=True, type=click.IntRange(low, high), help=help
    )


def choice_option(
    *decls: str, choices: Iterable[str], default: str, help: str | None = None
) -> Callable[[FC], FC]:
    """An option taking one of a few words, its default shown in ``--help``."""
    return click.option(
        *decls, default=default, show_default=True, type=click.Choice(list(choices)), help=help
    )


def choice_of(values: Iterable[StrEnum]) -> click.Choice[str]:
    """An option's choices: a domain enum's values, in its order (what the domain allows is
    written there once, and a value added there is offered here)."""
    return click.Choice([v.value for v in values])


def err(message: str, *, indent: str = "") -> None:
    """One line on stderr (``indent`` before it), with any control character in it (from what
    was typed or stored) shown escaped, never sent to the terminal."""
    click.echo(printable(indent + " ".join(message.split())), err=True)


def err_error(error: OssDeskError) -> None:
    """An error on stderr: its one line, or its first line and one indented line for each
    thing it says (:attr:`OssDeskError.lines`: a configuration's problems)."""
    first, *more = error.lines or (error.cli_message,)
    err(f"oss-desk: {first}")
    for line in more:
        err(line, indent="  ")


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()
