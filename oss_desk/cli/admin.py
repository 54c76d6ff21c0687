"""``oss-desk init`` and ``desks`` (``desk`` is in :mod:`oss_desk.cli.desk`, ``demo`` in
:mod:`oss_desk.cli.demo`)."""

from __future__ import annotations

from typing import Any

import click

from oss_desk.cli.common import (
    State,
    emit_json,
    json_command,
    json_option,
    pass_state,
)
from oss_desk.clock import clock_from_env
from oss_desk.errors import InvalidInput
from oss_desk.services.demo_clock import clock_of
from oss_desk.services.queue import QueueService
from oss_desk.services.session import resolve_config_path, resolve_db_path

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
    # The demo's own clock on a demo database (a real office's file over it: the real time).
    clock = clock_of(db_path) if use_demo or config_path is None else clock_from_env()
    result = initialise(
        db_path,
        clock=clock,
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
                "upgraded_from": result.upgraded_from,
                "upgrade_applied": list(result.upgrade_ran),
                "upgrade_backup": str(result.upgrade_backup) if result.upgrade_backup else None,
            }
        )
        return
    if result.backup is not None:
        click.echo(f"Backed up the office it replaces to {result.backup} (verified).")
    if result.upgrade_backup is not None:
        click.echo(f"Backed up the database as it was to {result.upgrade_backup} (verified).")
    if result.upgraded_from is not None:
        n = len(result.upgrade_ran)
        click.echo(
            f"Upgraded: {n} migration{'s' if n != 1 else ''} applied (schema "
            f"{result.upgraded_from} -> {max(result.migrations)}). Reports of past days are "
            "now computed with this release's definitions (printed under each figure)."
        )
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
        from oss_desk.domain.models import DeskStatus
        from oss_desk.domain.sent_to import desk_status_said

        done = QueueService(session).set_desk_status(desk_id, status)
        was = done.previous.value
        if as_json:
            emit_json(
                {
                    "desk": desk_id.strip(),
                    "was": was,
                    "status": status,
                    "sent_back": [t.code for t in done.sent_back],
                    "waiting_for_desk": list(done.waiting),
                }
            )
            return
        name = session.desk(desk_id).name
        sent_back = [t.code for t in done.sent_back]
        click.echo(
            desk_status_said(name, done.previous, DeskStatus(status), sent_back, done.waiting)
        )

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
    from oss_desk.domain.access import FEEDBACK_LINK, Action
    from oss_desk.services.ratings import Ratings

    session = state.session()
    session.require(Action.VIEW_REPORTS, session.actor, doing=FEEDBACK_LINK)
    path = f"/f/{Ratings(session).desk_token(desk_id)}"
    if as_json:
        emit_json({"desk": session.desk(desk_id).id, "path": path})
        return
    click.echo(path)
