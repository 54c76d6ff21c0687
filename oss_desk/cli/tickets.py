"""``oss-desk ticket ...``, ``oss-desk visit quick`` and ``oss-desk queue``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from oss_desk.cli.common import (
    State,
    answer,
    choice_option,
    emit_json,
    json_command,
    site_option,
    ticket_command,
    ticket_site,
)
from oss_desk.cli.counter import show_ticket, ticket_action
from oss_desk.domain.models import Ticket, TicketStatus
from oss_desk.domain.queue import called_back_words, passed_over
from oss_desk.domain.waits import NO_OPEN_DESK, day_over_said, place_said, texts_given_said
from oss_desk.domain.workdays import closed_now_notice
from oss_desk.errors import RuleViolation, StorageError
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.day_end import closed_at_close_of_day, ended_words
from oss_desk.services.session import Session
from oss_desk.services.unserved import Unserved
from oss_desk.services.views import (
    ticket_code_said,
    ticket_json,
    ticket_line,
    visit_json,
    wait_phrase,
)

OUTCOME_HELP = "resolved, signposted, referred, appointment or callback"
P = ParamSpec("P")
R = TypeVar("R")

calling_desk = click.option(
    "--desk", "desk_id", required=True, metavar="ID", help="The calling desk."
)
"""``--desk``: the desk that calls (``ticket call-next``, ``ticket call``)."""
outcome_option = click.option(
    "--outcome", required=True, metavar="OUTCOME", help=OUTCOME_HELP + "."
)
"""``--outcome``: how the visit ended (``ticket finish``, ``visit quick``)."""
repeat_option = click.option("--repeat", is_flag=True, help="They came back about the same matter.")
"""``--repeat``: a repeat contact, ticked at arrival (``ticket issue``, ``visit quick``)."""


@click.group()
def ticket() -> None:
    """Issue and move queue tickets (REF: a ticket id, or today's code such as C012)."""


@ticket.command("issue")
@click.option("--service", "service", required=True, metavar="CODE", help="Service letter, e.g. C.")
@click.option("--desk", "desk_id", metavar="ID", help="The desk issuing it (meet-and-greet).")
@site_option
@click.option("--needs", metavar="NEED,...", help="Reasonable adjustments, e.g. bsl,wheelchair.")
@click.option("--print-to", metavar="URL", help="Queue a print of the ticket on this printer.")
@click.option("--no-print", is_flag=True, help="Do not print, even if the desk has a printer.")
@click.option(
    "--text-to",
    metavar="NUMBER",
    help="The resident's mobile: a text when nearly their turn and when called.",
)
@click.option(
    "--mobile",
    metavar="NUMBER",
    help="The resident's mobile for the follow-up text (with --feedback-text).",
)
@click.option(
    "--feedback-text",
    is_flag=True,
    help="They agree to one text after the visit asking how we did (needs a mobile number).",
)
@click.option(
    "--urgent", is_flag=True, help="Urgent or vulnerable: called before the other residents."
)
@repeat_option
@json_command
def issue(
    state: State,
    service: str,
    desk_id: str | None,
    site_id: str | None,
    needs: str | None,
    print_to: str | None,
    no_print: bool,
    text_to: str | None,
    mobile: str | None,
    feedback_text: bool,
    urgent: bool,
    repeat: bool,
    as_json: bool,
) -> None:
    """Record an arrival and issue a ticket."""
    if mobile is not None and not feedback_text:
        raise click.UsageError("--mobile is for the follow-up text: add --feedback-text")
    follow_up = mobile or text_to
    if feedback_text and follow_up is None:
        raise click.UsageError("--feedback-text needs the resident's mobile: --mobile NUMBER")
    session = state.session(desk_id)
    queue = QueueService(session)
    if feedback_text:  # a mistyped number is refused before anything is issued
        from oss_desk.services.feedback_queue import check_follow_up

        check_follow_up(session.settings, follow_up)
    if text_to is not None:  # a mistyped number is refused before anything is issued
        from oss_desk.domain.channel_words import TEXTS_NOT_SET_UP
        from oss_desk.domain.phones import normalise_mobile
        from oss_desk.services.turn_texts import texts_possible

        normalise_mobile(text_to)
        if not texts_possible(session):
            raise RuleViolation(TEXTS_NOT_SET_UP)
    issued = queue.issue(
        service,
        desk_id=desk_id,
        site_id=site_id,
        needs=needs,
        print_to=print_to,
        print_ticket=not no_print,
        urgent=urgent,
        repeat=repeat,
    )
    not_recorded: str | None = None
    if text_to is not None or (feedback_text and follow_up is not None):
        from oss_desk.services.feedback_texts import give_texts

        try:  # the ticket is saved: a busy database now loses the texts, said, not the ticket
            give_texts(
                session,
                None,
                issued.ticket.id,
                turn_texts=text_to,
                follow_up=follow_up if feedback_text else None,
                source="cli",
            )
        except StorageError as exc:
            not_recorded = _texts_not_recorded(
                session, issued.ticket, exc, text_to, follow_up if feedback_text else None
            )
    recorded = not_recorded is None
    held_back = recorded and text_to is not None and _nearly_held_back(session, issued.ticket)
    entry = queue.entry(issued.ticket)
    from oss_desk.services.opening import closed_now_at

    site = session.site_ever(issued.ticket.site_id)
    closed = closed_now_at(session, site, keep=True)  # still taken: said, not refused
    if as_json:
        data = ticket_json(issued.ticket, session.directory, entry)
        data["office_closed"] = closed
        from oss_desk.services.delivery import print_job_fields

        data.update(print_job_fields(session, issued.print_job))
        data["texts"] = text_to is not None and recorded
        data["texts_held_back"] = held_back
        data["feedback_text"] = feedback_text and recorded
        data["texts_not_recorded"] = not_recorded
        emit_json(data)
        return
    svc = session.directory.services[issued.ticket.service]
    from oss_desk.services.delivery import print_job_said

    where = f"; {print_job_said(session, issued.print_job)}" if issued.print_job else ""
    code = ticket_code_said(issued.ticket, session.directory)  # as the queue and the calls
    click.echo(f"{code}  {svc.name}  ({wait_phrase(entry) if entry else 'waiting'}){where}")
    if recorded and (text_to is not None or feedback_text):
        when_called = session.settings.turn_texts.when_called
        said = texts_given_said(
            text_to is not None, feedback_text, held_back=held_back, when_called=when_called
        )
        click.echo(f"{issued.ticket.code}: {said}")
    if closed is not None:
        click.echo(closed_now_notice(site.name, closed))


def _nearly_held_back(session: Session, ticket: Ticket) -> bool:
    """Whether ``ticket``'s "nearly your turn" text was held back as its number was given
    (already near the front), as meet-and-greet and ``ticket text`` say it."""
    from oss_desk.services.turn_texts import TurnTexts

    return TurnTexts(session).nearly_held_back(ticket)


def _texts_not_recorded(
    session: Session,
    ticket: Ticket,
    exc: StorageError,
    turn_texts: str | None,
    follow_up: str | None,
) -> str:
    """Say (stderr) that ``ticket`` was issued but its texts were not recorded, with the
    commands that record them again; return why."""
    from oss_desk.domain.feedback_texts import not_recorded_why, texts_not_recorded_said
    from oss_desk.errors import StorageBusy

    why = not_recorded_why(isinstance(exc, StorageBusy), exc.title)
    ref = ticket.code if len(session.directory.sites) == 1 else str(ticket.id)
    again = [
        *([f"oss-desk ticket text {ref} {turn_texts}"] if turn_texts is not None else []),
        *([f"oss-desk ticket feedback-text {ref} {follow_up}"] if follow_up is not None else []),
    ]
    click.echo(f"Warning: {texts_not_recorded_said(ticket.code, why, again)}", err=True)
    return why


@ticket.command("text")
@ticket_site
@click.argument("ref")
@click.argument("number")
@json_command
def text(state: State, ref: str, number: str, as_json: bool) -> None:
    """Text the resident holding REF at NUMBER (a UK mobile) when it is nearly their turn and
    when they are called. The number is deleted at the end of the day."""
    from oss_desk.services.turn_texts import TurnTexts

    session = state.session()
    texts = TurnTexts(session)
    ticket = texts.give_phone(ref, number)
    if as_json:
        emit_json({"ticket": ticket.code, "texts": True})
        return
    when_called = session.settings.turn_texts.when_called
    # The same words as ``ticket issue --text-to`` and meet-and-greet give the same promise.
    held_back = texts.nearly_held_back(ticket)
    said = texts_given_said(True, False, held_back=held_back, when_called=when_called)
    click.echo(f"{ticket.code}: {said}")


@ticket.command("feedback-text")
@ticket_site
@click.argument("ref")
@click.argument("number")
@json_command
def feedback_text_cmd(state: State, ref: str, number: str, as_json: bool) -> None:
    """The resident holding REF agrees to one text at NUMBER (a UK mobile) after their visit,
    asking how we did (before the visit ends). The number is deleted on the retention
    schedule (retention.feedback_texts_days)."""
    from oss_desk.services.feedback_texts import FeedbackTexts

    session = state.session()
    ticket = FeedbackTexts(session).consent(ref, number, source="cli")
    if as_json:
        emit_json({"ticket": ticket.code, "feedback_text": True})
        return
    minutes = session.settings.feedback.text_delay_minutes
    click.echo(f"{ticket.code}: a text about {minutes} minutes after the visit, asking how we did")


@ticket.command("call-next")
@calling_desk
@json_command
def call_next(state: State, desk_id: str, as_json: bool) -> None:
    """Call the next ticket for a desk (JSON: the ticket, or null when nobody is waiting)."""
    session = state.session(desk_id)
    called = QueueService(session).call_next(desk_id)
    name = session.desk(desk_id).name
    if called is None:
        answer(as_json, None, f"Nobody is waiting for {name}.")
    else:
        again = f": {called_back_words(name)}" if passed_over(desk_id, called) else ""
        _show_called(session, called, desk_id, as_json, again)


@ticket.command("call")
@calling_desk
@ticket_command
def call(state: State, ref: str, desk_id: str, as_json: bool) -> None:
    """Call a chosen waiting ticket to a desk, out of turn."""
    session = state.session(desk_id)
    _show_called(session, QueueService(session).call(ref, desk_id), desk_id, as_json)


def _show_called(
    session: Session, called: Ticket, desk_id: str, as_json: bool, said: str = ""
) -> None:
    """A ticket called to a desk: its JSON, or "C001 -> Desk 1" (and ``said``; at an office
    of several sites "C001 (id 4) -> Library desk 1": :func:`ticket_code_said`)."""
    code = ticket_code_said(called, session.directory)
    answer(
        as_json,
        ticket_json(called, session.directory),
        f"{code} -> {session.desk(desk_id).name}{said}",
    )


ticket.add_command(
    ticket_action("recall", "Call a called ticket again (board and announcement).", "recall")
)
ticket.add_command(
    ticket_action("start", "The resident has come to the desk: start serving.", "start")
)
ticket.add_command(ticket_action("no-show", "The resident did not come when called.", "no_show"))


def _finish_options(func: Callable[P, R]) -> Callable[P, R]:
    """What the council counts with a finish: where to, help online, avoidable."""
    func = click.option(
        "--avoidable", is_flag=True, help="It could have been done online (avoidable contact)."
    )(func)
    func = click.option(
        "--assisted-digital",
        "assisted_digital",
        is_flag=True,
        help="The resident was helped to use the council's website.",
    )(func)
    return click.option(
        "--to",
        "signposted_to",
        metavar="ORG",
        help="With --outcome signposted: where to (an id of signposting.organisations).",
    )(func)


@ticket.command("finish")
@outcome_option
@click.option(
    "--service-outcome",
    "service_outcomes",
    multiple=True,
    metavar="CODE=OUTCOME",
    help="The outcome of a service added to the visit (repeat for each).",
)
@_finish_options
@ticket_command
def finish(
    state: State,
    ref: str,
    outcome: str,
    service_outcomes: tuple[str, ...],
    signposted_to: str | None,
    assisted_digital: bool,
    avoidable: bool,
    as_json: bool,
) -> None:
    """Finish a called or serving ticket with its outcome (and each added service's)."""
    from oss_desk.cli.counter import parse_service_outcomes, ticket_session

    session = ticket_session(state, ref)
    done = QueueService(session).finish(
        ref,
        outcome,
        parse_service_outcomes(service_outcomes),
        signposted_to=signposted_to,
        assisted_digital=assisted_digital,
        avoidable=avoidable,
    )
    show_ticket(session, done, as_json)


@ticket.command("rate")
@ticket_site
@click.argument("ref")
@click.argument("rating")
@json_command
def rate(state: State, ref: str, rating: str, as_json: bool) -> None:
    """The resident's own rating of the finished visit: 1 to 5, or declined."""
    from oss_desk.services.ratings import Ratings

    session = state.session()
    given = Ratings(session).rate_ticket(ref, rating)
    if as_json:
        emit_json({"visit_id": given.visit_id, "rating": given.rating, "source": given.source})
    elif given.rating is None:
        click.echo(f"{ref}: declined to rate the visit")
    else:
        click.echo(f"{ref}: rated {given.rating} out of 5")


@ticket.command("transfer")
@click.option("--service", metavar="CODE", help="Move to another service (new code, same place).")
@click.option("--desk", "desk_id", metavar="ID", help="Send to a chosen desk.")
@click.option(
    "--to", "person", metavar="PERSON", help="Send to a named colleague (staff id or login)."
)
@ticket_command
def transfer(
    state: State,
    ref: str,
    service: str | None,
    desk_id: str | None,
    person: str | None,
    as_json: bool,
) -> None:
    """Transfer a ticket to another service, a desk or a colleague, keeping the resident's
    arrival time (a new code is printed at the desk they were at, when it has a printer)."""
    session = state.session()
    moved = QueueService(session).move(ref, service=service, desk_id=desk_id, person=person)
    if as_json:
        data = ticket_json(moved.ticket, session.directory)
        data["print_job"] = moved.print_job
        data["code_on_paper"] = moved.held.code or moved.ticket.code
        data["code_printed"] = moved.held.on_paper  # False: only said to them, or unconfirmed
        emit_json(data)
    else:
        from oss_desk.domain.counter import new_code_untold
        from oss_desk.services.delivery import print_job_said

        job, new = moved.print_job, moved.ticket.code
        printed = f"; new code {print_job_said(session, job)}" if job else ""
        if moved.held.code and moved.held.code != new:
            printed = f"; {new_code_untold(new, moved.held)}"
        click.echo(f"now {ticket_line(moved.ticket, session.directory)}{printed}")


ticket.add_command(
    ticket_action(
        "cancel",
        "Cancel a waiting or called ticket.",
        "cancel",
        choice_option(
            "--reason",
            choices=["left", "error"],
            default="left",
            help="Why: the resident left, or it was issued in error.",
        ),
    )
)


@ticket.command("reprint")
@click.option("--print-to", metavar="URL", help="Print here instead of the desk's printer.")
@click.option("--desk", "desk_id", metavar="ID", help="The desk asking (its printer is used).")
@ticket_command
def reprint(
    state: State, ref: str, print_to: str | None, desk_id: str | None, as_json: bool
) -> None:
    """Print a ticket again (the device worker delivers it)."""
    session = state.session(desk_id)
    queue = QueueService(session)
    done = queue.reprint(ref, print_to)  # no second paper while its first is still to print
    answer(
        as_json,
        {"ticket": done.code, "print_job": done.job, "copy_added": done.added},
        done.said,
    )


@ticket.command("show")
@ticket_command
def show(state: State, ref: str, as_json: bool) -> None:
    """Show one ticket, with its print state (its latest print job) and any text to the
    resident that could not be sent, or may have been."""
    from oss_desk.domain.message_delivery import (
        TextsSaid,
    )
    from oss_desk.services.delivery import ticket_print, turn_texts_said
    from oss_desk.services.visit_story import visit_story

    session = state.session()
    queue = QueueService(session)
    found = queue.look_up(ref)
    story = visit_story(session, found)
    # Still waiting once its day is over: no place and no estimate (nobody will call it).
    over = found.status is TicketStatus.WAITING and story.day_over and not found.parked
    entry = queue.entry(found) if found.status.active and not over else None
    printing, print_words = ticket_print(session, found.id, found.site_id)
    with session.store.read() as conn:
        texts = turn_texts_said(conn, [found.visit_id]).get(found.visit_id, TextsSaid())
    if as_json:  # its JSON, and whether close of day closed it (the line says it in words)
        data = ticket_json(found, session.directory, entry)
        data["closed_at_close_of_day"] = closed_at_close_of_day(session, found)
        data.update(printing)
        data["texts_not_sent"] = list(texts.not_sent)
        data["texts_uncertain"] = list(texts.uncertain)
        data["story"] = story.as_json()
        emit_json(data)
        return
    place, said = (f", {day_over_said(story.day, story.today)}" if over else ""), found
    if entry is not None and entry.position is not None and not found.parked:
        seconds = entry.estimated_wait_seconds
        why = Unserved(session).why(found) if seconds is None else NO_OPEN_DESK
        place = f", {place_said(entry.ahead, seconds, why)}"
        if why != NO_OPEN_DESK:  # the reason names where it was sent: said once
            said = dataclasses.replace(found, assigned_desk=None, assigned_person=None)
    line = ticket_line(said, session.directory, ended_words(session, found))
    click.echo(f"{line}{place}; {print_words}{''.join(f'; {said}' for said in texts.every)}")
    for told in story.text():  # what happened to the visit, under its line
        click.echo(f"  {told}")


@click.group()
def visit() -> None:
    """Visits that need no ticket."""


@visit.command("quick")
@click.option("--service", required=True, metavar="CODE", help="Service letter, e.g. Q.")
@outcome_option
@click.option("--desk", "desk_id", metavar="ID", help="The meet-and-greet desk.")
@site_option
@click.option("--needs", metavar="NEED,...", help="Reasonable adjustments recorded.")
@repeat_option
@_finish_options
@json_command
def quick(
    state: State,
    service: str,
    outcome: str,
    desk_id: str | None,
    site_id: str | None,
    needs: str | None,
    repeat: bool,
    signposted_to: str | None,
    assisted_digital: bool,
    avoidable: bool,
    as_json: bool,
) -> None:
    """Record a visit dealt with at meet-and-greet (arrival and outcome at once)."""
    session = state.session(desk_id)
    result = QueueService(session).quick_visit(
        service,
        outcome,
        desk_id=desk_id,
        site_id=site_id,
        needs=needs,
        repeat=repeat,
        signposted_to=signposted_to,
        assisted_digital=assisted_digital,
        avoidable=avoidable,
    )
    answer(
        as_json,
        visit_json(result),
        f"Visit {result.id} recorded: {result.service}, {result.outcome}",
    )


def _counter_commands() -> None:
    from oss_desk.cli.counter import TICKET_COMMANDS

    for command in TICKET_COMMANDS:
        ticket.add_command(command)


_counter_commands()
