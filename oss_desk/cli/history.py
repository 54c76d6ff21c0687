"""``oss-desk history generate``: years of realistic history in a new database."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime

import click

from oss_desk.cli.common import State, emit_json, json_option, pass_state
from oss_desk.clock import clock_from_env
from oss_desk.devtools.history import HistoryOptions, HistoryResult
from oss_desk.devtools.history import generate as generate_history
from oss_desk.domain.calendar import EARLIEST, YEARS_AHEAD, DateSpan, parse_date, years_after
from oss_desk.services.session import resolve_db_path

DEFAULTS = HistoryOptions()
"""The options' defaults (click takes each option's type from its default)."""


@click.group()
def history() -> None:
    """Generated history for trying and benchmarking."""


@history.command("generate")
@click.option("--years", default=DEFAULTS.years, show_default=True, help="Years of opening days.")
@click.option("--sites", default=DEFAULTS.sites, show_default=True, help="Offices (1 to 8).")
@click.option(
    "--visits-per-day",
    default=DEFAULTS.visits_per_day,
    show_default=True,
    help="Average arrivals per office per opening day.",
)
@click.option("--seed", default=DEFAULTS.seed, show_default=True, help="Random seed.")
@click.option("--end", metavar="YYYY-MM-DD", help="The last day of history (default: yesterday).")
@json_option
@pass_state
def generate(
    state: State,
    years: int,
    sites: int,
    visits_per_day: int,
    seed: int,
    end: str | None,
    as_json: bool,
) -> None:
    """Create a NEW database (--db) with years of visits, tickets, events and appointments
    at several offices derived from the demo site. It refuses an existing file."""
    span = DateSpan(EARLIEST, years_after(datetime.now(UTC).date(), YEARS_AHEAD))
    last: date | None = parse_date(end, "--end", span) if end is not None else None
    options = HistoryOptions(
        years=years, sites=sites, visits_per_day=visits_per_day, seed=seed, end=last
    )
    path = resolve_db_path(state.db)
    interactive = sys.stderr.isatty()
    shown = {-1}

    def progress(label: str, fraction: float, visits: int) -> None:
        line = f"history: {fraction * 100:5.1f}%  {label}  {visits:,} visits"
        if interactive:
            click.echo("\r" + line, err=True, nl=False)
        elif label == "indexes" or int(fraction * 10) not in shown:
            shown.add(int(fraction * 10))
            click.echo(line, err=True)

    result = generate_history(path, options, clock=clock_from_env(), progress=progress)
    if interactive:
        click.echo("", err=True)
    if as_json:
        emit_json(result.summary())
        return
    click.echo(describe(result))


def describe(result: HistoryResult) -> str:
    s = result.summary()
    rows = ", ".join(f"{table} {count:,}" for table, count in s["rows"].items())
    return (
        f"History ready: {s['db']}\n"
        f"  {s['first_day']} to {s['last_day']}, {len(s['sites'])} offices "
        f"({', '.join(s['sites'])}), {s['opening_days']} opening days\n"
        f"  {s['visits']:,} visits, {s['tickets']:,} tickets, {s['events']:,} events, "
        f"{s['appointments']:,} appointments\n"
        f"  rows: {rows}\n"
        f"  {s['size_mb']} MB in {s['seconds']} s"
    )
