"""``oss-desk report send daily|monthly|due``: the reports emailed to the team leader."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from oss_desk.cli.common import State, emit_json, json_command
from oss_desk.cli.reports import day_option, site_option
from oss_desk.domain.report_rounds import SENT_MONTH, SHOWN_MONTH


def _again(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--again",
        is_flag=True,
        help="Queue it once more even though it was queued (or sent) before.",
    )(func)


def _show(done: list[Any], as_json: bool, *, quiet: bool = False) -> None:
    """Each report queued, or found queued before, a line (``quiet``: only those queued now, and
    nothing at all when none was, as a timer's journal wants)."""
    if as_json:
        emit_json([q.as_json() for q in done])
        return
    if quiet:
        done = [q for q in done if q.new]
    elif not done:
        click.echo("Nothing is due now.")
    for queued in done:
        click.echo(queued.line())


@click.group()
def send() -> None:
    """Email reports to the team leader (sent by the device worker)."""


@send.command("daily")
@day_option
@site_option
@_again
@json_command
def daily(state: State, day: str | None, site_id: str | None, again: bool, as_json: bool) -> None:
    """Queue the daily footfall summary for email (today's only after closing)."""
    from oss_desk.services.mailed_reports import ReportMailer

    _show(ReportMailer(state.session()).daily(day, site_id, again=again), as_json)


@send.command("monthly")
@click.option(
    "--month",
    metavar="YYYY-MM",
    help=f"The month (default: {SENT_MONTH}, as `report send due` sends it; "
    f"`report monthly` shows {SHOWN_MONTH}).",
)
@site_option
@_again
@json_command
def monthly(
    state: State, month: str | None, site_id: str | None, again: bool, as_json: bool
) -> None:
    """Queue the monthly dashboard for email."""
    from oss_desk.services.mailed_reports import ReportMailer

    _show(ReportMailer(state.session()).monthly(month, site_id, again=again), as_json)


@send.command("due")
@click.option(
    "--verbose",
    is_flag=True,
    help="Also name the reports queued (or sent) before, and say when nothing is due.",
)
@json_command
def due(state: State, verbose: bool, as_json: bool) -> None:
    """What the timer runs: today's summary once closed (and any of the last week's working
    days never sent; older ones never sent are named in one line, with the command that sends
    one, once per change), last month's dashboard from the first working day of the month (the
    whole month's after one sent to date); each at most once. Prints a line for each report
    queued now and nothing else (--json: the reports, those queued before too, and the older
    days never sent)."""
    from oss_desk.services.mailed_reports import ReportMailer

    # Host-level, like `db purge`: the timer's service account is nobody on the staff list, so
    # what it may do does not hang on access.unlisted_role. It only queues figures to the
    # configured recipients.
    mailer = ReportMailer(state.session(host=True))
    done = mailer.due()
    # Working days older than the week it catches up, never sent (never sent by it): in the
    # JSON at every run; in words once per change (the timer runs it every hour, and its
    # journal would say the same line each hour), and at every run with --verbose.
    found = mailer.older_unsent_found()
    if as_json:
        emit_json(
            {
                "reports": [queued.as_json() for queued in done],
                "older_unsent": [days.as_json() for days in found],
            }
        )
        return
    _show(done, False, quiet=not verbose)
    news = mailer.older_unsent_news(found)
    for line in [days.line for days in found] if verbose else news:
        click.echo(line)
