"""``oss-desk init``, ``demo`` and ``desks`` (``desk`` is in :mod:`oss_desk.cli.desk`)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from oss_desk.cli.common import (
    State,
    emit_json,
    json_command,
    json_option,
    number_option,
    pass_state,
)
from oss_desk.clock import NOW_ENV, FixedClock, clock_from_env, format_instant
from oss_desk.errors import InvalidInput, RuleViolation, StorageError
from oss_desk.paths import demo_db_path
from oss_desk.services.queue import QueueService
from oss_desk.services.session import Session, resolve_config_path, resolve_db_path
from oss_desk.storage.database import open_store
from oss_desk.storage.site import latest_config, work_since_seed

NO_SITE_YET = (
    "No site configuration yet: every command needs one. Next: `oss-desk init --config FILE` "
    "with your office's file (deploy/config.example.toml is a start), or `oss-desk init --demo`."
)


@click.command()
@click.option("--demo", "use_demo", is_flag=True, help="Load the built-in demo site.")
@click.option(
    "--config",
    "config_file",
    metavar="FILE",
    help="Load this site configuration (default: the global --config / OSS_DESK_CONFIG).",
)
@click.option(
    "--replace-office",
    is_flag=True,
    help="Load a configuration for another office into this database (a verified backup of "
    "the office it replaces is taken first).",
)
@json_option
@pass_state
def init(
    state: State, use_demo: bool, config_file: str | None, replace_office: bool, as_json: bool
) -> None:
    """Create or migrate the database and load the site.

    With neither --demo nor a configuration the database is only created or migrated.
    Run it again after changing the configuration: desks pick up the change, and what it
    strands is dealt with as by hand (people and desks removed: logged out, their tickets back
    in the queue) or listed (bookings to move); a staff id changed while the old one holds
    work is refused. A configuration for another office (no site in common) is refused unless
    --replace-office.
    """
    from oss_desk.services.site import initialise  # the settings models: not for `desk`

    if use_demo and (config_file or state.config):
        raise InvalidInput("give either --demo or --config, not both")
    db_path = resolve_db_path(state.db)
    config_path = resolve_config_path(config_file or state.config)
    demo_dir = db_path.parent if use_demo else None
    result = initialise(
        db_path,
        clock=clock_from_env(),
        config_path=None if use_demo else config_path,
        demo_dir=demo_dir,
        person=state.user,
        replace_office=replace_office,
    )
    if as_json:
        emit_json(
            {
                "backup": str(result.backup) if result.backup else None,
                "db": str(result.path),
                "schema": result.migrations,
                "loaded": result.loaded,
                "sites": [s.id for s in result.settings.sites] if result.settings else [],
                "services": [s.code for s in result.settings.services] if result.settings else [],
                "desks": [d.id for d in result.settings.desks] if result.settings else [],
                "changes": result.change.lines,
                "sent_back": result.change.sent_back,
                "print_jobs_settled": result.change.settled_jobs,
                "configured": result.configured,
            }
        )
        return
    if result.backup is not None:
        click.echo(f"Backed up the office it replaces to {result.backup} (verified).")
    click.echo(f"Database ready: {result.path} (schema {result.migrations[-1]})")
    if result.settings is not None:
        s = result.settings
        click.echo(
            f"Loaded {result.loaded}: {len(s.sites)} site(s), {len(s.services)} services "
            f"({', '.join(x.code for x in s.services)}), {len(s.desks)} desks, "
            f"{len(s.staff)} staff."
        )
    for line in result.change.lines:
        click.echo(line)
    if not result.configured:
        click.echo(NO_SITE_YET)


def prepare_demo_db(path: Path, *, reset: bool = False) -> None:
    """Remove an earlier demo database at ``path``; refuse to touch anything else, a demo
    database that a process has open, and (unless ``reset``) one holding work done in it after
    it was built."""
    if not path.exists():
        return
    from oss_desk.services.dbops import in_use
    from oss_desk.services.site import DEMO_SOURCE

    user = in_use(path)
    if user is not None:
        raise RuleViolation(
            f"the demo database {path} is open in {user}: close that desk (or worker) first"
        )
    try:
        store = open_store(path, create=False, migrate=False, check=False)
    except StorageError as exc:
        raise StorageError(
            f"{path} is not a demo database, so the demo will not replace it ({exc.message})"
        ) from None
    try:
        stored = latest_config(store.conn)
        if stored is None or stored.source != DEMO_SOURCE:
            raise StorageError(
                f"{path} holds a real site, so the demo will not replace it: "
                "pass --db with another path"
            )
        since = work_since_seed(store.conn)
    finally:
        store.close()
    if since and not reset:
        raise RuleViolation(
            f"the demo database {path} holds {since} event{'s' if since != 1 else ''} recorded "
            "after it was built (work done in it): `oss-desk demo --reset` builds it afresh and "
            "discards them (or pass --db with another path)"
        )
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


@click.command()
@number_option("--days", default=15, within=(0, 120), help="Opening days of history to simulate.")
@number_option(
    "--waiting",
    default=6,
    within=(0, 50),
    help="How many residents are waiting when the demo opens.",
)
@click.option("--no-app", is_flag=True, help="Set the demo up and print how to use it; no TUI.")
@click.option(
    "--reset",
    is_flag=True,
    help="Build it afresh even though work was done in it since it was built (discards it).",
)
@click.option(
    "--desk",
    "desk_id",
    default="greet-1",
    show_default=True,
    metavar="ID",
    help="The desk the demo opens at.",
)
@pass_state
def demo(state: State, days: int, waiting: int, no_app: bool, reset: bool, desk_id: str) -> None:
    """Self-contained demo: the demo site, some history, a live queue, virtual devices.

    It uses its own database (in the user data folder, or --db), made afresh each time; never
    while a desk or worker has it open, and not over work done in it since (unless --reset).
    """
    from oss_desk.services.demo import populate
    from oss_desk.services.session import open_session
    from oss_desk.services.site import initialise

    path = Path(state.db).expanduser() if state.db else demo_db_path()
    prepare_demo_db(path, reset=reset)
    clock = clock_from_env()
    shown = None
    if not no_app and NOW_ENV not in os.environ:
        from oss_desk.services.demo import shown_instead
        from oss_desk.services.site import demo_settings

        # Out of hours (a night, a weekend) the office would be empty: the desk opens as on its
        # last opening day instead, the clock stopped then, as OSS_DESK_NOW does (the app, its
        # devices and the process's sessions all read it).
        shown = shown_instead(demo_settings(path.parent), clock.now())
        if shown is not None:
            os.environ[NOW_ENV] = format_instant(shown)
            clock = clock_from_env()
    initialise(path, clock=clock, demo_dir=path.parent, person=state.user)
    session = open_session(db=path, person=state.user, clock=clock, host=True)
    try:
        summary = populate(session, days=days, waiting=waiting, deliver=_deliver_due)
        session.desk(desk_id)
    finally:
        session.close()
    if summary.booked_at is not None:
        _send_booked_messages(path, [*summary.arranged_at, summary.booked_at])
    click.echo(
        f"Demo ready: {path}\n"
        f"  {summary.days} opening days of history, {summary.visits} visits, "
        f"{summary.waiting_now} residents waiting now, {summary.appointments} appointments "
        "booked for the next two weeks."
    )
    if shown is not None:
        click.echo(
            f"  The office is closed now: the demo opens as on {shown:%A %d %B} at 11:00 "
            f"(OSS_DESK_NOW={format_instant(shown)}), its clock stopped then."
        )
    if summary.closed_now is not None:
        click.echo(f"  Nobody is waiting now: {summary.closed_now}.")
        if summary.open_day is not None:
            click.echo(
                "  To try it as on an open day (the clock stopped then):\n"
                f"  OSS_DESK_NOW={summary.open_day:%Y-%m-%dT%H:%M:%SZ} oss-desk demo --reset"
            )
    if no_app:
        click.echo(
            "Try:\n"
            f"  oss-desk --db {path} queue\n"
            f"  oss-desk --db {path} ticket issue --service C --desk greet-1\n"
            f"  oss-desk --db {path} ticket call-next --desk desk-1\n"
            f"  oss-desk --db {path} report daily\n"
            f"  oss-desk --db {path} appointment list\n"
            f"  oss-desk --db {path} --user amina followup list"
        )
        return
    from oss_desk.cli.desk import open_desk

    state.db = str(path)
    open_desk(state, desk_id, demo=True)


def _deliver_due(session: Session) -> None:
    """The worker's pass over the messages due at the session's (simulated) time: the demo's
    past appointments had their confirmations and reminders sent when they fell due."""
    from oss_desk.worker.messages import MessageDelivery

    MessageDelivery(session).deliver_due()


def _send_booked_messages(path: Path, booked_at: list[datetime]) -> None:
    """The demo's appointments were booked days ago (at desks, or by telephone), when a worker
    sent their confirmations (to the demo's virtual mailbox and phone): send them as that
    worker did, after the last booking of each day (well within a message's deadline)."""
    from oss_desk.services.session import open_session
    from oss_desk.worker.messages import MessageDelivery

    last_of_day: dict[object, datetime] = {}
    for at in booked_at:
        last_of_day[at.date()] = max(at, last_of_day.get(at.date(), at))
    runs = sorted(last_of_day.values())
    clock = FixedClock(runs[0])
    session = open_session(db=path, clock=clock, person="worker", host=True)
    try:
        for at in runs:
            clock.set(at + timedelta(minutes=1))
            MessageDelivery(session).deliver_due()
    finally:
        session.close()


@click.group()
def desks() -> None:
    """List desks and who is at them; open, pause or close them (call next respects it)."""


@desks.command("list")
@json_command
def desks_list(state: State, as_json: bool) -> None:
    """Every desk with its kind, services, status, who is logged in and current ticket."""
    session = state.session()
    service = QueueService(session)
    statuses = service.desk_statuses()
    logins = service.logins()
    rows: list[dict[str, Any]] = []
    for d in session.directory.desks.values():
        current = service.current_ticket(d.id)
        login = logins.get(d.id)
        rows.append(
            {
                "id": d.id,
                "name": d.name,
                "site": d.site_id,
                "kind": d.kind.value,
                "status": statuses[d.id].value,
                "services": sorted(d.services),
                "private_room": d.private_room,
                "printer": d.printer_url,
                "current": current.code if current else None,
                "person": login.person if login else None,
                "person_name": session.name_of(login.person) if login else None,
            }
        )
    if as_json:
        emit_json(rows)
        return
    for r in rows:
        who = r["person_name"] or "-"
        line = (
            f"{r['id']:10s} {r['kind']:15s} {r['status']:7s} "
            f"{''.join(r['services']):8s} {who:20s} {r['current'] or ''}"
        )
        click.echo(line.rstrip())


def _status_command(name: str, status: str, doc: str) -> click.Command:
    @click.command(name, help=doc)
    @click.argument("desk_id", metavar="ID")
    @json_command
    def command(state: State, desk_id: str, as_json: bool) -> None:
        session = state.session()
        from oss_desk.domain.queue import closed_words

        done = QueueService(session).set_desk_status(desk_id, status)
        was = done.previous.value
        if as_json:
            back = [t.code for t in done.sent_back]
            emit_json({"desk": desk_id.strip(), "was": was, "status": status, "sent_back": back})
            return
        said = f"{session.desk(desk_id).name}: {was} -> {status}"
        click.echo(closed_words(said, done.sent_back))

    return command


desks.add_command(
    _status_command(
        "open",
        "open",
        "Open a desk again (back from a break): it calls tickets. A closed desk opens when "
        "someone logs in there (desks login).",
    )
)
desks.add_command(_status_command("break", "break", "Put a desk on a break."))
desks.add_command(_status_command("close", "closed", "Close a desk."))


def _login_commands() -> None:
    from oss_desk.cli.counter import DESK_COMMANDS

    for command in DESK_COMMANDS:
        desks.add_command(command)


_login_commands()


@desks.command("feedback-link")
@click.argument("desk_id", metavar="ID")
@json_command
def feedback_link(state: State, desk_id: str, as_json: bool) -> None:
    """The path of a desk's feedback page on the screen server (for a tablet on the desk)."""
    from oss_desk.domain.access import Action
    from oss_desk.services.ratings import Ratings

    session = state.session()
    session.require(Action.VIEW_REPORTS, session.actor)
    path = f"/f/{Ratings(session).desk_token(desk_id)}"
    if as_json:
        emit_json({"desk": session.desk(desk_id).id, "path": path})
        return
    click.echo(path)
