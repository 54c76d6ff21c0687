"""A scripted scorecard day through the CLI with a simulated clock: walk-outs before and after 15
minutes, an early and a late appointment check-in, a ticket left at closing, an urgent walk-in
and every council flag. Every figure of the daily report equals the value worked out by hand in
the comments below.

Monday 23 November 2026 (GMT, so the times below are local), office open 09:00-17:00:

Each visitor: what happens; when the clock starts; the wait (until); how the 15 minutes count it.

- W001: arrives 09:00, called 09:12, resolved, helped to use the website; 09:00; 12 min; seen, in.
- W002: arrives 09:02 "came back about the same matter", called 09:20, resolved, could have been
  done online; 09:02; 18 min; seen, a MISS.
- W003: arrives 09:04 urgent, called first (09:06) although W001 and W002 came before,
  signposted to Citizens Advice; 09:04; 2 min; seen, in.
- W004: arrives 09:30, leaves 09:40; 09:30; 10 min; left before 15 minutes.
- W005: arrives 09:30, leaves 09:50; 09:30; 20 min; walked out, a MISS.
- W006: arrives 09:31, called 09:55, not there; 09:31; 24 min (to the call); walked out, a MISS.
- quick: dealt with at meet-and-greet 10:00, signposted to the county council; 0 min; seen, in.
- C001: booked 11:00, checks in 10:40 (early), called 11:03; 11:00 (the booked time); 3 min;
  seen, in; on time.
- C002: booked 11:30, checks in 11:40 (late), called 11:50, came without the documents and was
  rebooked (its ticket finished "appointment"); 11:40 (check-in); 10 min; seen, in; a late
  check-in.
- W007: arrives 16:50, still waiting at closing (17:00); 16:50; 10 min; closed, a MISS.

- Counted (the denominator): seen 6 (W001, W002, W003, quick, C001, C002) + walk-outs after 15
  minutes 2 (W005, W006) + closed with the office 1 (W007) = 9; W004 left within 15 minutes and is
  reported on its own line ("left before 15 minutes: 1"), counted neither way.
- Seen within 15 minutes: W001, W003, quick, C001, C002 = 5; 5 / 9 = 55.6%.
- Appointment punctuality: of the appointment holders seen who had checked in by their booked
  time (C001 only: C002 checked in late and is on its own line, "checked in late: 1"), the share
  called within 5 minutes of it: C001 (3 minutes) = 1 / 1 = 100.0%.
- Finished 6 (W001, W002, W003, quick, C001 resolved or signposted; C002 "appointment"): first
  contact 5 / 6 = 83.3%.
- Flags: urgent 1 (W), repeat ticked 1 (W), without documents 1 (C), so repeat contact 2 (W 1,
  C 1); assisted digital 1 (W); avoidable 1 (W); signposted to Citizens Advice 1 (W), to the
  county council 1 (W).
- The median wait is over the visitors seen: 0, 2, 3, 10, 12, 18 minutes: (3 + 10) / 2 = 6.5.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .appointments_site import make_office
from .conftest import Cli

DAY = "2026-11-23"
EMAIL = ("--desk", "greet-1")  # a printed slip


def at(hhmm: str) -> str:
    return f"{DAY}T{hhmm}:00Z"


def ok(cli: Cli, when: str, *args: str) -> Any:
    result = cli(*args, "--json", now=at(when))
    assert result.code == 0, (args, result.err)
    return result.json()


@pytest.fixture
def monday(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    cli = Cli(make_office(tmp_path, printer=f"capture://{tmp_path}/slips.bin"), monkeypatch)
    c1 = ok(cli, "08:00", "appointment", "book", "--service", "C", "--start", at("11:00"), *EMAIL)
    c2 = ok(cli, "08:01", "appointment", "book", "--service", "C", "--start", at("11:30"), *EMAIL)

    ok(cli, "09:00", "ticket", "issue", "--service", "W")
    ok(cli, "09:02", "ticket", "issue", "--service", "W", "--repeat")
    ok(cli, "09:04", "ticket", "issue", "--service", "W", "--urgent")
    first = ok(cli, "09:06", "ticket", "call-next", "--desk", "desk-1")
    assert first["code"] == "W003"  # the urgent walk-in, ahead of W001 and W002
    ok(cli, "09:07", "ticket", "start", "W003")
    ok(
        cli,
        "09:11",
        "ticket",
        "finish",
        "W003",
        "--outcome",
        "signposted",
        "--to",
        "citizens-advice",
    )
    assert ok(cli, "09:12", "ticket", "call-next", "--desk", "desk-1")["code"] == "W001"
    ok(cli, "09:13", "ticket", "start", "W001")
    ok(cli, "09:19", "ticket", "finish", "W001", "--outcome", "resolved", "--assisted-digital")
    assert ok(cli, "09:20", "ticket", "call-next", "--desk", "desk-1")["code"] == "W002"
    ok(cli, "09:21", "ticket", "start", "W002")
    ok(cli, "09:25", "ticket", "finish", "W002", "--outcome", "resolved", "--avoidable")

    ok(cli, "09:30", "ticket", "issue", "--service", "W")
    ok(cli, "09:30", "ticket", "issue", "--service", "W")
    ok(cli, "09:31", "ticket", "issue", "--service", "W")
    ok(cli, "09:40", "ticket", "cancel", "W004", "--reason", "left")
    ok(cli, "09:50", "ticket", "cancel", "W005", "--reason", "left")
    ok(cli, "09:55", "ticket", "call", "W006", "--desk", "desk-1")
    ok(cli, "09:57", "ticket", "no-show", "W006")

    ok(
        cli,
        "10:00",
        "visit",
        "quick",
        "--service",
        "W",
        "--outcome",
        "signposted",
        "--to",
        "county",
        "--desk",
        "greet-1",
    )

    ok(cli, "10:40", "appointment", "check-in", c1["ref"])
    ok(cli, "11:03", "ticket", "call", "C001", "--desk", "room-1")
    ok(cli, "11:04", "ticket", "start", "C001")
    ok(cli, "11:20", "ticket", "finish", "C001", "--outcome", "resolved")
    ok(cli, "11:40", "appointment", "check-in", c2["ref"])
    ok(cli, "11:50", "ticket", "call", "C002", "--desk", "room-1")
    ok(cli, "11:51", "ticket", "start", "C002")
    ok(cli, "11:55", "appointment", "rebook", c2["ref"], "--start", "2026-11-30T11:00:00Z", *EMAIL)

    ok(cli, "16:50", "ticket", "issue", "--service", "W")
    return cli


def flag(total: int, **by_service: int) -> dict[str, Any]:
    return {"total": total, "by_service": {"C": 0, "H": 0, "W": 0} | by_service}


def test_every_figure_of_the_scripted_day(monday: Cli) -> None:
    report = monday("report", "daily", "--date", DAY, "--json", now="2026-11-24T08:00:00Z")
    assert report.code == 0, report.err
    got = report.json()
    expected = {
        "visits": 10,
        "no_shows": 1,
        "still_waiting": 0,
        "seen": 6,
        "seen_within_target": 5,
        "walked_out_after_target": 2,
        "left_before_target": 1,
        "closed_unseen": 1,
        "measured": 9,
        "within_15_min_pct": 55.6,
        "wait_median_minutes": 6.5,
        "appointments_seen_on_time": 1,
        "appointments_punctual": 1,
        "appointment_punctuality_pct": 100.0,
        "appointments_checked_in_late": 1,
        "finished": 6,
        "finished_first_contact": 5,
        "first_contact_resolution_pct": 83.3,
    }
    assert {k: got[k] for k in expected} == expected
    assert got["flags"] == {
        "urgent": flag(1, W=1),
        "repeat_contact": flag(2, W=1, C=1),
        "repeat_ticked": flag(1, W=1),
        "without_documents": flag(1, C=1),
        "assisted_digital": flag(1, W=1),
        "avoidable": flag(1, W=1),
        "signposted_to": {
            "county": flag(1, W=1),
            "citizens-advice": flag(1, W=1),
            "dwp": flag(0),
            "nhs": flag(0),
            "police": flag(0),
            "other": flag(0),
            "not_recorded": flag(0),  # each signposted visit said where to
        },
    }
    within = next(s for s in got["standards"] if s["key"] == "within_15_min")
    assert (within["value"], within["status"]) == (55.6, "red")
    assert "walk-out" in within["definition"].lower() or "left" in within["definition"].lower()


def test_the_definition_is_printed_under_the_figure(monday: Cli) -> None:
    text = monday("report", "daily", "--date", DAY, now="2026-11-24T08:00:00Z")
    assert text.code == 0, text.err
    assert "55.6%" in text.out
    # The signposting rows name the organisations as configured, by service (C H W) and total.
    rows = {line.strip().split("  ")[0]: line.split()[-4:] for line in text.out.splitlines()}
    assert rows["to Citizens Advice"] == ["0", "0", "1", "1"]
    assert rows["to the county council"] == ["0", "0", "1", "1"]
    assert "left before 15 minutes" in text.out.lower() or "left unseen within" in text.out
