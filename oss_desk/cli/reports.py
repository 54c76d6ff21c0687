"""``oss-desk report daily`` (the reporting issue adds monthly, CSV and HTML)."""

from __future__ import annotations

import click

from oss_desk.cli.common import State, closing, emit_json, pass_state
from oss_desk.services.reports import ReportService, daily_csv, daily_json, daily_text


@click.group()
def report() -> None:
    """Figures against the council's standards."""


@report.command("daily")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The business day (default: today).")
@click.option("--site", "site_id", metavar="ID", help="One site (default: all of them).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@pass_state
@closing
def daily(state: State, day: str | None, site_id: str | None, fmt: str) -> None:
    """The daily footfall summary."""
    session = state.session()
    figures = ReportService(session).daily(day, site_id)
    if fmt == "json":
        emit_json(daily_json(figures))
        return
    if fmt == "csv":
        click.echo(daily_csv(figures), nl=False)
        return
    names = {code: s.name for code, s in session.directory.services.items()}
    site_name = session.directory.sites[figures.site].name if figures.site else "all sites"
    click.echo(daily_text(figures, names, site_name))
