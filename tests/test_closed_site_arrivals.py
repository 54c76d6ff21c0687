"""A site closed by its own rule (a local closure day, a bank holiday, a Saturday, before
opening) still takes arrivals, and says so (trial 11, C3): ``ticket issue`` printed and queued
the ticket with no word that the office was closed, and the day's summary was never emailed
(``report send due`` sent only the last working day's). One rule decides opening
(:func:`oss_desk.domain.workdays.closed_now`); ``init`` stores the bank holidays, so a command
says a bank holiday without importing the large calendar. One office open Monday to Friday
09:00-17:00 with a local closure on Wednesday 25 November 2026; real SQLite, the real command,
a real (aiosmtpd) mail server."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import Cli, rows
from .messaging import SmtpServer
from .test_report_send import deliver, office
from .test_startup_imports import imported

CLOSURE = "2026-11-25T10:05:00Z"  # Wednesday, a local closure day


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def closed_office(tmp_path: Path, smtp_url: str) -> Path:
    db = office(tmp_path, smtp_url)
    config = tmp_path / "site.toml"
    config.write_text(
        config.read_text().replace(
            'name = "Civic Centre"\n', 'name = "Civic Centre"\nclosures = ["2026-11-25"]\n'
        )
    )
    return db


def _init(cli: Cli, tmp_path: Path) -> None:
    loaded = cli("init", "--config", str(tmp_path / "site.toml"), now="2026-11-23T08:00:00Z")
    assert loaded.code == 0, loaded.err


@pytest.mark.parametrize(
    ("now", "why"),
    [
        (CLOSURE, "a local closure day"),
        ("2026-12-25T10:00:00Z", "a bank holiday (Christmas Day)"),
        ("2026-11-28T10:00:00Z", "a Saturday"),
        ("2026-11-30T07:00:00Z", "outside the opening hours 09:00-17:00"),
        ("2026-11-24T10:00:00Z", None),  # a Tuesday in opening hours: nothing said
    ],
)
def test_a_ticket_issued_while_the_office_is_closed_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, now: str, why: str | None
) -> None:
    db = closed_office(tmp_path, "smtp://127.0.0.1:1?starttls=off")
    cli = Cli(db, monkeypatch)
    _init(cli, tmp_path)
    issued = cli("ticket", "issue", "--service", "C", now=now)
    assert issued.code == 0, issued.err  # still taken (an evening event, a late arrival)
    lines = issued.out.splitlines()
    assert lines[0].startswith("C001  Council Tax  (")
    said = [f"Civic Centre is closed now ({why}): the ticket is taken all the same."]
    assert lines[1:] == (said if why else [])
    as_json = cli("ticket", "issue", "--service", "C", "--json", now=now)
    assert as_json.json()["office_closed"] == why


def test_the_bank_holiday_is_said_from_the_calendar_init_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh process says Christmas Day without importing the calendar package."""
    db = closed_office(tmp_path, "smtp://127.0.0.1:1?starttls=off")
    _init(Cli(db, monkeypatch), tmp_path)
    env = {"OSS_DESK_DB": str(db), "OSS_DESK_NOW": "2026-12-25T10:00:00Z"}
    names = imported("-m", "oss_desk", "ticket", "issue", "--service", "C", env=env)
    assert "oss_desk.services.opening" in names  # it was asked
    assert "holidays" not in names
    years = rows(db, "SELECT DISTINCT year FROM bank_holidays ORDER BY year")
    assert years == [(year,) for year in range(2026, 2037)]
    # A database upgraded without loading its configuration holds none: the first ticket
    # works the year out (and says it), and keeps it for the commands after it.
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM bank_holidays")
    conn.close()
    first = imported("-m", "oss_desk", "ticket", "issue", "--service", "C", env=env)
    assert "holidays" in first
    assert rows(db, "SELECT year FROM bank_holidays") == [(2026,)]
    again = imported("-m", "oss_desk", "ticket", "issue", "--service", "C", env=env)
    assert "holidays" not in again
    said = Cli(db, monkeypatch)("ticket", "issue", "--service", "C", now="2026-12-25T10:00:00Z")
    assert said.out.splitlines()[1:] == [
        "Civic Centre is closed now (a bank holiday (Christmas Day)): the ticket is taken all "
        "the same."
    ]


def test_a_closed_day_with_arrivals_gets_its_summary_emailed_once(
    tmp_path: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = closed_office(tmp_path, smtp.url)
    cli = Cli(db, monkeypatch)
    _init(cli, tmp_path)
    assert cli("ticket", "issue", "--service", "C", now=CLOSURE).code == 0

    def due(when: str) -> list[tuple[str, str, bool]]:
        done = cli("--user", "tl", "report", "send", "due", "--json", now=when)
        assert done.code == 0, done.err
        return [(q["kind"], q["period"], q["queued"]) for q in done.json()["reports"]]

    # Wednesday after its usual closing time: Monday's and Tuesday's (the working days of the
    # week so far: records begin on Monday) and the closure day's, which took an arrival.
    assert due("2026-11-25T17:30:00Z") == [
        ("daily", "2026-11-23", True),
        ("daily", "2026-11-24", True),
        ("daily", "2026-11-25", True),
    ]
    # The next run says nothing of the closure day again (only what it said before).
    assert due("2026-11-25T18:30:00Z") == [("daily", "2026-11-24", False)]
    assert deliver(db, "2026-11-25T18:30:00Z").sent == 3
    [mail] = [m for m in smtp.mailbox.messages if "2026-11-25" in str(m["Subject"])]
    body = mail.get_content().replace("\r\n", "\n")
    assert body.splitlines()[:2] == [
        "Daily footfall summary: Civic Centre, Wednesday 25 November 2026",
        "  Office closed that day: a local closure day; 1 arrival was still taken.",
    ], body
    # A Saturday nobody came to: nothing is sent for it.
    assert ("daily", "2026-11-28", True) not in due("2026-11-29T10:00:00Z")
