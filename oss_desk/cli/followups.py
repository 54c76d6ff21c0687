"""``oss-desk followup add|list|show|take|attempt|done|ack|respond``: the follow-up register."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from oss_desk.cli.common import (
    State,
    answer,
    answer_each,
    choice_of,
    emit_json,
    json_command,
    number_option,
    ref_command,
    site_option,
)
from oss_desk.domain.calendar import day_said
from oss_desk.domain.followup_closing import closed_said, timing_said
from oss_desk.domain.followups import (
    DETAILS_DELETED,
    AttemptResult,
    Finding,
    Kind,
    SendBy,
    Via,
    action_untold,
)
from oss_desk.domain.phones import dialable
from oss_desk.errors import InvalidInput

if TYPE_CHECKING:
    from oss_desk.domain.followups import Details, Followup
    from oss_desk.services.followups import FollowupService, Shown
    from oss_desk.services.session import Session
    from oss_desk.storage.followups import Message


def _service(state: State, desk_id: str | None = None) -> tuple[Session, FollowupService]:
    from oss_desk.services.followups import FollowupService

    session = state.session(desk_id)
    return session, FollowupService(session)


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def followup_json(f: Followup, today: date) -> dict[str, Any]:
    from oss_desk.clock import format_instant

    standing = f.standing(today)
    return {
        "id": f.id,
        "ref": f.ref,
        "kind": f.kind.value,
        "status": f.status.value,
        "site": f.site_id,
        "service": f.service,
        "received_at": format_instant(f.received_at),
        "received_day": _day(f.received_day),
        "start_day": _day(f.start_day),
        "due": _day(f.due_day),
        "ack_due": _day(f.ack_due_day),
        "next_due": _day(f.next_due),
        "standing": standing.value if standing else None,
        "deadlines": {name: state.value for name, state in f.deadlines(today).items()},
        "owner": f.owner,
        "created_by": f.created_by,
        "desk": f.desk_id,
        "visit": f.visit_id,
        "back_office": f.back_office,
        "sla_working_days": f.sla_days,
        "send_by": f.send_by.value if f.send_by else None,
        "channel": f.via.value if f.via else None,
        "category": f.category,
        "stage": f.stage,
        "acknowledged_day": _day(f.acknowledged_day),
        "acknowledged_by": f.acknowledged_by,
        "closed_day": _day(f.closed_day),
        "closed_by": f.closed_by,
        "officer": f.officer,
        "outcome": f.finding.value if f.finding else None,
        "action_taken": f.action_taken,
        "attempts": f.attempts,
    }


def _details_json(d: Details) -> dict[str, Any]:
    return {
        "name": d.name,
        "phone": d.phone,
        "email": d.email,
        "topic": d.topic,
        "action": d.action_text,
        "purged": d.purged,
    }


def line(f: Followup, today: date, session: Session) -> str:
    svc = session.directory.services.get(f.service or "")
    what = f"{f.service} {svc.name}" if svc else "-"
    standing = f.standing(today)
    due = f.next_due
    closed = f.closed_day or today
    when = f"due {day_said(due, today)}" if due else f"closed {day_said(closed, today)}"
    flag = {"overdue": "  OVERDUE", "due-today": "  due today"}.get(
        standing.value if standing else "", ""
    )
    owner = f"  taken by {session.name_of(f.owner)}" if f.owner else ""
    return f"{f.ref:9s} {f.kind.value:10s} {what}  {when}  [{f.status.value}]{flag}{owner}"


def shown_lines(found: Shown, today: date, session: Session) -> list[str]:
    """``followup show``: its line, then when and how it came in, each deadline with its day
    and where it stands, who has it, the back office, and each try at a ring-back."""
    f = found.followup
    settings = session.settings.followups
    timezone = session.site_ever(f.site_id).timezone
    lines = [line(f, today, session), f"  {f.received_said(timezone, today)}"]
    if f.via is not None:  # how it came in is said on the line above
        category = settings.category(f.category or "")
        about = category.name if category else f.category
        stage = f"; stage {f.stage}" if f.kind is Kind.COMPLAINT else ""
        lines.append(f"  category {about}{stage}")
    if (about := _about_visit(session, f)) is not None:
        lines.append(f"  {about}")
    if f.back_office is not None:
        office = settings.back_office(f.back_office)
        name = office.name if office else f.back_office
        contact = f"; contact {office.contact}" if office and office.contact else ""
        lines.append(f"  back office {name} ({f.sla_days} working days{contact})")
    lines += [f"  {said}" for said in f.deadlines_said(today)]
    if f.acknowledged_by is not None:  # never a second line beginning "received"
        who = session.name_of(f.acknowledged_by)
        if f.kind is Kind.REFERRAL:
            lines.append(f"  back office received it, recorded by {who}")
        else:
            lines.append(f"  acknowledged by {who}")
    for n, a in enumerate(found.attempts, start=1):
        lines.append(f"  attempt {n}: {a.said(session.name_of(a.actor), timezone, today)}")
    if f.closed_by is not None:
        lines.append(f"  closed by {session.name_of(f.closed_by)}")
    if f.finding is not None:
        taken = "yes" if f.action_taken else "no"
        lines.append(f"  outcome {f.finding.words.lower()}; action taken: {taken}")
    if f.officer is not None:
        lines.append(f"  answered by {f.officer}")
    return lines


def _about_visit(session: Session, f: Followup) -> str | None:
    """The visit a follow-up is about, in a line (its day, wait and end); None: none."""
    if f.visit_id is None:
        return None
    from oss_desk.services.visit_story import story_of_visit

    story = story_of_visit(session, f.visit_id)
    return story.about() if story else f"about visit {f.visit_id} (not found)"


def svc_today(session: Session, f: Followup) -> date:
    """Today at the follow-up's site."""
    from oss_desk.services.followups import FollowupService

    return FollowupService(session).today(session.site_ever(f.site_id))


def message_json(m: Message) -> dict[str, Any]:
    """A referral's message to the resident: its channel, status and who stopped it, when."""
    return {key: getattr(m, key) for key in ("channel", "status", "cancelled_by", "cancelled_at")}


def _done(session: Session, svc: FollowupService, f: Followup, as_json: bool, said: str) -> None:
    today = svc.today(session.site_ever(f.site_id))
    answer(as_json, followup_json(f, today), f"{f.ref}: {said}")


@click.group()
def followup() -> None:
    """Ring-backs, referrals to a back office, comments, compliments and complaints (REF: a
    reference such as R-0042, or an id)."""


@followup.command("add")
@click.option("--kind", required=True, type=choice_of(Kind), help="What it is.")
@click.option("--service", metavar="CODE", help="The service it is about.")
@click.option("--topic", metavar="TEXT", help="A short topic (personal data: purged).")
@click.option("--name", metavar="NAME", help="The resident's name (personal data: purged).")
@click.option("--phone", metavar="NUMBER", help="Their phone number (a ring-back needs one).")
@click.option("--email", metavar="ADDR", help="Their email address.")
@click.option("--back-office", metavar="ID", help="Referrals: the back office (see config).")
@click.option(
    "--send-by",
    type=choice_of(SendBy),
    help="Referrals: how the resident gets the reference (default slip, printed here).",
)
@click.option(
    "--channel",
    "via",
    type=choice_of(Via),
    help="Comments, compliments, complaints: how it came in (default in-person).",
)
@click.option("--category", metavar="ID", help="Comments, compliments, complaints: category.")
@number_option(
    "--stage", default=1, within=(1, 2), help="Complaints: the complaints procedure's stage."
)
@click.option("--due", metavar="YYYY-MM-DD", help="Ring-backs, referrals: an agreed day.")
@click.option("--received", metavar="ISO", help="When it came in, if earlier (with offset).")
@click.option("--ticket", metavar="REF", help="The visit's ticket it comes from.")
@click.option("--desk", "desk_id", metavar="ID", help="The desk making it (its printer).")
@site_option
@click.option("--print-to", metavar="URL", help="Referrals: print the slip on this printer.")
@json_command
def add(
    state: State,
    kind: str,
    service: str | None,
    topic: str | None,
    name: str | None,
    phone: str | None,
    email: str | None,
    back_office: str | None,
    send_by: str | None,
    via: str | None,
    category: str | None,
    stage: int,
    due: str | None,
    received: str | None,
    ticket: str | None,
    desk_id: str | None,
    site_id: str | None,
    print_to: str | None,
    as_json: bool,
) -> None:
    """Make a ring-back, a referral, or record a comment, compliment or complaint."""
    from oss_desk.clock import parse_instant
    from oss_desk.services.followups import Request

    session, svc = _service(state, desk_id)
    if desk_id is not None:
        session.desk(desk_id)
    created = svc.add(
        Request(
            kind=kind,
            service=service,
            topic=topic,
            name=name,
            phone=phone,
            email=email,
            back_office=back_office,
            send_by=send_by,
            via=via,
            category=category,
            stage=stage,
            due=due,
            received=parse_instant(received, "--received") if received else None,
            ticket=ticket,
            site_id=site_id,
            print_to=print_to,
        )
    )
    f = created.followup
    today = svc.today(session.site_ever(f.site_id))
    if as_json:
        emit_json(
            {**followup_json(f, today), "print_job": created.print_job, "message": created.message}
        )
        return
    click.echo(f"{f.ref} {f.kind.label.lower()}: {f.due_words(today)}.")
    if created.print_job is not None:
        click.echo(f"Slip queued as print job {created.print_job}.")
    if created.note:
        click.echo(created.note)


@followup.command("list")
@click.option("--kind", "kinds", multiple=True, type=choice_of(Kind), help="Repeatable.")
@click.option("--owner", metavar="PERSON", help="A staff id, `me`, or `none` (not taken).")
@click.option("--closed-today", is_flag=True, help="Also those closed today.")
@site_option
@json_command
def list_(
    state: State,
    kinds: tuple[str, ...],
    owner: str | None,
    closed_today: bool,
    site_id: str | None,
    as_json: bool,
) -> None:
    """Open follow-ups, overdue first, then by due day."""
    session, svc = _service(state)
    found = svc.work_list(kinds, owner=owner, site_id=site_id, closed_today=closed_today)
    today = svc.today(svc.site_for(site_id))
    answer_each(
        as_json,
        found,
        lambda f: followup_json(f, today),
        lambda f: line(f, today, session),
        "Nothing to follow up.",
    )


@followup.command("show")
@click.option("--contact", is_flag=True, help="Also the resident's details (the read is recorded).")
@ref_command
def show(state: State, ref: str, contact: bool, as_json: bool) -> None:
    """One follow-up: its deadlines, attempts and (--contact) the resident's details."""
    session, svc = _service(state)
    found: Shown = svc.show(ref, contact=contact)
    f = found.followup
    today = svc.today(session.site_ever(f.site_id))
    from oss_desk.clock import format_instant

    attempts = [
        {"at": format_instant(a.at), "day": a.day, "by": a.actor, "result": a.result.value}
        for a in found.attempts
    ]
    from oss_desk.services.followup_messages import message_said
    from oss_desk.storage.followups import messages_of

    messages = messages_of(session.store.conn, f.id)
    if as_json:
        value = {**followup_json(f, today), "attempt_log": attempts}
        value["messages"] = [message_json(m) for m in messages]
        value["about_visit"] = _about_visit(session, f)
        if found.details is not None:
            value["contact"] = _details_json(found.details)
        emit_json(value)
        return
    for said in shown_lines(found, today, session):
        click.echo(said)
    for m in messages:
        click.echo(f"  {message_said(session, f, m)}")
    if found.details is not None:
        d = found.details
        if d.purged:
            click.echo(f"  {DETAILS_DELETED}")
        for key, given in d.filled():
            said = dialable(given) if key == "phone" else given  # one to ring, as dialled
            click.echo(f"  {key.replace('_', ' ')}: {said}")


@followup.command("take")
@ref_command
def take(state: State, ref: str, as_json: bool) -> None:
    """Take it: it becomes yours."""
    session, svc = _service(state)
    f = svc.take(ref)
    _done(session, svc, f, as_json, f"taken by {session.name_of(f.owner or '')}")


@followup.command("attempt")
@click.option(
    "--result",
    required=True,
    type=choice_of(AttemptResult),
)
@ref_command
def attempt(state: State, ref: str, result: str, as_json: bool) -> None:
    """Record a try at a ring-back."""
    session, svc = _service(state)
    f = svc.attempt(ref, result)
    said = AttemptResult(result).said
    _done(session, svc, f, as_json, f"attempt {f.attempts} recorded ({said})")


@followup.command("done")
@click.option("--unreachable", is_flag=True, help="A ring-back: could not reach the resident.")
@click.option(
    "--yes",
    is_flag=True,
    help="With --unreachable before the deadline: close it unreached without asking.",
)
@ref_command
def done(state: State, ref: str, unreachable: bool, yes: bool, as_json: bool) -> None:
    """A ring-back made (or given up), a referral done by the back office. Closing a ring-back
    unreached while its deadline has not passed asks first, as the desk's U does."""
    import sys

    session, svc = _service(state)
    if unreachable and not yes:
        f, early = svc.unreached_early(ref)
        if early is not None and not sys.stdin.isatty():
            raise InvalidInput(early.unasked)
        if early is not None and not click.confirm(early.question, err=True):
            _done(session, svc, f, as_json, early.kept_open)
            return
    f = svc.done(ref, unreachable=unreachable)
    _done(session, svc, f, as_json, closed_said(f))


@followup.command("cancel-message")
@ref_command
def cancel_message(state: State, ref: str, as_json: bool) -> None:
    """Team leader: stop a referral's reference going to the resident by email or text, while
    it has not gone (who and when are recorded). One whose earlier try may have reached
    Notify is not sent again, and is looked up there before it is said not sent; an email
    the mail server may have accepted is said to have maybe been sent."""
    from oss_desk.services.referral_cancel import cancel_message as stop

    session = state.session()
    stopped = stop(session, ref)
    f, m = stopped.followup, stopped.message
    if as_json:
        emit_json({**followup_json(f, svc_today(session, f)), "message": message_json(m)})
        return
    click.echo(f"{f.ref}: {stopped.said(session)}")


@followup.command("ack")
@ref_command
def ack(state: State, ref: str, as_json: bool) -> None:
    """A referral received by the back office; a comment, compliment or complaint acknowledged."""
    session, svc = _service(state)
    f = svc.acknowledge(ref)
    said = f.kind.acknowledged
    if f.kind.on_the_record:
        assert f.ack_due_day is not None
        said += timing_said(f.acknowledged_day, f.ack_due_day)
    _done(session, svc, f, as_json, said)


@followup.command("respond")
@click.option(
    "--outcome",
    type=choice_of(Finding),
    help="Complaints: the finding.",
)
@click.option(
    "--action-taken", type=click.Choice(["yes", "no"]), help="Was action taken as a result?"
)
@click.option("--action", metavar="TEXT", help="What was done as a result.")
@click.option(
    "--officer", metavar="NAME", help="The officer who answered (a staff id or a name, no numbers)."
)
@ref_command
def respond(
    state: State,
    ref: str,
    outcome: str | None,
    action_taken: str | None,
    action: str | None,
    officer: str | None,
    as_json: bool,
) -> None:
    """The full answer to a comment, compliment or complaint."""
    if action_untold(action_taken, action):  # in the flags' words, before the rest is checked
        raise InvalidInput("--action-taken yes needs --action: say what was done as a result")
    session, svc = _service(state)
    f = svc.respond(ref, finding=outcome, action_taken=action_taken, action=action, officer=officer)
    _done(session, svc, f, as_json, f"answered{timing_said(f.closed_day, f.due_day)}")
