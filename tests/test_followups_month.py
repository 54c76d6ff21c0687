"""The acceptance test of the follow-up figures: November 2026 at an English office, scripted
through the real command line with a simulated clock (``OSS_DESK_NOW`` for every command), then
every follow-up figure of the monthly report, two daily summaries and the quarterly return
compared with values worked out by hand below.

November 2026 is GMT throughout, so the times below are local times too. Working days: Monday to
Friday (no bank holiday in November in England). The office closes at 17:00. The report is run
on Monday 30 November at 17:00 ("today" for open deadlines).

Ring-backs (due by the end of the next working day; "returned" = done or could not reach):
  CB-0001 Fri 30 Oct 16:00, done Mon 2 Nov: received in October, so not in November at all.
  rb1 Mon 2 Nov 10:00 -> due Tue 3.  Done Mon 2 15:00.                 met
  rb2 Tue 3 Nov 16:30 (before closing) -> due Wed 4.  Done Wed 4 16:00 (on the due day).  met
  rb3 Fri 6 Nov 17:30 (after closing: starts Mon 9) -> due Tue 10.  No answer Mon 9; done
      Wed 11.                                                          missed (late)
  rb4 Thu 12 Nov 11:00 -> due Fri 13.  Two tries, could not reach Fri 13.   met
  rb5 Mon 30 Nov 09:30 -> due Tue 1 Dec.  Open.                        pending
  rb6 Wed 25 Nov 10:00 -> due Thu 26.  Open on Mon 30.                 missed (overdue)
  => received 6, done 3, could not reach 1, open 2; met 3, missed 2, pending 1: 3/5 = 60.0%.

Referrals (revenues: SLA 5 working days; housing: 3):
  r1 revenues Mon 2 Nov 10:00 -> due Mon 9 (Tue 3, Wed 4, Thu 5, Fri 6, Mon 9).  Received by
     the back office Tue 3; done Fri 6.                                met
  r2 revenues Wed 4 Nov 14:00 -> due Wed 11 (Thu 5, Fri 6, Mon 9, Tue 10, Wed 11).  Done Thu
     12: past its SLA.                                                 missed
  r3 housing Mon 9 Nov 10:00 -> due Thu 12.  Done Thu 12.             met
  r4 housing Mon 16 Nov 10:00 -> due Thu 19.  Open on Mon 30: past its SLA.   missed
  r5 revenues Fri 27 Nov 10:00 -> due Fri 4 Dec (Mon 30 ... Fri 4).  Open.    pending
  => received 5, done 3, open 2; met 2, missed 2, pending 1: 2/4 = 50.0%.
     revenues: received 3, met 1, missed 1, pending 1: 50.0%; housing: 2, 1, 1, 0: 50.0%.

On The Record (acknowledged within 5 working days, answered within 15):
  c1 complaint, staff, phone, Mon 2 Nov 10:00 -> acknowledge by Mon 9, answer by Mon 23.
     Acknowledged on day 5 (Mon 9): met.  Answered Fri 20, justified, action taken: met.
  c2 complaint, service, letter, Tue 3 Nov 11:00 -> acknowledge by Tue 10, answer by Tue 24.
     Acknowledged on day 6 (Wed 11): missed.  Answered Wed 25, partly, action taken: missed.
  c3 complaint, unequal, in person, Mon 9 Nov 10:00 -> acknowledge by Mon 16, answer by Mon 30.
     Acknowledged Thu 12: met.  Answered Mon 30 16:00, not justified, no action: met.
  c4 complaint, staff, email, Mon 16 Nov 10:00 -> acknowledge by Mon 23 (not done: missed),
     answer by Mon 7 Dec (pending).
  p1 compliment, staff, in person, Tue 17 Nov 10:00 -> acknowledge by Tue 24, answer by Tue 8
     Dec.  Answered Wed 18 (the answer acknowledges too): met, met.
  m1 comment, policy, web, Fri 20 Nov 10:00 -> acknowledge by Fri 27, answer by Fri 11 Dec.
     Acknowledged Fri 27: met; answer pending.
  c5 complaint at stage 2, staff, letter, Mon 23 Nov 10:00 -> acknowledge by Mon 30, answer by
     Mon 14 Dec.  Acknowledged Mon 30: met; answer pending.
  => complaints 5 (c1-c5): acknowledged met 3 (c1, c3, c5), missed 2 (c2, c4): 60.0%;
     answered met 2 (c1, c3), missed 1 (c2), pending 2 (c4, c5): 2/3 = 66.7%.
     All seven: acknowledged met 5, missed 2: 71.4%; answered met 3, missed 1, pending 3: 75.0%.
     Outcomes: justified 1, partly 1, not justified 1 (3 decided); justified about staff: c1,
     1 of 3 = 33.3%.  Unequal or impolite: c3, 1.  Action taken: c1, c2 = 2.
     By channel: in person 2 (c3, p1), phone 1 (c1), letter 2 (c2, c5), email 1 (c4), web 1
     (m1).  By stage (complaints only): 1: 4, 2: 1.

The daily summary of Thursday 26 November (as it stood at the end of that day): ring-backs due
that day and not done: rb6 (1); overdue: none (rb3 was late but done). Referrals overdue: r4
(due Thu 19). Complaints overdue: c4 (to be acknowledged by Mon 23). Nothing else is due.
Of Monday 30 November (today, at 17:00): rb6, r4 and c4 overdue; nothing else due today (rb5 is
due tomorrow, c3 was answered today, c5 acknowledged today).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .conftest import Cli
from .followups_site import make_office, run_json

REPORT_AT = "2026-11-30T17:00:00Z"


def at(day: int, hhmm: str, month: int = 11) -> str:
    return f"2026-{month:02d}-{day:02d}T{hhmm}:00Z"


class Script:
    """Runs each command as its person at its moment; remembers the references made."""

    def __init__(self, cli: Cli) -> None:
        self.cli = cli
        self.refs: dict[str, str] = {}

    def add(self, name: str, user: str, when: str, *args: str) -> None:
        made = run_json(self.cli, "--user", user, "followup", "add", *args, now=when)
        self.refs[name] = made["ref"]

    def do(self, user: str, when: str, verb: str, name: str, *args: str) -> None:
        run_json(self.cli, "--user", user, "followup", verb, self.refs[name], *args, now=when)


@pytest.fixture(scope="module")
def november(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cli]:
    folder = tmp_path_factory.mktemp("followups-month")
    monkeypatch = pytest.MonkeyPatch()
    cli = Cli(make_office(folder), monkeypatch)
    s = Script(cli)
    ring = ("--kind", "ringback", "--service", "C", "--phone", "07700 900123")

    def referral(office: str) -> tuple[str, ...]:
        return ("--kind", "referral", "--service", "C", "--back-office", office)

    def record(kind: str, category: str, via: str, *more: str) -> tuple[str, ...]:
        return ("--kind", kind, "--category", category, "--channel", via, *more)

    # October: not in November's figures.
    s.add("oct", "ana", at(30, "16:00", month=10), *ring)
    s.do("ana", at(2, "09:10"), "done", "oct")
    # Ring-backs.
    s.add("rb1", "gil", at(2, "10:00"), *ring)
    s.do("ana", at(2, "15:00"), "done", "rb1")
    s.add("rb2", "gil", at(3, "16:30"), *ring)
    s.do("bob", at(4, "16:00"), "done", "rb2")
    s.add("rb3", "gil", at(6, "17:30"), *ring)
    s.do("ana", at(9, "10:00"), "attempt", "rb3", "--result", "no-answer")
    s.do("ana", at(11, "10:00"), "done", "rb3")
    s.add("rb4", "ana", at(12, "11:00"), *ring)
    s.do("ana", at(12, "14:00"), "attempt", "rb4", "--result", "voicemail")
    s.do("bob", at(13, "11:00"), "attempt", "rb4", "--result", "no-answer")
    s.do("bob", at(13, "11:01"), "done", "rb4", "--unreachable", "--yes")
    s.add("rb6", "gil", at(25, "10:00"), *ring)
    s.add("rb5", "gil", at(30, "09:30"), *ring)
    # Referrals.
    s.add("r1", "ana", at(2, "10:00"), *referral("revenues"))
    s.do("ana", at(3, "10:00"), "ack", "r1")
    s.do("ana", at(6, "10:00"), "done", "r1")
    s.add("r2", "ana", at(4, "14:00"), *referral("revenues"))
    s.do("bob", at(12, "10:00"), "done", "r2")
    s.add("r3", "bob", at(9, "10:00"), *referral("housing"))
    s.do("bob", at(12, "15:00"), "done", "r3")
    s.add("r4", "bob", at(16, "10:00"), *referral("housing"))
    s.add("r5", "ana", at(27, "10:00"), *referral("revenues"))
    # On The Record.
    s.add("c1", "gil", at(2, "10:00"), *record("complaint", "staff", "phone"))
    s.do("tl", at(9, "12:00"), "ack", "c1")
    s.do(
        "tl",
        at(20, "15:00"),
        "respond",
        "c1",
        *("--outcome", "justified", "--action-taken", "yes", "--action", "Coaching given"),
    )
    s.add("c2", "tl", at(3, "11:00"), *record("complaint", "service", "letter"))
    s.do("tl", at(11, "12:00"), "ack", "c2")
    s.do(
        "adm",
        at(25, "12:00"),
        "respond",
        "c2",
        "--outcome",
        "partly",
        "--action-taken",
        "yes",
        "--action",
        "Apology sent",
    )
    s.add("c3", "ana", at(9, "10:00"), *record("complaint", "unequal", "in-person"))
    s.do("adm", at(12, "12:00"), "ack", "c3")
    s.do(
        "tl",
        at(30, "16:00"),
        "respond",
        "c3",
        *("--outcome", "not-justified", "--action-taken", "no", "--officer", "adm"),
    )
    s.add("c4", "tl", at(16, "10:00"), *record("complaint", "staff", "email"))
    s.add("p1", "gil", at(17, "10:00"), *record("compliment", "staff", "in-person"))
    s.do("tl", at(18, "10:00"), "respond", "p1")
    s.add("m1", "tl", at(20, "10:00"), *record("comment", "policy", "web"))
    s.do("tl", at(27, "10:00"), "ack", "m1")
    s.add("c5", "tl", at(23, "10:00"), *record("complaint", "staff", "letter", "--stage", "2"))
    s.do("tl", at(30, "11:00"), "ack", "c5")
    yield cli
    monkeypatch.undo()


def tally(met: int, missed: int, pending: int, pct: float | None) -> dict[str, Any]:
    return {"met": met, "missed": missed, "pending": pending, "pct": pct}


def category(name: str, **counts: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": name,
        "comment": 0,
        "compliment": 0,
        "complaint": 0,
        "justified": 0,
        "partly": 0,
        "not-justified": 0,
    }
    row.update({k.replace("_", "-"): v for k, v in counts.items()})
    return row


ON_THE_RECORD: dict[str, Any] = {
    "comments": 1,
    "compliments": 1,
    "complaints": 5,
    "complaints_acknowledged": tally(3, 2, 0, 60.0),
    "complaints_acknowledged_within_5_pct": 60.0,
    "complaints_answered": tally(2, 1, 2, 66.7),
    "complaints_answered_within_15_pct": 66.7,
    "all_acknowledged": tally(5, 2, 0, 71.4),
    "all_answered": tally(3, 1, 3, 75.0),
    "by_category": {
        "service": category("Quality of service", complaint=1, partly=1),
        "delay": category("Delay or no reply"),
        "policy": category("Council policy or decision", comment=1),
        "unequal": category("Unequal or impolite service", complaint=1, not_justified=1),
        "staff": category("About a member of staff", complaint=3, compliment=1, justified=1),
        "other": category("Other"),
    },
    "by_outcome": {"justified": 1, "partly": 1, "not-justified": 1},
    "by_channel": {"in-person": 2, "phone": 1, "letter": 2, "email": 1, "web": 1},
    "by_stage": {"1": 4, "2": 1},  # the 5 complaints: a comment or compliment has no stage
    "complaints_decided": 3,
    "justified_about_staff": 1,
    "justified_about_staff_pct": 33.3,
    "unequal_or_impolite": 1,
    "unequal_or_impolite_pct": 20.0,  # 1 of the 5 complaints received
    "action_taken": 2,
}


def test_every_monthly_follow_up_figure(november: Cli) -> None:
    report = run_json(
        november, "--user", "tl", "report", "monthly", "--month", "2026-11", now=REPORT_AT
    )
    assert report["followups"] == {
        "ringbacks": {
            "received": 6,
            "done": 3,
            "unreachable": 1,
            "open": 2,
            "returned_in_time": tally(3, 2, 1, 60.0),
            "within_1_working_day_pct": 60.0,
        },
        "referrals": {
            "received": 5,
            "done": 3,
            "open": 2,
            "within_sla": tally(2, 2, 1, 50.0),
            "within_sla_pct": 50.0,
            "by_back_office": {
                "revenues": {
                    "name": "Revenues",
                    "sla_working_days": 5,
                    "received": 3,
                    **tally(1, 1, 1, 50.0),
                },
                "housing": {
                    "name": "Housing options",
                    "sla_working_days": 3,
                    "received": 2,
                    **tally(1, 1, 0, 50.0),
                },
            },
        },
        "on_the_record": ON_THE_RECORD,
    }
    standards = {s["key"]: (s["value"], s["status"]) for s in report["standards"]}
    assert standards["ringbacks_in_time"] == (60.0, "red")  # target 100%, amber from 90%
    assert standards["referrals_in_sla"] == (50.0, "none")  # monitored
    assert standards["complaints_acknowledged"] == (60.0, "red")
    assert standards["complaints_answered"] == (66.7, "red")
    assert standards["justified_about_staff"] == (33.3, "none")
    # The same figures in October's report exclude November's, and the other way round.
    october = run_json(
        november, "--user", "tl", "report", "monthly", "--month", "2026-10", now=REPORT_AT
    )
    assert october["followups"]["ringbacks"]["received"] == 1
    assert october["followups"]["ringbacks"]["returned_in_time"] == tally(1, 0, 0, 100.0)


def test_the_daily_summaries(november: Cli) -> None:
    def due(day: str) -> dict[str, Any]:
        report = run_json(november, "--user", "tl", "report", "daily", "--date", day, now=REPORT_AT)
        result: dict[str, Any] = report["followups"]
        return result

    none = {"due_today": 0, "overdue": 0}
    assert due("2026-11-26") == {
        "ringback": {"due_today": 1, "overdue": 0},
        "referral": {"due_today": 0, "overdue": 1},
        "comment": none,
        "compliment": none,
        "complaint": {"due_today": 0, "overdue": 1},
    }
    assert due("2026-11-30") == {
        "ringback": {"due_today": 0, "overdue": 1},
        "referral": {"due_today": 0, "overdue": 1},
        "comment": none,
        "compliment": none,
        "complaint": {"due_today": 0, "overdue": 1},
    }
    text = november("--user", "tl", "report", "daily", "--date", "2026-11-26", now=REPORT_AT).out
    assert "    Ring-backs                       1         0" in text


def test_the_quarterly_return(november: Cli) -> None:
    got = run_json(
        november, "--user", "tl", "report", "quarterly", "--quarter", "2026-Q4", now=REPORT_AT
    )
    assert (got["quarter"], got["first_day"], got["last_day"]) == (
        "2026-Q4",
        "2026-10-01",
        "2026-12-31",
    )
    record = got["on_the_record"]
    # No comment, compliment or complaint in October or December: the quarter is November.
    assert {k: v for k, v in record.items() if k not in ("months", "actions")} == ON_THE_RECORD
    # December has not begun: no month of zeros for it (the leader's month-end trial).
    assert [m["month"] for m in record["months"]] == ["2026-10", "2026-11"]
    assert record["months"][1]["on_the_record"] == ON_THE_RECORD
    assert record["months"][0]["on_the_record"]["complaints"] == 0
    assert [
        (a["ref"], a["outcome"], a["action_taken"], a["action"]) for a in record["actions"]
    ] == [
        ("OTR-0001", "justified", True, "Coaching given"),
        ("OTR-0002", "partly", True, "Apology sent"),
    ]
    text = november(
        "--user", "tl", "report", "quarterly", "--quarter", "2026-Q4", now=REPORT_AT
    ).out
    assert (
        "OTR-0001  complaint (About a member of staff, justified), answered 2026-11-20:"
        " Coaching given"
    ) in text
    # An adviser may not see it.
    refused = november("--user", "ana", "report", "quarterly", now=REPORT_AT)
    assert (refused.code, refused.err) == (
        9,
        "oss-desk: Ana Adviser (adviser) may not see the reports\n",
    )


def test_the_csv_has_the_same_figures(november: Cli) -> None:
    out = november(
        "--user", "tl", "report", "monthly", "--month", "2026-11", "--format", "csv", now=REPORT_AT
    ).out
    rows = {tuple(line.split(",")[:2]): line.split(",")[2] for line in out.splitlines()[1:]}
    assert rows[("followups", "ringbacks.within_1_working_day_pct")] == "60.0"
    assert rows[("followups", "referrals.by_back_office.housing.missed")] == "1"
    assert rows[("followups", "on_the_record.justified_about_staff_pct")] == "33.3"


def test_every_change_is_an_event(november: Cli) -> None:
    import sqlite3

    conn = sqlite3.connect(november.db)
    try:
        kinds = dict(
            conn.execute(
                "SELECT kind, count(*) FROM events WHERE kind LIKE 'followup%' GROUP BY kind"
            ).fetchall()
        )
    finally:
        conn.close()
    # Made: 1 in October + 6 ring-backs + 5 referrals + 7 records = 19; attempts: rb3 1, rb4 2;
    # done: October's, rb1-rb4, r1-r3 = 8; acknowledged: r1, c1, c2, c3, m1, c5 = 6; answered:
    # c1, c2, c3, p1 = 4.
    assert kinds == {
        "followup_created": 19,
        "followup_attempted": 3,
        "followup_done": 8,
        "followup_acknowledged": 6,
        "followup_responded": 4,
    }
