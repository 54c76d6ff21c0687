"""Repeat contact is a standard ("down year on year"), rated against the same period a year
before, and "no records" when the office kept none then; the "beside the period before" table
is built once (``beside_rows``) and the text and the HTML show its rows, with a third column for
the same period a year before. The office here was set up on Monday 23 November 2026.

Worked by hand: 2025-11-24 two visits, one a repeat (50.0%); 2026-11-24 four visits, one a repeat
(25.0%): down on the year before, so met; a month with three repeats of four (75.0%) is missed.
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from oss_desk.clock import FixedClock
from oss_desk.domain.models import Actor
from oss_desk.domain.reports import NO_RECORDS, RangeReport, ReportNames
from oss_desk.render.html import report_html
from oss_desk.render.rows import beside_rows
from oss_desk.render.text import report_text
from oss_desk.services.reports import ReportService
from oss_desk.services.session import open_session
from oss_desk.ui.screens.reports import standards_table

from .conftest import Cli, make_db, site_toml

NOW = "2026-12-01T10:00:00Z"
QUARTER = ("report", "quarterly", "--quarter", "2026-Q4")


def visits(cli: Cli, day: str, repeats: int, others: int) -> None:
    for n in range(repeats + others):
        flags = ["--repeat"] if n < repeats else []
        got = cli(
            "visit", "quick", "--service", "C", "--outcome", "resolved", *flags,
            now=f"{day}T10:{n:02d}:00Z",
        )  # fmt: skip
        assert got.code == 0, got.err


def standard(report: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in report["standards"] if s["key"] == key)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(make_db(tmp_path, site_toml()), monkeypatch)


def test_without_records_a_year_before_repeat_contact_is_not_rated(cli: Cli) -> None:
    visits(cli, "2026-11-24", 1, 3)
    report = cli(*QUARTER, "--json", now=NOW).json()
    repeat = standard(report, "repeat_contact")
    assert (repeat["value"], repeat["status"], repeat["rule"]) == (25.0, "none", "down")
    assert (repeat["baseline"], repeat["baseline_recorded"]) == (None, False)
    assert report["year_before"]["recorded"] is False
    # The quarter goes on (to 1 December): a year before, its same days (not the whole quarter).
    assert (report["year_before"]["first_day"], report["year_before"]["last_day"]) == (
        "2025-10-01",
        "2025-12-01",
    )
    text = cli(*QUARTER, now=NOW).out
    line = next(x for x in text.splitlines() if x.strip().startswith(repeat["label"]))
    assert "25.0%" in line and f"down on a year before, {NO_RECORDS} then" in line
    beside = next(x for x in text.splitlines() if x.startswith("    Repeat contact  "))
    assert re.split(r"\s{2,}", beside.strip())[1:] == ["25.0%", NO_RECORDS, NO_RECORDS]


def test_down_on_the_year_before_is_met_and_up_is_missed(cli: Cli) -> None:
    visits(cli, "2025-11-24", 1, 1)  # 50.0%
    visits(cli, "2026-11-24", 1, 3)
    visits(cli, "2026-11-25", 3, 0)  # the quarter: 4 repeats of 7 = 57.1%, up on 50.0%
    report = cli(*QUARTER, "--json", now=NOW).json()
    repeat = standard(report, "repeat_contact")
    assert (repeat["value"], repeat["baseline"], repeat["status"]) == (57.1, 50.0, "red")
    assert report["year_before"]["standards"]["repeat_contact"] == 50.0
    assert report["previous"]["recorded"] is True  # records began in 2025: a real quarter of 0
    # The monthly dashboard rates November against November 2025 the same way.
    month = cli("report", "monthly", "--month", "2026-11", "--json", now=NOW).json()
    assert (
        standard(month, "repeat_contact")["value"],
        standard(month, "repeat_contact")["status"],
    ) == (57.1, "red")

    # Every format says the same figure and rating.
    text = cli(*QUARTER, now=NOW).out
    line = next(x for x in text.splitlines() if x.strip().startswith(repeat["label"]))
    said = "down on the same days a year before, 50.0% then (24 Nov to 1 Dec): RED, missed"
    assert "57.1%" in line and said in line, line
    rows = list(csv.reader(io.StringIO(cli(*QUARTER, "--format", "csv", now=NOW).out)))
    cells = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert cells[("standards", "repeat_contact.value")] == "57.1"
    assert cells[("year_before", "standards.repeat_contact")] == "50.0"
    page = cli(*QUARTER, "--format", "html", now=NOW).out
    assert 'data-standard="repeat_contact" data-status="red"' in page


def _text_cells(text: str, label: str) -> list[str]:
    line = next(x for x in text.splitlines() if x.startswith(f"    {label}  "))
    return re.split(r"\s{2,}", line[4 + len(label) :].strip())


def test_the_text_and_the_html_show_the_same_beside_rows(cli: Cli) -> None:
    visits(cli, "2025-11-24", 1, 1)
    visits(cli, "2026-11-24", 1, 3)
    session = open_session(db=cli.db, clock=FixedClock(datetime.fromisoformat(NOW)))
    try:
        report = ReportService(session, Actor("tl")).quarterly("2026-Q4")
    finally:
        session.close()
    repeat = next(s for s in report.standards if s.key == "repeat_contact")
    assert (repeat.value, repeat.baseline, repeat.status.value) == (25.0, 50.0, "green")
    table = beside_rows(report)
    assert table.heads == ("This period", "The period before", "A year before")
    text = cli(*QUARTER, now=NOW).out.split("Beside the period before", 1)[1]
    page = cli(*QUARTER, "--format", "html", now=NOW).out
    section = page.split('id="beside"', 1)[1].split("</section>", 1)[0]
    for head in table.heads:
        assert head.lower() in text.splitlines()[0] and f">{head}<" in section
    for row in table.rows:
        assert _text_cells(text, row.indented) == list(row.values), row.label
        cells = "".join(f'<td class="num">{html.escape(v)}</td>' for v in row.values)
        assert f"<th scope=row>{html.escape(row.indented)}</th>{cells}" in section, row.label
    labels = [row.label for row in table.rows]
    assert "Repeat contact" in labels and "Unequal or impolite (under 2%)" in labels


def _quarter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RangeReport:
    cli = Cli(make_db(tmp_path, site_toml()), monkeypatch)
    visits(cli, "2025-11-24", 1, 1)
    visits(cli, "2026-11-24", 1, 1)
    session = open_session(db=cli.db, clock=FixedClock(datetime.fromisoformat(NOW)))
    try:
        return ReportService(session, Actor("tl")).quarterly("2026-Q4")
    finally:
        session.close()


SHARES = st.none() | st.floats(min_value=0, max_value=100).map(lambda p: round(p, 1))
SUMMARIES = st.fixed_dictionaries(
    {
        "visits": st.integers(0, 99_999),
        "measured": st.integers(0, 99_999),
        "within_15_min_pct": SHARES,
        "wait_median_minutes": SHARES,
        "satisfied_pct": SHARES,
        "recorded": st.booleans(),
        "repeat": SHARES,
    }
)


def test_any_figures_beside_the_period_before_read_the_same_in_text_and_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """For any figures (and periods with or without records), the text's and the page's rows
    are ``beside_rows``' rows: labels and values, in order."""
    base = _quarter(tmp_path, monkeypatch)
    names = ReportNames(council="C", site_name="Hub", service_names={})

    @settings(max_examples=30, deadline=None)
    @given(st.tuples(SUMMARIES, SUMMARIES, SUMMARIES), st.sampled_from(["quarter", "year"]))
    def check(periods: tuple[dict[str, Any], ...], kind: str) -> None:
        now, before, year = (
            replace(
                summary,
                visits=p["visits"],
                measured=p["measured"],
                within_15_min_pct=p["within_15_min_pct"],
                wait_median_minutes=p["wait_median_minutes"],
                satisfied_pct=p["satisfied_pct"],
                recorded=p["recorded"] or summary is base.current,
                standards={**summary.standards, "repeat_contact": p["repeat"]},
            )
            for summary, p in zip(
                (base.current, base.previous, base.year_before or base.previous),
                periods,
                strict=True,
            )
        )
        report = replace(base, period=kind, current=now, previous=before, year_before=year)
        table = beside_rows(report)
        # a year going on has its same days a year before beside the whole year before
        assert len(table.heads) == (2 if kind == "year" and not year.part_to else 3)
        text = report_text(report, names).split("Beside the period before", 1)[1]
        section = report_html(report, names).split('id="beside"', 1)[1].split("</section>")[0]
        for row in table.rows:
            assert _text_cells(text, row.indented) == list(row.values), row.label
            cells = "".join(f'<td class="num">{html.escape(v)}</td>' for v in row.values)
            assert f"<th scope=row>{html.escape(row.indented)}</th>{cells}" in section
        visits_row = next(row for row in table.rows if row.label == "Visits")
        assert visits_row.values[0] == str(now.visits)
        assert visits_row.values[1] == (str(before.visits) if before.recorded else NO_RECORDS)

    check()


@pytest.mark.parametrize(("repeats", "status"), [(0, "green"), (1, "red")])
def test_none_then_and_none_now_is_met_not_missed(cli: Cli, repeats: int, status: str) -> None:
    """0.0% against 0.0% a year before cannot go down: it has not missed "down year on year";
    a repeat now, against none then, is up, so missed."""
    visits(cli, "2025-11-24", 0, 2)
    visits(cli, "2026-11-24", repeats, 4 - repeats)
    month = ("report", "monthly", "--month", "2026-11")
    repeat = standard(cli(*month, "--json", now=NOW).json(), "repeat_contact")
    assert (repeat["value"], repeat["baseline"]) == (25.0 * repeats, 0.0)
    assert repeat["status"] == status
    line = next(x for x in cli(*month, now=NOW).out.splitlines() if "0.0% then" in x)
    assert ("GREEN, met" if repeats == 0 else "RED, missed") in line
    page = cli(*month, "--format", "html", now=NOW).out
    assert f'data-standard="repeat_contact" data-status="{status}"' in page


def test_a_part_month_before_the_records_says_so_in_every_format(cli: Cli) -> None:
    """Records begin on 24 November 2025: that month is a part month. Its days before then are
    "no records" (JSON null), never 0; in the trend and as the year before's baseline its
    figure says it is from 24 Nov. Whole months say nothing more."""
    visits(cli, "2025-11-24", 1, 1)
    visits(cli, "2026-11-24", 1, 3)
    then = ("report", "monthly", "--month", "2025-11")
    report = cli(*then, "--json", now=NOW).json()
    assert report["records_begin"] == "2025-11-24"
    assert report["by_day"]["2025-11-23"] is None and report["by_day"]["2025-11-24"] == 2
    text = cli(*then, now=NOW).out
    assert re.search(r"^\s+Sun 23\s+no records$", text, re.M), text
    assert re.search(r"^\s+Mon 24\s+2\s+#+$", text, re.M)
    page = cli(*then, "--format", "html", now=NOW).out
    assert 'data-day="2025-11-03"><span class="day">3</span> no records</td>' in page
    rows = list(csv.reader(io.StringIO(cli(*then, "--format", "csv", now=NOW).out)))
    cells = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert cells[("by_day", "2025-11-24")] == "2"

    month = ("report", "monthly", "--month", "2026-11")
    report = cli(*month, "--json", now=NOW).json()
    repeat = standard(report, "repeat_contact")
    assert (repeat["baseline"], repeat["baseline_from"]) == (50.0, "2025-11-24")
    text = cli(*month, now=NOW).out
    assert "50.0% then (from 24 Nov): GREEN, met" in text
    page = cli(*month, "--format", "html", now=NOW).out
    assert "50.0% then (from 24 Nov)" in page

    month = ("report", "monthly", "--month", "2026-10")  # its 12 months begin in 2025-11
    trend = {m["month"]: m for m in cli(*month, "--json", now=NOW).json()["trend"]}
    assert trend["2025-11"]["records_from"] == "2025-11-24"
    assert trend["2025-12"]["records_from"] is None
    text = cli(*month, now=NOW).out
    trend_line = next(x for x in text.splitlines() if x.startswith("    2025-11  "))
    assert trend_line.split()[1] == "2" and trend_line.endswith("(from 24 Nov)")
    assert not next(x for x in text.splitlines() if x.startswith("    2025-12  ")).endswith(")")
    page = cli(*month, "--format", "html", now=NOW).out
    assert ">2 (from 24 Nov)<" in page

    # A quarter beside the same quarter a year before: the part quarter says it too.
    beside = _text_cells(cli(*QUARTER, now=NOW).out.split("Beside the period before")[1], "Visits")
    assert beside == ["4", "0", "2 (from 24 Nov)"]


def test_a_month_to_date_is_rated_against_the_same_days_a_year_before(
    cli: Cli, tmp_path: Path
) -> None:
    """December 2026 to the 10th (one repeat of four: 25.0%) beside December 2025: its first
    ten days had one repeat of two (50.0%), the whole month one of ten (10.0%, the ten days
    and eight more visits on the 20th). Like with like, repeat contact went down: met, rated
    against 50.0% "(to 10 Dec)", in JSON, text, CSV, HTML and on the desk's screen; against
    the whole month it read as up, missed. Once December is over, the whole month again."""
    visits(cli, "2025-12-01", 1, 1)
    visits(cli, "2025-12-20", 0, 8)
    visits(cli, "2026-12-08", 1, 3)
    now = "2026-12-10T16:00:00Z"
    month = ("report", "monthly", "--month", "2026-12")
    report = cli(*month, "--json", now=now).json()
    repeat = standard(report, "repeat_contact")
    assert report["to_date"] == "2026-12-10"
    assert (repeat["value"], repeat["baseline"], repeat["status"]) == (25.0, 50.0, "green")
    assert (repeat["baseline_from"], repeat["baseline_to"]) == (None, "2025-12-10")
    said = "down on the same days a year before, 50.0% then (to 10 Dec)"
    text = cli(*month, now=now).out
    line = next(x for x in text.splitlines() if x.strip().startswith(repeat["label"]))
    assert f"{said}: GREEN, met" in line, line
    assert said in cli(*month, "--format", "html", now=now).out
    rows = list(csv.reader(io.StringIO(cli(*month, "--format", "csv", now=now).out)))
    cells = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert cells[("standards", "repeat_contact.baseline_to")] == "2025-12-10"
    session = open_session(db=cli.db, clock=FixedClock(datetime.fromisoformat(now)))
    try:
        with ReportService(session, Actor("tl")) as reports:
            typed = reports.monthly("2026-12")
    finally:
        session.close()
    table = io.StringIO()
    Console(file=table, width=120).print(standards_table(typed))
    (screen,) = [x for x in table.getvalue().splitlines() if "Repeat" in x]
    assert "↓ yearly (to 10 Dec)" in screen and "MET" in screen, screen
    # December over: the whole month a year before (10.0%), and up on it is missed.
    later = cli(*month, "--json", now="2027-01-05T10:00:00Z").json()
    whole = standard(later, "repeat_contact")
    assert (whole["baseline"], whole["baseline_to"], whole["status"]) == (10.0, None, "red")
    assert "down on a year before, 10.0% then: RED" in cli(*month, now="2027-01-05T10:00:00Z").out
