"""``oss-desk report daily`` and ``oss-desk report monthly``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from oss_desk.cli.common import State, closing, emit_json, pass_state
from oss_desk.services.report_formats import daily_text, figures_csv, monthly_text
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session

Renderer = Callable[[str, dict[str, Any], Session], str | None]


def _text(kind: str, figures: dict[str, Any], session: Session) -> str:
    names = {code: s.name for code, s in session.directory.services.items()}
    site = figures["site"]
    if site is None:
        place = "all offices"
    elif site in session.directory.sites:
        place = session.directory.sites[site].name
    else:
        place = site
    render = daily_text if kind == "daily" else monthly_text
    return render(figures, names, place) + "\n"


def _json(kind: str, figures: dict[str, Any], session: Session) -> None:
    emit_json(figures)


FORMATS: dict[str, Renderer] = {
    "text": _text,
    "json": _json,
    "csv": lambda kind, figures, session: figures_csv(figures),
}
"""Output formats by name: each renders (report kind, figures, session) to text (or prints
it itself and returns None). Add a format here and it is offered by both commands."""


def _options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--format",
        "fmt",
        type=click.Choice(list(FORMATS)),
        default="text",
        show_default=True,
        help="Output format.",
    )(func)
    func = click.option(
        "--include",
        "include",
        metavar="PATH",
        multiple=True,
        help="Another office's database (a copy or backup, read only) to add in; repeatable.",
    )(func)
    return click.option("--site", "site_id", metavar="ID", help="One site (default: all of them).")(
        func
    )


def _emit(fmt: str, kind: str, figures: dict[str, Any], session: Session) -> None:
    text = FORMATS[fmt](kind, figures, session)
    if text is not None:
        click.echo(text, nl=False)


@click.group()
def report() -> None:
    """Figures against the council's standards."""


@report.command("daily")
@click.option("--date", "day", metavar="YYYY-MM-DD", help="The business day (default: today).")
@_options
@pass_state
@closing
def daily(
    state: State, day: str | None, site_id: str | None, include: tuple[str, ...], fmt: str
) -> None:
    """The daily footfall summary."""
    session = state.session()
    with ReportService(session, include) as reports:
        figures = reports.daily(day, site_id)
    _emit(fmt, "daily", figures, session)


@report.command("monthly")
@click.option("--month", metavar="YYYY-MM", help="The calendar month (default: this month).")
@_options
@pass_state
@closing
def monthly(
    state: State, month: str | None, site_id: str | None, include: tuple[str, ...], fmt: str
) -> None:
    """The monthly dashboard: visits, appointments, standards, calls and the 12-month trend."""
    session = state.session()
    with ReportService(session, include) as reports:
        figures = reports.monthly(month, site_id)
    _emit(fmt, "monthly", figures, session)
