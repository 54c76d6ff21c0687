"""``oss-desk import calls FILE``: the telephone system's call export, for the call patterns."""

from __future__ import annotations

import click

from oss_desk.cli.common import State, answer, json_command
from oss_desk.services.calls import CallImportService


@click.group("import")
def import_group() -> None:
    """Bring in data from other systems."""


@import_group.command("calls")
@click.argument("file", metavar="FILE")
@click.option("--site", "site_id", metavar="ID", help="The office the calls were made to.")
@click.option(
    "--mapping",
    "mapping",
    metavar="KEY=COLUMN",
    multiple=True,
    help="Which column is what, on top of calls.columns (repeatable), e.g. wait_seconds=Wait.",
)
@json_command
def calls(
    state: State, file: str, site_id: str | None, mapping: tuple[str, ...], as_json: bool
) -> None:
    """Import a CSV call export: every row or none, each file once."""
    session = state.session(host=True)
    result = CallImportService(session).import_file(file, site_id, mapping)
    answer(as_json, result.as_json(), result.summary())
