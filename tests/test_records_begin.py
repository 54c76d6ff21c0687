"""One rule for when the office's records begin (``DateSpan.recorded``), asked by every
presentation of a period: the report of a day or month itself (CLI text, JSON with
``recorded`` and ``records_begin``, HTML), its row in the report of the week or month after
(the same weekday in earlier weeks, the 12-month trend: text, JSON, HTML). A period before the
records is refused where it is asked for and "no records" wherever it stands beside another,
with no standard rated from it; a period that reaches them has figures everywhere.

The office here was set up on Monday 23 November 2026, but a complaint was recorded on
Thursday 15 October (the trial's October: a complaint, no visits): its records begin that day,
so October is a month of records (its visits are a real 0, its complaint standards are rated)
and September is before them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.calendar import DateSpan
from oss_desk.domain.reports import NO_RECORDS
from oss_desk.domain.stats import month_bounds, shift_month
from oss_desk.render.formats import long_date, long_month
from oss_desk.services.followups import FollowupService, Request
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session

from .conftest import MONDAY_0930, Cli, make_db, site_toml

NOW = "2026-12-21T10:00:00Z"  # a Monday, four weeks after the office was set up
TODAY = date(2026, 12, 21)
COMPLAINT = datetime.fromisoformat("2026-10-15T10:00:00+00:00")
RULE = DateSpan.of(COMPLAINT.date(), TODAY)
REFUSED = "is before this office's records begin (2026-10-15)"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = make_db(tmp_path_factory.mktemp("records"), site_toml())
    early = open_session(db=db, clock=FixedClock(COMPLAINT), person="tl", desk_id="greet-1")
    try:
        FollowupService(early).add(Request(kind="complaint", category="staff"))
    finally:
        early.close()
    greet = open_session(db=db, clock=FixedClock(MONDAY_0930), person="tl", desk_id="greet-1")
    try:
        QueueService(greet).issue("C", print_ticket=False)
    finally:
        greet.close()
    return db


def html_row(page: str, label: str) -> str:
    """The table row of ``page`` that starts with the cell ``label``."""
    start = page.index(f"<th scope=row>{label}</th>")
    return page[start : page.index("</tr>", start)]


@pytest.mark.parametrize(
    "day", ["2026-10-08", "2026-10-14", "2026-10-15", "2026-10-16", "2026-11-23"]
)
def test_a_day_is_recorded_alike_everywhere(
    office: Path, monkeypatch: pytest.MonkeyPatch, day: str
) -> None:
    cli = Cli(office, monkeypatch)
    recorded = RULE.recorded(date.fromisoformat(day))
    itself = cli("report", "daily", "--date", day, "--json", now=NOW)
    if recorded:
        assert itself.code == 0, itself.err
        data = itself.json()
        assert (data["date"], data["recorded"], data["records_begin"]) == (day, True, "2026-10-15")
        for fmt in ("text", "html", "csv"):
            shown = cli("report", "daily", "--date", day, "--format", fmt, now=NOW)
            assert shown.code == 0 and NO_RECORDS not in shown.out.split("previous")[0], fmt
    else:
        assert (itself.code, itself.out) == (2, "")
        assert itself.err == f"oss-desk: --date {day} {REFUSED}\n"

    week_after = (date.fromisoformat(day) + timedelta(weeks=1)).isoformat()
    later = cli("report", "daily", "--date", week_after, "--json", now=NOW).json()
    row = later["previous_weeks"][0]
    assert (row["date"], row["recorded"]) == (day, recorded)
    text = cli("report", "daily", "--date", week_after, now=NOW).out
    assert (f"    {day}  {NO_RECORDS}\n" in text) is not recorded
    page = cli("report", "daily", "--date", week_after, "--format", "html", now=NOW).out
    assert (NO_RECORDS in html_row(page, long_date(day))) is not recorded


@pytest.mark.parametrize("month", ["2026-09", "2026-10", "2026-11"])
def test_a_month_is_recorded_alike_everywhere(
    office: Path, monkeypatch: pytest.MonkeyPatch, month: str
) -> None:
    cli = Cli(office, monkeypatch)
    _first, last = month_bounds(month)
    recorded = RULE.recorded(last)
    itself = cli("report", "monthly", "--month", month, "--json", now=NOW)
    if recorded:
        assert itself.code == 0, itself.err
        data = itself.json()
        assert (data["recorded"], data["records_begin"]) == (True, "2026-10-15")
        assert data["visits"] == (1 if month == "2026-11" else 0)  # a real 0 in October
        rated = {s["key"]: s["status"] for s in data["standards"]}
        if month == "2026-10":  # its complaint is a record: acknowledged in time or not
            assert rated["complaints_acknowledged"] != "none"
    else:
        assert (itself.code, itself.out) == (2, "")
        assert itself.err == f"oss-desk: --month {month} {REFUSED}\n"

    after = shift_month(month, 1)
    later = cli("report", "monthly", "--month", after, "--json", now=NOW).json()
    row = next(t for t in later["trend"] if t["month"] == month)
    assert row["recorded"] is recorded
    if not recorded:  # no standard is rated from a month of no records
        assert set(row["standards"].values()) == {None}
    text = cli("report", "monthly", "--month", after, now=NOW).out
    assert (f"    {month}  {NO_RECORDS}\n" in text) is not recorded
    page = cli("report", "monthly", "--month", after, "--format", "html", now=NOW).out
    assert (NO_RECORDS in html_row(page, long_month(month))) is not recorded
