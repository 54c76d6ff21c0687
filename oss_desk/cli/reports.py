"""``oss-desk report daily`` and ``oss-desk report monthly``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from oss_desk import files
from oss_desk.cli.common import State, choice_option, closing, emit_json, pass_state
from oss_desk.domain.report_rounds import SHOWN_MONTH, failed_report_of_day
from oss_desk.domain.reports import DailyReport, Report
from oss_desk.domain.text import shown
from oss_desk.errors import InvalidInput, file_fault
from oss_desk.services.alerts import (
    LeaderAlert,
    message_alerts,
    not_sent_lines,
    report_mail_alerts,
)
from oss_desk.services.report_outputs import FORMATS, print_daily_summary, render_report
from oss_desk.services.reports import ReportService
from oss_desk.services.session import Session


def report_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = choice_option("--format", "fmt", choices=FORMATS, default="text", help="Output format.")(
        func
    )
    func = click.option(
        "--include",
        "include",
        metavar="PATH",
        multiple=True,
        help="Another office's database (its replicated copy or backup; read only) to add in; "
        "repeatable. A copy of this office, or an office with the same site id, is refused.",
    )(func)
    func = click.option(
        "--json", "as_json", is_flag=True, help="Same as --format json (as other commands)."
    )(func)
    func = click.option(
        "--output",
        metavar="FILE",
        help="Write the report to FILE (default: standard output).",
    )(func)
    return site_option(func)


def site_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--site``: a report of one site; without it, of every site in the database (the report
    commands and ``report send`` take it alike)."""
    return click.option("--site", "site_id", metavar="ID", help="One site (default: all of them).")(
        func
    )


def day_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--date``: the business day of a daily report (shown, or sent by ``report send``)."""
    return click.option(
        "--date", "day", metavar="YYYY-MM-DD", help="The business day (default: today)."
    )(func)


def month_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--month``: the calendar month of a monthly report or of the feedback log."""
    return click.option(
        "--month", metavar="YYYY-MM", help=f"The calendar month (default: {SHOWN_MONTH})."
    )(func)


R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """What every report command takes besides its period: the site, the other offices to add
    in, the format (``--json`` is ``--format json``) and where to write it."""

    site_id: str | None
    include: tuple[str, ...]
    fmt: str
    output: str | None

    def fetch(self, state: State, get: Callable[[ReportService], R]) -> tuple[Session, R]:
        """The session and what ``get`` asked the report service for."""
        session = state.session()
        with ReportService(session, include=self.include) as reports:
            return session, get(reports)

    def show(self, state: State, get: Callable[[ReportService], Report]) -> None:
        session, found = self.fetch(state, get)
        _emit(self.fmt, found, session, self.output)


def report_query(func: Callable[..., None]) -> Callable[..., None]:
    """:func:`report_options`, handed to the command as one ``query`` (a :class:`ReportQuery`)."""

    @wraps(func)
    def command(
        *args: Any,
        site_id: str | None,
        include: tuple[str, ...],
        fmt: str,
        as_json: bool,
        output: str | None,
        **kwargs: Any,
    ) -> None:
        query = ReportQuery(site_id, include, chosen_format(fmt, as_json), output)
        func(*args, query=query, **kwargs)

    return report_options(command)


def report_command(func: Callable[..., None]) -> Callable[..., None]:
    """A report command's common part: :func:`report_query`, the state, and the session closed
    when it is done (the command's own options go above it)."""
    return report_query(pass_state(closing(func)))


def chosen_format(fmt: str, as_json: bool) -> str:
    """``--json`` is ``--format json``; with another ``--format`` typed too it is refused
    (exit 2), not silently one of them."""
    if not as_json:
        return fmt
    typed = click.get_current_context().get_parameter_source("fmt")
    if fmt != "json" and typed is not ParameterSource.DEFAULT:
        raise InvalidInput(f"--json and --format {fmt} ask for two formats: give one")
    return "json"


def _emit(fmt: str, report: Report, session: Session, output: str | None = None) -> None:
    text = render_report(session, report, fmt)
    write_output(_with_messages_not_sent(session, report, fmt, text), output)


def _with_messages_not_sent(session: Session, report: Report, fmt: str, text: str) -> str:
    """A daily report as text also says which messages about that day's appointments were not
    delivered ("2 reminders for today not sent"), and the report emails that failed
    (:func:`~oss_desk.domain.report_rounds.failed_report_of_day`), until someone acknowledges
    them (the JSON keeps its documented keys: `oss-desk alerts list --json` has the alerts)."""
    if not isinstance(report, DailyReport) or fmt != "text":
        return text
    alerts: list[LeaderAlert] = [
        a for a in message_alerts(session, report.site) if a.business_day == report.date
    ]
    ours = session.site_known(report.site) if report.site else None  # None: another office's
    today = session.today(ours) if ours else None
    if ours is not None or report.site is None:  # this office's report emails
        now = today or session.today(session.site_or_first())
        mails = report_mail_alerts(session, report.site)
        alerts += [a for a in mails if failed_report_of_day(a.period, report.date, now)]
    lines = not_sent_lines(alerts, report.date, today)
    if not lines:
        return text
    return (
        text.rstrip("\n")
        + "\n\n  Messages not delivered (until acknowledged: `oss-desk alerts list`)\n"
        + "".join(f"    {line}\n" for line in lines)
    )


def write_output(text: str, output: str | None) -> None:
    """To standard output, or to ``output`` as a private file (0600, whole or not at all)."""
    if output is None:
        click.echo(text, nl=False)
        return
    target = Path(output).expanduser()
    try:
        files.write_private(target, text)  # 0600, whole or not at all
    except OSError as exc:
        fault = file_fault(exc, shown(str(target), 300))
        if fault is not None:
            raise fault from None
        raise InvalidInput(f"cannot write {shown(output)!r}: {exc.strerror or exc}") from None


@click.group()
def report() -> None:
    """Figures against the council's standards."""


@report.command("daily")
@day_option
@report_query
@click.option(
    "--print-to",
    metavar="DESK_OR_URL",
    help="Queue the summary for a receipt printer (a desk's, or a printer URL): printed instead "
    "of shown (with --output, also written to the file).",
)
@click.option("--large-print", is_flag=True, help="With --print-to: double-size print.")
@pass_state
@closing
def daily(
    state: State, day: str | None, query: ReportQuery, print_to: str | None, large_print: bool
) -> None:
    """The daily footfall summary."""
    if large_print and print_to is None:
        raise click.UsageError("--large-print goes with --print-to")
    session, daily_report = query.fetch(state, lambda r: r.daily(day, query.site_id))
    if print_to is None:
        _emit(query.fmt, daily_report, session, query.output)
        return
    job = print_daily_summary(session, daily_report, print_to, large_print=large_print)
    if query.output is not None:
        _emit(query.fmt, daily_report, session, query.output)  # the file as well as the paper
    if query.fmt == "json" and query.output is None:
        emit_json({"date": daily_report.date, "print_job": job})
        return
    click.echo(f"Daily summary for {daily_report.date} queued as print job {job}.")


@report.command("monthly")
@month_option
@report_command
def monthly(state: State, month: str | None, query: ReportQuery) -> None:
    """The monthly dashboard: visits, appointments, standards, calls and the 12-month trend.

    Without --month, this month to date; `report send monthly` emails the month before (the
    last whole month) unless given --month."""
    query.show(state, lambda r: r.monthly(month, query.site_id))


@report.command("period")
@click.option("--from", "first", required=True, metavar="YYYY-MM-DD", help="The first day.")
@click.option("--to", "last", required=True, metavar="YYYY-MM-DD", help="The last day.")
@report_command
def period(state: State, first: str, last: str, query: ReportQuery) -> None:
    """Any run of days (both included), beside the same number of days before."""
    query.show(state, lambda r: r.between(first, last, query.site_id))


@report.command("annual")
@click.option(
    "--year",
    metavar="YYYY",
    help="The reporting year that starts in YYYY, e.g. 2026 for 2026/27 (default: this one).",
)
@report_command
def annual(state: State, year: str | None, query: ReportQuery) -> None:
    """A reporting year (April to March by default), beside the year before."""
    query.show(state, lambda r: r.annual(year, query.site_id))


@report.command("comments")
@month_option
@site_option
@choice_option(
    "--format", "fmt", choices=("text", "json", "csv"), default="text", help="Output format."
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--output", metavar="FILE", help="Write to FILE (default: standard output).")
@pass_state
@closing
def comments(
    state: State,
    month: str | None,
    site_id: str | None,
    fmt: str,
    as_json: bool,
    output: str | None,
) -> None:
    """The feedback log: what residents wrote with their ratings (reading it is recorded)."""
    from oss_desk.services.report_outputs import comments_output

    session = state.session()
    with ReportService(session) as reports:
        log = reports.comments(month, site_id)
    write_output(comments_output(session, log, chosen_format(fmt, as_json)), output)
