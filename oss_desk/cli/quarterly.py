"""``oss-desk report quarterly``: a quarter's scorecard (every standard, month by month, beside
the quarter before) with the quarterly return of comments, compliments and complaints ("On The
Record") and the actions taken as a result: under ``on_the_record`` (JSON, CSV), after the
scorecard (text) or as its last section (HTML); with ``--include``, added up over the offices.

``--quarter 2026-Q4`` is the calendar quarter (October to December 2026); ``2026/27-Q3`` names
the same months as a quarter of the reporting year (``reports.year_start_month``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from oss_desk.cli.common import State
from oss_desk.cli.reports import ReportQuery, report_command, write_output

if TYPE_CHECKING:
    from oss_desk.domain.reports import QuarterlyReport, RangeReport
    from oss_desk.services.reports import ReportService


@click.command("quarterly")
@click.option(
    "--quarter",
    metavar="YYYY-QN",
    help="The calendar quarter, e.g. 2026-Q4 (October to December), or a quarter of the "
    "reporting year, e.g. 2026/27-Q3 (the same months); default: this one.",
)
@report_command
def quarterly(state: State, quarter: str | None, query: ReportQuery) -> None:
    """A quarter's scorecard beside the quarter before, with the quarterly return."""
    from oss_desk.services.report_outputs import quarterly_output

    def quarter_and_return(reports: ReportService) -> tuple[RangeReport, QuarterlyReport]:
        found = reports.quarterly(quarter, query.site_id)
        return found, reports.record_return(found)

    session, (found, record) = query.fetch(state, quarter_and_return)
    write_output(quarterly_output(session, found, record, query.fmt), query.output)
