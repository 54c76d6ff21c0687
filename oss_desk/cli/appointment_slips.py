"""``oss-desk appointment slip REF``: print an appointment's slip again."""

from __future__ import annotations

import click

from oss_desk.cli.common import State, answer, ref_command


@click.command("slip")
@click.option("--desk", "desk_id", metavar="ID", help="The desk acting (its printer by default).")
@click.option(
    "--print-to",
    metavar="DESK_OR_URL",
    help="The printer: a desk's (its id) or a printer URL (default: this desk's, else the "
    "printer its last slip went to).",
)
@ref_command
def slip(state: State, desk_id: str | None, print_to: str | None, ref: str, as_json: bool) -> None:
    """Print the appointment's slip again (it failed at the printer, or was lost): drawn as the
    appointment is now. Only a booked appointment; needs the right to reprint."""
    from oss_desk.services.delivery import print_job_fields, print_job_said
    from oss_desk.services.slips import slip_again

    session = state.session(desk_id)
    done = slip_again(session, ref, print_to)
    said = f"Slip of {done.appointment.ref}: {print_job_said(session, done.job)}"
    answer(as_json, {"ref": done.appointment.ref} | print_job_fields(session, done.job), said)
