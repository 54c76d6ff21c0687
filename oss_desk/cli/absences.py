"""``oss-desk absence ...``: advisers' absences (no appointments those days)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from oss_desk.cli.common import State, answer, answer_each, choice_option, emit_json, json_command
from oss_desk.domain.calendar import clock_said, local, parse_date
from oss_desk.domain.codes import MAX_ROW_ID
from oss_desk.services.appointments import AppointmentService

if TYPE_CHECKING:
    from oss_desk.storage.appointments import Absence


@click.group()
def absence() -> None:
    """Advisers' annual leave, training and other absences (no appointments those days)."""


@absence.command("add")
@click.argument("person")
@click.option("--from", "first", required=True, metavar="YYYY-MM-DD", help="First day away.")
@click.option("--to", "last", required=True, metavar="YYYY-MM-DD", help="Last day away.")
@choice_option(
    "--reason", choices=["annual leave", "training", "sickness", "other"], default="annual leave"
)
@json_command
def absence_add(
    state: State, person: str, first: str, last: str, reason: str, as_json: bool
) -> None:
    """Record an absence."""
    session = state.session()
    svc = AppointmentService(session)
    absence_id = svc.add_absence(person, first, last, reason)
    clashes = svc.booked_with(person, first, last)
    if as_json:
        emit_json(
            {
                "id": absence_id,
                "person": person,
                "from": first,
                "to": last,
                "reason": reason,
                "still_booked": [appt.ref for appt in clashes],
            }
        )
        return
    from oss_desk.domain.absences import absence_said
    from oss_desk.domain.site_change import still_booked

    who = session.name_of(person)
    today = parse_date(session.today(session.site_or_first()), "today")
    away = (parse_date(first, "--from"), parse_date(last, "--to"))
    click.echo(absence_said(who, *away, reason, today))
    if clashes:
        click.echo(still_booked(f"with {who}", len(clashes)))
        for appt in clashes:
            wall = local(appt.starts_at, session.site_ever(appt.site_id).timezone)
            click.echo(f"  {appt.ref}  {appt.service}  {wall:%a %d %b} {clock_said(wall)}")


@absence.command("list")
@json_command
def absence_list(state: State, as_json: bool) -> None:
    """Absences from today on."""
    session = state.session()
    found = AppointmentService(session).absences()

    def as_dict(x: Absence) -> dict[str, Any]:
        return {
            "id": x.id,
            "person": x.staff_id,
            "name": session.name_of(x.staff_id),
            "from": x.first_day,
            "to": x.last_day,
            "reason": x.reason,
        }

    def as_line(x: Absence) -> str:  # by name, as every other output (JSON also has the id)
        who = session.name_of(x.staff_id)
        return f"{x.id:4d}  {who:20s} {x.first_day} to {x.last_day}  {x.reason}"

    answer_each(as_json, found, as_dict, as_line, "No absences from today on.")


@absence.command("remove")
@click.argument("absence_id", type=click.IntRange(1, MAX_ROW_ID), metavar="ID")
@json_command
def absence_remove(state: State, absence_id: int, as_json: bool) -> None:
    """Remove an absence recorded in error."""
    session = state.session()
    AppointmentService(session).remove_absence(absence_id)
    answer(as_json, {"id": absence_id, "removed": True}, f"Absence {absence_id} removed")
