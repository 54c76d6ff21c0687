"""What ``oss-desk report send due`` says to the timer's journal (trial 11, P1): at an office of
two sites each line names its site, and a report queued on an earlier run is not said again
(only with ``--verbose``; ``--json`` still lists it). A closed day whose only ticket was
cancelled as issued in error had no visitor: no summary is sent for it. Real SQLite files and
the real command."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import TRAINING, Cli, make_db, rows

LEADER = "tina.leader@council.example"

TWO_SITES = f"""{TRAINING}
[council]
name = "Trialshire Council"

[[sites]]
id = "town-hall"
name = "Town Hall One Stop Shop"

[[sites]]
id = "library"
name = "Library One Stop Shop"
closures = ["2026-11-25"]

[[services]]
code = "C"
name = "Council Tax"

[[desks]]
id = "th-greet"
kind = "meet-and-greet"
site = "town-hall"

[[desks]]
id = "lib-greet"
kind = "meet-and-greet"
site = "library"

[[staff]]
id = "tl"
name = "Tina Leader"
role = "team-leader"
email = "{LEADER}"

[email]
smtp_url = "smtp://127.0.0.1:1?starttls=off"
"""

MONDAY_EVENING = "2026-11-23T17:30:00Z"
LATER = "2026-11-23T18:15:00Z"
CLOSURE = "2026-11-25T10:05:00Z"  # Wednesday: the library's local closure day


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(make_db(tmp_path, TWO_SITES), monkeypatch)


def _due(cli: Cli, now: str, *flags: str) -> list[str]:
    done = cli("report", "send", "due", *flags, now=now)
    assert done.code == 0, done.err
    assert done.err == ""
    return done.out.splitlines()


def test_each_line_names_its_site_and_a_report_queued_before_is_not_said_again(
    cli: Cli,
) -> None:
    first = _due(cli, MONDAY_EVENING)
    assert first == [
        f"Daily summary of Library One Stop Shop for 2026-11-23 queued for {LEADER} (email 1).",
        f"Daily summary of Town Hall One Stop Shop for 2026-11-23 queued for {LEADER} (email 2).",
    ]
    # The next hourly run queues nothing: it says nothing (quiet on success, for the journal).
    assert _due(cli, LATER) == []
    # --verbose names what was queued before, each with its site.
    assert _due(cli, LATER, "--verbose") == [
        f"Daily summary of Library One Stop Shop for 2026-11-23 was already queued for "
        f"{LEADER} (email 1, pending); nothing queued.",
        f"Daily summary of Town Hall One Stop Shop for 2026-11-23 was already queued for "
        f"{LEADER} (email 2, pending); nothing queued.",
    ]
    # --json lists them all, queued or not, with the site and its name.
    listed = cli("report", "send", "due", "--json", now=LATER)
    assert listed.code == 0, listed.err
    assert [(q["site"], q["place"], q["queued"]) for q in listed.json()["reports"]] == [
        ("library", "Library One Stop Shop", False),
        ("town-hall", "Town Hall One Stop Shop", False),
    ]
    assert rows(cli.db, "SELECT count(*) FROM report_mails") == [(2,)]


def test_verbose_says_when_nothing_is_due(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The office's records begin on Monday morning: before it closes, nothing is due.
    cli = Cli(make_db(tmp_path, TWO_SITES), monkeypatch)
    assert _due(cli, "2026-11-23T10:00:00Z") == []
    assert _due(cli, "2026-11-23T10:00:00Z", "--verbose") == ["Nothing is due now."]


def test_a_closed_day_whose_only_ticket_was_issued_in_error_sends_no_summary(
    cli: Cli,
) -> None:
    issued = cli("ticket", "issue", "--service", "C", "--site", "library", "--json", now=CLOSURE)
    assert issued.code == 0, issued.err
    ref = str(issued.json()["id"])
    cancelled = cli("ticket", "cancel", ref, "--reason", "error", now="2026-11-25T10:06:00Z")
    assert cancelled.code == 0, cancelled.err
    listed = cli("report", "send", "due", "--json", now="2026-11-25T17:30:00Z")
    assert listed.code == 0, listed.err
    queued = [(q["site"], q["period"]) for q in listed.json()["reports"]]
    # Tuesday's summary for the library (its last working day), Wednesday's for the town hall;
    # nothing for the library's closure day: nobody came.
    assert ("library", "2026-11-25") not in queued
    assert ("library", "2026-11-24") in queued and ("town-hall", "2026-11-25") in queued
    # A real visitor that closed day does get it sent.
    again = cli("ticket", "issue", "--service", "C", "--site", "library", now=CLOSURE)
    assert again.code == 0, again.err
    lines = _due(cli, "2026-11-25T18:30:00Z")
    # (Emails 1 to 5: each site's working days of the week so far, Monday 23 November on.)
    assert lines == [
        f"Daily summary of Library One Stop Shop for 2026-11-25 queued for {LEADER} (email 6)."
    ]
