"""The device worker: delivery, retries, fallback, crash recovery, the board, the lock."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest

from oss_desk.clock import FixedClock
from oss_desk.domain.models import Actor
from oss_desk.hardware.printers import PrinterStatus
from oss_desk.services.delivery import answer_job
from oss_desk.services.desk_view import take_snapshot
from oss_desk.services.queue import QueueService
from oss_desk.services.resident import board_message
from oss_desk.services.session import open_session
from oss_desk.storage.lease import WorkerLock
from oss_desk.worker.printing import PrintDelivery
from oss_desk.worker.run import DeviceWorker

from .conftest import MONDAY_0930, ROOT, Cli, make_db, run_cli_process, site_toml
from .escpos_decoder import Cut, QRCode, decode, text_lines
from .hardware.fakes import PAPER_OUT, FakePrinter, Pty, closed_port


def rows(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def office_with(tmp_path: Path, printer: str, fallback: str | None = None, extra: str = "") -> Path:
    toml = site_toml(extra=extra).replace(
        'kind = "meet-and-greet"\n',
        f'kind = "meet-and-greet"\nprinter = "{printer}"\n'
        + (f'fallback_printer = "{fallback}"\n' if fallback else ""),
    )
    return make_db(tmp_path, toml)


def test_worker_once_prints_the_ticket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paper = tmp_path / "paper.bin"
    db = office_with(tmp_path, f"capture://{paper}")
    cli = Cli(db, monkeypatch)
    now = "2026-11-23T09:40:00Z"
    assert cli("ticket", "issue", "--service", "C", now=now).code == 0
    issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1", "--json", now=now)
    assert issued.json()["print_job"] is not None
    result = cli("worker", "--once", "--json", now=now)
    assert result.code == 0, result.err
    assert result.json()["printed"] == 1
    events = decode(paper.read_bytes())
    text = text_lines(events)
    assert "C002" in text and "Council Tax" in text
    # C001 is called at another of the 4 open desks at the same moment: nobody is ahead.
    assert "Nobody ahead of you" in text and "You will be called soon" in text
    assert [e.payload for e in events if isinstance(e, QRCode)] == ["OSSD-T:hq:2026-11-23:C002"]
    assert sum(isinstance(e, Cut) for e in events) == 1
    assert rows(db, "SELECT printed_at IS NOT NULL FROM tickets WHERE id = 2") == [(1,)]
    assert rows(db, "SELECT status FROM device_status") == [("ok",)]
    # Nothing personal in what was printed (needs are recorded, never printed).
    assert b"wheelchair" not in paper.read_bytes()


def test_print_to_queues_a_job_for_that_device(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_db(tmp_path, site_toml())
    cli = Cli(db, monkeypatch)
    target = tmp_path / "kiosk.bin"
    now = "2026-11-23T09:40:00Z"
    issued = cli(
        "ticket", "issue", "--service", "B", "--print-to", f"capture://{target}", "--json", now=now
    )
    assert issued.code == 0 and issued.json()["print_job"] == 1
    assert cli("worker", "--once", now=now).code == 0
    assert "B001" in text_lines(decode(target.read_bytes()))
    again = cli("ticket", "reprint", "B001", "--print-to", f"capture://{target}", now=now)
    assert again.code == 0
    assert cli("worker", "--once", now=now).code == 0
    assert text_lines(decode(target.read_bytes())).count("B001") == 2


def delivery(db: Path, clock: FixedClock) -> tuple[PrintDelivery, object]:
    session = open_session(db=db, clock=clock, person="worker")
    return PrintDelivery(session), session


def test_paper_out_is_retried_with_backoff_and_the_desk_sees_it(tmp_path: Path) -> None:
    printer = FakePrinter(replies=dict(PAPER_OUT))
    try:
        db = office_with(tmp_path, printer.url)
        clock = FixedClock(MONDAY_0930)
        desk = open_session(db=db, clock=clock, person="greeter", desk_id="greet-1")
        ticket = QueueService(desk).issue("C").ticket
        worker, session = delivery(db, clock)
        started = time.monotonic()
        report = worker.deliver_due()
        assert time.monotonic() - started < 2.5  # a fault never hangs the worker
        assert (report.printed, report.retried) == (0, 1)
        status, attempts, retry_at, error = rows(
            db, "SELECT status, attempts, next_attempt_at, last_error FROM print_jobs"
        )[0]
        assert (status, attempts, error) == ("pending", 1, "printer paper out")
        assert str(retry_at) == "2026-11-23T09:30:02.000Z"  # 2 s, then 4, 8, 16...
        assert printer.jobs == []  # nothing sent to a printer with no paper
        # The desk sees it; the ticket exists and is in the queue.
        snapshot = take_snapshot(desk)
        assert snapshot.devices[printer.url].status == "paper out"
        assert any(e.ticket.id == ticket.id for e in snapshot.waiting)
        # Not yet due: nothing happens.
        assert worker.deliver_due().retried == 0
        # Paper loaded; the retry comes due and prints.
        printer.replies = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}
        clock.set(MONDAY_0930 + timedelta(seconds=3))
        assert worker.deliver_due().printed == 1
        assert printer.job_arrived.wait(2)
        assert "C001" in text_lines(decode(printer.jobs[-1]))
        assert rows(db, "SELECT status, attempts FROM print_jobs") == [("done", 2)]
        assert take_snapshot(desk).devices[printer.url].status == "ok"
        session.close()  # type: ignore[attr-defined]
        desk.close()
    finally:
        printer.close()


def test_worker_once_says_sent_for_a_job_no_printer_confirmed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job a printer device file took (file://: it cannot be asked how it is) was sent, and
    nothing confirmed it printed: the summary says so, in the words ``ticket show`` uses, not
    "Printed"; a network printer that answered it is fine says printed."""
    now = "2026-11-23T09:40:00Z"
    said = {}
    device = tmp_path / "lp0"
    device.touch()
    printer = FakePrinter()
    try:
        for name, url in (("file", f"file://{device}"), ("tcp", printer.url)):
            (tmp_path / name).mkdir()
            cli = Cli(office_with(tmp_path / name, url), monkeypatch)
            issued = cli("ticket", "issue", "--service", "C", "--desk", "greet-1", now=now)
            assert issued.code == 0, issued.err
            result = cli("worker", "--once", now=now)
            assert result.code == 0, result.err
            said[name] = result.out.splitlines()[0]
            cli("ticket", "issue", "--service", "C", "--desk", "greet-1", now=now)
            counts = cli("worker", "--once", "--json", now=now).json()
            assert (counts["printed"], counts["sent"]) == ((1, 1) if name == "file" else (1, 0))
            shown = cli("ticket", "show", "C001", now=now)
            assert ("print job 1: sent to the printer" in shown.out) is (name == "file")
    finally:
        printer.close()
    assert said["file"].startswith("Printed 0, sent to the printer (not confirmed) 1, to retry 0,")
    assert said["tcp"].startswith("Printed 1, sent to the printer (not confirmed) 0, to retry 0,")
    assert device.stat().st_size > 0


def test_fallback_printer_then_a_waiting_tickets_job_waits_for_a_printer(tmp_path: Path) -> None:
    dead = f"tcp://127.0.0.1:{closed_port()}?timeout=1"
    fallback = tmp_path / "fallback.bin"
    db = office_with(
        tmp_path, dead, fallback=f"capture://{fallback}", extra="\n[printing]\nattempts = 3\n"
    )
    clock = FixedClock(MONDAY_0930)
    desk = open_session(db=db, clock=clock, person="greeter", desk_id="greet-1")
    QueueService(desk).issue("W")
    worker, session = delivery(db, clock)
    reports = []
    for _ in range(3):
        reports.append(worker.deliver_due())
        clock.set(clock.now() + timedelta(seconds=60))
    # Three tries on the desk's printer; after the third the job moved to the fallback printer
    # and printed there at once.
    assert [(r.retried, r.printed) for r in reports] == [(1, 0), (1, 0), (1, 1)]
    assert "W001" in text_lines(decode(fallback.read_bytes()))
    assert rows(db, "SELECT status, printer_url LIKE 'capture://%' FROM print_jobs") == [
        ("done", 1)
    ]
    # With the fallback dead too, a waiting ticket's job is not given up on: it waits on the
    # fallback (tried every 30 s at most) while its ticket waits, and prints once it works.
    fallback.unlink()
    fallback.mkdir()  # cannot be written to any more
    second = QueueService(desk).issue("W").ticket
    for _ in range(7):
        worker.deliver_due()
        clock.set(clock.now() + timedelta(seconds=60))
    assert rows(db, "SELECT status FROM print_jobs WHERE ticket_id = ?", second.id) == [
        ("pending",)
    ]
    assert QueueService(desk).ticket(second.id).status.value == "waiting"
    snapshot = take_snapshot(desk)
    assert (snapshot.printing.failed, snapshot.printing.waiting) == (0, 1)
    fallback.rmdir()  # put right
    assert worker.deliver_due().printed == 1
    assert second.code in text_lines(decode(fallback.read_bytes()))
    # A job of no ticket (a slip, a summary) still ends as failed: the team leader is asked.
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO print_jobs (created_at, kind, desk_id, printer_url, next_attempt_at, "
        "payload) VALUES ('2026-11-23T09:00:00Z', 'test', 'greet-1', ?, "
        "'2000-01-01T00:00:00.000Z', '{}')",
        [dead],
    )
    conn.commit()
    conn.close()
    fallback.unlink()
    fallback.mkdir()
    for _ in range(7):
        worker.deliver_due()
        clock.set(clock.now() + timedelta(seconds=60))
    assert rows(db, "SELECT status FROM print_jobs WHERE kind = 'test'") == [("failed",)]
    session.close()  # type: ignore[attr-defined]
    desk.close()


WORKER = textwrap.dedent(
    """
    import sys
    from oss_desk.services.session import open_session
    from oss_desk.worker.run import DeviceWorker
    worker = DeviceWorker(lambda: open_session(db=sys.argv[1], person="worker"))
    print("started", flush=True)
    worker.run_forever()
    """
)


def test_kill_9_after_the_last_byte_then_the_desk_is_asked(tmp_path: Path) -> None:
    """Killed while the printer had the whole job but had not confirmed it: the next worker
    does not print it again by itself (that would be a second ticket); the job is uncertain and
    the desk that issued it is asked; its answer prints a copy that says COPY."""
    printer = FakePrinter(behaviour="stall")
    try:
        db = office_with(tmp_path, printer.url.replace("timeout=1", "timeout=5"))
        session = open_session(db=db, person="greeter", desk_id="greet-1")
        QueueService(session).issue("C")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        first = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db)], env=env, stdout=subprocess.PIPE, text=True
        )
        assert first.stdout is not None and first.stdout.readline().strip() == "started"
        # Each wait is for a worker process started just now: under three test workers on 2 cores
        # one took more than 10 s to start and find the job (the bound only bounds a failure).
        deadline = time.monotonic() + 60
        while rows(db, "SELECT status, sent_at IS NOT NULL FROM print_jobs") != [("printing", 1)]:
            assert time.monotonic() < deadline, "the worker never sent the job"
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)  # waiting for the printer to confirm
        first.wait(5)
        printer.behaviour = "ok"
        second = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(db)], env=env, stdout=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 60
            while rows(db, "SELECT status FROM print_jobs") != [("uncertain",)]:
                assert time.monotonic() < deadline, rows(db, "SELECT * FROM print_jobs")
                time.sleep(0.05)
            (job,) = take_snapshot(session).attention
            assert (job.code, job.status, job.desk_id) == ("C001", "uncertain", "greet-1")
            assert "did not confirm" in str(job.reason) or "stopped" in str(job.reason)
            answer_job(session, Actor("greeter", "greet-1"), job.id, reprint=True)
            deadline = time.monotonic() + 60
            while rows(db, "SELECT status FROM print_jobs ORDER BY id") != [
                ("uncertain",),
                ("done",),
            ]:
                assert time.monotonic() < deadline, rows(db, "SELECT * FROM print_jobs")
                time.sleep(0.05)
            # The fake printer files a job on its own thread once the connection has closed,
            # which may be after the worker has written that the printer confirmed it.
            deadline = time.monotonic() + 60
            while len(copies := [text_lines(decode(j)) for j in printer.jobs if b"C001" in j]) < 2:
                assert time.monotonic() < deadline, copies
                time.sleep(0.02)
            assert [copy[0] == "COPY" for copy in copies] == [False, True]  # the second says so
            assert take_snapshot(session).attention == ()  # answered
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(10)
            session.close()
    finally:
        printer.close()


def test_only_one_worker(tmp_path: Path) -> None:
    db = make_db(tmp_path, site_toml())
    lock = WorkerLock.acquire(db)
    assert lock is not None
    try:
        assert WorkerLock.acquire(db) is None
        proc = run_cli_process("worker", "--once", env={"OSS_DESK_DB": str(db)})
        assert proc.returncode == 6
        assert proc.stderr.strip() == (
            "oss-desk: a device worker is already running for this database "
            f"(process {os.getpid()})"
        )
    finally:
        lock.release()
    assert run_cli_process("worker", "--once", env={"OSS_DESK_DB": str(db)}).returncode == 0


def test_board_follows_the_calls_and_comes_back_after_a_fault(tmp_path: Path) -> None:
    stable = tmp_path / "board-tty"
    board = Pty()
    stable.symlink_to(board.path)
    db = make_db(
        tmp_path,
        site_toml(extra=f'\n[board]\nurl = "dmd+serial://{stable}"\npoll_seconds = 0.3\n'),
    )
    worker = DeviceWorker(lambda: open_session(db=db, person="worker"), poll_interval=0.02)
    desk = open_session(db=db, person="ben", desk_id="desk-1")
    worker.start()
    try:
        # Its message with nobody called, as the product says it now ("Please take a ticket",
        # "Opens at 09:00", "Office closed"; its first 13 letters): a run crossing opening,
        # closing or midnight as the worker starts sees the worker redraw it with the new one.
        shown, deadline = b"", time.monotonic() + 3
        while board_message(desk, "hq").encode()[:13] not in shown:
            assert time.monotonic() < deadline, f"not the office's message now: {shown!r}"
            shown += board.read_for(0.05)
        queue = QueueService(desk)
        queue.issue("C")
        queue.issue("B")
        called = queue.call_next("desk-1")
        assert called is not None
        frame = board.read(b"C001 -> Desk 1")  # how fast: `python -m tests.benchmarks devices`
        assert b"\x1f\x01\x0b" in frame  # overwrite, home: a redraw, not a re-initialise
        queue.recall(called.code)
        assert b"C001 -> Desk 1" in board.read(b"C001 -> Desk 1")
        # Unplugged while nothing happens: within its poll interval (0.3 s here) the board shows
        # as offline, with nothing sent to it; the desk carries on.
        board.close()
        unplugged = time.monotonic()
        while rows(db, "SELECT status FROM device_status WHERE kind = 'board'") != [("offline",)]:
            assert time.monotonic() - unplugged < 5, "the board was not found unplugged"
            time.sleep(0.02)
        queue.finish(called.code, "resolved")
        queue.call_next("desk-1")
        # Plugged back in: the whole state is resent (newest call first).
        again = Pty()
        stable.unlink()
        stable.symlink_to(again.path)
        frame = again.read(b"C001 -> Desk 1", timeout=8)
        assert frame.index(b"B001 -> Desk 1") < frame.index(b"C001 -> Desk 1")
        assert frame.startswith(b"\x1b\x40")
        # Every update is marked done once its frame went out (the board stays plugged in until
        # then: unplugging it again would rightly leave the next update pending for a retry).
        deadline = time.monotonic() + 20
        while rows(db, "SELECT count(*) FROM board_updates WHERE status = 'pending'") != [(0,)]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        again.close()
    finally:
        worker.join()
        desk.close()


SILENT_FOR = 3.0
"""The silent printer's timeout (seconds): how long a wait for it would last."""


def test_a_silent_printer_never_blocks_the_desk(tmp_path: Path) -> None:
    printer = FakePrinter(behaviour="silent")
    url = printer.url.replace("timeout=1", f"timeout={SILENT_FOR:g}")
    try:
        db = office_with(tmp_path, url)
        worker = DeviceWorker(lambda: open_session(db=db, person="worker"), poll_interval=0.02)
        worker.start()
        desk = open_session(db=db, person="greeter", desk_id="greet-1")
        try:
            queue = QueueService(desk)
            timings = []
            for _ in range(5):
                started = time.monotonic()
                queue.issue("C")
                timings.append(time.monotonic() - started)
            # Issuing never waits for the printer: a wait would last its whole timeout (one
            # issue took 0.64 s with three test workers on 2 cores, against a bound of 0.5 s).
            assert max(timings) < SILENT_FOR * 0.8
            deadline = time.monotonic() + 60
            while take_snapshot(desk).devices.get(url) is None:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert take_snapshot(desk).devices[url].status == PrinterStatus.UNKNOWN.value
            assert rows(db, "SELECT count(*) FROM tickets") == [(5,)]
        finally:
            desk.close()
            worker.join()
    finally:
        printer.close()
