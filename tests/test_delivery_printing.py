"""Printing that is honest and never blocked: serial timing on a real pty, poison jobs that
fail alone in a real worker process, and the states a desk sees."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.delivery import line_seconds
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.worker.printing import PrintDelivery

from .conftest import MONDAY_0930, ROOT, Cli, make_db, rows, site_toml
from .escpos_decoder import decode, text_lines
from .hardware.fakes import PAPER_OUT, FakePrinter, SerialPrinter, closed_port
from .printing_checks import paper_in_prints_once_without_copy


def office_with(tmp_path: Path, printer: str, extra: str = "") -> Path:
    toml = site_toml(greet_printer=printer, extra=extra)
    return make_db(tmp_path, toml)


def until(condition: object, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not in {timeout} s: {what}"
        time.sleep(0.02)


# Serial printers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("baudrate", "stray"), [(9600, b""), (38400, b"\x00")])
def test_a_6kb_raster_ticket_over_a_serial_line_prints_once(
    tmp_path: Path, baudrate: int, stray: bytes
) -> None:
    """A 58 mm printer without native QR (a raster ticket of about 6 KB) on a line that takes
    bytes at line speed, answering the status question only after the job: the worker waits
    the job's line time (bytes x 10 / baud, plus the margin) and ends "printed", once. A stray
    byte before the status reply is skipped, not taken for silence."""
    printer = SerialPrinter(baudrate, stray=stray)
    try:
        db = office_with(tmp_path, f"{printer.url}&profile=ZJ-5870&timeout=2")
        clock = FixedClock(MONDAY_0930)
        desk = open_session(db=db, clock=clock, person="greeter", desk_id="greet-1")
        ticket = QueueService(desk).issue("C").ticket
        worker = open_session(db=db, clock=clock, person="worker")
        started = time.monotonic()
        report = PrintDelivery(worker).deliver_due()
        took = time.monotonic() - started
        assert (report.printed, report.retried, report.uncertain, report.failed) == (1, 0, 0, 0)
        ((status, attempts, confirmed),) = rows(
            db, "SELECT status, attempts, printed_at IS NOT NULL FROM print_jobs"
        )
        assert (status, attempts, confirmed) == ("done", 1, 1)  # printed, confirmed, first try
        until(lambda: bool(printer.jobs), what="the printer kept the ticket")  # its own thread
        (job,) = printer.jobs  # exactly one copy crossed the line
        assert 5000 < len(job) < 7000, len(job)  # a raster QR: about 6 KB
        lines = text_lines(decode(job))
        assert ticket.code in lines and "details." in lines  # whole, to its last line
        assert "COPY" not in lines
        floor = line_seconds(len(job), baudrate)
        assert took >= floor  # it really waited for the line (the old 1 s wait gave up)
        worker.close()
        desk.close()
    finally:
        printer.close()


# One bad job, one bad device, never the rest ---------------------------------------------------

SUMMARY_WITH_A_BAD_ROW = (
    '{"council": "Test Council", "site": "Civic Centre", "date": "23 November 2026", '
    '"rows": [["a label without its value"]]}'
)
POISON = {
    # (printer URL, kind, payload, reason): what an older version, or a hand-edited database,
    # could have left in the queue
    "bad parameter": ("tcp://127.0.0.1:9?timeout=nan", "ticket", "{}", "finite number"),
    "unknown profile": ("tcp://127.0.0.1:9?profile=TM-NOPE", "ticket", "{}", "unknown printer"),
    "unreachable host": (
        f"tcp://127.0.0.1:{closed_port()}?timeout=1",
        "ticket",
        "{}",
        "connection refused",
    ),
    "template raises": (
        "capture://{tmp}/summary.bin",
        "daily_summary",
        SUMMARY_WITH_A_BAD_ROW,
        "cannot render the job: ValueError",
    ),
}


def test_poison_jobs_fail_alone_and_the_worker_carries_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """20 good jobs on one loopback printer, poison jobs on others (and one in the good
    printer's own lane): all 20 print once, in order; each poison job fails with its reason, at
    the desk and in doctor (a waiting ticket's on a printer that does not answer waits, with
    its reason); the worker process is still running."""
    good = FakePrinter()
    silent = FakePrinter(behaviour="silent")  # a printer that hangs each try for its timeout
    try:
        db = office_with(
            tmp_path, good.url, extra="\n[printing]\nattempts = 1\nretry_seconds = 0.1\n"
        )
        session = open_session(db=db, person="greeter", desk_id="greet-1")
        queue = QueueService(session)
        conn = sqlite3.connect(db)
        poison_ids: dict[str, int] = {}

        def insert(url: str, kind: str = "ticket", payload: str = "{}") -> int:
            # Each poison job a copy of a ticket of its own (a later copy of the same ticket
            # is the one its desk is asked about, so six on one ticket would be one question).
            cur = conn.execute(
                "INSERT INTO print_jobs (created_at, kind, ticket_id, desk_id, printer_url, "
                "next_attempt_at, payload) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ'), ?, "
                "(SELECT id FROM tickets ORDER BY id LIMIT 1 OFFSET ?), 'greet-1', ?, "
                "'2000-01-01T00:00:00.000Z', ?) RETURNING id",
                [kind, len(poison_ids), url, payload],
            )
            return int(cur.fetchone()[0])

        codes = []
        for n in range(20):
            codes.append(queue.issue("C").ticket.code)
            if n == 5:  # poison on other printers, and one that cannot be rendered in this lane
                for name, (url, kind, payload, _) in POISON.items():
                    poison_ids[name] = insert(url.format(tmp=tmp_path), kind, payload)
                poison_ids["silent printer"] = insert(silent.url.replace("timeout=1", "timeout=2"))
                poison_ids["slip without its data"] = insert(
                    good.url, "appointment_slip", '{"council": "x"}'
                )
                conn.commit()
        conn.close()
        env = {k: v for k, v in os.environ.items() if not k.startswith("OSS_DESK_")}
        env.update(OSS_DESK_DB=str(db), PYTHONPATH=str(ROOT))
        worker = subprocess.Popen(
            [sys.executable, "-m", "oss_desk", "worker"],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            until(lambda: len(good.jobs) >= 20, what="the 20 good tickets")
            # Printed while the silent printer's job was still hanging in its own lane.
            silent_job = poison_ids["silent printer"]
            assert rows(db, "SELECT status FROM print_jobs WHERE id = ?", silent_job) != [
                ("failed",)
            ]
            printed = [
                next(line for line in text_lines(decode(j)) if re.fullmatch(r"C\d{3}", line))
                for j in good.jobs
            ]
            assert printed == codes  # each once, in order
            # A waiting ticket's paper on a printer that does not answer is not given up on:
            # it waits, tried again (every 30 s at most), for as long as its ticket waits.
            waiting = {poison_ids["unreachable host"], poison_ids["silent printer"]}
            until(
                lambda: all(
                    rows(db, "SELECT status FROM print_jobs WHERE id = ?", i)
                    == [("pending" if i in waiting else "failed",)]
                    and rows(db, "SELECT last_error IS NOT NULL FROM print_jobs WHERE id = ?", i)
                    == [(1,)]
                    for i in poison_ids.values()
                ),
                what="every poison job failed, or waits with its reason",
            )
            reasons = dict(
                rows(
                    db,
                    "SELECT id, last_error FROM print_jobs WHERE id IN "
                    f"({','.join(str(i) for i in poison_ids.values())})",
                )
            )
            for name, (*_, reason) in POISON.items():
                assert reason in str(reasons[poison_ids[name]]), (name, reasons)
            assert str(reasons[poison_ids["silent printer"]]) == "the printer did not answer"
            assert "cannot render" in str(reasons[poison_ids["slip without its data"]])
            assert worker.poll() is None  # still running
            # The desk that queued them sees them; doctor names them.
            from oss_desk.services.desk_view import take_snapshot

            attention = take_snapshot(session).attention
            assert {j.id for j in attention} == set(poison_ids.values()) - waiting
            doctor = Cli(db, monkeypatch)("doctor")
            (line,) = [x for x in doctor.out.splitlines() if "print jobs:" in x]
            # (the silent printer's may be being tried now: then it is not counted as waiting)
            said = re.search(r"4 failed or unconfirmed and [12] waiting for another try", line)
            assert line.startswith("warn") and said, line
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(15)
        assert worker.returncode == 0
        session.close()
    finally:
        good.close()
        silent.close()


def test_bad_printer_urls_are_named_when_queued_and_tested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    issued = cli("ticket", "issue", "--service", "C", "--print-to", "tcp://10.0.0.5?timeout=nan")
    assert issued.code == 2
    assert issued.err.strip().endswith("timeout must be a finite number, not 'nan'")
    assert rows(db, "SELECT count(*) FROM tickets") == [(0,)]  # nothing half done
    tested = cli("printer", "test", "tcp://10.0.0.5?timout=3")
    assert tested.code == 2
    assert "unknown parameter 'timout' for a tcp printer" in tested.err
    config = tmp_path / "bad.toml"
    config.write_text(
        site_toml(greet_printer="serial:///dev/ttyUSB0?baudrate=9600&flow=rts"), "utf-8"
    )
    init = cli("init", "--config", str(config))
    assert init.code == 3
    assert "desks[0].printer" in init.err and "flow must be one of" in init.err
    # The desk app is refused in one line naming the setting (here an environment override).
    desk = cli(
        "desk",
        "--desk",
        "greet-1",
        env={"OSS_DESK_BOARD__URL": "ascii+serial:///dev/ttyUSB1?baud=9600"},
    )
    assert desk.code == 3
    assert "OSS_DESK_BOARD__URL" in desk.err and "unknown setting 'baud'" in desk.err


# The claim on its way while the printer answers ---------------------------------------------


def test_a_printer_that_said_paper_out_prints_the_ticket_later_without_copy(
    tmp_path: Path,
) -> None:
    """The job is claimed while the printer is asked; the printer says paper out, so no byte
    left: the job waits (not marked as started), and once paper is in, the ticket prints once,
    not marked COPY. With a network printer's answer there at once, "sent" and "printed" are
    recorded together."""
    printer = FakePrinter(replies=dict(PAPER_OUT))
    db = office_with(tmp_path, printer.url, extra="\n[printing]\nretry_seconds = 0.05\n")
    clock = FixedClock(MONDAY_0930)
    desk = open_session(db=db, clock=clock, person="greeter", desk_id="greet-1")
    worker = open_session(db=db, clock=clock, person="worker", host=True)
    try:
        QueueService(desk).issue("C")
        delivery = PrintDelivery(worker)
        report = delivery.deliver_due()
        assert (report.printed, report.retried) == (0, 1), report
        conn = desk.store.conn
        row = conn.execute(
            "SELECT status, started_at, owner, last_error FROM print_jobs"
        ).fetchone()
        assert row[:3] == ("pending", None, None) and "paper out" in row[3], row
        assert printer.jobs == []  # only the status questions went
        paper_in_prints_once_without_copy(printer, delivery, clock)
        row = conn.execute(
            "SELECT status, attempts, started_at IS NOT NULL, sent_at, printed_at FROM print_jobs"
        ).fetchone()
        assert row[:3] == ("done", 2, 1) and row[3] is not None and row[3] == row[4], row
    finally:
        worker.close()
        desk.close()
        printer.close()
