"""The ninth new-user trial, P6: ``report daily --date 2026-11-28`` (a Saturday) showed every
figure 0 or n/a without saying the office was closed that day. A day nobody arrived on and the
office was closed (its opening hours, its local closures, its nation's bank holidays: one rule,
``WorkingDays.closed_said``) says so first: text, JSON ``closed``, HTML, paper and F6. A
weekday with nobody says nothing of the kind. One office open Monday to Friday, real SQLite,
the real command."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock, parse_instant
from oss_desk.domain.reports import ReportNames
from oss_desk.hardware.templates import render
from oss_desk.render.receipt import daily_summary
from oss_desk.services.reports import ReportService
from oss_desk.services.session import open_session
from oss_desk.ui.screens.reports import daily_table

from .appointments_site import make_office
from .conftest import Cli
from .escpos_decoder import decode, text_lines
from .test_report_wording_trial8 import screen_text

LATER = "2026-12-29T10:00:00Z"
NAMES = ReportNames(council="Test Council", site_name="Civic Centre", service_names={})


def _daily(cli: Cli, day: str, *fmt: str, now: str = LATER) -> str:
    result = cli("--user", "tl", "report", "daily", "--date", day, *fmt, now=now)
    assert result.code == 0, result.err
    return result.out


@pytest.mark.parametrize(
    ("day", "why"),
    [
        ("2026-11-28", "a Saturday"),
        ("2026-11-29", "a Sunday"),
        ("2026-12-25", "a bank holiday (Christmas Day)"),
        ("2026-11-24", None),  # a Tuesday nobody came: open, just quiet
    ],
)
def test_a_closed_day_s_report_says_the_office_was_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, day: str, why: str | None
) -> None:
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    said = f"Office closed that day: {why}."
    text = _daily(cli, day).splitlines()
    assert (
        cli("--user", "tl", "report", "daily", "--date", day, "--json", now=LATER).json()["closed"]
        == why
    )
    page = html.unescape(_daily(cli, day, "--format", "html"))
    session = open_session(db=db, clock=FixedClock(parse_instant(LATER)), person="tl")
    report = ReportService(session).daily(day)
    session.close()
    paper = [line.strip() for line in text_lines(decode(render(daily_summary(report, NAMES))))]
    screen = screen_text(daily_table(report, {}), width=60).splitlines()
    if why is None:
        assert not any("closed that day" in line for line in [*text, *paper, *screen])
        assert "closed that day" not in page
        return
    assert text[1] == f"  {said}"  # under the heading, before the zeros
    assert f">{said}</p>" in page
    at = next(i for i, line in enumerate(paper) if line.startswith("Office closed that day"))
    assert paper[at].endswith(why) or paper[at + 1] == why  # a long value goes under its label
    assert at < paper.index(next(line for line in paper if line.startswith("Visits (arrivals)")))
    assert screen[0].strip() == said
    # Nobody came: no figure is rated, so no definition of one is printed under "n/a".
    assert not any(line.startswith("Of the visitors counted") for line in paper), paper


def test_today_closed_says_so_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The day's own report on a Saturday (bank holidays are looked up once a day is over:
    the calendar is a large package the report of an open day does without)."""
    cli = Cli(make_office(tmp_path), monkeypatch)
    text = _daily(cli, "2026-11-28", now="2026-11-28T11:00:00Z").splitlines()
    assert text[1] == "  Office closed that day: a Saturday."
