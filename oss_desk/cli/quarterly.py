"""``oss-desk report quarterly``: a quarter's scorecard (every standard, month by month, beside
the quarter before) with the quarterly return of comments, compliments and complaints ("On The
Record") and the actions taken as a result under ``on_the_record``.

``--quarter 2026-Q4`` is the calendar quarter (October to December 2026); ``2026/27-Q3`` names
the same months as a quarter of the reporting year (``reports.year_start_month``).
"""

from __future__ import annotations

from datetime import date

import click

from oss_desk.cli.common import State, closing, pass_state
from oss_desk.cli.reports import ReportQuery, report_query, write_output


@click.command("quarterly")
@click.option(
    "--quarter",
    metavar="YYYY-QN",
    help="The calendar quarter, e.g. 2026-Q4 (October to December), or a quarter of the "
    "reporting year, e.g. 2026/27-Q3 (the same months); default: this one.",
)
@report_query
@pass_state
@closing
def quarterly(state: State, quarter: str | None, query: ReportQuery) -> None:
    """A quarter's scorecard beside the quarter before, with the quarterly return."""
    from oss_desk.services.followup_reports import FollowupReports
    from oss_desk.services.report_outputs import quarterly_output

    session, found = query.fetch(state, lambda r: r.quarterly(quarter, query.site_id))
    record = FollowupReports(session).record_return(
        found.key,
        date.fromisoformat(found.first_day),
        date.fromisoformat(found.last_day),
        [m.month for m in found.months],
        query.site_id,
    )
    write_output(quarterly_output(session, found, record, query.fmt), query.output)
