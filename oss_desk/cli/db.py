"""``oss-desk db backup|check|restore|purge`` and ``oss-desk doctor``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from oss_desk.cli.common import (
    State,
    choice_option,
    emit_json,
    err,
    json_command,
    json_option,
    pass_state,
)
from oss_desk.errors import InvalidInput, StorageFull
from oss_desk.services import dbops
from oss_desk.services.demo_clock import clock_of
from oss_desk.services.session import Session, resolve_config_path, resolve_db_path

if TYPE_CHECKING:
    from pathlib import Path

    from oss_desk.services.restore_result import ErasuresAgain, RestoreResult

EXIT_BROKEN = 4


@click.group()
def db() -> None:
    """Backups, integrity checks, restores and the retention purge."""


@db.command("backup")
@click.option(
    "--to",
    metavar="PATH_OR_DIR",
    help="A new file, or a folder that exists (default: backup.folder, which must exist too, "
    "else backups/ next to the database, made if missing). A folder that does not exist is "
    "refused (exit 2): a mistyped path or a disk not mounted would put the copy on this host.",
)
@click.option(
    "--keep",
    type=click.IntRange(1, 3650),
    metavar="N",
    help="Keep the newest N backups (backup.keep); older than backup.keep_days go anyway.",
)
@choice_option(
    "--method",
    choices=["backup-api", "vacuum"],
    default="backup-api",
    help="SQLite's online backup API, or VACUUM INTO (a compacted copy).",
)
@json_command
def backup(state: State, to: str | None, keep: int | None, method: str, as_json: bool) -> None:
    """A consistent copy of the live database (desks keep working), verified, mode 0600."""
    from oss_desk.services.backups import backup_database

    path = resolve_db_path(state.db)
    result = backup_database(
        path, resolve_config_path(state.config), clock_of(path), to=to, keep=keep, method=method
    )
    if as_json:
        emit_json(result.as_json())
        return
    rows = sum(result.counts.values())
    click.echo(
        f"Backed up to {result.path} ({_size(result.bytes)}, {rows} rows, "
        f"{result.seconds:.2f} s); integrity {result.integrity}, schema {result.schema[-1]}."
    )
    if result.pending:
        n = len(result.pending)
        click.echo(
            f"  the copy is at the older schema {result.schema[-1]}, as the database is: "
            f"`oss-desk init` upgrades the database ({n} migration{'s' if n != 1 else ''}); "
            "`db restore` of this copy restores an upgraded copy of it"
        )
    if result.chained:
        click.echo(
            f"  event log head: event {result.head_event} sha256 {result.head_hash} "
            f"(written beside it as {result.path.name}.head)"
        )
    else:
        click.echo("  event log head: none (an older release's event log, not chained yet)")
    for path in result.deleted:
        click.echo(f"  deleted an old backup: {path.name}")
    for path in result.kept_deleted:
        click.echo(f"  deleted a copy kept by a restore, past backup.keep_days: {path.name}")


FIGURES_CHECKED = (
    "worked out again from the events and compared (each visit's row, each closed day's totals)"
)
FIGURES_NOT_CHECKED = "not checked (--quick; without it they are)"
"""What ``db check``'s ok line says of the report figures, with and without ``--quick``."""


@db.command("check")
@click.option(
    "--quick",
    is_flag=True,
    help="PRAGMA quick_check instead of integrity_check, and the report figures not worked out "
    "again from the events (it says so).",
)
@json_option
@pass_state
def check(state: State, quick: bool, as_json: bool) -> None:
    """Integrity, foreign keys, the event log's triggers and hash chain, and the schema: one
    line per problem (the first broken link of the chain by its event id).

    Exits 4 when anything is wrong.
    """
    from oss_desk.services.backups import configured_backup_folder

    path = resolve_db_path(state.db)
    folder = configured_backup_folder(path, resolve_config_path(state.config))
    found = dbops.check(path, quick=quick, folder=folder)
    if found.full is not None:  # a resource fault, not a finding: one line, its own exit
        raise StorageFull(found.full)
    chain = found.chain
    if as_json:
        emit_json(
            {
                "database": str(path),
                "ok": found.ok,
                "integrity": found.integrity,
                "schema": found.schema,
                "events": chain.events if chain else None,
                "head": {"event": chain.head_id, "sha256": chain.head_hex} if chain else None,
                "broken_event": chain.broken_id if chain else None,
                "report_figures_checked": not quick,
                "problems": found.problems,
                "notes": found.notes,
            }
        )
    elif found.ok:
        chained = (
            f"event log append-only and chained ({chain.events} events, head event "
            f"{chain.head_id} sha256 {chain.head_hex})"
            if chain
            else "event log append-only"
        )
        click.echo(
            f"ok: {path}: {'quick check' if quick else 'integrity'} ok, foreign keys ok, "
            f"{chained}, schema {found.schema[-1]}"
            + f"; report figures: {FIGURES_NOT_CHECKED if quick else FIGURES_CHECKED}"
        )
    else:
        for problem in found.problems:
            click.echo(f"fail: {problem}")
    if not as_json:
        for note in found.notes:
            click.echo(f"info: {note}")
    if not found.ok:
        raise click.exceptions.Exit(EXIT_BROKEN)


@db.command("restore")
@click.argument("backup_file", metavar="BACKUP", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--force",
    is_flag=True,
    help="Restore even though a process seems to use it (only when you know it is gone: a "
    "desk still running would go on writing to the replaced copy).",
)
@click.option(
    "--last-code",
    "last_codes",
    metavar="CODE",
    multiple=True,
    help="The last ticket code on paper of a service today (e.g. C028; once per service; at "
    "an office of several sites, for each): its numbering carries on after it. Needed, or "
    "--skip-ahead, when the replaced database cannot be read (its own last codes are not "
    "known).",
)
@click.option(
    "--skip-ahead",
    type=int,
    metavar="N",
    help="Carry every service's numbering today N past the backup's last code (services not "
    "given with --last-code), when the replaced database cannot be read and the tickets on "
    "paper cannot be checked.",
)
@json_option
@pass_state
def restore(
    state: State,
    backup_file: str,
    yes: bool,
    force: bool,
    last_codes: tuple[str, ...],
    skip_ahead: int | None,
    as_json: bool,
) -> None:
    """Replace the database with a verified backup; the old one is kept beside it.

    Today's ticket numbering carries on after the last codes the replaced database gave out.
    When it cannot be read (damaged, or a copy put over it by hand), nothing is restored until
    --last-code or --skip-ahead says where numbering carries on."""
    from pathlib import Path

    from oss_desk.services.backup_files import not_a_backup
    from oss_desk.services.site import in_force_said

    path = resolve_db_path(state.db)
    if (mistaken := not_a_backup(Path(backup_file).expanduser())) is not None:
        raise InvalidInput(mistaken)
    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInput("restoring replaces the database: add --yes to confirm")
        click.confirm(f"Replace {path} with {backup_file}?", abort=True, err=True)
    result = dbops.restore(
        path,
        Path(backup_file),
        clock_of(path),
        force=force,
        last_codes=last_codes,
        skip_ahead=skip_ahead,
        person=state.user,
    )
    if as_json:
        emit_json(result.as_json())
        return
    if result.upgraded:
        click.echo(
            f"{result.backup.name} was made by an older oss-desk: restored through a copy "
            f"upgraded by {len(result.upgraded)} migrations (the backup file is unchanged)."
        )
    click.echo(f"Verified {result.backup} (integrity ok, schema {result.schema[-1]}).")
    if result.kept is not None:
        click.echo(f"Kept the replaced database as {result.kept}.")
    _say_what_is_left_behind(result)
    _say_erasures(result.erasures, result.kept)
    _say_print_jobs_settled(result.print_jobs_settled)
    for stale in result.removed:
        click.echo(f"Removed {stale.name}.")
    rows = sum(result.counts.values())
    click.echo(f"Restored {path} from {result.backup.name} ({rows} rows).")
    click.echo(in_force_said(path))  # the backup's configuration, maybe older than the file


def _say_erasures(again: ErasuresAgain | None, kept: Path | None) -> None:
    """The erasures made after the backup (``resident forget``): made again on the restored
    database, or not needed there (review30: a restore silently put the details back); not
    known when the replaced database could not be read (review31: never "none")."""
    if again is None:
        where = f"check the kept copy {kept.name}" if kept is not None else "check your records"
        click.echo(
            "The replaced database could not be read, so the erasures (`resident forget`) made "
            f"after the backup are not known: {where} and run `oss-desk resident forget` again "
            "for any."
        )
        return
    if again.reapplied:
        many = len(again.reapplied) != 1
        cancelled = again.messages_cancelled
        messages = (
            f"; {cancelled} message{'s' if cancelled != 1 else ''} still to send for "
            f"{'them' if many else 'it'} cancelled"
            if cancelled
            else ""
        )
        click.echo(
            f"Re-applied {len(again.reapplied)} erasure{'s' if many else ''} made after the "
            f"backup: {', '.join(again.reapplied)} (the resident's details are erased "
            f"again{messages})."
        )
    if again.cancelled_again:
        click.echo(
            f"Cancelled again first: {', '.join(again.cancelled_again)} (still booked in the "
            "backup; cancelled after it, then forgotten: the slot is free again)."
        )
    for ref in again.still_booked:
        click.echo(
            f"{ref} is still booked in the backup and was forgotten after it: its slot is held "
            f"for nobody until you cancel it with `oss-desk appointment cancel {ref} --by "
            "resident` (if it is still to come)."
        )
    if again.not_needed:
        click.echo(
            f"Erased after the backup, nothing to re-apply: {', '.join(again.not_needed)} (the "
            "backup holds no details of the resident there)."
        )


def _say_what_is_left_behind(result: RestoreResult) -> None:
    """What the restored database does not have: the replaced one's events after the backup
    (or all of another office's), and each site's last codes of today given out after it."""
    kept = result.kept
    if kept is None:
        return
    if result.newer_events is None:
        click.echo(
            "The replaced database could not be read: what it recorded after the backup is not "
            "known."
        )
    elif result.other_office:
        click.echo(
            f"The replaced database was another office's: all its {_events(result.newer_events)} "
            f"are only in {kept.name}."
        )
    elif result.newer_events:
        from oss_desk.clock import read_instant

        newest = (
            f"{read_instant(result.newest_event):%Y-%m-%d %H:%M}Z" if result.newest_event else "?"
        )
        which = (
            "newer than the backup"
            if result.forked_at is None
            else f"that the backup does not have (from event {result.forked_at}, where the "
            "backup's log parts from it: the backup went on with events of its own)"
        )
        click.echo(
            f"The replaced database had {_events(result.newer_events)} {which} (the newest at "
            f"{newest}): {'they are' if result.newer_events != 1 else 'it is'} not in the "
            f"restored database, only in {kept.name}."
        )
    _say_lost_bookings(result)
    if not result.codes_known or result.given or result.skipped_ahead is not None:
        _say_numbering_given(result)
        return
    for site, (day, codes) in result.codes_by_site.items():
        click.echo(
            f"Tickets up to {', '.join(codes)} were given out at {site} on {day} after the "
            "backup: the numbering carries on after them, so no code already on paper is given "
            "again."
        )


def _events(n: int) -> str:
    return f"{n} event{'s' if n != 1 else ''}"


SENT_BY = {"email": "emailed", "text": "texted"}
SLIP_SAID = {
    "printed": "slip printed",
    "sent": "slip sent to the printer",
    "uncertain": "slip may have printed",
}
"""A lost booking's slip, by what became of it (``storage.replaced.LostBooking.slip``)."""


def _say_lost_bookings(result: RestoreResult) -> None:
    """The bookings made after the backup: gone from the restored database, their slots free
    again, though the resident may hold a confirmation (review: a restore said nothing)."""
    from oss_desk.clock import read_instant
    from oss_desk.domain.calendar import local

    lost, kept = result.lost_bookings, result.kept
    if kept is None or result.other_office:
        return
    if lost is None:
        if result.newer_events:
            click.echo(
                f"The bookings made after the backup could not be read from {kept.name}: "
                "check it for any to rebook."
            )
        return
    if not lost:
        return
    many = len(lost) != 1
    click.echo(
        f"{len(lost)} booking{'s' if many else ''} made after the backup {'are' if many else 'is'}"
        f" not in the restored database (the slot{'s' if many else ''} free again), only in "
        f"{kept.name}:"
    )
    for b in lost:
        at = local(read_instant(b.starts_at), b.timezone)
        sent = [f"{kind} {SENT_BY.get(channel, channel)}" for kind, channel in b.sent]
        sent += [SLIP_SAID[b.slip]] if b.slip else []
        said = ", ".join(sent) if sent else "nothing sent to the resident yet"
        todo = "rebook it" if b.status == "booked" else f"{b.status.replace('_', ' ')}: record it"
        click.echo(f"  {b.ref} {at:%a %d %b %H:%M}, {said}: {todo}")


def _say_print_jobs_settled(settled: dict[str, int] | None) -> None:
    """The backup's waiting print jobs that were delivered after it (not printed again)."""
    from oss_desk.domain.delivery import JOB_WORDS, PrintState

    if settled is None:
        click.echo(
            "Whether the backup's waiting print jobs printed after it is not known: the worker "
            "prints them as new (check the printers' last tickets)."
        )
        return
    printed = settled.get(PrintState.PRINTED, 0)
    if printed:
        click.echo(
            f"{printed} print jobs that printed after the backup were settled: they are not "
            "printed again."
        )
    others = [
        f"{n} {JOB_WORDS[PrintState(state)]}"
        for state, n in sorted(settled.items())
        if state != PrintState.PRINTED
    ]
    if others:
        click.echo(
            "Print jobs the backup held as waiting keep what happened to them after it, not "
            f"printed again as new: {', '.join(others)}."
        )


def _say_numbering_given(result: RestoreResult) -> None:
    """Where today's numbering carries on when the operator's word says it too (or only)."""
    how = ["the replaced database's own last codes"] if result.codes_known else []
    if result.given:
        how.append("the last codes on paper given with --last-code")
    if result.skipped_ahead is not None:
        how.append(f"--skip-ahead {result.skipped_ahead} past the backup's last codes")
    if result.seen_in_wal:
        sites = len(result.today)
        how.append(f"the old WAL, which still showed {dbops.codes_said(result.seen_in_wal, sites)}")
    for site, (day, codes) in result.codes_by_site.items():
        click.echo(
            f"Numbering at {site} on {day} carries on after {', '.join(codes)} "
            f"({' and '.join(how)})."
        )
    if result.skipped_ahead is None and not result.codes_known:
        click.echo(
            "Services not given with --last-code carry on from the backup's numbering: check "
            "that none of their tickets on paper is later."
        )


@db.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; change nothing.")
@json_command
def purge(state: State, dry_run: bool, as_json: bool) -> None:
    """Delete personal data past its retention period (the [retention] settings)."""
    session = state.session(host=True)
    result = dbops.RetentionService(session).purge(dry_run=dry_run)
    if as_json:
        emit_json(result.as_json())
        return
    verb = "Would delete" if dry_run else "Deleted"
    zone = _zone_of(session)
    for key, count in result.counts.items():
        label, since = PURGED.get(key, (key, ""))
        before = _when(result.cutoffs[_cut(key)], zone)
        said = f"{verb} {count} {label} ({since} before {before})"
        refs = result.open_refs.get(key, [])
        if refs:
            more = f" and {len(refs) - SHOWN_REFS} more" if len(refs) > SHOWN_REFS else ""
            said += f", including {len(refs)} still open ({', '.join(refs[:SHOWN_REFS])}{more})"
        click.echo(said)
    if dry_run and any(result.still_open.values()):
        click.echo(
            "  (a follow-up still open loses its resident's name, number and topic: "
            "ring them back or note what is needed first)"
        )
    if not dry_run:
        click.echo("Recorded in the event log." if result.total else "Nothing was due.")
    click.echo(KEPT)


PURGED = {
    "contacts": ("appointment contact details", "of appointments held, or cancelled,"),
    "cancel_reasons": ("cancellation reasons", "of appointments held, or cancelled,"),
    "notes": ("visit notes", "written"),
    "message_traces": ("message delivery traces", "of messages sent"),
    "print_payloads": ("print job contents", "of jobs made"),
    "referral_message_traces": ("referral message delivery traces", "of messages sent"),
    "followups": ("ring-back and referral details", "closed, or received if still open,"),
    "records": (
        "comment, compliment and complaint details",
        "answered, or received if still open,",
    ),
    "officers": (
        "officers named as answering a comment, compliment or complaint",
        "answered, or received if still open,",
    ),
    "phones": ("mobile numbers for turn texts", "of days"),
    "text_traces": ("turn text delivery traces", "of texts sent"),
    "comments": ("residents' comments from the feedback page", "written"),
    "feedback_numbers": ("mobile numbers for follow-up texts", "of visits"),
    "feedback_text_traces": ("follow-up text delivery traces", "of texts sent"),
}
"""What ``db purge`` deletes, by its count's key: what it is, and what its cut-off is measured
from ("visit notes (written before ...)")."""

SHOWN_REFS = 8
"""The references of follow-ups still open a purge line names (then "and N more")."""

KEPT = (
    "Kept: the event log (the audit trail) and every report figure: a purge never changes a report."
)


def _zone_of(session: Session) -> str:
    """The offices' timezone (the first site's: an office's sites share a clock)."""
    sites = list(session.directory.sites.values())
    return sites[0].timezone if sites else "Europe/London"


def _when(cutoff: str, timezone: str) -> str:
    """A cut-off as people read it: a date stays a date, an instant becomes local date and time."""
    if "T" not in cutoff:
        return cutoff
    from oss_desk.clock import read_instant
    from oss_desk.domain.calendar import zone

    return f"{read_instant(cutoff).astimezone(zone(timezone)):%Y-%m-%d %H:%M}"


def _cut(key: str) -> str:
    return {
        "cancel_reasons": "contacts",
        "officers": "records",
        "message_traces": "messages",
        "print_payloads": "print_jobs",
        "referral_message_traces": "messages",
        "text_traces": "messages",
        "feedback_numbers": "feedback_texts",
        "feedback_text_traces": "messages",
    }.get(key, key)


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MiB"
    return f"{n / 1024:.0f} KiB"


@click.command()
@json_option
@pass_state
def doctor(state: State, as_json: bool) -> None:
    """Is everything working? One line per check (ok, warn, fail); exits 1 when one fails."""
    from oss_desk.services.doctor import run_checks

    results = run_checks(db=state.db, config=state.config)
    if as_json:
        emit_json([r.as_json() for r in results])
    else:
        for r in results:
            click.echo(f"{r.status:4s}  {r.name}: {r.detail}")
    failed = [r for r in results if r.status == "fail"]
    if failed:
        if not as_json:
            err(f"oss-desk: {len(failed)} check{'s' if len(failed) > 1 else ''} failed")
        raise click.exceptions.Exit(1)
