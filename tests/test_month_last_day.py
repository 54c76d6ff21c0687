"""The last day of a month (Monday 30 November 2026, the office open 09:00-17:00): until it is
over the monthly dashboard counts the month to date, its heading, its JSON and the email's
subject all saying so; once it is over (past closing time, or closed by hand) the whole month,
all three alike (a fault hunt: all that day, from the morning on, the dashboard read as the
whole of November, and one emailed that morning stood as the whole month's). One rule:
``domain.periods.counted_to`` with the day's close (``domain.closed_day.day_over``). Real SQLite
files, the real commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Cli, rows
from .test_report_send import office

MORNING = "2026-11-30T10:00:00Z"
EVENING = "2026-11-30T17:30:00Z"
TO_DATE = "to date (to Monday 30 November 2026)"


def heading(cli: Cli, now: str) -> tuple[str, str | None]:
    text = cli("report", "monthly", "--month", "2026-11", now=now)
    data = cli("report", "monthly", "--month", "2026-11", "--json", now=now)
    assert text.code == 0 and data.code == 0, (text.err, data.err)
    return text.out.split("\n")[0], data.json()["to_date"]


def test_the_last_day_is_to_date_until_closing_time_then_the_whole_month(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office(tmp_path, "smtp://127.0.0.1:1?starttls=off"), monkeypatch)
    assert heading(cli, MORNING) == (
        f"Monthly dashboard: Civic Centre, November 2026, {TO_DATE}",
        "2026-11-30",
    )
    assert heading(cli, "2026-11-30T16:59:00Z")[1] == "2026-11-30"
    assert heading(cli, "2026-11-30T17:00:00Z") == (
        "Monthly dashboard: Civic Centre, November 2026",
        None,
    )
    sent = cli("report", "send", "monthly", "--month", "2026-11", now=MORNING)
    assert sent.code == 0, sent.err
    whole = cli("report", "send", "monthly", "--month", "2026-11", now=EVENING)
    assert whole.code == 0, whole.err
    subjects = rows(cli.db, "SELECT subject FROM report_mails WHERE kind = 'monthly' ORDER BY id")
    assert subjects == [
        (f"Monthly dashboard: Civic Centre, 2026-11, {TO_DATE}",),
        (
            "Monthly dashboard: Civic Centre, 2026-11 (the whole month, replacing the dashboard "
            "sent to date)",
        ),
    ]


def test_the_last_day_closed_by_hand_is_the_whole_month(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(office(tmp_path, "smtp://127.0.0.1:1?starttls=off"), monkeypatch)
    closed = cli("--user", "tl", "desks", "close-day", "--yes", now="2026-11-30T15:40:00Z")
    assert closed.code == 0, closed.err
    assert heading(cli, "2026-11-30T16:00:00Z") == (
        "Monthly dashboard: Civic Centre, November 2026",
        None,
    )


def test_a_whole_months_dashboard_sent_on_its_last_evening_stands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sent after closing time on the 30th it counted the whole month: the timer's run on the
    first working day of December finds it queued, and queues no replacement."""
    cli = Cli(office(tmp_path, "smtp://127.0.0.1:1?starttls=off"), monkeypatch)
    sent = cli("report", "send", "monthly", "--month", "2026-11", now=EVENING)
    assert sent.code == 0, sent.err
    due = cli("report", "send", "due", "--json", now="2026-12-01T17:30:00Z")
    assert [
        (q["queued"], q["replaces"]) for q in due.json()["reports"] if q["kind"] == "monthly"
    ] == [(False, None)]
