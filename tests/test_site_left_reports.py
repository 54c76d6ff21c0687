"""A site that leaves the configuration keeps its history in the reports (review 14, finding 3):
the sites a report covers were the configuration's of now, so after the Library left, the daily
report of a day it was open dropped its visits (all offices: 2 -> 1), was headed with the
remaining office's name, and ``--site library`` was refused as an unknown site. They are now the
sites of the records of the report's range, a site that left named as closed."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from oss_desk.domain.text import shown

from .conftest import Cli, make_db, site_toml
from .messaging import SmtpServer
from .test_report_send import deliver
from .test_site_dropped import MONDAY, WEDNESDAY, office, ok

TUESDAY = "2026-11-24T18:00:00Z"
THURSDAY = "2026-11-26T18:00:00Z"
DAY = "2026-11-23"


def reports(cli: Cli, now: str, *site: str) -> dict[str, str]:
    """Monday's daily report and November's monthly one in every format."""
    found = {
        f"daily-{fmt}": ok(cli, "report", "daily", "--date", DAY, "--format", fmt, *site, now=now)
        for fmt in ("json", "csv", "text", "html")
    }
    for fmt in ("json", "csv"):
        month = ("report", "monthly", "--month", "2026-11", "--format", fmt, *site)
        found[f"monthly-{fmt}"] = ok(cli, *month, now=now)
    return found


def figures(report: str) -> dict[str, object]:
    """The figures of a JSON report: every key but the offices that left and, November being
    still under way, the day it is counted to and its days so far."""
    found: dict[str, object] = json.loads(report)
    return {k: v for k, v in found.items() if k not in {"sites_left", "to_date", "by_day"}}


def csv_rows(report: str) -> dict[str, str]:
    """The CSV's values by section and key (the day counted to and the days so far left out,
    as by :func:`figures`)."""
    rows = {f"{r[0]},{r[1]}": r[2] for r in csv.reader(io.StringIO(report)) if len(r) > 2}
    return {k: v for k, v in rows.items() if k != "summary,to_date" and not k.startswith("by_day,")}


def test_reports_of_the_days_a_site_was_open_keep_its_visits_after_it_leaves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli, _, civic = office(tmp_path, monkeypatch)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "lib-1", now=MONDAY)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "greet-1", now=MONDAY)
    before = reports(cli, TUESDAY)
    library_before = reports(cli, TUESDAY, "--site", "library")
    daily = json.loads(before["daily-json"])
    assert (daily["visits"], daily["sites"], daily["by_site"]) == (
        2, ["hq", "library"], {"hq": 1, "library": 1},
    )  # fmt: skip

    ok(cli, "init", "--config", str(civic), now=WEDNESDAY)
    after = reports(cli, THURSDAY)
    for name in ("daily-json", "monthly-json"):
        assert figures(after[name]) == figures(before[name]), name
    assert json.loads(after["daily-json"])["sites_left"] == {"library": "2026-11-25"}
    assert json.loads(before["daily-json"])["sites_left"] == {}
    for name in ("daily-csv", "monthly-csv"):
        rows_after, rows_before = csv_rows(after[name]), csv_rows(before[name])
        assert rows_after.pop("sites_left,library") == "2026-11-25"
        assert rows_after == rows_before, name
    text = after["daily-text"]
    assert "Daily footfall summary: all offices, Monday 23 November 2026" in text, text
    # Each office by its name (the one that left, as its records last named it, closed).
    assert "\n    Civic Centre                       1\n" in text, text
    assert "\n    Library (closed 25 Nov 2026)       1\n" in text, text
    assert re.search(r"\n  Visits \(arrivals\) +2\n", text), text
    row = '<th scope=row>Library (closed 25 Nov 2026)</th><td class="num">1</td>'
    assert row in after["daily-html"]

    # The site that left is still asked for alone, named as closed; its figures are its own.
    library = reports(cli, THURSDAY, "--site", "library")
    assert figures(library["daily-json"]) == figures(library_before["daily-json"])
    assert figures(library["monthly-json"]) == figures(library_before["monthly-json"])
    assert json.loads(library["daily-json"])["visits"] == 1
    assert library["daily-text"].startswith(
        "Daily footfall summary: Library (closed 25 Nov 2026), Monday 23 November 2026\n"
    ), library["daily-text"]
    printed = ok(
        cli, "report", "daily", "--date", DAY, "--site", "library", "--print-to",
        f"capture://{tmp_path}/summary.bin", now=THURSDAY,
    )  # fmt: skip
    assert printed.startswith("Daily summary for 2026-11-23 queued as print job"), printed
    ok(cli, "worker", "--once", now=THURSDAY)
    paper = (tmp_path / "summary.bin").read_bytes()
    assert b"Library (closed 25 Nov 2026)" in paper

    # A site that never existed is still refused.
    never = cli("report", "daily", "--date", DAY, "--site", "nowhere", now=THURSDAY)
    assert (never.code, never.err) == (5, "oss-desk: unknown site 'nowhere' (sites: hq, library)\n")


def test_a_day_after_the_site_left_is_the_remaining_office_s_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing happened at the Library on Thursday (it had left): Thursday's report is the Civic
    Centre's, as it was before the Library ever came."""
    cli, _, civic = office(tmp_path, monkeypatch)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "lib-1", now=MONDAY)
    ok(cli, "init", "--config", str(civic), now=WEDNESDAY)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "greet-1", now=THURSDAY)
    daily = json.loads(ok(cli, "report", "daily", "--date", "2026-11-26", "--json", now=THURSDAY))
    assert (daily["site"], daily["sites"], daily["visits"], daily["sites_left"]) == (
        "hq", ["hq"], 1, {},
    )  # fmt: skip
    month = json.loads(ok(cli, "report", "monthly", "--month", "2026-11", "--json", now=THURSDAY))
    assert (month["site"], month["sites"], month["visits"], month["sites_left"]) == (
        None, ["hq", "library"], 2, {"library": "2026-11-25"},
    )  # fmt: skip


def test_report_send_takes_a_site_that_left_as_the_reports_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer
) -> None:
    """``report send --site library`` refused the Library once it had left ("unknown site"),
    while ``report monthly --site library`` reported it: both ask one rule now. The emails reach
    a real mail server named as the reports name the site, with the report's own text."""
    cli, _, civic = office(tmp_path, monkeypatch)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "lib-1", now=MONDAY)
    mail = f'\n[email]\nsmtp_url = "{smtp.url}"\n\n[reports]\nsend_to = ["tl@council.example"]\n'
    civic.write_text(civic.read_text(encoding="utf-8") + mail, encoding="utf-8")
    ok(cli, "init", "--config", str(civic), now=WEDNESDAY)
    for kind, period in (("daily", ("--date", DAY)), ("monthly", ("--month", "2026-11"))):
        sent = cli("--user", "tl", "report", "send", kind, *period, "--site", "library",
                   "--json", now=THURSDAY)  # fmt: skip
        assert sent.code == 0, sent.err
        assert [q["site"] for q in sent.json()] == ["library"]
    assert deliver(cli.db, THURSDAY).sent == 2
    daily, monthly = smtp.mailbox.messages
    assert daily["Subject"] == f"Daily summary: Library (closed 25 Nov 2026), {DAY}"
    assert monthly["Subject"] == (  # November goes on: to date, as the dashboard says
        "Monthly dashboard: Library (closed 25 Nov 2026), 2026-11, "
        "to date (to Thursday 26 November 2026)"
    )
    shown = ok(cli, "report", "daily", "--date", DAY, "--site", "library", now=THURSDAY)
    assert daily.get_content().replace("\r\n", "\n").rstrip("\n") == shown.rstrip("\n")
    assert re.search(r"\n  Visits \(arrivals\) +1\n", shown), shown

    # A site that never was one is refused alike, exit 5.
    for command in (("report", "monthly"), ("report", "send", "monthly")):
        never = cli(*command, "--month", "2026-11", "--site", "nowhere", now=THURSDAY)
        assert (never.code, never.err) == (
            5, "oss-desk: unknown site 'nowhere' (sites: hq, library)\n",
        ), command  # fmt: skip


def test_report_comments_json_names_the_sites_that_left_as_the_other_reports_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``report comments --json`` had ``site`` and ``sites`` but not ``sites_left``."""
    cli, _, civic = office(tmp_path, monkeypatch)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "lib-1", now=MONDAY)
    ok(cli, "init", "--config", str(civic), now=WEDNESDAY)
    head = ("site", "sites", "sites_left")
    for site in ((), ("--site", "library")):
        month = ("--month", "2026-11", "--json", *site)
        log = json.loads(ok(cli, "--user", "tl", "report", "comments", *month, now=THURSDAY))
        dashboard = json.loads(ok(cli, "report", "monthly", *month, now=THURSDAY))
        assert log["sites_left"] == {"library": "2026-11-25"}, site
        assert {k: log[k] for k in head} == {k: dashboard[k] for k in head}, site


def test_an_included_office_with_the_id_of_a_site_that_left_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two offices with one site id are refused, as the figures are told apart by site: also
    when the site has since left one of them (its records still bear the id, and were added up
    with the other office's as one site)."""
    cli, _, civic = office(tmp_path, monkeypatch)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "lib-1", now=MONDAY)
    ok(cli, "init", "--config", str(civic), now=WEDNESDAY)
    (tmp_path / "other").mkdir()
    other = make_db(tmp_path / "other", site_toml().replace('id = "hq"', 'id = "library"'))
    for kind in (("daily", "--date", DAY), ("monthly", "--month", "2026-11")):
        clash = cli("report", *kind, "--include", str(other), "--json", now=THURSDAY)
        assert (clash.code, clash.out) == (2, ""), kind
        assert clash.err == (
            "oss-desk: the site id 'library' is two offices': this office (closed 25 Nov 2026) "
            f"and {shown(str(other))} (configured now); their records cannot be told apart, "
            "so report on each office alone\n"
        ), kind
    # Each office alone is reported, the Library with its one visit.
    alone = json.loads(ok(cli, "report", "daily", "--date", DAY, "--json", now=THURSDAY))
    assert (alone["visits"], alone["sites_left"]) == (1, {"library": "2026-11-25"})


def test_ticket_history_of_an_earlier_day_s_visit_says_its_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A visit of Monday at the Library (since left), read back on Thursday, said "09:00
    arrived ..." as if it were Thursday's: a history not all of today says each line's day,
    one rule with a booking made on an earlier day. Today's visit keeps its times alone. The
    Library's desk, gone with it, is named as it was ("lib-1" before)."""
    cli, _, civic = office(tmp_path, monkeypatch)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "lib-1", now=MONDAY)
    ok(cli, "init", "--config", str(civic), now=WEDNESDAY)
    ok(cli, "--user", "tl", "ticket", "issue", "--service", "C", "--desk", "greet-1", now=THURSDAY)
    monday = ok(cli, "--user", "tl", "ticket", "history", "1", now=THURSDAY).splitlines()
    assert monday[1] == "  Mon 23 Nov 09:00  arrived for Council Tax  (Tara Leader, Library desk)"
    assert all(re.match(r"  Mon 23 Nov \d\d:\d\d  ", line) for line in monday[1:3]), monday
    today = ok(cli, "--user", "tl", "ticket", "history", "C001", now=THURSDAY).splitlines()
    assert today[0] == "Visit of C001" and today[1].startswith("  18:00  arrived for "), today
