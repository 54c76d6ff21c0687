"""``oss-desk queue``: today's live queue, read and laid out as every desk sees it.

Its own module, importing only what reads the queue (:mod:`oss_desk.services.queue.view`):
the most run command of a kiosk or a script starts without the code that changes tickets.
"""

from __future__ import annotations

import time

import click

from oss_desk.cli.common import State, emit_json, json_command, site_option
from oss_desk.domain.calendar import local
from oss_desk.domain.models import QueueEntry
from oss_desk.domain.queue import marks_said
from oss_desk.domain.wait_clock import past_target
from oss_desk.domain.waits import NO_OPEN_DESK, ahead_said, waited_minutes
from oss_desk.services.queue.view import LiveView
from oss_desk.services.session import Session
from oss_desk.services.views import minutes, ticket_code_said, ticket_json


@click.command("queue")
@site_option
@click.option("--watch", is_flag=True, help="Keep showing the live queue (Ctrl+C to stop).")
@json_command
def queue(state: State, site_id: str | None, watch: bool, as_json: bool) -> None:
    """Today's live queue: waiting, called and serving tickets, with waits and estimates."""
    session = state.session()
    service = LiveView(session)
    if as_json:
        emit_json([ticket_json(e.ticket, session.directory, e) for e in service.queue(site_id)])
        return
    if not watch:
        click.echo(render_queue(session, service.queue(site_id), site_id))
        return
    from oss_desk.storage.changes import ChangeFeed  # --watch only

    feed = ChangeFeed(session.store)
    last_draw = 0.0
    while True:
        click.clear()
        click.echo(render_queue(session, service.queue(site_id), site_id))
        click.echo("\n(live: changes at any desk appear here; Ctrl+C to stop)")
        last_draw = time.monotonic()
        # Redraw on any change, and every 30 s so that waiting times move on.
        feed.wait(timeout=max(0.0, 30 - (time.monotonic() - last_draw)), interval=0.2)
        session.refresh_directory()


def _estimate(minutes_left: int | None, ahead: int | None, why: str) -> str:
    """The people ahead (as the resident's paper counts them) and the estimated wait, or why
    there is none."""
    if minutes_left is None or ahead is None:
        return why
    wait = "next to be called" if minutes_left == 0 else f"about {minutes_left} min more"
    return f"{ahead_said(ahead)}, {wait}"


def render_queue(session: Session, entries: list[QueueEntry], site_id: str | None) -> str:
    site = session.site(site_id)
    now = local(session.clock.now(), site.timezone)
    waiting = [e for e in entries if e.position is not None]
    at_desks = [e for e in entries if e.position is None]
    lines = [f"{site.name}: live queue, {session.today(site)} {now:%H:%M}", ""]
    names = session.directory.services
    # The columns after the service line up under the longest name shown (at most 60).
    width = max([24, *(len(names[e.ticket.service].name) for e in entries)])
    codes = {e.ticket.id: ticket_code_said(e.ticket, session.directory) for e in entries}
    code_width = max(map(len, codes.values()), default=4)  # "C001 (id 4)" at several sites
    if at_desks:
        lines.append("At desks")
        # Each desk as staff know it ("Desk 1"), never its id, as every other line names it.
        desks = {
            e.ticket.id: session.desk_name(e.ticket.desk) if e.ticket.desk else "" for e in at_desks
        }
        desk_width = max([10, *map(len, desks.values())])
        for e in at_desks:
            t = e.ticket
            lines.append(
                f"  {codes[t.id]:{code_width}s}  {names[t.service].name:{width}s} "
                f"{'parked' if t.parked else t.status.word:8s} {desks[t.id]:{desk_width}s} "
                f"waited {waited_minutes(e.wait_seconds)} min"
            )
        lines.append("")
    if not waiting:
        lines.append("Nobody is waiting.")
    else:
        lines.append(f"Waiting ({len(waiting)})")
        target = session.settings.queue.target_minutes
        unserved = None
        if any(e.estimated_wait_seconds is None for e in waiting):
            from oss_desk.services.unserved import Unserved  # a queue no open desk will call

            unserved = Unserved(session)
        for e in waiting:
            t = e.ticket
            est = minutes(e.estimated_wait_seconds)
            why = unserved.why(t) if unserved is not None and est is None else NO_OPEN_DESK
            flag = "  OVER TARGET" if past_target(e, target * 60) else ""
            said = marks_said(t)
            needs = f"  {said}" if said else ""
            named = why != NO_OPEN_DESK  # the reason names where it was sent
            if t.assigned_desk is not None and not named:
                needs = f"  (sent to {session.desk_name(t.assigned_desk)}){needs}"
            elif t.assigned_person is not None and not named:
                needs = f"  (sent to {session.name_of(t.assigned_person)}){needs}"
            lines.append(
                f"  {e.position:3d}. {codes[t.id]:{code_width}s}  "
                f"{names[t.service].name:{width}s} "
                f"waiting {waited_minutes(e.wait_seconds):3d} min, "
                f"{_estimate(est, e.ahead, why)}{flag}{needs}"
            )
    return "\n".join(lines)
