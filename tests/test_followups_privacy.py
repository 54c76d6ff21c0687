"""Canary personal data in follow-ups never leaves the database: made-up names, phone numbers,
emails and topics typed into ring-backs, referrals and complaints are searched for in the
printed bytes (referral slips, through a real worker process), the board's frames, the worker's
output and the log folder, the event log, the print outbox and message references, and in what
the commands print without ``--contact``. Then the retention purge deletes them while every
figure stays the same."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from oss_desk.clock import FixedClock, parse_instant
from oss_desk.services.followup_reports import FollowupReports
from oss_desk.services.session import open_session

from .cli_here import run_cli_here
from .conftest import Cli, db_content, run_cli_process
from .escpos_decoder import decode, text_lines
from .followups_site import make_office, ok, run_json

PEOPLE = [
    ("Zebedee Quuxworth", "07700 900417", "zq.canary@example.org", "Quuxworth's rent arrears"),
    ("Philippa Vandersnoot", "07700900982", "pv-canary@example.net", "Vandersnoot eviction"),
    ("Ossian Plimsoll", "+44 7700 900655", "ossian.plimsoll@example.com", "Plimsoll debt"),
]
ACTION = "Apologised to Mr Quuxworth on 07700 900417 and retrained the officer"


def canaries() -> list[str]:
    found: list[str] = []
    for name, phone, email, _topic in PEOPLE:
        found += name.split()
        national = "".join(c for c in phone if c.isdigit())[-10:]
        found += [national, national[-6:], email, email.split("@")[0]]
    return [*found, "arrears", "eviction", "retrained"]


def leaks(places: dict[str, str]) -> list[str]:
    return [
        f"{canary!r} in {where}"
        for where, content in places.items()
        for canary in canaries()
        if canary.lower() in content.lower()
    ]


def worker_once(db: Path, now: str) -> str:
    done = run_cli_process("worker", "--once", env={"OSS_DESK_DB": str(db), "OSS_DESK_NOW": now})
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def figures(db: Path, now: str, cli: Cli) -> dict[str, Any]:
    """Every figure: the follow-up figures, the whole monthly and daily reports and the
    quarterly return (its actions' text left out: that is the purged part)."""
    session = open_session(db=db, clock=FixedClock(parse_instant(now)), person="tl")
    try:
        reports = FollowupReports(session)
        month = reports.figures(*_november()).as_json()
        due = {k: v.as_json() for k, v in reports.due().items()}
    finally:
        session.close()
    outputs = {}
    for name, args in (
        ("monthly", ("report", "monthly", "--month", "2026-11", "--json")),
        ("daily", ("report", "daily", "--date", "2026-11-23", "--json")),
        ("quarterly", ("report", "quarterly", "--quarter", "2026-Q4", "--json")),
    ):
        outputs[name] = json.loads(ok(cli("--user", "tl", *args, now=now)).out)
    for action in outputs["quarterly"]["on_the_record"]["actions"]:
        del action["action"]  # the text: what the purge deletes
        del action["action_deleted"]  # and whether it did
    return {"month": month, "due": due, "reports": outputs}


def _november() -> tuple[Any, Any]:
    from datetime import date

    return date(2026, 11, 1), date(2026, 11, 30)


def test_canaries_never_leave_and_are_purged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printer = tmp_path / "greet.escpos"
    board = tmp_path / "board.frames"
    db = make_office(
        tmp_path,
        printer=f"capture://{printer}",
        extra=f'[board]\nurl = "ascii+capture://{board}?rows=4&cols=24"\n',
    )
    cli = Cli(db, monkeypatch)
    said: list[str] = []

    def run(*args: str, now: str) -> Any:
        result = ok(cli(*args, now=now))
        said.append(result.out + result.err)
        return json.loads(result.out) if "--json" in args else result.out

    monday = "2026-11-23T10:00:00Z"
    (a_name, _, _, a_topic), (b_name, b_phone, b_email, b_topic), c = PEOPLE
    # A ticket called to the board, so the board has frames to search.
    run("--user", "gil", "ticket", "issue", "--service", "C", "--desk", "greet-1", now=monday)
    # Printed while it waits (a job for a ticket already finished is no longer printed).
    first_pass = worker_once(db, monday)
    run("--user", "ana", "ticket", "call-next", "--desk", "desk-1", now=monday)
    run("--user", "ana", "ticket", "finish", "C001", "--outcome", "referred", now=monday)
    for kind, extra in (
        ("ringback", ("--service", "C")),
        ("referral", ("--service", "H", "--back-office", "housing", "--ticket", "C001")),
    ):
        for name, phone, email, topic in PEOPLE:
            run(
                *("--user", "gil", "followup", "add", "--kind", kind, "--desk", "greet-1"),
                *(*extra, "--name", name, "--phone", phone, "--email", email, "--topic", topic),
                now=monday,
            )
    run(
        *("--user", "gil", "followup", "add", "--kind", "complaint", "--category", "staff"),
        *("--name", b_name, "--phone", b_phone, "--email", b_email, "--topic", b_topic),
        now=monday,
    )
    run("--user", "ana", "followup", "attempt", "CB-0001", "--result", "no-answer", now=monday)
    run("--user", "ana", "followup", "done", "CB-0001", "--unreachable", "--yes", now=monday)
    run("--user", "ana", "followup", "done", "CB-0002", now="2026-11-25T10:00:00Z")
    run("--user", "ana", "followup", "ack", "R-0001", now=monday)
    run("--user", "tl", "followup", "ack", "OTR-0001", now="2026-11-30T10:00:00Z")
    run(
        *("--user", "tl", "followup", "respond", "OTR-0001", "--outcome", "justified"),
        *("--action", ACTION),
        now="2026-12-01T10:00:00Z",
    )
    for user in ("gil", "tl"):
        run("--user", user, "followup", "list", now=monday)
        run("--user", user, "followup", "list", "--json", now=monday)
    for ref in ("CB-0001", "R-0002", "OTR-0001"):
        run("--user", "tl", "followup", "show", ref, now=monday)
        run("--user", "tl", "followup", "show", ref, "--json", now=monday)
    logs = first_pass + worker_once(db, monday)
    tuesday = "2026-11-24T16:00:00Z"  # a ring-back due today: the summary has follow-ups
    run("--user", "tl", "report", "daily", "--print-to", "greet-1", now=tuesday)
    logs += worker_once(db, tuesday)

    conn = sqlite3.connect(db)
    jobs = conn.execute("SELECT kind, status FROM print_jobs ORDER BY id").fetchall()
    assert jobs == [("ticket", "done")] + [("referral_slip", "done")] * 3 + [
        ("daily_summary", "done")
    ]
    printed = printer.read_bytes()
    paper = "\n".join(text_lines(decode(printed)))
    assert "R-0001" in paper and "R-0003" in paper and "Please quote" in paper
    assert "Follow-ups still due" in paper and "Ring-backs" in paper  # counts only
    frames = board.read_bytes()
    assert b"C001" in frames
    # The data really is in the database (its own columns), readable on purpose only.
    contact = run("--user", "tl", "followup", "show", "R-0002", "--contact", "--json", now=monday)
    assert contact["contact"]["name"] == b_name
    said.pop()
    places: dict[str, str] = {
        "printed bytes": printed.decode("latin-1"),
        "printed text": paper,
        "board frames": frames.decode("latin-1"),
        "worker output": logs,
        "command output without --contact": "\n".join(said),
        "event log": " ".join(
            " ".join(str(v) for v in row)
            for row in conn.execute("SELECT actor, desk_id, kind, outcome, data FROM events")
        ),
        "print jobs": " ".join(
            " ".join(str(v) for v in row) for row in conn.execute("SELECT * FROM print_jobs")
        ),
        "message references": " ".join(
            str(r[0]) for r in conn.execute("SELECT reference FROM messages")
        ),
        "follow-ups (not the details)": " ".join(
            " ".join(str(v) for v in row) for row in conn.execute("SELECT * FROM followups")
        ),
    }
    log_folder = tmp_path / "xdg-data" / "oss-desk" / "log"
    for path in sorted(log_folder.rglob("*")) if log_folder.exists() else []:
        if path.is_file():
            places[f"log file {path.name}"] = path.read_text(errors="replace")
    conn.close()
    assert leaks(places) == []

    # The purge: 30 days after closing (or receipt) for ring-backs and referrals, 730 for the
    # complaint. On 2 January 2027 the ring-backs and referrals go, the complaint stays.
    january = "2027-01-02T10:00:00Z"
    before = figures(db, january, cli)
    assert before["month"]["ringbacks"]["received"] == 3
    purged = json.loads(
        run_cli_here(
            "db", "purge", "--json", env={"OSS_DESK_DB": str(db), "OSS_DESK_NOW": january}
        ).stdout
    )
    assert (purged["counts"]["followups"], purged["counts"]["records"]) == (6, 0)
    assert figures(db, january, cli) == before
    kept = "\n".join(db_content(db))
    assert b_topic in kept and "Apologised" in kept  # the complaint's, within its 730 days
    assert a_name not in kept and a_topic not in kept and c[0] not in kept
    # Two years on, the complaint's details go too; every figure is still the same.
    later = "2028-12-31T10:00:00Z"
    before = figures(db, later, cli)
    purged = json.loads(
        run_cli_here(
            "db", "purge", "--json", env={"OSS_DESK_DB": str(db), "OSS_DESK_NOW": later}
        ).stdout
    )
    assert purged["counts"]["records"] == 1
    assert figures(db, later, cli) == before
    dump = "\n".join(db_content(db))
    assert [c for c in canaries() if c.lower() in dump.lower()] == []
    shown = run_json(cli, "--user", "tl", "followup", "show", "OTR-0001", "--contact", now=later)
    assert shown["contact"] == {
        "name": None,
        "phone": None,
        "email": None,
        "topic": None,
        "action": None,
        "purged": True,
    }
    assert shown["outcome"] == "justified" and shown["action_taken"] is True
