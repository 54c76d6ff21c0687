"""Where signposted residents were sent is counted for every signposted outcome (trial finding
10): a service added to a visit and a visit dealt with at meet-and-greet take a destination,
from the services and the command line alike, and the daily report counts it; real SQLite."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.errors import InvalidInput
from oss_desk.services.queue import QueueService
from oss_desk.services.reports import ReportService
from oss_desk.services.session import open_session
from oss_desk.ui.screens.reports import monthly_table

from .appointments_site import NOW, make_office
from .conftest import Cli
from .escpos_decoder import decode, text_lines
from .test_report_wording_trial8 import screen_text


def test_every_signposted_outcome_takes_a_destination(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_office(tmp_path)
    clock = FixedClock(NOW)
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    ticket = QueueService(greet).issue("C", print_ticket=False).ticket
    greet.close()
    session = open_session(db=db, clock=clock, person="ana", desk_id="desk-1")
    queue = QueueService(session)
    queue.call(ticket.id, "desk-1")
    queue.add_service(ticket.id, "W")
    with pytest.raises(InvalidInput, match="goes with the outcome signposted"):
        queue.finish(ticket.id, "resolved", {"W": "referred"}, signposted_to="dwp")
    # The ticket's own service was dealt with; the added one was signposted: where to is kept.
    queue.finish(ticket.id, "resolved", {"W": "signposted"}, signposted_to="dwp")
    session.close()
    cli = Cli(db, monkeypatch)
    now = NOW.isoformat()
    quick = cli("visit", "quick", "--service", "W", "--outcome", "signposted", "--to", "dwp",
                "--desk", "greet-1", "--assisted-digital", "--json", now=now)  # fmt: skip
    assert quick.code == 0, quick.err
    second = cli("ticket", "issue", "--service", "C", "--no-print", "--json", now=now).json()
    assert cli("ticket", "call", second["code"], "--desk", "desk-1", now=now).code == 0
    assert cli("ticket", "add-service", second["code"], "--service", "W", now=now).code == 0
    done = cli("ticket", "finish", second["code"], "--outcome", "referred",
               "--service-outcome", "W=signposted", "--to", "citizens-advice", now=now)  # fmt: skip
    assert done.code == 0, done.err
    reports = open_session(db=db, clock=clock, person="tl")
    flags = ReportService(reports, rollup=False).daily("2026-11-23").figures.flags
    reports.close()
    # The referred visit keeps where its W was signposted in its record, but is not among the
    # signposted visits (its outcome is referred): see the next test.
    assert {org: n.total for org, n in flags.signposted_to.items() if n.total} == {"dwp": 2}
    assert flags.assisted_digital.total == 1


def test_the_reports_say_signposted_to_the_county_council_mid_phrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trial 6, P4: "Signposted to The county council" in the daily and monthly HTML (the
    configured name starts a sentence with "The"); other names keep their capitals."""
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    now = NOW.isoformat()
    for to in ("county", "citizens-advice"):
        quick = cli("visit", "quick", "--service", "W", "--outcome", "signposted", "--to", to,
                    "--desk", "greet-1", now=now)  # fmt: skip
        assert quick.code == 0, quick.err
    daily = cli("--user", "tl", "report", "daily", "--date", "2026-11-23", "--format", "html",
                now=now)  # fmt: skip
    monthly = cli("--user", "tl", "report", "monthly", "--month", "2026-11", "--format", "html",
                  now=now)  # fmt: skip
    for page in (daily, monthly):
        assert page.code == 0, page.err
        assert "to the county council</th>" in page.out
        assert "The county council</th>" not in page.out
        assert "to Citizens Advice</th>" in page.out


def test_signposted_without_a_destination_has_its_own_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trial 9, C1: a visit finished signposted without saying where (the README's own
    ``visit quick`` example has no ``--to``) was in the outcome but in no "Signposted: ..."
    row. It is counted as "not recorded", by service, so the rows add up to the outcome: in
    the day's report, and in the month's read from the stored (rolled-up) day."""
    db = make_office(tmp_path)
    cli = Cli(db, monkeypatch)
    now = NOW.isoformat()
    for to in ((), ("--to", "county"), ()):
        quick = cli("visit", "quick", "--service", "W", "--outcome", "signposted", *to,
                    "--desk", "greet-1", now=now)  # fmt: skip
        assert quick.code == 0, quick.err
    ticket = cli("ticket", "issue", "--service", "C", "--no-print", "--json", now=now).json()
    assert cli("ticket", "call", ticket["code"], "--desk", "desk-1", now=now).code == 0
    done = cli("ticket", "finish", ticket["code"], "--outcome", "signposted", now=now)
    assert done.code == 0, done.err
    later = "2026-12-02T10:00:00+00:00"  # the month's days are stored by then
    for args, at in (
        (("daily", "--date", "2026-11-23"), now),
        (("monthly", "--month", "2026-11"), later),
        (("monthly", "--month", "2026-11"), later),  # the second read is the stored day's
    ):
        report = cli("--user", "tl", "report", *args, "--json", now=at)
        assert report.code == 0, report.err
        figures = report.json()
        places = figures["flags"]["signposted_to"]
        assert sum(p["total"] for p in places.values()) == figures["outcomes"]["signposted"] == 4
        assert places["not_recorded"] == {"total": 3, "by_service": {"C": 1, "H": 0, "W": 2}}
        assert places["county"]["total"] == 1
    text = cli("--user", "tl", "report", "monthly", "--month", "2026-11", now=later).out
    assert "    Signposted visits, by where to           1    0    3      4" in text
    assert "      destination not recorded               1    0    2      3" in text
    csv = cli("--user", "tl", "report", "monthly", "--month", "2026-11", "--format", "csv",
              now=later).out  # fmt: skip
    assert "flags,signposted_to.not_recorded.total,3" in csv
    html = cli("--user", "tl", "report", "monthly", "--month", "2026-11", "--format", "html",
               now=later).out  # fmt: skip
    assert "destination not recorded</th>" in html
    # The desk's reports screen (F6) lists under Signposted where to, the unrecorded too.
    reports = open_session(db=db, clock=FixedClock(datetime.fromisoformat(later)), person="tl")
    month = ReportService(reports).monthly("2026-11")
    reports.close()
    organisations = {"county": "The county council", "dwp": "DWP"}
    screen = screen_text(monthly_table(month, {}, organisations), width=60).splitlines()
    row = next(i for i, line in enumerate(screen) if line.split()[:2] == ["Signposted", "4"])
    assert [line.split() for line in screen[row + 1 : row + 3]] == [
        ["to", "the", "county", "council", "1"],
        ["destination", "not", "recorded", "3"],
    ]


def _signposted_in_text(text: str) -> tuple[int, int, list[int]]:
    """The text report's outcome Signposted, its "Signposted visits" row's total and the totals
    of the places under it (the last column)."""
    lines = text.splitlines()
    outcomes = lines.index("  Outcomes")
    outcome = next(ln for ln in lines[outcomes:] if ln.startswith("    Signposted "))
    at = next(i for i, ln in enumerate(lines) if ln.startswith("    Signposted visits, by"))
    parts = []
    for line in lines[at + 1 :]:
        if not line.startswith(("      to ", "      destination not recorded")):
            break
        parts.append(int(line.split()[-1]))
    return int(outcome.split()[-1]), int(lines[at].split()[-1]), parts


def test_the_signposted_rows_count_visits_finished_signposted_and_add_up_to_the_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A visit whose own service was signposted (to Citizens Advice) and whose added service
    was referred is finished referred (the least settled): it was counted among the
    "Signposted: ..." rows as well, so they came to more than the visits signposted. The rows
    count the visits finished signposted, by where to, and say so; they add up to the outcome
    in the JSON, the CSV, the text, the HTML and on paper, for the day and for the month read
    back from the stored day."""
    db = make_office(tmp_path, printer=f"capture://{tmp_path}/greet.bin")
    cli = Cli(db, monkeypatch)
    now = NOW.isoformat()

    def finished(*outcomes: str) -> None:
        ticket = cli("ticket", "issue", "--service", "C", "--no-print", "--json", now=now).json()
        assert cli("ticket", "call", ticket["code"], "--desk", "desk-1", now=now).code == 0
        assert cli("ticket", "add-service", ticket["code"], "--service", "W", now=now).code == 0
        done = cli("ticket", "finish", ticket["code"], *outcomes, now=now)
        assert done.code == 0, done.err

    # The finding's visit: C signposted to Citizens Advice, W referred: the visit is referred.
    finished("--outcome", "signposted", "--to", "citizens-advice", "--service-outcome",
             "W=referred")  # fmt: skip
    # C resolved, W signposted to the DWP: the visit is signposted (to the DWP).
    finished("--outcome", "resolved", "--service-outcome", "W=signposted", "--to", "dwp")
    quick = cli("visit", "quick", "--service", "W", "--outcome", "signposted", "--desk",
                "greet-1", now=now)  # fmt: skip
    assert quick.code == 0, quick.err
    later = "2026-12-02T10:00:00+00:00"  # the month's days are stored by then
    for args, at in (
        (("daily", "--date", "2026-11-23"), now),
        (("monthly", "--month", "2026-11"), later),
        (("monthly", "--month", "2026-11"), later),  # the second read is the stored day's
    ):
        report = cli("--user", "tl", "report", *args, "--json", now=at)
        assert report.code == 0, report.err
        figures = report.json()
        assert figures["outcomes"]["signposted"] == 2 and figures["outcomes"]["referred"] == 1
        places = {org: n["total"] for org, n in figures["flags"]["signposted_to"].items()}
        assert sum(places.values()) == figures["outcomes"]["signposted"]
        assert (places["citizens-advice"], places["dwp"], places["not_recorded"]) == (0, 1, 1)
        text = cli("--user", "tl", "report", *args, now=at).out
        outcome, heading, parts = _signposted_in_text(text)
        assert len(parts) == len(places) and outcome == heading == sum(parts) == 2
        csv = cli("--user", "tl", "report", *args, "--format", "csv", now=at).out
        in_csv = [
            int(line.rsplit(",", 1)[1])
            for line in csv.splitlines()
            if line.startswith("flags,signposted_to.") and line.split(",")[1].endswith(".total")
        ]
        assert sum(in_csv) == 2 and "outcomes,signposted,2" in csv
        html = cli("--user", "tl", "report", *args, "--format", "html", now=at).out
        table = html[html.index("Signposted visits, by where to") :].split("</table>")[0]
        last_cell = r"<th scope=row>([^<]*)</th>(?:<td[^>]*>[^<]*</td>)*?<td[^>]*>(\d+)</td></tr>"
        cells = re.findall(last_cell, "<th scope=row>" + table)
        assert [int(n) for _, n in cells[: len(places) + 1]] == [2, 0, 0, 1, 0, 0, 0, 1]
    # On paper: the outcome the rows add up to.
    printed = cli("--user", "tl", "report", "daily", "--date", "2026-11-23", "--print-to",
                  "greet-1", now=now)  # fmt: skip
    assert printed.code == 0, printed.err
    assert cli("worker", "--once", now=now).code == 0
    paper = text_lines(decode((tmp_path / "greet.bin").read_bytes()))
    assert [line.split()[-1] for line in paper if line.startswith("Signposted ")] == ["2"]
