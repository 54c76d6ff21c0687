"""The adviser's counter on the command line: park, resume, recycle, add a service, take a
no-show back, a visit's history (``oss-desk ticket ...``), and logging in to desks
(``oss-desk desks login|logout``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from oss_desk.cli.common import (
    State,
    answer,
    emit_json,
    json_command,
    ticket_command,
    ticket_site,
)
from oss_desk.domain.counter import PARK_REASONS
from oss_desk.domain.delivery import PAPER_AGAIN
from oss_desk.domain.models import QueueEntry, Ticket
from oss_desk.domain.sent_to import closed_words
from oss_desk.errors import InvalidInput
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session
from oss_desk.services.views import ticket_json, ticket_line


def show_ticket(
    session: Session,
    ticket: Ticket,
    as_json: bool,
    entry: QueueEntry | None = None,
    status: str | None = None,
) -> None:
    """A ticket after a command: its line, or (``--json``) its JSON with its queue entry;
    ``status``: its status in words, when they say more than the stored value."""
    answer(
        as_json,
        ticket_json(ticket, session.directory, entry),
        ticket_line(ticket, session.directory, status),
    )


def ticket_session(state: State, ref: str) -> Session:
    """The session of a command on one ticket that names no desk. For a ticket at a desk the
    acting person is resolved as for a command for that desk (``--desk``): a login not on the
    staff list acts as the person logged in there, so the ticket's history is theirs on every
    line, the call's too. Only then: anyone else keeps the session without the desk, so naming
    no desk never makes a ticket theirs (a desk's own ticket is its actor's)."""
    session = state.session()
    desk_id = QueueService(session).ticket(ref).desk
    if desk_id is None or desk_id not in session.directory.desks:
        return session
    at_desk = state.session(desk_id)
    if at_desk.actor.person != session.actor.person:
        return at_desk  # the person logged in to (or configured at) the ticket's desk
    at_desk.close()
    state.sessions.remove(at_desk)
    return session


def ticket_action(
    name: str, doc: str, method: str, *options: Callable[[Callable[..., None]], Callable[..., None]]
) -> click.Command:
    """``oss-desk ticket NAME REF``: one queue action on one ticket; the ``options`` it takes
    are handed to the method by name."""

    def command(state: State, ref: str, as_json: bool, **given: Any) -> None:
        session = ticket_session(state, ref)
        show_ticket(session, getattr(QueueService(session), method)(ref, **given), as_json)

    func: Callable[..., None] = json_command(command)
    for option in reversed(options):
        func = option(func)
    return click.command(name, help=doc)(ticket_site(click.argument("ref")(func)))


park = ticket_action(
    "park",
    "Set the resident at a desk aside (the desk can call the next meanwhile; resume them later).",
    "park",
    click.option(
        "--reason",
        required=True,
        type=click.Choice(list(PARK_REASONS)),
        help="Why: " + ", ".join(f"{k} ({v})" for k, v in PARK_REASONS.items()) + ".",
    ),
)


@click.command("resume")
@click.option("--desk", "desk_id", metavar="ID", help="Resume at another desk (team leader).")
@ticket_command
def resume(state: State, ref: str, desk_id: str | None, as_json: bool) -> None:
    """A parked resident is back: serve them again at their desk."""
    session = state.session(desk_id)
    show_ticket(session, QueueService(session).resume(ref, desk_id), as_json)


recycle = ticket_action(
    "recycle", "The resident did not hear the call: back into the queue at their place.", "recycle"
)


@click.command("undo-no-show")
@ticket_command
def undo_no_show(state: State, ref: str, as_json: bool) -> None:
    """Take a no-show back (within 2 minutes): the ticket returns to where it was; back in the
    queue, its paper that never printed (still queued at the no-show) is queued to print
    again."""
    from oss_desk.services.delivery import print_job_fields, print_job_said

    session = ticket_session(state, ref)
    back = QueueService(session).undo_no_show(ref)
    if as_json:
        data = ticket_json(back.ticket, session.directory)
        emit_json({**data, **print_job_fields(session, back.print_job)})
        return
    line = ticket_line(back.ticket, session.directory)
    if back.print_job is not None:
        line += f"; {PAPER_AGAIN}: {print_job_said(session, back.print_job)}"
    click.echo(line)


@click.command("add-service")
@click.option("--service", required=True, metavar="CODE", help="The service added, e.g. W.")
@ticket_command
def add_service(state: State, ref: str, service: str, as_json: bool) -> None:
    """Another service in the same visit (finished with its own outcome)."""
    session = state.session()
    added = QueueService(session).add_service(ref, service).service
    _services_now(session, ref, as_json, added)


@click.command("remove-service")
@click.option("--service", required=True, metavar="CODE", help="The service taken off.")
@ticket_command
def remove_service(state: State, ref: str, service: str, as_json: bool) -> None:
    """Take an added service off the visit again (added by mistake)."""
    session = state.session()
    queue = QueueService(session)
    queue.remove_service(ref, service)
    _services_now(session, ref, as_json, removed=queue.service(service).code)


def _services_now(
    session: Session, ref: str, as_json: bool, added: str | None = None, removed: str = ""
) -> None:
    """The visit's added services after one was added (``added``) or taken off (``removed``)."""
    queue = QueueService(session)
    code = queue.ticket(ref).code
    services = [a.service for a in queue.services_of(ref)]
    names = session.directory.services
    if added is None:
        still = ", ".join(names[s].name for s in services)
        answer(
            as_json,
            {"ticket": code, "services": services},
            f"{code}: {names[removed].name} taken off"
            + (f"; still added: {still}" if still else "; no other service added"),
        )
    else:
        answer(
            as_json,
            {"ticket": code, "added": added, "services": services},
            f"{code}: also {names[added].name}",
        )


@click.command("history")
@ticket_command
def history(state: State, ref: str, as_json: bool) -> None:
    """The visit's history (arrival, calls, transfers, services, notes); reading its notes is
    recorded."""
    from oss_desk.services.visit_history import VisitHistory

    session = state.session()
    found = VisitHistory(session).of_ticket(ref)
    if as_json:
        emit_json(found.as_json())
        return
    for line in found.text(session):
        click.echo(line)


def parse_service_outcomes(values: tuple[str, ...]) -> dict[str, str]:
    """``--service-outcome W=referred`` (repeatable) as a mapping."""
    found: dict[str, str] = {}
    for value in values:
        code, sep, outcome = value.partition("=")
        if not sep or not code.strip() or not outcome.strip():
            raise InvalidInput(
                f"--service-outcome takes CODE=OUTCOME, e.g. W=resolved (got {value!r})"
            )
        found[code.strip().upper()] = outcome.strip()
    return found


# Desks -----------------------------------------------------------------------------------------


@click.command("login")
@click.argument("desk_id", metavar="ID")
@click.option(
    "--take-over",
    is_flag=True,
    help="Someone else is logged in there: take the desk over (team leader; recorded).",
)
@json_command
def login(state: State, desk_id: str, take_over: bool, as_json: bool) -> None:
    """Log in to a desk: it opens, calls and counts in the wait estimates."""
    session = state.session(desk_id)
    done = QueueService(session).log_in(desk_id, take_over=take_over)
    if as_json:
        emit_json(
            {
                "desk": done.desk_id,
                "person": done.person,
                "took_over_from": done.took_over_from,
                "moved_from": done.moved_from,
                "already": done.already,
                "sent_back": [t.code for t in done.sent_back],
            }
        )
        return
    name = session.desk(desk_id).name
    if done.already:
        click.echo(f"{session.name_of(done.person)} is already logged in to {name}")
    elif done.took_over_from:
        took = (
            f"{session.name_of(done.person)} took {name} over from "
            f"{session.name_of(done.took_over_from)}"
        )
        click.echo(closed_words(took, done.sent_back))
    else:
        said = f"{session.name_of(done.person)} logged in to {name}: open"
        if done.moved_from is not None:  # one person, one desk: the one they were at closes
            left = session.directory.desks.get(done.moved_from)
            said += f"; {left.name if left else done.moved_from} closed (they left it)"
        click.echo(closed_words(said, done.sent_back))  # the desk they left, its tickets


@click.command("logout")
@click.argument("desk_id", metavar="ID")
@json_command
def logout(state: State, desk_id: str, as_json: bool) -> None:
    """Log out of a desk: it closes."""
    session = state.session(desk_id)
    done = QueueService(session).log_out(desk_id)
    gone = done.gone
    if as_json:
        emit_json(
            {
                "desk": desk_id.strip(),
                "person": gone.person if gone else None,
                "sent_back": [t.code for t in done.sent_back],
            }
        )
        return
    name = session.desk(desk_id).name
    who = session.name_of(gone.person) if gone else "nobody"
    click.echo(closed_words(f"{name}: {who} logged out, closed", done.sent_back))


@click.command("close-day")
@click.option("--site", "site_id", metavar="ID", help="The office (default: the only one).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@json_command
def close_day(state: State, site_id: str | None, yes: bool, as_json: bool) -> None:
    """Close the day now: every ticket still waiting or called is closed as "office closed"
    (team leader; residents being served stay with their advisers). Reopening the day
    (reopen-day) does not bring those tickets back."""
    import sys
    from datetime import date

    from oss_desk.clock import format_instant
    from oss_desk.domain.access import CLOSING_THE_DAY, Action
    from oss_desk.domain.closed_day import day_closed_said
    from oss_desk.services.queue.day_end import close_now, closed_today, described, left_open_now

    session = state.session()
    session.require(Action.CANCEL_TICKET, session.actor, doing=CLOSING_THE_DAY)
    left = left_open_now(session, site_id)
    if not yes and sys.stdin.isatty():
        click.confirm(left.question(), abort=True, err=True)
    elif left.total and not yes:
        raise InvalidInput("closing the day closes every open ticket: add --yes to confirm")
    closed = close_now(session, site_id=site_id)
    day = closed_today(session, site_id)
    if as_json:
        shut = None if day is None else {"by": day.closed_by, "at": format_instant(day.closed_at)}
        emit_json(
            {"closed": [ticket_json(t, session.directory) for t in closed], "day_closed": shut}
        )
        return
    after = "" if day is None else f"; the day is {described(session, day)}"
    if not closed:
        click.echo(f"Nothing to close: no ticket is waiting or called{after}")
        return
    today = date.fromisoformat(session.today(session.site(site_id)))
    click.echo(day_closed_said([(t.business_day, t.code) for t in closed], today))


@click.command("reopen-day")
@click.option("--site", "site_id", metavar="ID", help="The office (default: the only one).")
@json_command
def reopen_day(state: State, site_id: str | None, as_json: bool) -> None:
    """Reopen today after closing it by hand: meet-and-greet issues tickets and appointments
    check residents in again (team leader). The tickets the close closed stay closed: the line
    says how many, so that their residents are issued new tickets."""
    from oss_desk.clock import format_instant
    from oss_desk.services.queue.day_end import described, reopen_now

    session = state.session()
    done = reopen_now(session, site_id=site_id)
    was = done.closed
    answer(
        as_json,
        {
            "reopened": {"by": was.closed_by, "at": format_instant(was.closed_at)},
            "summaries_cancelled": done.summaries_cancelled,
            "summary": done.summary_said(),
            "tickets_closed": done.tickets_closed,
        },
        done.line(f"Day reopened (it was {described(session, was)}): tickets and check-ins again"),
    )


TICKET_COMMANDS = (park, resume, recycle, undo_no_show, add_service, remove_service, history)
DESK_COMMANDS = (login, logout, close_day, reopen_day)
