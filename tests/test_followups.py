"""The follow-up register through the real command line and services: ring-backs, referrals,
comments, compliments and complaints; who may do what; every change in the event log without
personal data; bad input refused in one line with nothing changed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock, parse_instant
from oss_desk.domain.followups import Kind
from oss_desk.errors import Forbidden
from oss_desk.services.followups import FollowupService, Request
from oss_desk.services.session import open_session

from .conftest import Cli, db_content
from .followups_site import make_office, ok, run_json

NOW = "2026-11-23T10:00:00Z"  # Monday 23 November 2026, 10:00 GMT
NAME, PHONE, TOPIC = "Wilhelmina Canarybird", "07700 900417", "arrears letter worry"


@pytest.fixture
def office(tmp_path: Path) -> Path:
    return make_office(tmp_path, printer=f"capture://{tmp_path / 'greet.escpos'}")


@pytest.fixture
def cli(office: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(office, monkeypatch)


def events(db: Path, since: int = 0) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT id, kind, actor, desk_id, service_code, data FROM events "
            "WHERE id > ? AND kind LIKE 'followup%' OR (id > ? AND kind = 'personal_data_viewed') "
            "ORDER BY id",
            [since, since],
        ).fetchall()
    finally:
        conn.close()
    return [
        {"kind": r[1], "actor": r[2], "desk": r[3], "service": r[4], **json.loads(r[5])}
        for r in rows
    ]


def ringback(cli: Cli, user: str = "gil", now: str = NOW, *extra: str) -> dict[str, Any]:
    made: dict[str, Any] = run_json(
        cli,
        *("--user", user, "followup", "add", "--kind", "ringback", "--service", "C"),
        *("--name", NAME, "--phone", PHONE, "--topic", TOPIC, "--desk", "greet-1", *extra),
        now=now,
    )
    return made


def test_a_ring_back_from_request_to_could_not_reach(cli: Cli, office: Path) -> None:
    made = ringback(cli)
    assert made["ref"] == "CB-0001"
    assert (made["due"], made["standing"], made["owner"]) == ("2026-11-24", "later", None)
    assert NAME not in json.dumps(made) and "900417" not in json.dumps(made)
    taken = run_json(cli, "--user", "ana", "followup", "take", "CB-0001", now=NOW)
    assert taken["owner"] == "ana"
    for result in ("no-answer", "voicemail"):
        run_json(cli, "--user", "ana", "followup", "attempt", "CB-1", "--result", result, now=NOW)
    closed = run_json(
        cli,
        *("--user", "ana", "followup", "done", "cb-0001", "--unreachable", "--yes"),
        now="2026-11-24T15:00:00Z",
    )
    assert (closed["status"], closed["closed_day"], closed["attempts"]) == (
        "unreachable",
        "2026-11-24",
        2,
    )
    assert closed["deadlines"] == {"return": "met"}
    shown = run_json(cli, "--user", "bob", "followup", "show", "CB-0001", "--contact", now=NOW)
    assert [a["result"] for a in shown["attempt_log"]] == ["no-answer", "voicemail"]
    assert shown["contact"]["name"] == NAME and shown["contact"]["phone"] == "+447700900417"
    # Every change is an event: who, where, which follow-up; the read of the contact too.
    log = events(office)
    assert [(e["kind"], e["actor"]) for e in log] == [
        ("followup_created", "gil"),
        ("followup_taken", "ana"),
        ("followup_attempted", "ana"),
        ("followup_attempted", "ana"),
        ("followup_done", "ana"),
        ("personal_data_viewed", "bob"),
    ]
    assert all(e["followup"] == 1 and e["ref"] == "CB-0001" for e in log)
    assert log[0]["desk"] == "greet-1" and log[0]["service"] == "C"
    assert log[-1]["fields"] == ["name", "phone", "topic"]
    text = json.dumps(log)
    for canary in ("Wilhelmina", "Canarybird", "900417", "arrears"):
        assert canary not in text


def test_a_referral_added_without_a_desk_says_how_its_slip_is_printed(cli: Cli) -> None:
    """A new admin's trial: with no --desk the line said "no printer at this desk", of no desk.
    It says no desk was given, and how to print the slip; at a desk without a printer, as it
    was."""
    add = ("--user", "gil", "followup", "add", "--kind", "referral", "--service", "H")
    added = cli(*add, "--back-office", "housing", now=NOW)
    assert added.code == 0, added.err
    assert added.out.splitlines()[-1] == (
        "no desk given: the slip was not printed (give the resident R-0001; --desk ID of a desk "
        "with a printer, or --print-to URL, prints it as the referral is added)"
    )
    at_desk = cli(*add, "--back-office", "housing", "--desk", "desk-1", now=NOW)
    assert at_desk.code == 0, at_desk.err
    assert at_desk.out.splitlines()[-1] == (
        "no printer at this desk: the slip was not printed; write the reference down (R-0002)"
    )


def test_a_referral_prints_its_reference_and_follows_the_back_office(
    cli: Cli, office: Path
) -> None:
    made = run_json(
        cli,
        *("--user", "gil", "followup", "add", "--kind", "referral", "--service", "H"),
        *("--back-office", "housing", "--name", NAME, "--desk", "greet-1"),
        now=NOW,
    )
    # Housing options' SLA is 3 working days from Monday 23: Thursday 26 November.
    assert (made["ref"], made["due"], made["sla_working_days"]) == ("R-0001", "2026-11-26", 3)
    assert made["print_job"] is not None
    conn = sqlite3.connect(office)
    kind, payload = conn.execute(
        "SELECT kind, payload FROM print_jobs WHERE id = ?", [made["print_job"]]
    ).fetchone()
    conn.close()
    slip = json.loads(payload)
    assert kind == "referral_slip"
    assert (slip["reference"], slip["service"], slip["expect_by"]) == (
        "R-0001",
        "Housing",  # the neutral label, never "homelessness"
        "Thursday 26 November 2026",
    )
    assert NAME.split()[0] not in payload and "homeless" not in payload
    received = run_json(cli, "--user", "ana", "followup", "ack", "R-0001", now=NOW)
    assert received["status"] == "received"
    done = run_json(cli, "--user", "ana", "followup", "done", "R-0001", now="2026-11-27T09:00:00Z")
    assert done["deadlines"] == {"sla": "late"}


def test_acknowledging_is_said_alike_on_the_line_and_in_the_refusal_of_a_second(
    cli: Cli,
) -> None:
    """A referral is "received by the back office", a record "acknowledged" (with its timing):
    `followup ack`'s line and the refusal of a second ack both say the word
    ``Kind.acknowledged`` says (the desk's K notice says it too)."""
    args = ("--user", "gil", "followup", "add", "--kind", "referral", "--service", "H")
    ok(cli(*args, "--back-office", "housing", now=NOW))
    args = ("--user", "tl", "followup", "add", "--kind", "complaint", "--category", "staff")
    ok(cli(*args, "--service", "C", now=NOW))
    referral, record = Kind.REFERRAL.acknowledged, Kind.COMPLAINT.acknowledged
    assert (referral, record) == ("received by the back office", "acknowledged")
    said = ok(cli("--user", "ana", "followup", "ack", "R-0001", now=NOW)).out
    assert said == f"R-0001: {referral}\n"
    said = ok(cli("--user", "tl", "followup", "ack", "OTR-0001", now=NOW)).out
    assert said == f"OTR-0001: {record} in time\n"
    again = cli("--user", "ana", "followup", "ack", "R-0001", now=NOW)
    assert again.code == 6
    assert f"R-0001 was already {referral} on Mon 23 Nov 2026 by " in again.err, again.err


def test_a_referral_made_where_there_is_no_printer_says_so(cli: Cli) -> None:
    result = cli(
        *("--user", "ana", "followup", "add", "--kind", "referral", "--service", "C"),
        *("--back-office", "revenues", "--desk", "desk-1"),
        now=NOW,
    )
    assert result.code == 0, result.err
    assert "R-0001 referral: due by the end of Mon 30 Nov." in result.out
    assert "not printed" in result.out


def test_a_deadline_is_said_as_the_lists_say_it_with_the_year_only_when_not_this_years(
    cli: Cli,
) -> None:
    """``followup add`` said "due by the end of Wed 09 Dec 2026" where ``followup list`` says
    "due Wed 09 Dec" (trial, part B, finding 6)."""
    args = ("--user", "gil", "followup", "add", "--kind", "ringback", "--service", "C")
    said = cli(*args, "--name", NAME, "--phone", PHONE, "--topic", TOPIC, now=NOW)
    assert said.code == 0, said.err
    assert "CB-0001 ring-back: due by the end of Tue 24 Nov." in said.out, said.out
    # Asked for on New Year's Eve: due next year, and said with its year.
    said = cli(*args, "--name", NAME, "--phone", PHONE, now="2026-12-31T10:00:00Z")
    assert said.code == 0, said.err
    (line,) = [x for x in said.out.splitlines() if x.startswith("CB-0002")]
    assert line.startswith("CB-0002 ring-back: due by the end of ") and line.endswith(" 2027."), (
        line
    )


def test_a_complaint_answered_with_its_outcome(cli: Cli) -> None:
    made = run_json(
        cli,
        *("--user", "gil", "followup", "add", "--kind", "complaint", "--category", "staff"),
        *("--channel", "letter", "--service", "C", "--topic", "the way I was spoken to"),
        now=NOW,
    )
    assert (made["ref"], made["ack_due"], made["due"]) == ("OTR-0001", "2026-11-30", "2026-12-14")
    assert (made["channel"], made["stage"], made["category"]) == ("letter", 1, "staff")
    run_json(cli, "--user", "tl", "followup", "ack", "OTR-0001", now="2026-11-26T10:00:00Z")
    answered = run_json(
        cli,
        *("--user", "tl", "followup", "respond", "OTR-0001", "--outcome", "justified"),
        *("--action", "Refresher training for the team", "--officer", "adm"),
        now="2026-12-14T16:00:00Z",
    )
    assert (answered["outcome"], answered["action_taken"], answered["officer"]) == (
        "justified",
        True,
        "Ada Admin",
    )
    assert answered["deadlines"] == {"acknowledge": "met", "respond": "met"}
    shown = run_json(cli, "--user", "adm", "followup", "show", "OTR-1", "--contact", now=NOW)
    assert shown["contact"]["action"] == "Refresher training for the team"


def test_answering_in_full_also_acknowledges(cli: Cli) -> None:
    run_json(
        cli,
        *("--user", "tl", "followup", "add", "--kind", "compliment", "--category", "service"),
        now=NOW,
    )
    answered = run_json(cli, "--user", "tl", "followup", "respond", "OTR-0001", now=NOW)
    assert (answered["acknowledged_day"], answered["closed_day"]) == ("2026-11-23", "2026-11-23")


def test_made_from_a_visit_takes_its_service(cli: Cli, office: Path) -> None:
    ok(cli("--user", "gil", "ticket", "issue", "--service", "W", "--desk", "greet-1", now=NOW))
    ok(cli("--user", "ana", "ticket", "call-next", "--desk", "desk-1", now=NOW))
    ok(cli("--user", "ana", "ticket", "finish", "W001", "--outcome", "callback", now=NOW))
    made = run_json(
        cli,
        *("--user", "ana", "followup", "add", "--kind", "ringback", "--ticket", "W001"),
        *("--phone", PHONE),
        now=NOW,
    )
    assert (made["service"], made["visit"]) == ("W", 1)


def test_taking_moves_it_to_whoever_takes_it(cli: Cli) -> None:
    ringback(cli)
    run_json(cli, "--user", "ana", "followup", "take", "CB-0001", now=NOW)
    assert run_json(cli, "--user", "bob", "followup", "take", "CB-0001", now=NOW)["owner"] == "bob"
    mine = run_json(cli, "--user", "bob", "followup", "list", "--owner", "me", now=NOW)
    assert [f["ref"] for f in mine] == ["CB-0001"]
    assert run_json(cli, "--user", "bob", "followup", "list", "--owner", "none", now=NOW) == []


# Roles -------------------------------------------------------------------------------------------


def test_meet_and_greet_cannot_see_complaints(cli: Cli, office: Path) -> None:
    ringback(cli)
    recorded = run_json(
        cli,
        *("--user", "gil", "followup", "add", "--kind", "complaint", "--category", "unequal"),
        now=NOW,
    )
    assert recorded["ref"] == "OTR-0001"  # recorded at the desk, then out of their sight
    listed = run_json(cli, "--user", "gil", "followup", "list", now=NOW)
    assert [f["ref"] for f in listed] == ["CB-0001"]
    see = "see comments, compliments and complaints"
    answer = "acknowledge or answer comments, compliments and complaints"
    for args, phrase in (
        (("followup", "list", "--kind", "complaint"), see),
        (("followup", "show", "OTR-0001"), see),
        (("followup", "show", "2"), see),
        (("followup", "take", "OTR-0001"), see),
        (("followup", "ack", "OTR-0001"), answer),
        (("followup", "respond", "OTR-0001", "--outcome", "partly"), answer),
    ):
        result = cli("--user", "gil", *args, now=NOW)
        assert result.code == 9, args
        assert result.err == f"oss-desk: Gil Greeter (meet-and-greet) may not {phrase}\n"
    # An adviser may not either; the team leader and the admin may.
    assert cli("--user", "ana", "followup", "show", "OTR-0001", now=NOW).code == 9
    for user in ("tl", "adm"):
        refs = [f["ref"] for f in run_json(cli, "--user", user, "followup", "list", now=NOW)]
        assert "OTR-0001" in refs


def test_the_service_layer_refuses_the_same(office: Path) -> None:
    clock = FixedClock(parse_instant(NOW))
    session = open_session(db=office, clock=clock, person="gil", desk_id="greet-1")
    try:
        svc = FollowupService(session)
        assert svc.visible_kinds() == [Kind.RINGBACK, Kind.REFERRAL]
        svc.add(Request(kind="complaint", category="staff"))
        with pytest.raises(Forbidden, match="may not see comments"):
            svc.work_list(["complaint"])
        with pytest.raises(Forbidden):
            svc.get(1)
        assert svc.work_list() == []
    finally:
        session.close()


def test_an_admin_does_no_ring_backs(cli: Cli) -> None:
    result = cli(
        *("--user", "adm", "followup", "add", "--kind", "ringback", "--service", "C"),
        *("--phone", PHONE),
        now=NOW,
    )
    assert result.code == 9
    assert "Ada Admin (admin) may not work on ring-backs and referrals" in result.err


# Bad input: one clear line, nothing changed ------------------------------------------------------

BAD = [
    (
        ("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "C"),
        ("--phone", PHONE, "--due", "2026-11-20"),
        2,
        "due date 2026-11-20 is in the past (today is 2026-11-23)",
    ),
    (
        ("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "C"),
        ("--phone", PHONE, "--due", "2026-12-25"),
        2,
        "due date 2026-12-25 is not a working day (Christmas Day): the next one is 2026-12-29",
    ),
    (
        ("--user", "tl", "followup", "add", "--kind", "complaint", "--category", "rudeness"),
        (),
        5,
        "unknown category 'rudeness' (categories: service, delay, policy, unequal, staff, other)",
    ),
    (
        ("--user", "ana", "followup", "add", "--kind", "referral", "--service", "C"),
        ("--back-office", "planning"),
        5,
        "unknown back office 'planning' (back offices: revenues, housing)",
    ),
    (
        ("--user", "ana", "followup", "add", "--kind", "referral", "--service", "C"),
        (),
        2,
        "a referral needs its back office: revenues, housing (--back-office)",
    ),
    (
        ("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "C"),
        (),
        2,
        "a ring-back needs the resident's phone number (--phone)",
    ),
    (
        ("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "C"),
        ("--phone", "12345"),
        2,
        "'12345' does not start 0: a UK phone number is 10 or 11 digits starting 0 (01632 960123)",
    ),
    (
        ("--user", "ana", "followup", "add", "--kind", "ringback", "--service", "C"),
        ("--phone", PHONE, "--received", "2026-11-24T09:00:00Z"),
        2,
        "the time received is in the future",
    ),
    (
        ("--user", "tl", "followup", "add", "--kind", "complaint", "--category", "staff"),
        ("--received", "2019-01-01T10:00:00Z"),
        2,
        "the time received 2019-01-01 is before this office's records begin (2026-11-23)",
    ),
    (
        ("--user", "tl", "followup", "add", "--kind", "compliment", "--category", "service"),
        ("--stage", "2"),
        2,
        "a compliment has no stage 2: stages are the complaints procedure's",
    ),
    (
        ("--user", "tl", "followup", "add", "--kind", "comment", "--category", "service"),
        ("--stage", "2"),
        2,
        "a comment has no stage 2: stages are the complaints procedure's",
    ),
    (
        ("--user", "tl", "followup", "ack", "OTR-0001"),
        (),
        6,
        "OTR-0001 was already acknowledged on Mon 23 Nov 2026 by Tia Leader",
    ),
    (
        ("--user", "tl", "followup", "respond", "OTR-0001"),
        (),
        2,
        "OTR-0001 is a complaint: give its outcome (justified, partly or not-justified)",
    ),
    (
        ("--user", "tl", "followup", "respond", "OTR-0001", "--outcome", "justified"),
        ("--action-taken", "yes"),
        2,
        "--action-taken yes needs --action: say what was done as a result",
    ),
    (
        ("--user", "tl", "followup", "respond", "OTR-0001", "--outcome", "justified"),
        ("--action-taken", "yes", "--action", "   "),
        2,
        "--action-taken yes needs --action: say what was done as a result",
    ),
    (
        ("--user", "ana", "followup", "done", "CB-0001", "--unreachable"),
        (),
        6,
        "CB-0001 has no attempt recorded: record the tries first (attempt)",
    ),
    (
        ("--user", "ana", "followup", "attempt", "R-0001", "--result", "busy"),
        (),
        6,
        "R-0001 is a referral: only ring-backs have attempts",
    ),
    (
        ("--user", "ana", "followup", "ack", "CB-0001"),
        (),
        6,
        "CB-0001 is a ring-back: nothing to acknowledge",
    ),
    (("--user", "ana", "followup", "show", "R-9"), (), 5, "no follow-up 'R-9'"),
    (
        ("--user", "ana", "followup", "show", "X-12"),
        (),
        2,
        "'X-12' is not a follow-up reference (e.g. R-0042, CB-0007, OTR-0003)",
    ),
]


@pytest.mark.parametrize(("command", "extra", "code", "message"), BAD)
def test_bad_input_is_one_line_and_changes_nothing(
    cli: Cli,
    office: Path,
    command: tuple[str, ...],
    extra: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    ringback(cli)
    run_json(
        cli,
        *("--user", "ana", "followup", "add", "--kind", "referral", "--service", "C"),
        *("--back-office", "revenues"),
        now=NOW,
    )
    run_json(
        cli,
        *("--user", "tl", "followup", "add", "--kind", "complaint", "--category", "staff"),
        now=NOW,
    )
    run_json(cli, "--user", "tl", "followup", "ack", "OTR-0001", now=NOW)
    before = db_content(office)
    result = cli(*command, *extra, now=NOW)
    assert (result.code, result.out) == (code, "")
    assert result.err == f"oss-desk: {message}\n"
    assert db_content(office) == before


def test_done_twice_is_refused(cli: Cli, office: Path) -> None:
    ringback(cli)
    run_json(cli, "--user", "ana", "followup", "done", "CB-0001", now=NOW)
    before = db_content(office)
    result = cli("--user", "bob", "followup", "done", "CB-0001", now=NOW)
    assert result.code == 6
    assert result.err == "oss-desk: CB-0001 is done on Mon 23 Nov 2026: it cannot be done again\n"
    assert db_content(office) == before
