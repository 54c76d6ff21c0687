"""``oss-desk report quarterly``: the quarterly return of comments, compliments and complaints
("On The Record"), with the actions taken as a result.

Its figures sit under ``on_the_record`` so that the scorecard's quarterly figures can join them
in the same command later.
"""

from __future__ import annotations

import json

import click

from oss_desk.cli.common import State, closing, pass_state


@click.command("quarterly")
@click.option("--quarter", metavar="YYYY-QN", help="The calendar quarter (default: this one).")
@click.option("--site", "site_id", metavar="ID", help="One site (default: all of them).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--output", metavar="FILE", help="Write the report to FILE (default: stdout).")
@pass_state
@closing
def quarterly(
    state: State,
    quarter: str | None,
    site_id: str | None,
    fmt: str,
    as_json: bool,
    output: str | None,
) -> None:
    """The quarterly return: comments, compliments and complaints, with actions taken."""
    from oss_desk.cli.reports import write_output
    from oss_desk.render.csv import figures_csv
    from oss_desk.render.followups import quarterly_text
    from oss_desk.render.json import quarterly_json
    from oss_desk.services.followup_reports import FollowupReports

    fmt = "json" if as_json else fmt
    session = state.session()
    report = FollowupReports(session).quarterly(quarter, site_id)
    if fmt == "json":
        text = json.dumps(quarterly_json(report), ensure_ascii=False) + "\n"
    elif fmt == "csv":
        text = figures_csv(quarterly_json(report))
    else:
        place = session.directory.sites[report.site].name if report.site else "all offices"
        text = quarterly_text(report, place) + "\n"
    write_output(text, output)
