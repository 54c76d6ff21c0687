"""A ticket's print job still queued when its ticket is over (cancelled as issued in error,
already served: the worker was down, the printer off) is not printed late: it is settled
unprinted, with the reason, in the transaction that claims it. Slips and live tickets print."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.delivery import (
    AT_THE_DESK_INSTEAD,
    CLOSED_TICKET_JOB,
    NOT_REPRINTED,
    PAPER_AGAIN,
    PrintState,
    job_word,
    stale_ticket_job,
)
from oss_desk.domain.models import TicketStatus
from oss_desk.services import delivery
from oss_desk.services.delivery import ATTENTION_HOURS
from oss_desk.services.doctor_worker import print_jobs
from oss_desk.services.queue import QueueService
from oss_desk.services.queue.records import TicketEnded
from oss_desk.services.session import open_session
from oss_desk.storage.outbox import jobs_needing_answer

from .conftest import MONDAY_0930, Cli, make_db, rows, site_toml
from .hardware.fakes import FakePrinter, closed_port

MORNING = "2026-11-23T09:30:00Z"


def ok(cli: Cli, *args: str) -> str:
    done = cli(*args)
    assert done.code == 0, done.err
    return done.out


def test_the_worker_back_prints_only_the_tickets_still_waiting(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml(greet_printer=printer.url))
    cli = Cli(db, monkeypatch)  # no device worker runs: each job waits in the queue
    for service in ("C", "C", "C", "W"):
        assert "queued to print" in ok(
            cli, "ticket", "issue", "--service", service, "--desk", "greet-1"
        )
    ok(cli, "ticket", "cancel", "C001", "--reason", "error")
    ok(cli, "--user", "adv", "ticket", "call", "C002", "--desk", "desk-1")
    ok(cli, "--user", "adv", "ticket", "finish", "C002", "--outcome", "resolved")
    ok(cli, "--user", "adv", "ticket", "call", "W001", "--desk", "desk-2")  # called: still paper

    ok(cli, "worker", "--once")

    printed = [job for job in printer.jobs if b"C00" in job or b"W00" in job]
    assert [(b"C001" in j, b"C002" in j, b"C003" in j, b"W001" in j) for j in printed] == [
        (False, False, True, False),
        (False, False, False, True),
    ]
    assert rows(db, "SELECT id, status, last_error FROM print_jobs ORDER BY id") == [
        (1, "cancelled", "the ticket is cancelled"),
        (2, "cancelled", "the ticket is finished"),
        (3, "done", None),
        (4, "done", None),
    ]
    assert (
        ok(cli, "ticket", "show", "C001")
        .splitlines(keepends=True)[0]
        .endswith("; print job 1: not printed: the ticket is cancelled\n")
    )
    assert (
        ok(cli, "ticket", "show", "C002")
        .splitlines(keepends=True)[0]
        .endswith("; print job 2: not printed: the ticket is finished\n")
    )
    # A reprint of a ticket still to be called prints.
    ok(cli, "ticket", "reprint", "C003")
    ok(cli, "worker", "--once")
    assert rows(db, "SELECT status FROM print_jobs WHERE id = 5") == [("done",)]


@pytest.mark.parametrize("status", list(TicketStatus))
def test_only_a_ticket_still_to_be_called_is_paper(status: TicketStatus) -> None:
    live = status in (TicketStatus.WAITING, TicketStatus.CALLED)
    reason = stale_ticket_job("ticket", status)
    assert (reason is None) == live
    assert stale_ticket_job("appointment_slip", status) is None  # a slip is not a ticket
    if reason is not None:
        assert job_word(PrintState.CANCELLED, reason) == f"not printed: {reason}"


def test_a_pass_after_closing_time_closes_the_day_before_it_prints(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault hunt: with tickets issued in the morning and no worker all day, `worker --once`
    at 17:05 printed every one of them, then closed them. The day's end comes first now (as in
    the running worker): nothing printed, each job settled unprinted with the reason."""
    db = make_db(tmp_path, site_toml(greet_printer=printer.url))
    cli = Cli(db, monkeypatch)
    for _ in range(3):
        issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1", now=MORNING)
        assert issued.code == 0, issued.err
    after = cli("worker", "--once", now="2026-11-23T17:05:00Z")
    assert after.code == 0, after.err
    assert [job for job in printer.jobs if b"C00" in job] == []
    assert (
        rows(db, "SELECT status, last_error FROM print_jobs ORDER BY id")
        == [("cancelled", CLOSED_TICKET_JOB)] * 3  # settled as the day closed them
    )
    assert rows(db, "SELECT DISTINCT status FROM tickets") == [("cancelled",)]


def down_office(tmp_path: Path) -> Path:
    """A site whose meet-and-greet printer refuses connections (switched off)."""
    return make_db(tmp_path, site_toml(greet_printer=f"tcp://127.0.0.1:{closed_port()}?timeout=1"))


def test_close_of_day_leaves_no_print_job_alive_for_the_tickets_it_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A review's finding: with the printer down all day, C001 closed at close of day kept its
    print job: `worker --once` said "to retry 1", `ticket show` said "waiting to print", eight
    passes later it was "failed", doctor warned of it, the desk would have asked whether to
    reprint it, and `ticket reprint` queued a copy that could never print. Now the closing
    transaction settles it unprinted, and a reprint of a ticket that is over is refused."""
    db = down_office(tmp_path)
    cli = Cli(db, monkeypatch)
    issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1", now=MORNING)
    assert issued.code == 0, issued.err
    evening = "2026-11-23T18:30:00Z"
    for _ in range(9):
        passed = cli("worker", "--once", "--json", now=evening)
        assert passed.code == 0, passed.err
        assert (passed.json()["retried"], passed.json()["failed"]) == (0, 0)
    assert rows(db, "SELECT status, last_error, attempts FROM print_jobs") == [
        ("cancelled", CLOSED_TICKET_JOB, 0)  # never tried: the printer was not even reached
    ]
    shown = cli("ticket", "show", "C001", now=evening)
    assert shown.out.splitlines(keepends=True)[0].endswith(
        f"closed at close of day (office closed); print job 1: not printed: {CLOSED_TICKET_JOB}\n"
    ), shown.out
    conn = sqlite3.connect(db)
    try:
        assert jobs_needing_answer(conn, "2026-11-23T00:00:00Z") == []
    finally:
        conn.close()
    again = cli("ticket", "reprint", "C001", now=evening)
    assert again.code == 6
    assert again.err.splitlines() == [
        f"oss-desk: C001 is closed at close of day (office closed): {NOT_REPRINTED}"
    ], again.err
    assert rows(db, "SELECT count(*) FROM print_jobs") == [(1,)]  # nothing queued


def test_the_leaders_close_of_day_settles_the_queued_jobs_as_it_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No worker runs: the job is settled in the transaction that closes the ticket."""
    db = down_office(tmp_path)
    cli = Cli(db, monkeypatch)
    for service in ("C", "W"):
        ok(cli, "ticket", "issue", "--service", service, "--desk", "greet-1")
    ok(cli, "--user", "adv", "ticket", "call", "W001", "--desk", "desk-1")
    ok(cli, "--user", "adv", "ticket", "start", "W001")  # being served: stays open
    ok(cli, "--user", "tl", "desks", "close-day", "--yes")
    assert rows(db, "SELECT status, last_error FROM print_jobs ORDER BY id") == [
        ("cancelled", CLOSED_TICKET_JOB),
        ("pending", None),  # W001's, for its worker to settle ("the ticket is being served")
    ]


@pytest.mark.parametrize("end", ["cancel", "finish"])
def test_a_reprint_of_a_ticket_that_is_over_is_refused(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch, end: str
) -> None:
    db = make_db(tmp_path, site_toml(greet_printer=printer.url))
    cli = Cli(db, monkeypatch)
    ok(cli, "ticket", "issue", "--service", "C", "--desk", "greet-1")
    ok(cli, "worker", "--once")
    if end == "cancel":
        ok(cli, "ticket", "cancel", "C001", "--reason", "error")
    else:
        ok(cli, "--user", "adv", "ticket", "call", "C001", "--desk", "desk-1")
        ok(cli, "--user", "adv", "ticket", "finish", "C001", "--outcome", "resolved")
    refused = cli("ticket", "reprint", "C001")
    said = "cancelled" if end == "cancel" else "finished"
    assert (refused.code, refused.out) == (6, "")
    assert refused.err == f"oss-desk: C001 is {said}: {NOT_REPRINTED}\n"
    assert rows(db, "SELECT count(*) FROM print_jobs") == [(1,)]


def test_answering_reprint_for_a_ticket_that_is_over_says_why_and_asks_no_more(
    tmp_path: Path,
) -> None:
    """C001's job failed (the printer down) and the resident was served all the same: the
    desk no longer asks about it (no paper can help them now; doctor still counts it). A desk
    whose question was already on screen as the ticket ended answers "reprint": nothing is
    queued, it says why, and the question is ended."""
    db = down_office(tmp_path)
    clock = FixedClock(MONDAY_0930)
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    try:
        job = QueueService(greet).issue("C").print_job
        assert job is not None
        with greet.store.write() as conn:  # (what eight failed tries leave)
            conn.execute("UPDATE print_jobs SET status = 'failed', last_error = 'refused'")
        assert [j.id for j in delivery.jobs_needing_answer(greet)] == [job]
        QueueService(greet).call("C001", "desk-1")
        QueueService(greet).finish("C001", "resolved")
        assert delivery.jobs_needing_answer(greet) == []
        doctor = delivery.recent_jobs_needing_answer(greet.store.conn, clock.now())
        assert [j.id for j in doctor] == [job]
        with pytest.raises(TicketEnded, match=f"C001 is finished: {re.escape(NOT_REPRINTED)}"):
            delivery.answer_job(greet, greet.actor, job, reprint=True)
        assert delivery.recent_jobs_needing_answer(greet.store.conn, clock.now()) == []
        assert rows(db, "SELECT count(*) FROM print_jobs") == [(1,)]
    finally:
        greet.close()


def test_a_ticket_that_may_not_have_printed_is_not_asked_about_once_closed(
    tmp_path: Path,
) -> None:
    """Q002's paper may not have printed (the worker stopped as it was sent); then the team
    leader closes the day. Opening the desk asked at once "Ticket Q002 may not have printed.
    Reprint it (it will say COPY)?", and a yes printed a COPY telling the resident to watch the
    board for a number that will never be called. A closed ticket is not asked about."""
    db = down_office(tmp_path)
    clock = FixedClock(MONDAY_0930)
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    try:
        job = QueueService(greet).issue("C").print_job
        with greet.store.write() as conn:
            conn.execute("UPDATE print_jobs SET status = 'uncertain', last_error = 'stopped'")
        assert [j.id for j in delivery.jobs_needing_answer(greet)] == [job]
        ok(Cli(db, pytest.MonkeyPatch()), "--user", "tl", "desks", "close-day", "--yes")
        assert rows(db, "SELECT status FROM tickets") != [("waiting",)]
        assert delivery.jobs_needing_answer(greet) == []
    finally:
        greet.close()


@pytest.mark.parametrize("end", ["cancel", "finish", "no-show", "transfer"])
def test_a_ticket_that_ends_settles_its_paper_still_waiting_for_a_try(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, end: str
) -> None:
    """A review's finding: W001 issued with the printer down, a pass tried it (to retry), then
    the resident left: `ticket show W001` said "cancelled; print job 1: waiting to print (last
    try: connection refused)" and doctor warned "1 waiting for another try" until a worker
    claimed it. The transaction that ends the ticket (cancelled, finished, a no-show,
    transferred) settles it unprinted, with the reason."""
    db = down_office(tmp_path)
    cli = Cli(db, monkeypatch)
    ok(cli, "ticket", "issue", "--service", "W", "--desk", "greet-1")
    tried = cli("worker", "--once", "--json")
    assert tried.json()["retried"] == 1, tried.out
    if end == "cancel":
        ok(cli, "ticket", "cancel", "W001", "--reason", "left")
    elif end == "transfer":
        ok(cli, "ticket", "transfer", "W001", "--service", "C")
    else:
        ok(cli, "--user", "adv", "ticket", "call", "W001", "--desk", "desk-1")
        if end == "finish":
            ok(cli, "--user", "adv", "ticket", "finish", "W001", "--outcome", "resolved")
        else:
            ok(cli, "--user", "adv", "ticket", "no-show", "W001")
    word = {"cancel": "cancelled", "finish": "finished", "no-show": "a no-show"}
    reason = f"the ticket is {word.get(end, 'transferred')}"
    assert rows(db, "SELECT status, last_error FROM print_jobs WHERE id = 1") == [
        ("cancelled", reason)
    ]
    shown = ok(cli, "ticket", "show", "W001")
    assert shown.splitlines(keepends=True)[0].endswith(f"; print job 1: not printed: {reason}\n"), (
        shown
    )
    session = open_session(db=db, person="tl")
    try:
        retrying, _ = delivery.recent_jobs_retrying(session.store.conn, session.clock.now())
    finally:
        session.close()
    assert retrying == 0


def test_doctor_says_apart_the_paper_of_a_ticket_that_is_over(tmp_path: Path) -> None:
    """C001's paper may not have printed and its resident was served: no desk will ask about
    it; doctor said it as the print job to see to. Now it says it apart, as over."""
    db = down_office(tmp_path)
    clock = FixedClock(MONDAY_0930)
    greet = open_session(db=db, clock=clock, person="tl", desk_id="greet-1")
    try:
        QueueService(greet).issue("C")
        QueueService(greet).issue("C")
        with greet.store.write() as conn:
            conn.execute("UPDATE print_jobs SET status = 'uncertain', last_error = 'stopped'")
        both = print_jobs(greet.store, clock)
        QueueService(greet).call("C001", "desk-1")
        QueueService(greet).finish("C001", "resolved")
        one = print_jobs(greet.store, clock)
        QueueService(greet).call("C002", "desk-1")
        QueueService(greet).finish("C002", "resolved")
        none = print_jobs(greet.store, clock)
        with greet.store.write() as conn:  # C001's paper confirmed after all
            conn.execute("UPDATE print_jobs SET status = 'done' WHERE id = 1")
        single = print_jobs(greet.store, clock)
    finally:
        greet.close()
    assert (both.status, both.detail.endswith(" (2 in all)")) == ("warn", True), both.detail
    assert one.status == "warn"
    assert one.detail.startswith("ticket C002 at greet-1 may not have printed"), one.detail
    assert one.detail.endswith(
        "; also 1 failed or unconfirmed of a ticket now over (no desk will ask)"
    ), one.detail
    # Never "none ... unconfirmed" beside the count of some: none to see to, each said apart.
    assert none.status == single.status == "ok"
    hours = f"in the last {ATTENTION_HOURS} hours"
    assert none.detail == (
        f"none to see to {hours} (2 failed or unconfirmed of tickets now over: no desk will ask)"
    ), none.detail
    assert single.detail == (
        f"none to see to {hours} (1 failed or unconfirmed of a ticket now over: no desk will ask)"
    ), single.detail


def test_paper_of_a_ticket_being_served_is_not_waiting_for_another_try(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """W001's paper failed a try (the printer down); its resident is being served: its worker
    settles it unprinted, never prints it, so doctor does not count it as waiting."""
    db = down_office(tmp_path)
    cli = Cli(db, monkeypatch)
    ok(cli, "ticket", "issue", "--service", "W", "--desk", "greet-1")
    assert cli("worker", "--once", "--json").json()["retried"] == 1
    session = open_session(db=db, person="tl")
    try:
        conn, now = session.store.conn, session.clock.now()
        assert delivery.recent_jobs_retrying(conn, now)[0] == 1
        ok(cli, "--user", "adv", "ticket", "call", "W001", "--desk", "desk-1")
        ok(cli, "--user", "adv", "ticket", "start", "W001")
        assert rows(db, "SELECT status FROM print_jobs") == [("pending",)]
        assert delivery.recent_jobs_retrying(conn, now) == (0, None)
    finally:
        session.close()


def _unprinted_no_show(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> Cli:
    """C001 issued with no worker running (its paper still queued), called at Desk 1 and marked
    a no-show: its paper was settled unprinted; C002 waits (issued without paper)."""
    db = make_db(tmp_path, site_toml(greet_printer=printer.url))
    cli = Cli(db, monkeypatch)
    ok(cli, "ticket", "issue", "--service", "C", "--desk", "greet-1")
    ok(cli, "ticket", "issue", "--service", "C", "--no-print")
    ok(cli, "--user", "adv", "ticket", "call", "C001", "--desk", "desk-1")
    ok(cli, "--user", "adv", "ticket", "no-show", "C001")
    return cli


def test_a_no_show_taken_back_to_the_queue_has_its_unprinted_paper_queued_again(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resident came after all and the no-show was taken back when the desk had called
    someone else: C001 waits again, and they never had a ticket (the paper stayed settled).
    Now it is queued again on the same printer, said so, and the worker prints it; the
    settled job stays as it was."""
    cli = _unprinted_no_show(tmp_path, printer, monkeypatch)
    db = cli.db
    ok(cli, "--user", "adv", "ticket", "call", "C002", "--desk", "desk-1")
    said = ok(cli, "--user", "adv", "ticket", "undo-no-show", "C001")
    assert f"; {PAPER_AGAIN}: queued to print (job 2)" in said, said
    assert "waiting" in said
    assert rows(db, "SELECT id, status, last_error, printer_url FROM print_jobs") == [
        (1, "cancelled", "the ticket is a no-show", printer.url),
        (2, "pending", None, printer.url),
    ]
    history = ok(cli, "--user", "tl", "ticket", "history", "C001")
    back = f"C001 came after all (no-show taken back); {PAPER_AGAIN}: queued to print again"
    assert back in history, history
    ok(cli, "worker", "--once")
    assert [job for job in printer.jobs if b"C001" in job]
    assert rows(db, "SELECT status FROM print_jobs WHERE id = 2") == [("done",)]


def test_a_no_show_taken_back_to_the_desk_gets_no_paper_at_the_printer(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Desk 1 has called nobody since: C001 is called there again, its resident at the desk.
    Nothing is queued at the printer (it was: "its paper never printed: queued to print (job
    2)", a paper nobody would take), and nothing is said of paper; the worker prints none.
    ``ticket show`` says why its paper did not print, not that the ticket is a no-show."""
    cli = _unprinted_no_show(tmp_path, printer, monkeypatch)
    said = ok(cli, "--user", "adv", "ticket", "undo-no-show", "C001")
    assert "called at Desk 1" in said and "paper" not in said, said
    assert rows(cli.db, "SELECT id, status, last_error FROM print_jobs") == [
        (1, "cancelled", AT_THE_DESK_INSTEAD)
    ]
    shown = ok(cli, "--user", "tl", "ticket", "show", "C001").splitlines()[0]
    assert shown.endswith(f"called at Desk 1; print job 1: not printed: {AT_THE_DESK_INSTEAD}")
    history = ok(cli, "--user", "tl", "ticket", "history", "C001")
    assert "C001 came after all (no-show taken back)  (" in history, history
    ok(cli, "worker", "--once")
    assert not [job for job in printer.jobs if b"C001" in job]


def test_a_no_show_taken_back_whose_paper_printed_gets_none_again(
    tmp_path: Path, printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resident holds C001's paper (printed before the no-show): taking the no-show back
    queues nothing, and says nothing of paper."""
    db = make_db(tmp_path, site_toml(greet_printer=printer.url))
    cli = Cli(db, monkeypatch)
    ok(cli, "ticket", "issue", "--service", "C", "--desk", "greet-1")
    ok(cli, "worker", "--once")
    ok(cli, "--user", "adv", "ticket", "call", "C001", "--desk", "desk-1")
    ok(cli, "--user", "adv", "ticket", "no-show", "C001")
    back = cli("--user", "adv", "ticket", "undo-no-show", "C001", "--json")
    assert back.code == 0, back.err
    assert (back.json()["status"], back.json()["print_job"]) == ("called", None)
    assert rows(db, "SELECT id, status FROM print_jobs") == [(1, "done")]
    history = ok(cli, "--user", "tl", "ticket", "history", "C001")
    assert "C001 came after all (no-show taken back)  (" in history, history
