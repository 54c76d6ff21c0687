"""A worker killed (kill -9) again and again while it prints: no ticket lost, hardly ever an
automatic second copy, and every second copy says COPY."""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import signal
import time
from collections import defaultdict
from pathlib import Path

from oss_desk.domain.models import Actor
from oss_desk.services.delivery import answer_job, jobs_needing_answer
from oss_desk.services.queue import QueueService
from oss_desk.services.session import open_session
from oss_desk.storage.lease import WorkerLock
from oss_desk.worker.printing import PrintDelivery

from .conftest import make_db, rows, site_toml
from .escpos_decoder import decode, text_lines
from .hardware.fakes import FakePrinter

KILLS = 20
CODE = re.compile(r"C\d{3}")


def _print_worker(db: str) -> None:
    """The owner of the devices, printing (the worker's own print lane), until killed."""
    lock = WorkerLock.acquire(Path(db))
    assert lock is not None, "the previous worker still holds the lease"
    session = open_session(db=db, person="worker", host=True)
    delivery = PrintDelivery(session)
    delivery.recover()  # what the killed one left mid-print
    while True:
        delivery.deliver_due()
        time.sleep(0.005)


def _filed(printer: FakePrinter) -> None:
    """Wait until the printer has filed every job it was sent."""
    printer.filed()


def _copies(printer: FakePrinter) -> dict[str, list[tuple[bool, bool]]]:
    """Per ticket, each copy that reached the printer: (says COPY, whole)."""
    found: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for job in printer.jobs:
        lines = text_lines(decode(job))
        code = next((line for line in lines if CODE.fullmatch(line)), None)
        if code is not None:
            found[code].append(("COPY" in lines[:1], "details." in lines))
    return found


def test_twenty_kill_9s_while_printing(tmp_path: Path) -> None:
    printer = FakePrinter(rate=40_000)  # a slow printer: a 6 KB ticket takes 0.15 s
    url = printer.url + "&profile=ZJ-5870"
    db = make_db(
        tmp_path,
        site_toml(greet_printer=url, extra="\n[printing]\nretry_seconds = 0.05\n"),
    )
    desk = open_session(db=db, person="greeter", desk_id="greet-1")
    queue = QueueService(desk)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["oss_desk.worker.printing", "tests.test_delivery_kills"])
    rng = random.Random(12)
    codes = []
    try:
        for _ in range(KILLS):
            codes.append(queue.issue("C").ticket.code)
            child = context.Process(target=_print_worker, args=(str(db),))
            child.start()
            deadline = time.monotonic() + 20
            while rows(db, "SELECT count(*) FROM print_jobs WHERE status = 'printing'") == [(0,)]:
                assert time.monotonic() < deadline, rows(db, "SELECT * FROM print_jobs")
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.2))  # somewhere in the job (0.15 s at the printer)
            assert child.pid is not None
            os.kill(child.pid, signal.SIGKILL)
            child.join(10)
        automatic = _copies(printer)
        # One more worker, left alone, finishes what is due.
        last = context.Process(target=_print_worker, args=(str(db),))
        last.start()
        try:
            deadline = time.monotonic() + 20
            while rows(db, "SELECT count(*) FROM print_jobs WHERE status IN "
                           "('pending', 'printing')") != [(0,)]:  # fmt: skip
                assert time.monotonic() < deadline, rows(db, "SELECT * FROM print_jobs")
                time.sleep(0.02)
            _filed(printer)
            automatic = _copies(printer)
            extra = sum(max(0, sum(whole for _, whole in c) - 1) for c in automatic.values())
            assert extra <= 0.1 * KILLS, dict(automatic)
            # No ticket lost: each one came out whole, or its desk is asked about it.
            asked = {str(j.code): j for j in jobs_needing_answer(desk)}
            for code in codes:
                whole = any(w for _, w in automatic.get(code, []))
                assert whole or code in asked, (
                    code,
                    automatic.get(code),
                    rows(db, "SELECT * FROM print_jobs"),
                )
            # The desk answers: reprint those that did not come out; the copies say COPY.
            for asked_code, job in asked.items():
                whole = any(w for _, w in automatic.get(asked_code, []))
                answer_job(desk, Actor("greeter", "greet-1"), job.id, reprint=not whole)
            deadline = time.monotonic() + 20
            while rows(db, "SELECT count(*) FROM print_jobs WHERE status IN "
                           "('pending', 'printing')") != [(0,)]:  # fmt: skip
                assert time.monotonic() < deadline
                time.sleep(0.02)
            _filed(printer)
        finally:
            assert last.pid is not None
            os.kill(last.pid, signal.SIGKILL)
            last.join(10)
        final = _copies(printer)
        for code in codes:
            copies = final[code]
            assert any(whole for _, whole in copies), (code, copies)  # printed, at last
            assert all(says_copy for says_copy, _ in copies[1:]), (code, copies)
        print(
            f"{KILLS} kills: {extra} automatic extra copies; "
            f"{len(asked)} tickets asked at the desk; "
            f"{sum(len(c) for c in final.values())} copies for {len(codes)} tickets"
        )
    finally:
        desk.close()
        printer.close()
