"""``oss-desk resident find|forget``: what the council holds about a resident (a subject access
request), and erasing it on request. Team leaders and admins."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from oss_desk.cli.common import State, emit_json, json_command
from oss_desk.clock import format_instant
from oss_desk.domain.phones import dialable
from oss_desk.domain.waits import not_texted_said
from oss_desk.errors import InvalidInput

if TYPE_CHECKING:
    from oss_desk.services.backups import HeldInBackups, HeldPastErasure
    from oss_desk.services.subject_access import Erased
    from oss_desk.storage.subject import Held, Key

NOT_HELD = (
    "Not held: tickets, the display board, printed slips and the event log carry no name, "
    "email or phone; a visit without a number, a note or a comment holds nothing of its resident."
)
"""The line ``resident find`` ends with: where a resident's details never are."""


@click.group()
def resident() -> None:
    """What is held about a resident, and erasing it on request (team leaders and admins)."""


def _held_json(h: Held) -> dict[str, Any]:
    return {
        "record": h.kind,
        "kind": h.what if h.kind == "followup" else h.kind,
        "ticket": h.what if h.kind == "visit" else None,
        "ref": h.ref,
        "day": h.day,
        "site": h.site_id,
        "holds": h.fields,
        "name": h.name,
        "email": h.email,
        "phone": h.phone,
        "open": h.open if h.kind == "followup" else None,
        "mentions": h.mentions,
        "texts": h.texts,
    }


def _what(h: Held) -> str:
    if h.kind == "visit" and h.what:
        return f"visit {h.what}"
    if h.kind != "followup":
        return h.kind
    from oss_desk.domain.followups import Kind

    return Kind(h.what).label.lower()


def held_lines(h: Held, key: str) -> list[str]:
    """A record: reference, what it is, its day, what it holds; then the contact details as
    ``appointment show --contact`` shows them, and the free text that mentions the ``key``
    searched (which, never its words: read that on the record)."""
    day = f"{date.fromisoformat(h.day):%a %d %b %Y}"
    lines = [f"{h.ref:10s} {_what(h):11s} {day}  holds: {', '.join(h.fields)}"]
    phone = dialable(h.phone) if h.phone else None  # as it is dialled; the JSON keeps +44...
    shown = [(k, v) for k, v in (("name", h.name), ("email", h.email), ("phone", phone)) if v]
    if shown:
        lines.append("  " + "   ".join(f"{k}: {v}" for k, v in shown))
    if h.mentions:  # where, never the words: they are read on the record
        lines.append(f"  mentions that {key} in its {', '.join(h.mentions)}")
    return lines


@resident.command("find")
@click.option("--email", metavar="ADDR", help="Their email address (any case).")
@click.option("--phone", metavar="NUMBER", help="Their phone number, typed any usual way.")
@click.option("--name", metavar="TEXT", help="Their name, or part of it (any case).")
@json_command
def find(
    state: State, email: str | None, phone: str | None, name: str | None, as_json: bool
) -> None:
    """Every record holding the resident's details now (the search is recorded, never the key)."""
    from oss_desk.services.backups import held_past_erasure
    from oss_desk.services.kept_copies import copies_hold_said, kept_copies, restore_leftovers
    from oss_desk.services.subject_access import SubjectAccessService

    given: dict[Key, str | None] = {"email": email, "phone": phone, "name": name}
    keys = [(key, value) for key, value in given.items() if value is not None]
    if len(keys) != 1:
        raise InvalidInput("give one of --email, --phone or --name")
    key, value = keys[0]
    session = state.session()
    found = SubjectAccessService(session).find(key, value)
    past = held_past_erasure(session)
    kept = past if past is not None and past.held.until is not None else None
    # Whole databases as they stood before a restore: never searched, so always named (a review:
    # "Nothing held" while the copy held a booking made after the backup restored).
    copies = [*kept_copies(session.store.path), *restore_leftovers(session.store.path)]
    if as_json:
        from oss_desk.services.subject_copy import resident_copy

        backups = None
        if kept is not None:
            backups = {"erased_before": format_instant(kept.erased_at), **kept.held.as_json()}
        # The copy sent to the resident: each record's own facts, messages and deletion too.
        facts = resident_copy(session, found)
        each = [_held_json(h) | copy for h, copy in zip(found, facts, strict=True)]
        not_searched = [str(p) for p in copies]
        emit_json({"by": key, "records": each, "backups": backups, "not_searched": not_searched})
        return
    if not found:
        click.echo(f"Nothing held under that {key} (the search is recorded).")
    else:
        n = len(found)
        records = f"{n} records match" if n != 1 else "1 record matches"
        # A name matches in part ("Resident 11" finds Resident 110 too): say what was searched,
        # never that the records are one resident's.
        click.echo(f"{records} that {key} (the search is recorded):")
        for h in found:
            for line in held_lines(h, key):
                click.echo(line)
        click.echo(
            "Read a record's free text with `appointment show REF` or `followup show REF "
            "--contact`; erase with `oss-desk resident forget REF... --yes`."
        )
    if kept is not None:
        click.echo(_past_erasure_line(kept))
    if copies:
        it = "it is" if len(copies) == 1 else "they are"
        held = (
            f"details of anyone ({it} not searched: {it.split()[0]} "
            f"{'holds' if len(copies) == 1 else 'hold'} what was recorded after the backup "
            "the restore put back, and details erased since)"
        )
        click.echo(copies_hold_said(copies, session.settings.backup.keep_days, held))
    click.echo(NOT_HELD)


@resident.command("forget")
@click.argument("refs", metavar="REF...", nargs=-1, required=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--reason", metavar="TEXT", help="The request's case reference (kept in the event log)."
)
@click.option(
    "--cancel-messages",
    is_flag=True,
    help="Cancel unsent messages that need the details (the resident will not get them).",
)
@json_command
def forget(
    state: State,
    refs: tuple[str, ...],
    yes: bool,
    reason: str | None,
    cancel_messages: bool,
    as_json: bool,
) -> None:
    """Erase the personal details of these records now, as the retention purge would; all or
    none (REF: a booking, a follow-up or a visit, as `resident find` names them)."""
    from oss_desk.services.backups import held_in_backups
    from oss_desk.services.kept_copies import copies_hold_said
    from oss_desk.services.subject_access import SubjectAccessService

    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInput("forgetting erases the resident's details for good: add --yes")
        click.confirm(f"Erase the resident's details from {', '.join(refs)}?", abort=True, err=True)
    session = state.session()
    erased = SubjectAccessService(session).forget(
        list(refs), reason=reason, cancel_messages=cancel_messages
    )
    made = [e.made_at_event for e in erased if e.made_at_event is not None]
    kept = held_in_backups(session, min(made) if made and len(made) == len(erased) else None)
    if as_json:
        emit_json({"erased": [_erased_json(e) for e in erased], "backups": kept.as_json()})
        return
    for e in erased:
        click.echo(_erased_line(e))
    click.echo("Recorded in the event log (who, when, which record; never the details).")
    click.echo(_backups_line(kept))
    if kept.restore_copies:
        click.echo(copies_hold_said(kept.restore_copies, kept.keep_days, "them"))


ELSEWHERE = (
    "a backup written elsewhere (`db backup --to`) or copied off the host is not known here "
    "and goes by its own schedule."
)
"""What ``resident forget`` cannot know of the backups: only the office's folder is read."""


def _backups_line(kept: HeldInBackups) -> str:
    if kept.until is None:
        return f"No backup in {kept.folder} was made after the records were; {ELSEWHERE}"
    day = _when(kept.until)
    many = "s" if kept.count != 1 else ""
    after = f"{kept.count} backup{many} in {kept.folder} made after the records were"
    unknown = f"backup{'s' if kept.not_known != 1 else ''} whose event log is not known"
    if not kept.not_known:
        which = after
    elif not kept.count:
        which = f"{kept.not_known} {unknown} in {kept.folder}"
    else:
        which = f"{after}, and {kept.not_known} more {unknown},"
    return (
        f"{which} may still hold them: the last is deleted by the first `oss-desk db backup` "
        f"after {day} (backup.keep_days, {kept.keep_days} days); {ELSEWHERE}"
    )


def _past_erasure_line(kept: HeldPastErasure) -> str:
    """Backups made before the last erasure on request, said of no one in particular: a
    search that finds nothing must not tell whether its resident was erased."""
    held = kept.held
    assert held.until is not None
    many = held.count != 1
    return (
        f"{held.count} backup{'s' if many else ''} in {held.folder} made before "
        f"{_when(kept.erased_at)} may still hold details of anyone erased since "
        f"(`resident forget`): the last is deleted by the first `oss-desk db backup` after "
        f"{_when(held.until)} (backup.keep_days, {held.keep_days} days); {ELSEWHERE}"
    )


def _when(at: datetime) -> str:
    return at.astimezone().strftime("%a %d %b %Y %H:%M")


def _erased_json(e: Erased) -> dict[str, Any]:
    return {
        "record": e.kind,
        "ref": e.ref,
        "erased": list(e.fields),
        "messages_cancelled": e.messages_cancelled,
        "not_texted": e.not_texted,
    }


def _erased_line(e: Erased) -> str:
    if not e.fields:
        return f"{e.ref}: held nothing of its resident (already erased or purged)"
    said = f"{e.ref}: erased {', '.join(e.fields)}"
    if e.messages_cancelled:
        n = e.messages_cancelled
        said += f"; {n} unsent message{'s' if n != 1 else ''} cancelled"
    if e.not_texted:
        said += f"; {not_texted_said(e.not_texted)}"
    return said
